// The guard model: what acquisitions, releases and guard objects do to the lock set.
#include "extract/function_walk.h"

#include "extract/decl_names.h"
#include "extract/expr_peel.h"
#include "extract/lock_identity.h"

#include <clang/AST/ExprCXX.h>

#include <functional>

namespace lockcheck {
using namespace clang;

void FunctionWalk::acquire(LockSet &state, const LockRef &lock, SourceLocation loc, const AcquireKind &kind) {
  SourcePoint where = at(loc);
  const VarDecl *guard = kind.guard;
  bool pending = kind.pending;
  bool reacquire = entryKeys_.count(lock.key) > 0; // the caller's lock, taken back after a release
  if (emit_) {
    AcquireEvent ev{.lock = lock, .where = where, .bounded = kind.bounded, .groupMember = kind.group,
                    .heldBefore = {}, .reacquire = reacquire};
    for (const auto &h : state.definite())
      if (h.lock.key != lock.key) ev.heldBefore.push_back(h);
    out_.acquires.push_back(std::move(ev));
  }
  if (!pending) {
    if (const LockFact *held = state.find(lock.key, Certainty::Definite)) {
      bool bothShared = held->lock.shared && lock.shared;
      if (!lock.recursive && !held->lock.recursive && !bothShared && !kind.bounded) {
        if (reportsPairing()) handler_.acquiredWhileHeld(site(loc), lock, HeldLock{held->lock, held->acquired});
        return;
      }
    }
  }
  if (kind.manualMember && !pending && manualUnlocked_.count(lock.key) && reportsPairing())
    handler_.lockedByHand(site(loc), lock);
  // A lock its scoped guard still owns (released by hand for slow work, then retaken).
  if (!guard && !pending)
    for (const auto &b : state.bindings)
      if (b.lockedOnConstruction && std::any_of(b.locks.begin(), b.locks.end(), [&](const LockRef &l) { return l.key == lock.key; }))
        guard = b.guard;
  // Taken again where it was maybe held (a loop that can go round holding it): one fact.
  if (!pending)
    std::erase_if(state.facts, [&](const LockFact &f) { return f.lock.key == lock.key && f.maybe && f.guard == guard; });
  state.facts.push_back(
      LockFact{.lock = lock, .acquired = where, .guard = guard, .maybe = pending, .adopted = reacquire, .onlyIf = {}});
}

// A manual release takes the lock's definite manual acquisition first, else a definite one a
// guard owns, else a maybe one. Held on only some paths here: `unlock-not-held` (spec §2).
void FunctionWalk::release(LockSet &state, const LockRef &lock, SourceLocation loc) {
  struct Preference {
    bool manualOnly; // not owned by a guard
    bool maybe;
  };
  auto it = state.facts.end();
  for (Preference p : {Preference{.manualOnly = true, .maybe = false}, Preference{.manualOnly = false, .maybe = false},
                       Preference{.manualOnly = true, .maybe = true}, Preference{.manualOnly = false, .maybe = true}}) {
    it = std::find_if(state.facts.begin(), state.facts.end(), [&](const LockFact &f) {
      return f.lock.key == lock.key && f.maybe == p.maybe && (!p.manualOnly || !f.guard);
    });
    if (it != state.facts.end()) break;
  }
  if ((it == state.facts.end() || it->maybe) && reportsPairing()) handler_.releasedNotHeld(site(loc), lock, {});
  if (it != state.facts.end()) state.facts.erase(it);
  noteRelease(lock.key);
}

// `finish_locked(std::move(lk))` into a by-value guard parameter: the callee owns the lock
// now and releases it when its parameter dies, so after the call the caller holds nothing
// through `lk` (the call itself was recorded with the lock held: the callee runs under it).
void FunctionWalk::handOverGuards(LockSet &state, const CallSite &call) {
  const FunctionDecl *callee = call.callee;
  if (!callee) return;
  for (size_t i = 0; i < call.args.size() && i < callee->getNumParams(); ++i) {
    QualType param = callee->getParamDecl(i)->getType();
    if (param->isReferenceType() || !rec_.isGuardType(param)) continue;
    const Expr *arg = peelWrappers(call.args[i]);
    if (const auto *c = dyn_cast<CXXConstructExpr>(arg); c && c->getNumArgs() == 1) arg = c->getArg(0);
    if (const VarDecl *guard = rec_.guardVariable(arg)) state.dropOwnedBy(guard);
  }
}

bool FunctionWalk::returnedGuard(const CallSite &call, std::vector<LockRef> &locks, bool &pending) {
  const FunctionDecl *callee = call.callee;
  if (!callee) return false;
  QualType ret = callee->getReturnType();
  if (!rec_.isGuardType(ret)) return false;
  pending = normalizedTypeName(ret) == "std::optional";
  // Keys of the caller's objects standing for the callee's `this` and parameters.
  LockKey thisKey;
  if (call.implicitThis) thisKey = LockKey::thisObject();
  else if (call.object)
    if (auto r = rec_.lockRef(call.object, fn_)) thisKey = r->key;
  std::vector<std::optional<LockRef>> argRefs;
  std::vector<LockKey> argKeys;
  for (const Expr *arg : call.args) {
    argRefs.push_back(rec_.lockRef(arg, fn_));
    argKeys.push_back(argRefs.back() ? argRefs.back()->key : LockKey());
  }
  auto translate = [&](const LockRef &calleeRef) -> std::optional<LockRef> {
    LockRef r = calleeRef;
    r.key = calleeRef.key.translate(thisKey, argKeys);
    if (r.key.empty()) return std::nullopt;
    // The parameter itself: shown and ordered as the caller's argument.
    if (unsigned param = calleeRef.key.param; calleeRef.key.isWholeParam() && param < argRefs.size() && argRefs[param]) {
      r.display = argRefs[param]->display;
      r.order = argRefs[param]->order;
    }
    return r;
  };
  const FunctionDecl *def = callee->getDefinition();
  if (def && def->getBody()) {
    // Look at what the body returns: a guard built in the return statement or a local guard.
    std::function<void(const Stmt *)> scan = [&](const Stmt *s) {
      if (!s) return;
      if (const auto *ret = dyn_cast<ReturnStmt>(s); ret && ret->getRetValue()) {
        std::function<void(const Stmt *)> findGuard = [&](const Stmt *e) {
          if (!e) return;
          if (const auto *c = dyn_cast<CXXConstructExpr>(e)) {
            GuardConstruction g;
            if (rec_.guardConstruction(c, def, g) && !g.locks.empty()) {
              if (g.mode == GuardConstruction::Try) pending = true;
              for (const auto &l : g.locks)
                if (auto t = translate(l)) locks.push_back(*t);
              return;
            }
          }
          if (const auto *ref = dyn_cast<DeclRefExpr>(e))
            if (const auto *var = dyn_cast<VarDecl>(ref->getDecl()); var && rec_.isGuardType(var->getType()) && var->getInit())
              findGuard(var->getInit());
          for (const Stmt *child : e->children()) findGuard(child);
        };
        findGuard(ret->getRetValue());
        return;
      }
      for (const Stmt *child : s->children()) scan(child);
    };
    scan(def->getBody());
  } else {
    for (size_t i = 0; i < call.args.size(); ++i)
      if (rec_.isLockType(call.args[i]->getType()) && argRefs[i]) locks.push_back(*argRefs[i]);
  }
  return !locks.empty();
}

void FunctionWalk::onGuardDecl(LockSet &state, const VarDecl *var, const Expr *init) {
  SourceLocation loc = var->getLocation();
  const Expr *e = peelWrappers(init);
  // `auto g = lock_helper(mu);` — a guard handed back by a function.
  // Not `lock_guard g(*mu_)` / `MutexLock l(mu_.get())`: a lock reached through a call.
  if (const auto *c = dyn_cast<CXXConstructExpr>(e); c && c->getNumArgs() == 1 && !rec_.guardVariable(c->getArg(0)) &&
                                                     rec_.isGuardType(c->getArg(0)->getType()))
    if (isa<CallExpr>(peelWrappers(c->getArg(0)))) e = peelWrappers(c->getArg(0));
  if (const auto *call = dyn_cast<CallExpr>(e)) {
    CallSite site;
    asCallSite(call, site);
    std::vector<LockRef> locks;
    bool pending = false;
    if (returnedGuard(site, locks, pending)) {
      state.bind(GuardBinding{var, locks, at(loc)});
      for (const auto &l : locks) acquire(state, l, loc, {.guard = var, .bounded = pending, .group = locks.size() > 1, .pending = pending});
      return;
    }
    if (const VarDecl *from = rec_.guardVariable(e)) { // std::move(other)
      state.transfer(from, var);
      return;
    }
    onCall(state, site);
    state.bind(GuardBinding{var, {}, at(loc)});
    return;
  }
  const auto *construct = dyn_cast<CXXConstructExpr>(e);
  GuardConstruction g;
  if (!construct || !rec_.guardConstruction(construct, fn_, g)) {
    state.bind(GuardBinding{var, {}, at(loc)});
    return;
  }
  switch (g.mode) {
  case GuardConstruction::MoveFrom:
    state.transfer(g.movedFrom, var);
    return;
  case GuardConstruction::Empty:
    state.bind(GuardBinding{var, {}, at(loc)});
    return;
  case GuardConstruction::Defer:
    state.bind(GuardBinding{.guard = var, .locks = g.locks, .declared = at(loc), .inverse = g.inverse});
    return;
  case GuardConstruction::Unlock: // ScopedUnlock: the caller's lock is let go of until the guard dies
    state.bind(GuardBinding{.guard = var, .locks = g.locks, .declared = at(loc), .inverse = true});
    for (const auto &l : g.locks) release(state, l, loc);
    return;
  case GuardConstruction::Adopt:
    state.bind(GuardBinding{var, g.locks, at(loc)});
    for (const auto &l : g.locks) {
      auto it = std::find_if(state.facts.begin(), state.facts.end(),
                             [&](const LockFact &f) { return f.lock.key == l.key && !f.guard; });
      if (it != state.facts.end()) it->guard = var;
      else // the caller's lock
        state.facts.push_back(LockFact{.lock = l, .acquired = at(loc), .guard = var, .maybe = false, .adopted = true, .onlyIf = {}});
    }
    return;
  case GuardConstruction::Try:
  case GuardConstruction::Lock: {
    state.bind(GuardBinding{.guard = var, .locks = g.locks, .declared = at(loc),
                            .lockedOnConstruction = g.mode == GuardConstruction::Lock});
    bool pending = g.mode == GuardConstruction::Try;
    for (const auto &l : g.locks)
      acquire(state, l, loc, {.guard = var, .bounded = pending || g.bounded, .group = g.locks.size() > 1, .pending = pending});
    return;
  }
  }
}

// A learned ScopedUnlock dies: the locks it let go of are taken back (by their owner, if a
// guard still holds the binding: acquire() finds it).
void FunctionWalk::reacquireInverse(LockSet &state, const VarDecl *var) {
  const GuardBinding *b = state.binding(var);
  if (!b || !b->inverse) return;
  std::vector<LockRef> locks = b->locks;
  state.unbind(var);
  for (const auto &l : locks) acquire(state, l, var->getLocation(), {});
}

void FunctionWalk::onDeclStmt(LockSet &state, const DeclStmt *decl) {
  for (const Decl *d : decl->decls()) {
    const auto *var = dyn_cast<VarDecl>(d);
    if (var && emit_) notePendingVar(var);
    if (!var || !var->getInit() || !rec_.isGuardType(var->getType())) continue;
    onGuardDecl(state, var, var->getInit());
  }
}

void FunctionWalk::applyTry(LockSet &state, const CallSite &call, const LockOperation &op, bool acquired) {
  if (!acquired) return;
  SourceLocation loc = call.expr->getBeginLoc();
  if (op.kind == LockOperation::GuardTryLock) {
    if (const GuardBinding *b = state.binding(op.guard))
      for (const auto &l : b->locks)
        if (!state.find(l.key, Certainty::Definite))
          state.facts.push_back(
              LockFact{.lock = l, .acquired = at(loc), .guard = op.guard, .maybe = false, .adopted = false, .onlyIf = {}});
    return;
  }
  for (const auto &l : op.locks) {
    std::erase_if(state.facts, [&](const LockFact &f) { return f.lock.key == l.key && f.maybe && !f.guard; });
    if (!state.find(l.key, Certainty::Definite))
      state.facts.push_back(LockFact{.lock = l, .acquired = at(loc), .guard = nullptr, .maybe = false, .adopted = false, .onlyIf = {}});
  }
}

SourceLocation FunctionWalk::lockOpLocation(const CallSite &call) {
  SourceLocation loc = call.expr->getBeginLoc();
  if (const auto *member = dyn_cast<CXXMemberCallExpr>(call.expr))
    if (const auto *me = dyn_cast<MemberExpr>(member->getCallee())) loc = me->getBeginLoc();
  return loc;
}

void FunctionWalk::onLockOperation(LockSet &state, const CallSite &call, const LockOperation &op) {
  SourceLocation loc = lockOpLocation(call);
  switch (op.kind) {
  case LockOperation::Acquire:
    for (const auto &l : op.releases) release(state, l, loc);
    for (const auto &l : op.locks) {
      LockRef lock = l;
      if (!op.learned) lock.shared = op.shared;
      acquire(state, lock, loc, {.manualMember = op.memberCall, .bounded = op.bounded && op.learned, .group = op.group});
    }
    return;
  case LockOperation::TryAcquire:
    // Held only on the success branch (see refine); recorded as a bounded acquisition.
    if (emit_)
      for (const auto &l : op.locks)
        out_.acquires.push_back(
            AcquireEvent{.lock = l, .where = at(loc), .bounded = true, .groupMember = op.group,
                         .heldBefore = state.definite(), .reacquire = false});
    return;
  case LockOperation::Release:
    for (const auto &l : op.locks) release(state, l, loc);
    return;
  case LockOperation::GuardLock:
    if (const GuardBinding *b = state.binding(op.guard)) {
      auto locks = b->locks;
      for (const auto &l : locks) acquire(state, l, loc, {.guard = op.guard, .group = locks.size() > 1});
    }
    return;
  case LockOperation::GuardTryLock:
    if (emit_)
      if (const GuardBinding *b = state.binding(op.guard))
        for (const auto &l : b->locks)
          out_.acquires.push_back(AcquireEvent{.lock = l, .where = at(loc), .bounded = true, .groupMember = false,
                                               .heldBefore = state.definite(), .reacquire = false});
    return;
  case LockOperation::GuardUnlock:
    if (const GuardBinding *b = state.binding(op.guard)) {
      bool held = std::any_of(state.facts.begin(), state.facts.end(),
                              [&](const LockFact &f) { return f.guard == op.guard && !f.maybe; });
      state.dropOwnedBy(op.guard);
      if (!held && reportsPairing())
        for (const auto &l : b->locks) handler_.releasedNotHeld(site(loc), l, op.guard->getNameAsString());
    }
    return;
  case LockOperation::GuardReset:
    state.dropOwnedBy(op.guard);
    return;
  case LockOperation::GuardRelease:
    for (auto &f : state.facts)
      if (f.guard == op.guard) f.guard = nullptr; // still locked, now by hand
    state.unbind(op.guard);
    return;
  case LockOperation::GuardCheck:
  case LockOperation::Wait:
  case LockOperation::None:
    return;
  }
}

void FunctionWalk::onGuardAssign(LockSet &state, const CallSite &call) {
  const VarDecl *target = rec_.guardVariable(call.object);
  if (!target || call.args.empty()) return;
  state.dropOwnedBy(target);
  const Expr *rhs = peelWrappers(call.args[0]);
  if (const VarDecl *from = rec_.guardVariable(rhs)) {
    state.transfer(from, target);
    return;
  }
  if (const auto *c = dyn_cast<CXXConstructExpr>(rhs)) {
    GuardConstruction g;
    if (rec_.guardConstruction(c, fn_, g)) {
      state.bind(GuardBinding{target, g.locks, at(call.expr->getBeginLoc())});
      if (g.mode == GuardConstruction::Lock || g.mode == GuardConstruction::Try)
        for (const auto &l : g.locks)
          acquire(state, l, call.expr->getBeginLoc(),
                  {.guard = target, .bounded = g.mode == GuardConstruction::Try, .group = g.locks.size() > 1,
                   .pending = g.mode == GuardConstruction::Try});
    }
  }
}

} // namespace lockcheck
