// Force-included (-include) into every server TU of a LOCKCHECK_TSAN build only.
//
// libstdc++ 12 implements timed_mutex::try_lock_for / shared_timed_mutex's
// timed locks on the steady clock with pthread_mutex_clocklock and
// pthread_rwlock_clock{rd,wr}lock. GCC 12's ThreadSanitizer runtime does not
// intercept those calls, so it never sees the locks taken by lock_bounded():
// it then reports "unlock of an unlocked mutex" and false data races on
// everything they guard (and would miss real ones). Turning the two
// configuration macros off makes the (header-only) code fall back to
// pthread_mutex_timedlock / pthread_rwlock_timed{rd,wr}lock on the system
// clock, which TSan does intercept. Release builds are untouched.
#pragma once
#include <bits/c++config.h>
#undef _GLIBCXX_USE_PTHREAD_MUTEX_CLOCKLOCK
#undef _GLIBCXX_USE_PTHREAD_RWLOCK_CLOCKLOCK
