#include "event_table.h"

#include "report_writer.h"
#include "symbolizer.h"

#include <cstdlib>
#include <cstring>
#include <csignal>
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

// Where `lock` was taken: its caller, then the frames of `now` that were live already (above the
// lock hook's frame), unless the full stack was unwound at the time.
void acquisitionStack(const HeldLock &lock, const Stack &now, Stack &out) {
  if (lock.acquired.depth > 0) {
    out = lock.acquired;
    return;
  }
  out.depth = 0;
  out.frames[out.depth] = lock.caller;
  out.cfa[out.depth++] = 0;
  for (int i = 0; i < now.depth && out.depth < kMaxFrames; ++i)
    if (now.cfa[i] > lock.hookCfa) {
      out.frames[out.depth] = now.frames[i];
      out.cfa[out.depth++] = now.cfa[i];
    }
}

const HeldLock *attributedLock(ThreadState &thread) {
  for (int i = thread.count - 1; i >= 0; --i) {
    HeldLock &h = thread.held[i];
    if (options().libraryLocks) return &h;
    if (h.inLibrary < 0) h.inLibrary = calledFromSystemLibrary(h.caller) ? 1 : 0;
    if (!h.inLibrary) return &h;
  }
  return nullptr;
}

void recordEvent(const BlockingSite &site, ThreadState &thread, uint64_t heldNs) {
  if (heldNs < options().minHoldNs) return;
  const HeldLock *attributed = attributedLock(thread);
  if (!attributed) return;
  Stack stack;
  captureStack(stack);
  Stack lockStack;
  acquisitionStack(*attributed, stack, lockStack);
  uint64_t h = hashOf(site, stack, lockStack);
  lockEventTable();
  bool stored = false;
  for (int probe = 0; probe < kMaxEvents; ++probe) {
    int slot = int((h + probe) % kMaxEvents);
    Event &e = g_events[slot];
    if (!g_used[slot]) {
      e = Event{&site, stack, lockStack, attributed->lock, attributed->kind, thread.count + thread.overflow, 0, 0, h};
      g_used[slot] = true;
    } else if (e.hash != h || e.site != &site || !sameStack(e.stack, stack) ||
               !sameStack(e.lockStack, lockStack)) {
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
    signal(SIGABRT, SIG_DFL); // written already, with the reason
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
