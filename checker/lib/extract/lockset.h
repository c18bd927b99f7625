// The locks held at one program point (after Clang's ThreadSafety: a small vector of
// facts, because real code holds one or two locks at a time), plus which locks each
// guard variable manages.
#pragma once

#include "facts/facts.h"

#include <vector>

namespace clang {
class VarDecl;
}

namespace lockcheck {

// What a path knows about a local condition variable (`if (c)`, `locked = true`): it lets a
// lock taken under a condition be matched with a release under the same condition.
struct BranchFact {
  const clang::VarDecl *var = nullptr;
  bool value = false;
  bool operator==(const BranchFact &o) const { return var == o.var && value == o.value; }
};

struct LockFact {
  LockRef lock;
  SourcePoint acquired;
  const clang::VarDecl *guard = nullptr; // owning guard; null for a manual acquisition
  bool maybe = false;                    // held on some paths only: never a blocking finding
  bool adopted = false;                  // held on entry (requires_capability, adopt_lock of the caller's lock)
  // For a maybe fact: the branch facts that hold exactly on the paths where it is held.
  std::vector<BranchFact> onlyIf;
};

struct GuardBinding {
  const clang::VarDecl *guard = nullptr;
  std::vector<LockRef> locks;
  SourcePoint declared;
  bool lockedOnConstruction = false; // its destructor unlocks, even after a manual unlock/relock
  bool inverse = false;              // its destructor re-acquires its locks (a learned ScopedUnlock)
};

enum class Certainty { Definite, AnyPath }; // held on every path / on at least one

class LockSet {
public:
  bool reachable = false;
  std::vector<LockFact> facts;
  std::vector<GuardBinding> bindings;
  std::vector<BranchFact> assumptions; // branch facts true on every path reaching this point

  const LockFact *find(const LockKey &key, Certainty certainty) const;
  std::vector<HeldLock> definite() const;
  const GuardBinding *binding(const clang::VarDecl *guard) const;
  void bind(GuardBinding binding);
  void unbind(const clang::VarDecl *guard);
  // Removes and returns how many facts the guard owned.
  size_t dropOwnedBy(const clang::VarDecl *guard);
  void transfer(const clang::VarDecl *from, const clang::VarDecl *to);

  // The path takes the edge where `var` is `value`: maybe facts that hold exactly when it
  // is become definite, those that hold exactly when it is not are dropped.
  void assume(const clang::VarDecl *var, bool value);
  // `var` is written: nothing known about it any more.
  void forget(const clang::VarDecl *var);

  // Join of two paths: facts on only one side become "maybe", remembering the branch facts
  // that tell that side from the other (so `if (c) lock; ... if (c) unlock;` pairs up).
  static LockSet merge(const LockSet &a, const LockSet &b);
  bool operator==(const LockSet &o) const;
};

} // namespace lockcheck
