// The observed events, de-duplicated by (blocking function, call stack, lock acquisition stack).
// A fixed table behind a spin lock of its own: recording never allocates and never calls into
// an interposed function.
#pragma once

#include "runtime_state.h"

namespace lockcheck_rt {

struct BlockingSite {
  const char *function; // e.g. "read"
  Category category;
};

struct Event {
  const BlockingSite *site;
  Stack stack;       // where the blocking call was made
  Stack lockStack;   // where the innermost held lock was taken
  const void *lock;  // first lock seen for this event (for naming)
  LockKind kind;
  int locksHeld;
  uint64_t count;
  uint64_t longestNs;
  uint64_t hash;
};

constexpr int kMaxEvents = 1024;

// Records that the current thread called `site` while holding its locks, blocking for heldNs.
// The lock it is attributed to: the innermost one the program took (system libraries' own locks
// count only with LOCKCHECK_RUNTIME_LIBRARY_LOCKS=1); none, no event.
void recordEvent(const BlockingSite &site, ThreadState &thread, uint64_t heldNs);

// Copies the table out (for the report); returns how many, and how many were dropped (table full).
int snapshotEvents(Event *out, int capacity, uint64_t &dropped);

void lockEventTable();
void unlockEventTable();
void resetEventTableInChild();

} // namespace lockcheck_rt
