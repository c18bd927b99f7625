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

struct LockFact {
  LockRef lock;
  SourcePoint acquired;
  const clang::VarDecl *guard = nullptr; // owning guard; null for a manual acquisition
  bool maybe = false;                    // held on some paths only: never a blocking finding
  bool adopted = false;                  // held on entry (requires_capability, adopt_lock of the caller's lock)
};

struct GuardBinding {
  const clang::VarDecl *guard = nullptr;
  std::vector<LockRef> locks;
  SourcePoint declared;
  bool lockedOnConstruction = false; // its destructor unlocks, even after a manual unlock/relock
};

class LockSet {
public:
  bool reachable = false;
  std::vector<LockFact> facts;
  std::vector<GuardBinding> bindings;

  const LockFact *find(const std::string &key, bool definiteOnly) const;
  std::vector<HeldLock> definite() const;
  const GuardBinding *binding(const clang::VarDecl *guard) const;
  void bind(GuardBinding binding);
  void unbind(const clang::VarDecl *guard);
  // Removes and returns how many facts the guard owned.
  size_t dropOwnedBy(const clang::VarDecl *guard);
  void transfer(const clang::VarDecl *from, const clang::VarDecl *to);

  // Join of two paths: facts on only one side become "maybe".
  static LockSet merge(const LockSet &a, const LockSet &b);
  bool operator==(const LockSet &o) const;
};

} // namespace lockcheck
