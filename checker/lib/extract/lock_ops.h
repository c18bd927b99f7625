// Recognising lock operations: what a call or a guard construction does to which
// locks, from the rule packs and Clang's thread-safety attributes. No state here.
#pragma once

#include "extract/call_site.h"
#include "extract/learned_locks.h"
#include "facts/facts.h"
#include "config/rule_pack.h"

#include <llvm/ADT/ArrayRef.h>

#include <optional>

namespace clang {
class ASTContext;
class CXXConstructExpr;
class FunctionDecl;
class QualType;
class VarDecl;
} // namespace clang

namespace lockcheck {

struct LockOperation {
  enum Kind { None, Acquire, TryAcquire, Release, Wait, GuardLock, GuardTryLock, GuardUnlock, GuardReset, GuardRelease, GuardCheck };
  Kind kind = None;
  std::vector<LockRef> locks;
  bool shared = false;
  bool bounded = false;    // try_* or timed
  bool memberCall = false; // `m.lock()` / `m.unlock()` on a lock object (manual-lock)
  bool group = false;      // several locks at once (std::lock)
  TrySuccess success = TrySuccess::True;
  bool reportsFailure = false; // Acquire: a result other than `success` means nothing was taken
  bool learned = false;        // a wrapper learned from its body (extract/learned_locks.h)
  std::vector<LockRef> releases; // a learned Acquire that also gives these back first
  const clang::VarDecl *guard = nullptr; // the guard variable a Guard* / Wait operation names
};

struct GuardConstruction {
  // Unlock: a learned guard that releases the caller's lock now and takes it back when it
  // dies (ScopedUnlock).
  enum Mode { Lock, Defer, Adopt, Try, MoveFrom, Empty, Unlock };
  Mode mode = Lock;
  std::vector<LockRef> locks;
  bool shared = false;
  bool bounded = false; // Lock by a timed wrapper: never an unbounded wait
  bool inverse = false; // its destructor re-acquires what it holds (ScopedUnlock)
  const clang::VarDecl *movedFrom = nullptr;
};


class LockRecognizer {
public:
  // `learned`: wrappers learned from their bodies in this TU; null for packs and attributes only.
  LockRecognizer(const RulePacks &packs, clang::ASTContext &ctx, LearnedLocks *learned = nullptr)
      : packs_(packs), ctx_(ctx), learned_(learned) {}

  LockOperation classify(const CallSite &call, const clang::FunctionDecl *caller) const;
  // A guard type: pack guard_types, a scoped_lockable class, or std::optional of either.
  bool isGuardType(clang::QualType type) const;
  bool isLockType(clang::QualType type) const;
  bool isRecursive(clang::QualType type) const;
  // What constructing a guard does (expr of guard type). False if not a guard.
  bool guardConstruction(const clang::CXXConstructExpr *construct, const clang::FunctionDecl *caller,
                         GuardConstruction &out) const;
  // The guard variable an expression names (`lk`, `std::move(lk)`), or null.
  const clang::VarDecl *guardVariable(const clang::Expr *expr) const;
  // The locks that attributes like requires_capability(mu) name, in fn's own terms.
  std::vector<LockRef> requiredLocks(const clang::FunctionDecl *fn) const;
  // The body of a lock primitive itself (an annotated lock/unlock function, a member of a
  // capability, scoped_lockable or pack lock class): it may legitimately end holding, or
  // release what it did not take.
  bool isLockImplementation(const clang::FunctionDecl *fn) const;
  std::optional<LockRef> lockRef(const clang::Expr *expr, const clang::FunctionDecl *fn) const;
  // How `caller` names the callee's `this` and arguments at a call (for learned effects).
  CallNames callNames(const CallSite &call, const clang::FunctionDecl *caller) const;
  LearnedLocks *learned() const { return learned_; }
  // The lock operations called in `fn`'s body (not guards), for LearnedLocks::counterpart.
  std::vector<LockKeyOp> lockOpsIn(const clang::FunctionDecl *fn) const;

private:
  std::vector<LockRef> attrLocks(llvm::ArrayRef<clang::Expr *> args, const CallSite &call,
                                 const clang::FunctionDecl *caller) const;
  // A call of a function whose body here acquires, releases or tries a lock for its caller.
  void learnedOperation(const CallSite &call, const clang::FunctionDecl *caller, LockOperation &op) const;
  // A method of a learned guard class called on a guard variable (`g.unlock()`).
  bool learnedGuardMethod(const CallSite &call, LockOperation &op) const;
  bool learnedGuardConstruction(const clang::CXXConstructExpr *construct, const CallSite &call,
                                const clang::FunctionDecl *caller, GuardConstruction &out) const;
  const RulePacks &packs_;
  clang::ASTContext &ctx_;
  LearnedLocks *learned_;
};

} // namespace lockcheck
