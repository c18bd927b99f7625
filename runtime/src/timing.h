// Monotonic time and the one call every blocking hook makes when it ran under a lock.
#pragma once

#include "event_table.h"

#include <cerrno>
#include <ctime>

namespace lockcheck_rt {

inline uint64_t monotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

// After a blocking call made while `thread` held locks: set up the runtime if needed, record.
inline void recordBlocking(const BlockingSite &site, ThreadState &thread, uint64_t heldNs) {
  Uninterposed guard;
  ensureInitialised();
  recordEvent(site, thread, heldNs);
}

} // namespace lockcheck_rt
