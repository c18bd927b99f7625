#pragma once
// The one way server code takes a lock: wait at most a deadline, then give
// up so the caller can answer 503 + Retry-After instead of queueing forever.
// Under the returned lock, only copy or swap memory.
#include <chrono>
#include <mutex>
#include <optional>
#include <shared_mutex>

namespace lcs {

using ExclusiveLock = std::unique_lock<std::timed_mutex>;
using SharedLock = std::shared_lock<std::shared_timed_mutex>;

// Process-wide deadline (LOCK_TIMEOUT_MS), set once at start-up.
void set_lock_deadline(std::chrono::milliseconds d);
std::chrono::milliseconds lock_deadline();

// Each records its wait in the lock-wait histogram (and a timeout counter)
// and adds the wait to *waited_ms when given.
std::optional<ExclusiveLock> lock_bounded(std::timed_mutex& m, double* waited_ms = nullptr);
std::optional<std::unique_lock<std::shared_timed_mutex>> lock_bounded(std::shared_timed_mutex& m,
                                                                       double* waited_ms = nullptr);
std::optional<SharedLock> lock_shared_bounded(std::shared_timed_mutex& m, double* waited_ms = nullptr);

}  // namespace lcs
