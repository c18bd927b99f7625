#include "driver/tu_worker.h"

#include "extract/decl_names.h"

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

// A frame is "<decimal length>\n" and that many bytes of CBOR.
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

// Reads up to '\n' one byte at a time: lines are short and one frame follows each.
bool readLine(int fd, std::string &line) {
  line.clear();
  for (char c;;) {
    ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    if (c == '\n') return true;
    line += c;
    if (line.size() > 4096) return false;
  }
}

bool sendFrame(int fd, const std::string &payload) {
  return sendAll(fd, std::to_string(payload.size()) + "\n") && sendAll(fd, payload);
}

std::string encode(const TUResult &r) {
  json inputs = json::array();
  for (const auto &in : r.facts.inputs) inputs.push_back({in.path, in.hash});
  json message = {{"ok", r.ok}, {"error", r.error}, {"file", r.file}, {"inputs", inputs}, {"absent", r.facts.absent}};
  if (r.ok) message["facts"] = factsToDocument(r.facts);
  std::vector<std::uint8_t> bytes = json::to_cbor(message);
  return std::string(bytes.begin(), bytes.end());
}

bool decode(const std::string &payload, TUResult &r, std::string &error) {
  try {
    json message = json::from_cbor(payload);
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

TUResult TUWorker::analyse(const std::string &file) {
  TUResult r;
  r.file = displayPath(file);
  std::string error, header, payload;
  if (fd_ < 0 && !start(error)) {
    r.error = error;
    return r;
  }
  bool answered = sendAll(fd_, file + "\n") && readLine(fd_, header) && !header.empty() &&
                  header.find_first_not_of("0123456789") == std::string::npos &&
                  readExactly(fd_, payload, std::stoull(header));
  if (!answered) {
    r.error = "the parser crashed on this file (" + crashReason() + "); it was skipped";
    return r;
  }
  TUResult decoded;
  if (!decode(payload, decoded, error)) {
    stop();
    r.error = "garbled answer from the worker: " + error;
    return r;
  }
  return decoded;
}

int serveWorker(int fd, const CompileSetup &setup, const RulePacks &packs) {
  for (std::string file; readLine(fd, file);)
    if (!sendFrame(fd, encode(extractFile(file, setup, packs)))) return 1;
  return 0;
}

} // namespace lockcheck
