#include "fuzz_target.h"

#include <cstdio>
#include <filesystem>
#include <cstdlib>
#include <fcntl.h>
#include <unistd.h>

namespace lockcheck::fuzz {

namespace {
std::vector<Registered> &registry() {
  static std::vector<Registered> all;
  return all;
}
} // namespace

bool registerTarget(const char *name, Target target) {
  registry().push_back({name, target});
  return true;
}

const std::vector<Registered> &targets() { return registry(); }

std::vector<std::string> &failedChecks() {
  static std::vector<std::string> failed;
  return failed;
}

void abortFuzzer(const char *file, int line, const char *condition) {
  std::fprintf(stderr, "%s:%d: check failed: %s\n", file, line, condition);
  std::abort();
}

void checkFailed(const char *file, int line, const char *condition) {
  failedChecks().push_back(std::string(file) + ":" + std::to_string(line) + ": " + condition);
}

const std::string &scratchDirectory() {
  // Never freed: the exit handler that removes the directory runs after static destructors.
  static const std::string *dir = [] {
    const char *tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/lockcheck-fuzz-XXXXXX";
    if (!::mkdtemp(pattern.data())) abortFuzzer(__FILE__, __LINE__, "mkdtemp");
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(scratchDirectory(), ec);
    });
    return new std::string(pattern);
  }();
  return *dir;
}

std::string scratchFile(const char *name, std::string_view bytes) {
  std::string path = scratchDirectory() + "/" + name;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) abortFuzzer(__FILE__, __LINE__, "open scratch file");
  for (size_t done = 0; done < bytes.size();) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) abortFuzzer(__FILE__, __LINE__, "write scratch file");
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  return path;
}

} // namespace lockcheck::fuzz
