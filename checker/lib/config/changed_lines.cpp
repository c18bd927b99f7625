#include "config/changed_lines.h"

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <spawn.h>
#include <sys/wait.h>
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

// Runs a program without a shell, so a REV can never be interpreted as shell syntax.
bool run(const std::vector<std::string> &argv, std::string &out, std::string &err) {
  int outPipe[2], errPipe[2];
  if (pipe(outPipe) != 0) return false;
  if (pipe(errPipe) != 0) {
    close(outPipe[0]);
    close(outPipe[1]);
    return false;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, outPipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, errPipe[1], STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, outPipe[0]);
  posix_spawn_file_actions_addclose(&actions, errPipe[0]);
  std::vector<char *> args;
  for (const auto &a : argv) args.push_back(const_cast<char *>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(outPipe[1]);
  close(errPipe[1]);
  if (rc != 0) {
    close(outPipe[0]);
    close(errPipe[0]);
    err = "cannot run " + argv[0];
    return false;
  }
  // git's stderr is a line or two, far below a pipe's buffer, so reading stdout first is safe.
  out = readAll(outPipe[0]);
  err = readAll(errPipe[0]);
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

// The same rule as the analysis uses for Finding::file: relative to the working directory when
// below it, otherwise absolute.
std::string displayPathOf(const fs::path &path) {
  std::error_code ec;
  fs::path abs = fs::absolute(path, ec).lexically_normal();
  fs::path cwd = fs::current_path(ec);
  fs::path rel = abs.lexically_relative(cwd);
  if (ec || rel.empty() || *rel.begin() == "..") return abs.string();
  return rel.string();
}

// git quotes paths with unusual characters C-style: "a\tb.cpp", octal escapes for bytes.
std::string unquoteGitPath(const std::string &text) {
  if (text.size() < 2 || text.front() != '"' || text.back() != '"') return text;
  std::string out;
  for (size_t i = 1; i + 1 < text.size(); ++i) {
    char c = text[i];
    if (c != '\\' || i + 2 >= text.size()) {
      out += c;
      continue;
    }
    char e = text[++i];
    if (e >= '0' && e <= '7') {
      int value = 0;
      for (int k = 0; k < 3 && i + 1 < text.size() && text[i] >= '0' && text[i] <= '7'; ++k, ++i)
        value = value * 8 + (text[i] - '0');
      --i;
      out += static_cast<char>(value);
    } else if (e == 'n') out += '\n';
    else if (e == 't') out += '\t';
    else out += e; // \" and \\ .
  }
  return out;
}

unsigned parseNumber(const std::string &text, size_t &pos) {
  unsigned value = 0;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') value = value * 10 + (text[pos++] - '0');
  return value;
}

} // namespace

void parseUnifiedDiff(const std::string &diff, std::map<std::string, std::set<unsigned>> &out) {
  std::string file; // empty after "+++ /dev/null": a deleted file has no lines to report on
  size_t start = 0;
  while (start < diff.size()) {
    size_t end = diff.find('\n', start);
    if (end == std::string::npos) end = diff.size();
    std::string line = diff.substr(start, end - start);
    start = end + 1;
    if (line.rfind("+++ ", 0) == 0) {
      std::string name = line.substr(4);
      while (!name.empty() && (name.back() == '\t' || name.back() == '\r')) name.pop_back(); // git may add a tab
      name = unquoteGitPath(name); // quoting covers the prefix too: "b/a\tb.cpp"
      file = name.rfind("b/", 0) == 0 ? name.substr(2) : std::string();
      continue;
    }
    if (line.rfind("@@ ", 0) != 0 || file.empty()) continue;
    // "@@ -a[,b] +c[,d] @@": the new side's lines c .. c+d-1 (d defaults to 1).
    size_t plus = line.find(" +");
    if (plus == std::string::npos) continue;
    size_t pos = plus + 2;
    unsigned first = parseNumber(line, pos);
    unsigned count = 1;
    if (pos < line.size() && line[pos] == ',') {
      ++pos;
      count = parseNumber(line, pos);
    }
    auto &lines = out[file];
    if (count == 0) {
      // A deletion after line `first` changes what its neighbours do (a removed unlock()).
      if (first > 0) lines.insert(first);
      lines.insert(first + 1);
    }
    for (unsigned l = first; l < first + count; ++l) lines.insert(l);
  }
}

bool changedLinesSince(const std::string &rev, std::map<std::string, std::set<unsigned>> &out, std::string &error) {
  if (rev.empty() || rev.front() == '-') {
    error = "--changed-since: '" + rev + "' is not a revision";
    return false;
  }
  std::string top, err;
  if (!run({"git", "rev-parse", "--show-toplevel"}, top, err)) {
    error = "--changed-since: not in a git repository (" + firstLine(err) + ")";
    return false;
  }
  while (!top.empty() && (top.back() == '\n' || top.back() == '\r')) top.pop_back();
  std::string ignored;
  if (!run({"git", "rev-parse", "--verify", "--quiet", rev + "^{commit}"}, ignored, err)) {
    error = "--changed-since: unknown revision '" + rev + "'";
    return false;
  }
  // Fixed prefixes and no external diff/colour, whatever the user's git config says.
  std::string diff;
  if (!run({"git", "-C", top, "diff", "--unified=0", "--no-color", "--no-ext-diff", "--src-prefix=a/",
            "--dst-prefix=b/", rev, "--"},
           diff, err)) {
    error = "--changed-since: git diff " + rev + ": " + firstLine(err);
    return false;
  }
  std::map<std::string, std::set<unsigned>> byRepoPath;
  parseUnifiedDiff(diff, byRepoPath);

  std::string untracked;
  if (!run({"git", "-C", top, "ls-files", "--others", "--exclude-standard", "-z"}, untracked, err)) {
    error = "--changed-since: git ls-files: " + firstLine(err);
    return false;
  }
  for (size_t pos = 0; pos < untracked.size();) {
    size_t end = untracked.find('\0', pos);
    if (end == std::string::npos) end = untracked.size();
    std::string name = untracked.substr(pos, end - pos);
    pos = end + 1;
    std::ifstream in(fs::path(top) / name, std::ios::binary);
    auto &lines = byRepoPath[name];
    unsigned n = 0;
    for (std::string l; std::getline(in, l);) lines.insert(++n);
  }

  for (auto &[name, lines] : byRepoPath) {
    auto &target = out[displayPathOf(fs::path(top) / name)];
    target.insert(lines.begin(), lines.end());
  }
  return true;
}

void keepTouchingChanges(const std::map<std::string, std::set<unsigned>> &changed, std::vector<Finding> &findings) {
  auto touches = [&](const SourcePoint &p) {
    if (!p.valid()) return false;
    auto it = changed.find(displayPathOf(p.file.str()));
    return it != changed.end() && it->second.count(p.line) != 0;
  };
  std::erase_if(findings, [&](const Finding &f) {
    if (touches(f.anchor)) return false;
    for (const auto &step : f.trace)
      if (touches(step.where)) return false;
    return true;
  });
}

} // namespace lockcheck
