// State shared by the interposer's parts: options, the per-thread held-lock set and the
// reentrancy guard that lets the runtime do its own IO and allocation uninterposed.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace lockcheck_rt {

constexpr int kMaxFrames = 24;    // call stack depth kept per event and per acquisition
constexpr int kMaxHeldLocks = 16; // deeper nesting is counted but not tracked

enum class LockKind : uint8_t { Mutex, RwRead, RwWrite, Spin };
const char *lockKindName(LockKind kind);

struct Stack {
  void *frames[kMaxFrames]; // return addresses, innermost first
  uintptr_t cfa[kMaxFrames]; // each frame's canonical frame address (0 when unknown)
  int depth = 0;
};

// A lock this thread owns. Unwinding costs microseconds, a lock microseconds' fraction, so by
// default only the caller of the lock function and the lock hook's frame address are kept: at an
// event, the frames of the current stack above that address are the ones that were live when the
// lock was taken (see event_table.cpp). LOCKCHECK_RUNTIME_LOCK_STACKS=full unwinds at each lock.
struct HeldLock {
  const void *lock;
  LockKind kind;
  int8_t inLibrary; // -1 not yet known; 1 when a system library took it (see event_table.cpp)
  void *caller;     // return address into the code that called the lock function
  uintptr_t hookCfa;
  Stack acquired;   // full mode only
};

// Blocking categories, as in the rule packs (docs/spec.md §4).
enum Category : unsigned { kIo = 1, kNet = 2, kSleep = 4, kProcess = 8, kCrypto = 16, kDb = 32, kSync = 64 };
const char *categoryName(Category c);

struct Options {
  char output[4096] = "lockcheck-runtime.json";
  unsigned categories = ~0u;
  uint64_t minHoldNs = 0;
  bool abortOnEvent = false;
  bool libraryLocks = false; // also count locks that system libraries take internally
  bool fullLockStacks = false;
  bool disabled = false; // a bad option value: nothing is recorded or written (docs/runtime.md)
};
const Options &options();

// Per thread; thread_local with the initial-exec model, so reading it never allocates
// (a preloaded library gets static TLS) and threads that existed before init start empty.
struct ThreadState {
  HeldLock held[kMaxHeldLocks];
  int count = 0;     // tracked entries in held[]
  int overflow = 0;  // acquisitions beyond kMaxHeldLocks
  int busy = 0;      // > 0 while the runtime itself runs: interposition off for this thread
};
ThreadState &thisThread();

// RAII: interposition off for this thread while the runtime does its own work.
class Uninterposed {
public:
  Uninterposed() : state_(thisThread()) { ++state_.busy; }
  ~Uninterposed() { --state_.busy; }
  Uninterposed(const Uninterposed &) = delete;
  Uninterposed &operator=(const Uninterposed &) = delete;

private:
  ThreadState &state_;
};

// Unwinds the calling thread's stack (return addresses and frame addresses).
void captureStack(Stack &out);
// Resolves the next definition of `name` (RTLD_NEXT); nullptr when no loaded library has it.
void *nextSymbol(const char *name, const char *version = nullptr);
// A hook ran but no library defines the real function: says so and aborts.
[[noreturn]] void noNextDefinition(const char *name);
// Called from every hook: loads options, installs fork/exit/signal handlers, once.
void ensureInitialised();

} // namespace lockcheck_rt
