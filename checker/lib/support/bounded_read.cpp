#include "support/bounded_read.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lockcheck {

namespace {

std::string tooLarge(size_t limit) { return "larger than the " + std::to_string(limit / kMiB) + " MiB limit"; }

} // namespace

bool readBounded(const std::string &path, size_t limit, std::string &out, std::string &why) {
  out.clear();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    why = std::strerror(errno);
    return false;
  }
  struct stat st;
  bool ok = ::fstat(fd, &st) == 0;
  if (!ok) why = std::strerror(errno);
  // A regular file says its size: refuse it before reading. Anything else (a device, a
  // pipe) is read until the cap.
  if (ok && S_ISREG(st.st_mode)) {
    if (static_cast<unsigned long long>(st.st_size) > limit) {
      why = tooLarge(limit);
      ok = false;
    } else {
      out.reserve(static_cast<size_t>(st.st_size));
    }
  } else if (ok && S_ISDIR(st.st_mode)) {
    why = std::strerror(EISDIR);
    ok = false;
  }
  char buf[1 << 16];
  while (ok) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      why = std::strerror(errno);
      ok = false;
    } else if (n == 0) {
      break;
    } else if (out.size() + static_cast<size_t>(n) > limit) {
      why = tooLarge(limit);
      ok = false;
    } else {
      out.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  if (!ok) out.clear();
  return ok;
}

} // namespace lockcheck
