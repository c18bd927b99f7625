#pragma once
// The one way request code takes a lock: wait at most a deadline, then give
// up so the caller can answer 503 + Retry-After instead of queueing forever.
// Under the lock, only copy or swap memory.
//
//   ExclusiveLock lk(mu_, std::defer_lock);              // not locked yet
//   if (!lk.try_lock(&waited_ms)) return lock_timeout;   // the bounded wait
//   ...                                                  // mu_ held
//
// The mutexes and guards carry Clang thread-safety attributes, so clang's
// -Wthread-safety proves that GUARDED_BY data is touched only with its lock
// held (tests/server/thread_safety_check.sh); lockcheck reads them too.
#include <chrono>
#include <mutex>
#include <shared_mutex>

#include "thread_annotations.h"

namespace lcs {

// Process-wide deadline (LOCK_TIMEOUT_MS), set once at start-up.
void set_lock_deadline(std::chrono::milliseconds d);
std::chrono::milliseconds lock_deadline();

// Records one bounded acquisition: its wait in the lock-wait histogram, a
// miss in the lock-timeout counter, and the wait added to *waited_ms if given.
void record_lock_wait(std::chrono::steady_clock::duration waited, bool acquired, double* waited_ms);

// The one bounded acquisition: a single try_for(lock_deadline()), recorded.
template <class TryFor>
bool lock_bounded(TryFor&& try_for, double* waited_ms) {
  auto start = std::chrono::steady_clock::now();
  bool acquired = try_for(lock_deadline());
  record_lock_wait(std::chrono::steady_clock::now() - start, acquired, waited_ms);
  return acquired;
}

// std::timed_mutex as a capability.
class CAPABILITY("mutex") TimedMutex {
 public:
  bool try_lock_for(std::chrono::milliseconds d) TRY_ACQUIRE(true) { return m_.try_lock_for(d); }
  void lock() ACQUIRE() { m_.lock(); }
  void unlock() RELEASE() { m_.unlock(); }

 private:
  std::timed_mutex m_;
};

// std::shared_timed_mutex as a capability; no unbounded acquisition at all.
class CAPABILITY("mutex") SharedTimedMutex {
 public:
  bool try_lock_for(std::chrono::milliseconds d) TRY_ACQUIRE(true) { return m_.try_lock_for(d); }
  bool try_lock_shared_for(std::chrono::milliseconds d) TRY_ACQUIRE_SHARED(true) {
    return m_.try_lock_shared_for(d);
  }
  void unlock() RELEASE() { m_.unlock(); }
  void unlock_shared() RELEASE_SHARED() { m_.unlock_shared(); }

 private:
  std::shared_timed_mutex m_;
};

// Exclusive scoped lock. The bodies below are the lock implementation, which
// the analysis takes on trust (a conditional hold is beyond it); their
// attributes are what callers are checked against.
template <class Mutex>
class SCOPED_CAPABILITY ExclusiveLock {
 public:
  ExclusiveLock(Mutex& m, std::defer_lock_t) EXCLUDES(m) : m_(m) {}
  // Blocks: only for threads that answer no request (a pool worker waiting
  // for work, shutdown). Not timed, never a lock timeout.
  explicit ExclusiveLock(Mutex& m) ACQUIRE(m) : m_(m), owns_(true) { m_.lock(); }
  ~ExclusiveLock() RELEASE() NO_THREAD_SAFETY_ANALYSIS {
    if (owns_) m_.unlock();
  }
  ExclusiveLock(const ExclusiveLock&) = delete;
  ExclusiveLock& operator=(const ExclusiveLock&) = delete;

  // Waits at most lock_deadline(); false: answer 503.
  [[nodiscard]] bool try_lock(double* waited_ms = nullptr) TRY_ACQUIRE(true) NO_THREAD_SAFETY_ANALYSIS {
    owns_ = lock_bounded([this](std::chrono::milliseconds d) NO_THREAD_SAFETY_ANALYSIS { return m_.try_lock_for(d); },
                         waited_ms);
    return owns_;
  }
  // BasicLockable, for condition_variable_any::wait (which unlocks and relocks).
  void lock() ACQUIRE() NO_THREAD_SAFETY_ANALYSIS {
    m_.lock();
    owns_ = true;
  }
  void unlock() RELEASE() NO_THREAD_SAFETY_ANALYSIS {
    m_.unlock();
    owns_ = false;
  }

 private:
  Mutex& m_;
  bool owns_ = false;
};

// Shared (reader) scoped lock; bounded only.
class SCOPED_CAPABILITY SharedLock {
 public:
  SharedLock(SharedTimedMutex& m, std::defer_lock_t) EXCLUDES(m) : m_(m) {}
  ~SharedLock() RELEASE() NO_THREAD_SAFETY_ANALYSIS {
    if (owns_) m_.unlock_shared();
  }
  SharedLock(const SharedLock&) = delete;
  SharedLock& operator=(const SharedLock&) = delete;

  // Waits at most lock_deadline(); false: answer 503.
  [[nodiscard]] bool try_lock(double* waited_ms = nullptr) TRY_ACQUIRE_SHARED(true) NO_THREAD_SAFETY_ANALYSIS {
    owns_ = lock_bounded(
        [this](std::chrono::milliseconds d) NO_THREAD_SAFETY_ANALYSIS { return m_.try_lock_shared_for(d); },
        waited_ms);
    return owns_;
  }

 private:
  SharedTimedMutex& m_;
  bool owns_ = false;
};

}  // namespace lcs
