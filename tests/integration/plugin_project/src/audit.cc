#include "spin.h"

#include <string>
#include <unistd.h>

namespace {
proj::SpinLock audit_lock;
}

void audit(int log_fd, const std::string &line) {
  audit_lock.lock();
  ::write(log_fd, line.data(), line.size()); // blocks under a lock only the project's pack knows
  audit_lock.unlock();
}

void audit_quietly(int log_fd, const std::string &line) {
  audit_lock.lock();
  // lockcheck: ignore[blocking-under-lock] the log is a pipe to our own logger, drained by a thread that never takes audit_lock
  ::write(log_fd, line.data(), line.size());
  audit_lock.unlock();
}
