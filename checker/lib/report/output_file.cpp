#include "report/output_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <unistd.h>

namespace lockcheck {
namespace {

// write(2) until done: a short write or an error (ENOSPC, EPIPE, EIO) is reported with
// errno's text; nothing is buffered where it could fail later unseen.
bool writeAll(int fd, const std::string &text, int &err) {
  for (size_t done = 0; done < text.size();) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      err = n < 0 ? errno : EIO;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

} // namespace

bool writeFile(const std::string &path, const std::string &text, std::string &error) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) {
    error = "cannot write '" + path + "': " + std::strerror(errno);
    return false;
  }
  int err = 0;
  bool ok = writeAll(fd, text, err);
  // close() can be the first to report a failed write (NFS, some FUSE file systems).
  if (::close(fd) != 0 && ok) {
    ok = false;
    err = errno;
  }
  if (!ok) error = "cannot write '" + path + "': " + std::strerror(err);
  return ok;
}

bool flushStandardOutput(std::string &error) {
  errno = 0;
  std::cout.flush();
  if (std::fflush(stdout) != 0 || !std::cout || std::ferror(stdout)) {
    error = std::string("cannot write the standard output: ") + std::strerror(errno ? errno : EIO);
    return false;
  }
  return true;
}

bool writeStandardOutput(const std::string &text, std::string &error) {
  if (!flushStandardOutput(error)) return false; // what was written before, in order
  int err = 0;
  if (!writeAll(STDOUT_FILENO, text, err)) {
    error = std::string("cannot write the standard output: ") + std::strerror(err);
    return false;
  }
  return true;
}

} // namespace lockcheck
