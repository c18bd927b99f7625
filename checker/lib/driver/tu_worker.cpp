#include "driver/tu_worker.h"

#include "extract/decl_names.h"
#include "support/bounded_read.h"
#include "support/strict_json.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace lockcheck {
using nlohmann::json;

namespace {

// Both ways a message is a frame: "<decimal length>\n" and that many bytes of CBOR. A file
// name may hold any byte but NUL ('\n' included), so nothing is delimited by a character.
bool sendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool readExactly(int fd, std::string &out, size_t size) {
  out.resize(size);
  for (size_t got = 0; got < size;) {
    ssize_t n = ::read(fd, out.data() + got, size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    got += static_cast<size_t>(n);
  }
  return true;
}

// A request carries an editor's buffer (at most lsp::kMaxBodyBytes), an answer a TU's facts.
constexpr size_t kMaxFrameBytes = kFactsFileLimit;

bool sendFrame(int fd, std::string_view payload) {
  return sendAll(fd, std::to_string(payload.size()) + "\n") && sendAll(fd, payload);
}

// False at end of stream or on anything that is not a frame (the stream cannot be trusted after).
bool readFrame(int fd, std::string &payload) {
  std::string digits;
  for (char c;;) {
    ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    if (c == '\n') break;
    if (c < '0' || c > '9' || digits.size() == 10) return false;
    digits += c;
  }
  if (digits.empty()) return false;
  size_t size = std::stoull(digits);
  return size <= kMaxFrameBytes && readExactly(fd, payload, size);
}

std::string cbor(const json &message) {
  std::vector<std::uint8_t> bytes = json::to_cbor(message);
  return std::string(bytes.begin(), bytes.end());
}

json fromCbor(const std::string &payload) {
  json message;
  if (strict_json::Error e; !strict_json::parseCbor(payload, message, e)) throw std::runtime_error(strict_json::describe(e));
  return message;
}

std::string encodeRequest(const std::string &file, const std::string *text) {
  json request = {{"file", file}};
  if (text) request["text"] = *text;
  return cbor(request);
}

// `request`: the absolute path asked for, echoed so the parent can tell an answer is its own.
std::string encodeAnswer(const std::string &request, const TUResult &r) {
  json inputs = json::array();
  for (const auto &in : r.facts.inputs) inputs.push_back({in.path, in.hash});
  json message = {{"request", request}, {"ok", r.ok},         {"error", r.error},           {"file", r.file},
                  {"inputs", inputs},   {"absent", r.facts.absent}};
  if (r.ok) message["facts"] = factsToDocument(r.facts);
  return cbor(message);
}

bool decodeAnswer(const std::string &payload, const std::string &request, TUResult &r, std::string &error) {
  try {
    json message = fromCbor(payload);
    if (message.at("request").get<std::string>() != request) {
      error = "the answer is about another file";
      return false;
    }
    r.ok = message.at("ok").get<bool>();
    r.error = message.at("error").get<std::string>();
    r.file = message.at("file").get<std::string>();
    if (r.ok && !factsFromDocument(message.at("facts"), r.facts, error)) return false;
    if (r.facts.file.empty()) r.facts.file = r.file;
    for (const auto &in : message.at("inputs")) r.facts.inputs.push_back({in.at(0), in.at(1)});
    r.facts.absent = message.at("absent").get<std::vector<std::string>>();
    return true;
  } catch (const std::exception &e) {
    error = e.what();
    return false;
  }
}

} // namespace

TUWorker::~TUWorker() { stop(); }

bool TUWorker::start(std::string &error) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    error = std::string("socketpair: ") + std::strerror(errno);
    return false;
  }
  // fd 3 is the channel; the worker's stdout goes to stderr so nothing it prints can
  // mix with the report.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 3);
  posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO);
  std::vector<char *> args;
  for (auto &a : argv_) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    error = "cannot start " + argv_[0] + ": " + std::strerror(rc);
    return false;
  }
  pid_ = pid;
  fd_ = fds[0];
  return true;
}

void TUWorker::stop() {
  if (fd_ >= 0) ::close(fd_); // the worker reads end-of-file and exits
  fd_ = -1;
  if (pid_ > 0) {
    int status = 0;
    pid_t waited;
    while ((waited = ::waitpid(pid_, &status, 0)) < 0 && errno == EINTR) {
    }
    // A worker that fails on the way out (a sanitizer's leak report) must not go unseen.
    if (waited > 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
      std::cerr << "lockcheck: warning: a worker process ended with "
                << (WIFSIGNALED(status) ? "signal " + std::to_string(WTERMSIG(status))
                                        : "exit status " + std::to_string(WEXITSTATUS(status)))
                << " after its last file\n";
  }
  pid_ = -1;
}

std::string TUWorker::crashReason() {
  ::close(fd_);
  fd_ = -1;
  int status = 0;
  pid_t waited;
  while ((waited = ::waitpid(pid_, &status, 0)) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  if (waited > 0 && WIFSIGNALED(status)) return std::string("signal ") + std::to_string(WTERMSIG(status)) + ", " + strsignal(WTERMSIG(status));
  if (waited > 0 && WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  return "lost contact";
}

TUResult TUWorker::analyse(const std::string &file, const std::string *text) {
  TUResult r;
  r.file = displayPath(file);
  std::string error, payload;
  if (fd_ < 0 && !start(error)) {
    r.error = error;
    return r;
  }
  if (!sendFrame(fd_, encodeRequest(file, text)) || !readFrame(fd_, payload)) {
    r.error = "the parser crashed on this file (" + crashReason() + "); it was skipped";
    return r;
  }
  TUResult decoded;
  if (!decodeAnswer(payload, file, decoded, error)) {
    stop();
    r.error = "garbled answer from the worker: " + error;
    return r;
  }
  return decoded;
}

int serveWorker(int fd, const CompileSetup &setup, const RulePacks &packs) {
  for (std::string payload; readFrame(fd, payload);) {
    json request;
    try {
      request = fromCbor(payload);
      request.at("file").get_ref<const std::string &>();
    } catch (const std::exception &) {
      return 1; // not our parent's: nothing to answer
    }
    const std::string &file = request["file"].get_ref<const std::string &>();
    auto text = request.find("text");
    const std::string *contents = text != request.end() && text->is_string() ? &text->get_ref<const std::string &>() : nullptr;
    if (!sendFrame(fd, encodeAnswer(file, extractFile(file, setup, packs, contents)))) return 1;
  }
  return 0;
}

} // namespace lockcheck
