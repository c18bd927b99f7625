#include "driver/git_revision.h"

#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char **environ;

namespace lockcheck {
namespace fs = std::filesystem;
namespace {

std::string readAll(int fd) {
  std::string text;
  char buf[65536];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) != 0;) {
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    text.append(buf, static_cast<size_t>(n));
  }
  return text;
}

void writeAll(int fd, const std::string &bytes) {
  for (size_t done = 0; done < bytes.size();) {
    ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return; // the program stopped reading: its status says why
    done += static_cast<size_t>(n);
  }
}

// Runs a program without a shell. `input` goes to its standard input from another thread,
// so neither side can wait on the other's full pipe.
bool run(const std::vector<std::string> &argv, std::string &out, std::string &err, const std::string &input = {}) {
  int inPipe[2] = {-1, -1}, outPipe[2] = {-1, -1}, errPipe[2] = {-1, -1};
  // Close-on-exec: the workers this process starts meanwhile must not hold a pipe open.
  if (pipe2(inPipe, O_CLOEXEC) != 0 || pipe2(outPipe, O_CLOEXEC) != 0 || pipe2(errPipe, O_CLOEXEC) != 0) {
    for (int fd : {inPipe[0], inPipe[1], outPipe[0], outPipe[1], errPipe[0], errPipe[1]})
      if (fd >= 0) close(fd);
    err = "cannot create a pipe";
    return false;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, inPipe[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, outPipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, errPipe[1], STDERR_FILENO);
  std::vector<char *> args;
  for (const auto &a : argv) args.push_back(const_cast<char *>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(inPipe[0]);
  close(outPipe[1]);
  close(errPipe[1]);
  if (rc != 0) {
    for (int fd : {inPipe[1], outPipe[0], errPipe[0]}) close(fd);
    err = "cannot run " + argv[0];
    return false;
  }
  std::thread feeder([&] {
    writeAll(inPipe[1], input);
    close(inPipe[1]);
  });
  // git's stderr is a line or two, far below a pipe's buffer, so reading stdout first is safe.
  out = readAll(outPipe[0]);
  err = readAll(errPipe[0]);
  feeder.join();
  close(outPipe[0]);
  close(errPipe[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

std::string firstLine(const std::string &text) {
  std::string line = text.substr(0, text.find('\n'));
  return line.empty() ? "failed" : line;
}

// `git cat-file --batch` answers for each id: "<id> blob <size>\n<bytes>\n".
bool readBlobs(const std::string &top, const std::vector<std::string> &ids, std::vector<std::string> &out,
               std::string &error) {
  std::string request, answer, err;
  for (const auto &id : ids) request += id + "\n";
  if (!run({"git", "-C", top, "cat-file", "--batch"}, answer, err, request)) {
    error = "git cat-file: " + firstLine(err);
    return false;
  }
  size_t pos = 0;
  for (const auto &id : ids) {
    size_t eol = answer.find('\n', pos);
    std::string header = answer.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
    size_t space = header.rfind(' ');
    if (eol == std::string::npos || header.rfind(id + " blob ", 0) != 0 || space == std::string::npos) {
      error = "git cat-file: no blob " + id + " (" + header + ")";
      return false;
    }
    size_t size = std::strtoul(header.c_str() + space + 1, nullptr, 10);
    if (eol + 1 + size > answer.size()) {
      error = "git cat-file: the blob " + id + " is cut short";
      return false;
    }
    out.push_back(answer.substr(eol + 1, size));
    pos = eol + 1 + size + 1;
  }
  return true;
}

} // namespace

std::vector<RawChange> parseRawDiff(const std::string &text) {
  std::vector<RawChange> out;
  size_t pos = 0;
  auto field = [&](std::string &into) {
    size_t end = text.find('\0', pos);
    if (end == std::string::npos) return false;
    into = text.substr(pos, end - pos);
    pos = end + 1;
    return true;
  };
  for (std::string header; pos < text.size() && field(header);) {
    // ":100644 100644 <old sha> <new sha> R087"
    if (header.empty() || header[0] != ':') break;
    std::vector<std::string> parts;
    for (size_t start = 1, space; start <= header.size(); start = space + 1) {
      space = header.find(' ', start);
      if (space == std::string::npos) space = header.size();
      parts.push_back(header.substr(start, space - start));
    }
    if (parts.size() != 5 || parts[4].empty()) break;
    RawChange c;
    c.status = parts[4][0];
    c.oldSha = parts[2];
    c.submodule = parts[0] == "160000" || parts[1] == "160000";
    if (c.status == 'R' || c.status == 'C') {
      if (!field(c.oldPath) || !field(c.path)) break;
    } else if (!field(c.path)) {
      break;
    }
    out.push_back(std::move(c));
  }
  return out;
}

bool changesSince(const std::string &revision, RevisionChanges &out, std::string &error) {
  out = RevisionChanges{};
  out.revision = revision;
  if (revision.empty() || revision.front() == '-') {
    error = "--changed-since: '" + revision + "' is not a revision";
    return false;
  }
  std::string top, err, ignored;
  if (!run({"git", "rev-parse", "--show-toplevel"}, top, err)) {
    error = "--changed-since: not in a git repository (" + firstLine(err) + ")";
    return false;
  }
  while (!top.empty() && (top.back() == '\n' || top.back() == '\r')) top.pop_back();
  out.top = top;
  if (!run({"git", "rev-parse", "--verify", "--quiet", revision + "^{commit}"}, ignored, err)) {
    error = "--changed-since: unknown revision '" + revision + "' (no such commit in " + top + ")";
    return false;
  }
  // Renames found (-M) so a moved file's findings are matched under its new name; fixed
  // output whatever the user's git config says.
  std::string diff;
  if (!run({"git", "-C", top, "diff", "--raw", "-z", "-M", "--no-abbrev", "--no-color", "--no-ext-diff", revision, "--"},
           diff, err)) {
    error = "--changed-since: git diff " + revision + ": " + firstLine(err);
    return false;
  }
  std::vector<std::string> ids;
  std::vector<FileChange *> needBytes;
  auto absolute = [&](const std::string &relative) { return (fs::path(top) / relative).lexically_normal().string(); };
  std::vector<RawChange> raw = parseRawDiff(diff);
  out.files.reserve(raw.size());
  for (const RawChange &c : raw) {
    if (c.submodule) continue; // another repository: not analysed as part of this one
    FileChange f;
    f.path = absolute(c.path);
    switch (c.status) {
    case 'A':
    case 'C': f.kind = FileChange::Kind::Added; break; // a copy leaves its source as it was
    case 'D': f.kind = FileChange::Kind::Deleted; break;
    case 'R':
      f.kind = FileChange::Kind::Renamed;
      f.oldPath = absolute(c.oldPath);
      break;
    default: f.kind = FileChange::Kind::Modified; break; // M, T (type change), U
    }
    out.files.push_back(std::move(f));
    if (out.files.back().kind != FileChange::Kind::Added) {
      ids.push_back(c.oldSha);
      needBytes.push_back(&out.files.back());
    }
  }
  std::vector<std::string> blobs;
  if (!ids.empty() && !readBlobs(top, ids, blobs, err)) {
    error = "--changed-since: " + err;
    return false;
  }
  for (size_t i = 0; i < blobs.size(); ++i) needBytes[i]->before = std::move(blobs[i]);

  std::string untracked;
  if (!run({"git", "-C", top, "ls-files", "--others", "--exclude-standard", "-z"}, untracked, err)) {
    error = "--changed-since: git ls-files: " + firstLine(err);
    return false;
  }
  for (size_t pos = 0; pos < untracked.size();) {
    size_t end = untracked.find('\0', pos);
    if (end == std::string::npos) end = untracked.size();
    out.files.push_back(FileChange{FileChange::Kind::Added, absolute(untracked.substr(pos, end - pos)), {}, {}});
    pos = end + 1;
  }
  return true;
}

} // namespace lockcheck
