#pragma once
// Clang thread-safety attributes (clang.llvm.org/docs/ThreadSafetyAnalysis.html).
// clang++ -Wthread-safety checks them (ci: tests/server/thread_safety_check.sh);
// g++ builds see empty macros. lockcheck reads the same attributes.
#if defined(__clang__)
#define LCS_TSA(x) __attribute__((x))
#else
#define LCS_TSA(x)
#endif

#define CAPABILITY(x) LCS_TSA(capability(x))
#define SCOPED_CAPABILITY LCS_TSA(scoped_lockable)
#define GUARDED_BY(x) LCS_TSA(guarded_by(x))
#define REQUIRES(...) LCS_TSA(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) LCS_TSA(locks_excluded(__VA_ARGS__))
#define ACQUIRE(...) LCS_TSA(acquire_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) LCS_TSA(acquire_shared_capability(__VA_ARGS__))
#define RELEASE(...) LCS_TSA(release_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) LCS_TSA(release_shared_capability(__VA_ARGS__))
#define TRY_ACQUIRE(...) LCS_TSA(try_acquire_capability(__VA_ARGS__))
#define TRY_ACQUIRE_SHARED(...) LCS_TSA(try_acquire_shared_capability(__VA_ARGS__))
#define NO_THREAD_SAFETY_ANALYSIS LCS_TSA(no_thread_safety_analysis)
