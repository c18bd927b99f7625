// The LockRecognizer's third source after attributes and packs (which win): wrappers learned
// from their bodies in this TU (extract/learned_locks.h). A call of `m_.lock()` whose body
// locks `impl_` acquires the caller's `m_`; a guard class's constructor and destructor act
// on the lock it keeps in a member; its own unlock()/lock() are a guard's.
#include "extract/lock_ops.h"

#include "extract/decl_names.h"
#include "extract/learned_locks.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/DeclCXX.h>
#include <clang/AST/ExprCXX.h>

#include <functional>

namespace lockcheck {
using namespace clang;

namespace {

// Whether an effect conditional on an argument (ScopedUnlock(m, false)) applies here: a
// constant argument decides; anything else is taken to apply.
bool applies(const LockEffect &e, const CallSite &call, ASTContext &ctx) {
  if (e.ifParam < 0 || static_cast<size_t>(e.ifParam) >= call.args.size()) return true;
  const Expr *arg = call.args[static_cast<size_t>(e.ifParam)];
  if (const auto *def = dyn_cast<CXXDefaultArgExpr>(arg)) arg = def->getExpr();
  Expr::EvalResult value;
  if (!arg || arg->isValueDependent() || !arg->EvaluateAsInt(value, ctx)) return true;
  return value.Val.getInt().getBoolValue() == e.ifValue;
}

bool isThisObject(const CallSite &call) {
  return call.implicitThis || (call.object && isa<CXXThisExpr>(call.object->IgnoreParenImpCasts()));
}

} // namespace

CallNames LockRecognizer::callNames(const CallSite &call, const FunctionDecl *caller) const {
  CallNames names;
  if (isThisObject(call)) {
    names.self = LockRef{.key = LockKey::thisObject(), .order = LockKey::thisObject(), .display = "this"};
    names.selfIsCallersThis = true;
  } else if (call.object) {
    names.self = lockRef(call.object, caller);
  }
  for (const Expr *arg : call.args) {
    QualType t = arg->getType();
    bool object = t->isRecordType() || t->isPointerType() || t->isReferenceType() || arg->isGLValue();
    names.args.push_back(object && !isa<CXXDefaultArgExpr>(arg) ? lockRef(arg, caller) : std::nullopt);
  }
  return names;
}

void LockRecognizer::learnedOperation(const CallSite &call, const FunctionDecl *caller, LockOperation &op) const {
  if (!learned_ || call.isConstruct || !call.callee) return; // constructors act through guards
  if (isa<CXXDestructorDecl>(call.callee)) return;
  const LearnedLocks::Summary *summary = learned_->summaryOf(call.callee);
  if (!summary || summary->pending || summary->effects.empty()) return;
  CallNames names = callNames(call, caller);
  std::vector<LockRef> acquired, tried, released;
  bool bounded = true, heldOnZero = false;
  std::optional<bool> failsOnNonZero; // every acquisition reports its failure, and how
  bool allReport = true;
  for (const LockEffect &e : summary->effects) {
    if (!applies(e, call, ctx_)) continue;
    std::optional<LockRef> lock = effectAtCall(e, names);
    if (!lock) continue;
    switch (e.kind) {
    case LockEffect::Kind::Acquire:
      acquired.push_back(*lock);
      bounded &= e.bounded;
      if (!e.reportsFailure || (failsOnNonZero && *failsOnNonZero != e.heldOnZero)) allReport = false;
      else failsOnNonZero = e.heldOnZero;
      break;
    case LockEffect::Kind::TryAcquire:
      tried.push_back(*lock);
      heldOnZero = e.heldOnZero;
      break;
    case LockEffect::Kind::Release: released.push_back(*lock); break;
    }
  }
  if (!acquired.empty()) {
    op.kind = LockOperation::Acquire;
    op.locks = std::move(acquired);
    op.releases = std::move(released);
    op.bounded = bounded;
    if (allReport && failsOnNonZero) { // `if (mu.Lock() != 0) return -1;`: as for the lock call
      op.reportsFailure = true;
      op.success = *failsOnNonZero ? TrySuccess::Zero : TrySuccess::True;
    }
  } else if (!tried.empty()) {
    op.kind = LockOperation::TryAcquire;
    op.locks = std::move(tried);
    op.bounded = true;
    op.success = heldOnZero ? TrySuccess::Zero : TrySuccess::True;
  } else if (!released.empty()) {
    op.kind = LockOperation::Release;
    op.locks = std::move(released);
  } else {
    return;
  }
  op.learned = true;
  op.shared = op.locks.front().shared;
  op.group = op.locks.size() > 1;
  // No manual-lock note: like an annotated capability's, a wrapper's lock()/unlock() are its
  // author's chosen API (a pack lock type's are what a guard would replace).
  op.memberCall = false;
}

std::vector<LockKeyOp> LockRecognizer::lockOpsIn(const FunctionDecl *fn) const {
  std::vector<LockKeyOp> out;
  std::function<void(const Stmt *)> walk = [&](const Stmt *s) {
    if (!s) return;
    CallSite call;
    if (isa<CallExpr>(s) && asCallSite(s, call)) {
      LockOperation op = classify(call, fn);
      bool acquire = op.kind == LockOperation::Acquire || op.kind == LockOperation::TryAcquire;
      for (const LockRef &l : op.locks)
        if (acquire || op.kind == LockOperation::Release) out.push_back({l.key, !acquire});
      for (const LockRef &l : op.releases) out.push_back({l.key, true});
    }
    for (const Stmt *child : s->children()) walk(child);
  };
  walk(fn->getBody());
  return out;
}

bool LockRecognizer::learnedGuardMethod(const CallSite &call, LockOperation &op) const {
  if (!learned_ || !call.callee) return false;
  const auto *method = dyn_cast<CXXMethodDecl>(call.callee);
  if (!method || learned_->guardMembers(method->getParent()).empty()) return false;
  const LearnedLocks::Summary *summary = learned_->summaryOf(method);
  if (!summary || summary->pending) return false;
  for (const LockEffect &e : summary->effects) {
    if (e.key.base != LockKey::Base::This) continue;
    switch (e.kind) {
    case LockEffect::Kind::Acquire: op.kind = LockOperation::GuardLock; break;
    case LockEffect::Kind::TryAcquire:
      op.kind = LockOperation::GuardTryLock;
      op.bounded = true;
      op.success = e.heldOnZero ? TrySuccess::Zero : TrySuccess::True;
      break;
    case LockEffect::Kind::Release: op.kind = LockOperation::GuardUnlock; break;
    }
    op.learned = true;
    return true;
  }
  return false;
}

bool LockRecognizer::learnedGuardConstruction(const CXXConstructExpr *construct, const CallSite &call,
                                              const FunctionDecl *caller, GuardConstruction &out) const {
  if (!learned_) return false;
  const CXXConstructorDecl *ctor = construct->getConstructor();
  LearnedLocks::GuardKind kind = learned_->guardKind(ctor->getParent());
  if (kind == LearnedLocks::GuardKind::None) return false;
  out.inverse = kind == LearnedLocks::GuardKind::Unlock;
  // A move or copy from another guard, and the std tags (defer_lock, adopt_lock,
  // try_to_lock) for an owns-flag guard's constructors, say how it starts.
  for (const Expr *arg : construct->arguments()) {
    if (const VarDecl *from = guardVariable(arg)) {
      out.mode = GuardConstruction::MoveFrom;
      out.movedFrom = from;
      return true;
    }
  }
  CallNames names = callNames(call, caller);
  // A constructor that reaches its lock through a wrapper defined in another TU (Poco's
  // ScopedLock(m, timeout) over Mutex::lock(long)): taken to do what the class's
  // destructor undoes.
  const LearnedLocks::Summary *made = learned_->summaryOf(ctor);
  bool pendingCtor = made && made->pending;
  bool acquires = pendingCtor && !out.inverse, tries = false, releases = pendingCtor && out.inverse, bounded = true;
  for (const auto &g : learned_->guardLocks(ctor)) {
    std::optional<LockRef> lock = effectAtCall(g.lock, names);
    if (!lock) continue;
    if (g.made && applies(*g.made, call, ctx_)) {
      lock->shared = g.made->shared;
      acquires |= g.made->kind == LockEffect::Kind::Acquire;
      tries |= g.made->kind == LockEffect::Kind::TryAcquire;
      releases |= g.made->kind == LockEffect::Kind::Release;
      bounded &= g.made->bounded;
    }
    out.shared |= lock->shared;
    out.locks.push_back(*lock);
  }
  if (out.locks.empty()) {
    out.mode = GuardConstruction::Empty;
  } else if (releases) {
    out.mode = GuardConstruction::Unlock;
  } else if (acquires && !tries) {
    out.mode = GuardConstruction::Lock;
    out.bounded = bounded;
  } else if (tries) {
    out.mode = GuardConstruction::Try;
  } else {
    // Holds nothing yet: a deferring constructor, or ScopedUnlock(m, false); adopt_lock says
    // the caller's lock is its now, try_to_lock that it may own it (an owns flag set from
    // a try_lock()).
    out.mode = GuardConstruction::Defer;
    for (const Expr *arg : construct->arguments()) {
      std::string tag = normalizedTypeName(arg->getType());
      if (tag == "std::adopt_lock_t") out.mode = GuardConstruction::Adopt;
      else if (tag == "std::try_to_lock_t") out.mode = GuardConstruction::Try;
    }
  }
  return true;
}

} // namespace lockcheck
