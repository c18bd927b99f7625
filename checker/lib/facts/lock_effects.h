// What calling a function does to its caller's locks, learned from the function's body
// (spec §1 "Lock wrappers are learned from their bodies"; docs/design.md "Lock wrappers"),
// and the skeleton of a function that the link phase replays when some of those effects
// come from bodies in other translation units. AST-free: extract fills these, the facts
// file carries them, link reads them.
#pragma once

#include "facts/lock_ref.h"
#include "support/compact_vector.h"

#include <optional>
#include <vector>

namespace lockcheck {

// One lock a function hands to, or takes back from, its caller. `lock` is in the
// function's own terms (`t:impl_`, `p0:`, `g:mu`), with the function's own display and
// order; at a call it becomes the caller's lock through effectAtCall().
struct LockEffect {
  enum class Kind : unsigned char {
    Acquire,    // held when the function returns (a lock(), a guard's constructor)
    TryAcquire, // held when the result says so (`heldOnZero`: when it is zero / false)
    Release,    // taken from the caller (an unlock(), a guard's destructor)
  };
  Kind kind = Kind::Acquire;
  LockKey key;
  LockKey order;
  InternedString display;
  bool shared = false;
  bool recursive = false;
  bool bounded = false;    // taken by a try or timed operation: never an unbounded wait or a double lock
  bool heldOnZero = false; // TryAcquire; Acquire with reportsFailure: success is zero / false
  // Acquire only: the function returns its lock call's result (`return pthread_mutex_lock(&m);`),
  // so a result other than success means nothing was taken (spec §1), as for the lock call.
  bool reportsFailure = false;
  // A constructor's lock kept in a member (`_mutex(mutex)`): the member's name. The key is
  // already in the constructor's parameters' terms; a destructor or method that acts
  // through this member acts on the same lock (a guard class).
  InternedString via;
  // Applies only when argument `ifParam` is `ifValue` (ScopedUnlock(m, bool unlockNow));
  // -1: always.
  int ifParam = -1;
  bool ifValue = false;

  friend bool operator==(const LockEffect &, const LockEffect &) = default;
};

// Something a function's caller can name: a global, a parameter or what it reaches, or a
// member of `this`. Only locks on these are handed over or taken back.
bool namedByCaller(const LockKey &key);

// How the caller names the objects a call reaches: the callee's `this` and each argument
// (an empty key: names no lock), and whether `this` is the caller's own.
struct CallNames {
  std::optional<LockRef> self;
  bool selfIsCallersThis = false;
  std::vector<std::optional<LockRef>> args;
};

// The lock an effect acts on at a call, in the caller's terms: the key translated through
// the call, shown and ordered as the object the caller names (`m_`, not `m_.impl_`);
// nullopt when it names nothing the caller has (the callee's locals, an unknown object).
std::optional<LockRef> effectAtCall(const LockEffect &effect, const CallNames &names);

// ---- The replay skeleton (link/lock_replay.h) ----

// A call whose callee's effects on locks are not known at extract (its body is in
// another translation unit, or depends on one).
struct PendingCall {
  unsigned call = 0;            // index into FunctionFacts::calls
  SourcePoint at;               // where a lock it takes is acquired (the call, a guard's declaration)
  CallNames names;              // as the caller names the callee's `this` and arguments
  LockKey var;                  // the local the call constructs, destroys or is made on
  enum class Role : unsigned char { Call, Construct, Destroy } role = Role::Call;
  std::vector<std::optional<long>> constArgs; // each argument's value, if it is an integer constant
};

struct ProgramStep {
  enum class Kind : unsigned char {
    Call,    // FunctionFacts::calls[index]: made with whatever is held here
    Pending, // LockProgram::pending[index]
    Acquire, // FunctionFacts::acquires[index]: a lock taken here, known at extract
    Release, // `key` released here, known at extract
  };
  Kind kind = Kind::Call;
  unsigned index = 0;
  LockKey key;
};

struct ProgramExit {
  SourcePoint where;
  bool throws = false;      // leaves by an explicit throw, not a return
  int returnsPending = -1;  // returns that pending call's result
  bool negated = false;     // ... negated or compared == 0
  bool returnsConstant = false;
  long value = 0;
};

struct ProgramBlock {
  std::vector<ProgramStep> steps;
  std::vector<int> succ;      // indices of the next blocks; -1: the function's exit, or unreachable
  int test = -1;              // a two-way branch on the result of pending[test]
  unsigned nonZeroSucc = 0;   // the successor taken when that result is non-zero / true
  int exit = -1;              // index into LockProgram::exits when the function ends here
};

// Block 0 is the entry. Written only for functions with pending calls.
struct LockProgram {
  // In every function, used by few (support/compact_vector.h).
  CompactVector<ProgramBlock> blocks;
  CompactVector<PendingCall> pending;
  CompactVector<ProgramExit> exits;
  // A constructor's members initialised from a parameter or a global (`_mutex(mutex)`:
  // "_mutex", "p0:"): a lock it keeps there is its argument's to its callers.
  CompactVector<std::pair<InternedString, LockKey>> fieldInits;
  bool empty() const { return pending.empty(); }
};

} // namespace lockcheck
