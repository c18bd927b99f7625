// The lock operations: keep this thread's held-lock set. The real operation always runs
// first (acquire) or last (release), so a lock is in the set exactly while it is owned.
#include "event_table.h"
#include "real_function.h"
#include "timing.h"

#include <pthread.h>

namespace lockcheck_rt {
namespace {

void noteAcquired(const void *lock, LockKind kind, void *caller, uintptr_t hookCfa) {
  ThreadState &t = thisThread();
  if (t.busy) return;
  if (t.count == kMaxHeldLocks) {
    ++t.overflow;
    return;
  }
  HeldLock &h = t.held[t.count];
  h.lock = lock;
  h.kind = kind;
  h.inLibrary = -1;
  h.caller = caller;
  h.hookCfa = hookCfa;
  h.acquired.depth = 0;
  if (options().fullLockStacks) captureStack(h.acquired);
  ++t.count;
}

// Removes the most recent acquisition of `lock` (a recursive mutex may be in the set twice).
// Returns false when the set does not have it (taken before we were loaded, or by the runtime).
bool removeHeld(ThreadState &t, const void *lock, HeldLock *removed = nullptr) {
  for (int i = t.count - 1; i >= 0; --i) {
    if (t.held[i].lock != lock) continue;
    if (removed) *removed = t.held[i];
    for (int j = i; j + 1 < t.count; ++j) t.held[j] = t.held[j + 1];
    --t.count;
    return true;
  }
  if (t.overflow > 0) --t.overflow;
  return false;
}

void noteReleased(const void *lock) {
  ThreadState &t = thisThread();
  if (!t.busy) removeHeld(t, lock);
}

int acquired(int rc, const void *lock, LockKind kind, void *caller, void *hookCfa) {
  if (rc == 0) noteAcquired(lock, kind, caller, reinterpret_cast<uintptr_t>(hookCfa));
  return rc;
}

// In each lock hook: who called it, and the hook's own frame address.
#define LOCKCHECK_CALLER __builtin_return_address(0), __builtin_dwarf_cfa()

// pthread_spinlock_t is a volatile int: its address, as the key of the held set.
const void *spinKey(pthread_spinlock_t *s) { return const_cast<const void *>(static_cast<const volatile void *>(s)); }

const BlockingSite kCondWait{"pthread_cond_wait", kSync};
const BlockingSite kCondTimedWait{"pthread_cond_timedwait", kSync};
const BlockingSite kCondClockWait{"pthread_cond_clockwait", kSync};

// A condition wait gives its own mutex back while it sleeps, so it blocks only under the
// other locks this thread holds.
template <typename Wait>
int condWait(const BlockingSite &site, pthread_mutex_t *m, Wait wait) {
  ThreadState &t = thisThread();
  if (t.busy) return wait();
  HeldLock own{};
  bool tracked = removeHeld(t, m, &own);
  int rc;
  if (t.count > 0 && (options().categories & site.category)) {
    uint64_t start = monotonicNs();
    rc = wait();
    int saved = errno;
    recordBlocking(site, t, monotonicNs() - start);
    errno = saved;
  } else {
    rc = wait();
  }
  if (tracked && t.count < kMaxHeldLocks) t.held[t.count++] = own; // re-taken, same acquisition
  return rc;
}

} // namespace
} // namespace lockcheck_rt

using namespace lockcheck_rt;

// The hooks are the library's only exported symbols.
#pragma GCC visibility push(default)
extern "C" {

int pthread_mutex_lock(pthread_mutex_t *m) {
  return acquired(LOCKCHECK_REAL(pthread_mutex_lock)(m), m, LockKind::Mutex, LOCKCHECK_CALLER);
}
int pthread_mutex_trylock(pthread_mutex_t *m) {
  return acquired(LOCKCHECK_REAL(pthread_mutex_trylock)(m), m, LockKind::Mutex, LOCKCHECK_CALLER);
}
int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *at) {
  return acquired(LOCKCHECK_REAL(pthread_mutex_timedlock)(m, at), m, LockKind::Mutex, LOCKCHECK_CALLER);
}
int pthread_mutex_unlock(pthread_mutex_t *m) {
  noteReleased(m);
  return LOCKCHECK_REAL(pthread_mutex_unlock)(m);
}

