#pragma once
#include <atomic>

namespace proj {
// A lock lockcheck knows only from the project's pack (lockcheck/spin.json).
class SpinLock {
public:
  void lock() {
    while (flag_.test_and_set(std::memory_order_acquire)) {
    }
  }
  void unlock() { flag_.clear(std::memory_order_release); }

private:
  std::atomic_flag flag_ = ATOMIC_FLAG_INIT;
};
} // namespace proj
