#include "event_table.h"

#include "report_writer.h"
#include "symbolizer.h"

#include <cstdlib>
#include <cstring>
#include <sched.h>

namespace lockcheck_rt {

namespace {

Event g_events[kMaxEvents];
bool g_used[kMaxEvents];
uint64_t g_dropped = 0;
std::atomic_flag g_tableLock = ATOMIC_FLAG_INIT;

uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  return h;
}

uint64_t hashOf(const BlockingSite &site, const Stack &stack, const Stack &lockStack) {
  uint64_t h = reinterpret_cast<uintptr_t>(&site);
  for (int i = 0; i < stack.depth; ++i) h = mix(h, reinterpret_cast<uintptr_t>(stack.frames[i]));
  h = mix(h, 0xfeed);
  for (int i = 0; i < lockStack.depth; ++i) h = mix(h, reinterpret_cast<uintptr_t>(lockStack.frames[i]));
  return h;
}

bool sameStack(const Stack &a, const Stack &b) {
  return a.depth == b.depth && memcmp(a.frames, b.frames, sizeof(void *) * a.depth) == 0;
}

} // namespace

void lockEventTable() {
  while (g_tableLock.test_and_set(std::memory_order_acquire)) sched_yield();
}
void unlockEventTable() { g_tableLock.clear(std::memory_order_release); }

void resetEventTableInChild() {
  memset(g_used, 0, sizeof g_used);
  g_dropped = 0;
}

const HeldLock *attributedLock(ThreadState &thread) {
  for (int i = thread.count - 1; i >= 0; --i) {
    HeldLock &h = thread.held[i];
    if (options().libraryLocks) return &h;
    if (h.inLibrary < 0) h.inLibrary = calledFromSystemLibrary(h.acquired.frames, h.acquired.depth) ? 1 : 0;
    if (!h.inLibrary) return &h;
  }
  return nullptr;
}

void recordEvent(const BlockingSite &site, ThreadState &thread, uint64_t heldNs) {
  if (heldNs < options().minHoldNs) return;
  const HeldLock *attributed = attributedLock(thread);
  if (!attributed) return;
  const HeldLock &lock = *attributed;
  Stack stack;
  captureStack(stack);
  uint64_t h = hashOf(site, stack, lock.acquired);
  lockEventTable();
  bool stored = false;
  for (int probe = 0; probe < kMaxEvents; ++probe) {
    int slot = int((h + probe) % kMaxEvents);
    Event &e = g_events[slot];
    if (!g_used[slot]) {
      e = Event{&site, stack, lock.acquired, lock.lock, lock.kind, thread.count + thread.overflow, 0, 0, h};
      g_used[slot] = true;
    } else if (e.hash != h || e.site != &site || !sameStack(e.stack, stack) ||
               !sameStack(e.lockStack, lock.acquired)) {
      continue;
    }
    ++e.count;
    if (heldNs > e.longestNs) e.longestNs = heldNs;
    stored = true;
    break;
  }
  if (!stored) ++g_dropped;
  unlockEventTable();
  if (options().abortOnEvent) {
    writeReport(ReportReason::Abort);
    abort();
  }
}

int snapshotEvents(Event *out, int capacity, uint64_t &dropped) {
  lockEventTable();
  int n = 0;
  for (int i = 0; i < kMaxEvents && n < capacity; ++i)
    if (g_used[i]) out[n++] = g_events[i];
  dropped = g_dropped;
  unlockEventTable();
  return n;
}

} // namespace lockcheck_rt
