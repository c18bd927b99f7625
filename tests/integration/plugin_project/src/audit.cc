#include "spin.h"

#include <string>
#include <unistd.h>

namespace {
proj::SpinLock audit_lock;
}

void audit(const std::string &line) {
  audit_lock.lock();
  ::write(2, line.data(), line.size()); // blocks under a lock only the project's pack knows
  audit_lock.unlock();
}

void audit_quietly(const std::string &line) {
  audit_lock.lock();
  // lockcheck: ignore[blocking-under-lock] stderr is a pipe to our own logger, drained by a thread that never takes audit_lock
  ::write(2, line.data(), line.size());
  audit_lock.unlock();
}