int pthread_rwlock_rdlock(pthread_rwlock_t *l) {
  return acquired(LOCKCHECK_REAL(pthread_rwlock_rdlock)(l), l, LockKind::RwRead, LOCKCHECK_CALLER);
}
int pthread_rwlock_tryrdlock(pthread_rwlock_t *l) {
  return acquired(LOCKCHECK_REAL(pthread_rwlock_tryrdlock)(l), l, LockKind::RwRead, LOCKCHECK_CALLER);
}
int pthread_rwlock_timedrdlock(pthread_rwlock_t *l, const struct timespec *at) {
  return acquired(LOCKCHECK_REAL(pthread_rwlock_timedrdlock)(l, at), l, LockKind::RwRead, LOCKCHECK_CALLER);
}
int pthread_rwlock_clockrdlock(pthread_rwlock_t *l, clockid_t c, const struct timespec *at) {
  return acquired(LOCKCHECK_REAL(pthread_rwlock_clockrdlock)(l, c, at), l, LockKind::RwRead, LOCKCHECK_CALLER);
}
int pthread_rwlock_wrlock(pthread_rwlock_t *l) {
  return acquired(LOCKCHECK_REAL(pthread_rwlock_wrlock)(l), l, LockKind::RwWrite, LOCKCHECK_CALLER);
}
int pthread_rwlock_trywrlock(pthread_rwlock_t *l) {
  return acquired(LOCKCHECK_REAL(pthread_rwlock_trywrlock)(l), l, LockKind::RwWrite, LOCKCHECK_CALLER);
}
int pthread_rwlock_timedwrlock(pthread_rwlock_t *l, const struct timespec *at) {
  return acquired(LOCKCHECK_REAL(pthread_rwlock_timedwrlock)(l, at), l, LockKind::RwWrite, LOCKCHECK_CALLER);
}
int pthread_rwlock_clockwrlock(pthread_rwlock_t *l, clockid_t c, const struct timespec *at) {
  return acquired(LOCKCHECK_REAL(pthread_rwlock_clockwrlock)(l, c, at), l, LockKind::RwWrite, LOCKCHECK_CALLER);
}
int pthread_rwlock_unlock(pthread_rwlock_t *l) {
  noteReleased(l);
  return LOCKCHECK_REAL(pthread_rwlock_unlock)(l);
}

int pthread_spin_lock(pthread_spinlock_t *s) {
  return acquired(LOCKCHECK_REAL(pthread_spin_lock)(s), spinKey(s), LockKind::Spin, LOCKCHECK_CALLER);
}
int pthread_spin_trylock(pthread_spinlock_t *s) {
  return acquired(LOCKCHECK_REAL(pthread_spin_trylock)(s), spinKey(s), LockKind::Spin, LOCKCHECK_CALLER);
}
int pthread_spin_unlock(pthread_spinlock_t *s) {
  noteReleased(spinKey(s));
  return LOCKCHECK_REAL(pthread_spin_unlock)(s);
}

// The current (GLIBC_2.3.2) condition variables, not the 2.2.5 compatibility ones that a bare
// dlsym may return.
int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m) {
  auto real = LOCKCHECK_REAL_AS(decltype(&::pthread_cond_wait), "pthread_cond_wait", "GLIBC_2.3.2");
  return condWait(kCondWait, m, [&] { return real(c, m); });
}
int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *at) {
  auto real = LOCKCHECK_REAL_AS(decltype(&::pthread_cond_timedwait), "pthread_cond_timedwait", "GLIBC_2.3.2");
  return condWait(kCondTimedWait, m, [&] { return real(c, m, at); });
}
int pthread_cond_clockwait(pthread_cond_t *c, pthread_mutex_t *m, clockid_t clock, const struct timespec *at) {
  return condWait(kCondClockWait, m, [&] { return LOCKCHECK_REAL(pthread_cond_clockwait)(c, m, clock, at); });
}

} // extern "C"
#pragma GCC visibility pop
