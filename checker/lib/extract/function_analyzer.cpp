#include "extract/function_analyzer.h"

#include "extract/decl_names.h"
#include "extract/lock_identity.h"
#include "extract/lockset.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/Attr.h>
#include <clang/AST/DeclCXX.h>
#include <clang/AST/DeclTemplate.h>
#include <clang/AST/Expr.h>
#include <clang/AST/ExprCXX.h>
#include <clang/AST/StmtCXX.h>
#include <clang/Analysis/CFG.h>
#include <clang/Basic/SourceManager.h>

#include <deque>
#include <set>

namespace lockcheck {
using namespace clang;

namespace {

const Expr *strip(const Expr *e) {
  while (e) {
    e = e->IgnoreParenImpCasts();
    if (const auto *x = dyn_cast<ExprWithCleanups>(e)) e = x->getSubExpr();
    else if (const auto *x = dyn_cast<MaterializeTemporaryExpr>(e)) e = x->getSubExpr();
    else if (const auto *x = dyn_cast<CXXBindTemporaryExpr>(e)) e = x->getSubExpr();
    else if (const auto *x = dyn_cast<ConstantExpr>(e)) e = x->getSubExpr();
    else if (const auto *x = dyn_cast<CXXFunctionalCastExpr>(e)) e = x->getSubExpr();
    else break;
  }
  return e;
}

// Peels copies/conversions around a callable argument: std::function from a lambda, std::move.
const Expr *stripCallable(const Expr *e) {
  for (int depth = 0; e && depth < 8; ++depth) {
    e = strip(e);
    if (const auto *c = dyn_cast<CXXConstructExpr>(e); c && c->getNumArgs() >= 1 && !isa<CXXTemporaryObjectExpr>(e)) {
      e = c->getArg(0);
      continue;
    }
    if (const auto *call = dyn_cast<CallExpr>(e); call && call->getNumArgs() == 1 && call->getDirectCallee()) {
      std::string name = normalizedName(call->getDirectCallee());
      if (name == "std::move" || name == "std::forward" || name == "std::ref" || name == "std::cref") {
        e = call->getArg(0);
        continue;
      }
    }
    if (const auto *u = dyn_cast<UnaryOperator>(e); u && u->getOpcode() == UO_AddrOf) {
      e = u->getSubExpr();
      continue;
    }
    break;
  }
  return e;
}

bool isCallableParam(const ParmVarDecl *parm) {
  QualType t = parm->getType().getNonReferenceType();
  if (t->isFunctionPointerType() || t->isFunctionType()) return true;
  if (const auto *rec = t->getAsCXXRecordDecl()) {
    if (rec->isLambda()) return true;
    std::string name = normalizedName(rec);
    if (name == "std::function" || name == "std::move_only_function" || name == "std::function_ref") return true;
    if (rec->hasDefinition())
      for (const auto *m : rec->methods())
        if (m->getOverloadedOperator() == OO_Call) return true;
  }
  return t->isTemplateTypeParmType();
}

// The parameter index if `e` names a callable parameter of fn.
int callableParamIndex(const Expr *e, const FunctionDecl *fn) {
  e = stripCallable(e);
  if (const auto *ref = dyn_cast_or_null<DeclRefExpr>(e))
    if (const auto *parm = dyn_cast<ParmVarDecl>(ref->getDecl());
        parm && isa<FunctionDecl>(parm->getDeclContext()) &&
        cast<FunctionDecl>(parm->getDeclContext())->getCanonicalDecl() == fn->getCanonicalDecl() && isCallableParam(parm))
      return static_cast<int>(parm->getFunctionScopeIndex());
  return -1;
}

} // namespace

class FunctionWalk {
public:
  FunctionWalk(FunctionAnalyzer &owner, const RulePacks &packs, ASTContext &ctx, const LockRecognizer &rec,
               const FunctionAnalyzer::DeclSink &sink, const FunctionDecl *fn, FunctionFacts &out,
               std::vector<Finding> &findings)
      : packs_(packs), ctx_(ctx), sm_(ctx.getSourceManager()), rec_(rec), noteDecl_(sink), fn_(fn), out_(out),
        findings_(findings) {}

  bool run();

private:
  SourcePoint at(SourceLocation loc) const { return sourcePoint(sm_, loc); }
  void finding(const char *rule, Severity sev, SourceLocation loc, std::string message, const LockRef *lock,
               std::vector<TraceStep> trace = {});

  void transfer(LockSet &state, const CFGElement &element);
  void onStmt(LockSet &state, const Stmt *stmt);
  void onDeclStmt(LockSet &state, const DeclStmt *decl);
  void onGuardDecl(LockSet &state, const VarDecl *var, const Expr *init);
  void onCall(LockSet &state, const CallSite &call);
  void onLockOperation(LockSet &state, const CallSite &call, const LockOperation &op);
  void onGuardAssign(LockSet &state, const CallSite &call);
  void recordCall(LockSet &state, const CallSite &call, const LockOperation *wait);
  void onDtor(LockSet &state, const VarDecl *var, const CFGAutomaticObjDtor &dtor);

  void acquire(LockSet &state, const LockRef &lock, SourceLocation loc, const VarDecl *guard, bool manualMember,
               bool bounded, bool group, bool pending);
  void release(LockSet &state, const std::string &key, SourceLocation loc, const VarDecl *guard, const LockRef &lock);
  bool returnedGuard(const CallSite &call, std::vector<LockRef> &locks, bool &pending);

  LockSet edgeState(const CFGBlock &from, unsigned succIndex, const LockSet &exit);
  void refine(LockSet &state, const Expr *cond, bool branchTrue, int depth);
  void applyTry(LockSet &state, const CallSite &call, const LockOperation &op, bool acquired);

  void checkExits();
  void collectManualUnlocks();

  const RulePacks &packs_;
  ASTContext &ctx_;
  const SourceManager &sm_;
  const LockRecognizer &rec_;
  const FunctionAnalyzer::DeclSink &noteDecl_;
  const FunctionDecl *fn_;
  FunctionFacts &out_;
  std::vector<Finding> &findings_;

  std::unique_ptr<CFG> cfg_;
  std::vector<LockSet> entry_;
  bool emit_ = false;
  bool lockImplementation_ = false; // see LockRecognizer::isLockImplementation
  std::set<std::string> manualUnlocked_; // keys released by a member .unlock() somewhere in fn
  std::set<std::string> entryKeys_;      // locks held on entry (requires_capability)
};

void FunctionWalk::finding(const char *rule, Severity sev, SourceLocation loc, std::string message,
                           const LockRef *lock, std::vector<TraceStep> trace) {
  if (!emit_) return;
  if (lockImplementation_ && std::string(rule) != "blocking-under-lock" && std::string(rule) != "lock-across-await")
    return;
  Finding f;
  f.rule = rule;
  f.severity = sev;
  f.anchor = at(loc);
  f.message = std::move(message);
  if (lock) f.lock = lock->display;
  f.function = out_.name;
  f.trace = std::move(trace);
  findings_.push_back(std::move(f));
}

void FunctionWalk::acquire(LockSet &state, const LockRef &lock, SourceLocation loc, const VarDecl *guard,
                           bool manualMember, bool bounded, bool group, bool pending) {
  SourcePoint where = at(loc);
  bool reacquire = entryKeys_.count(lock.key) > 0; // the caller's lock, taken back after a release
  if (emit_) {
    AcquireEvent ev{lock, where, bounded, group, {}, reacquire};
    for (const auto &h : state.definite())
      if (h.lock.key != lock.key) ev.heldBefore.push_back(h);
    out_.acquires.push_back(std::move(ev));
  }
  if (!pending) {
    if (const LockFact *held = state.find(lock.key, true)) {
      bool bothShared = held->lock.shared && lock.shared;
      if (!lock.recursive && !held->lock.recursive && !bothShared && !bounded) {
        finding("double-lock", Severity::Error, loc,
                "'" + lock.display + "' is acquired while it is already held", &lock,
                {{held->acquired, "'" + held->lock.display + "' first acquired here"}});
        return;
      }
    }
  }
  if (manualMember && !pending && manualUnlocked_.count(lock.key))
    finding("manual-lock", Severity::Note, loc,
            "'" + lock.display + "' is locked and unlocked by hand; a std::lock_guard or std::unique_lock "
            "would release it on every path",
            &lock);
  // A lock its scoped guard still owns (released by hand for slow work, then retaken).
  if (!guard && !pending)
    for (const auto &b : state.bindings)
      if (b.lockedOnConstruction && std::any_of(b.locks.begin(), b.locks.end(), [&](const LockRef &l) { return l.key == lock.key; }))
        guard = b.guard;
  state.facts.push_back(LockFact{lock, where, guard, pending, reacquire});
}

void FunctionWalk::release(LockSet &state, const std::string &key, SourceLocation loc, const VarDecl *guard,
                           const LockRef &lock) {
  auto matches = [&](const LockFact &f) { return f.lock.key == key && (!guard || f.guard == guard); };
  auto it = std::find_if(state.facts.begin(), state.facts.end(), [&](const LockFact &f) { return matches(f) && !f.guard; });
  if (it == state.facts.end()) it = std::find_if(state.facts.begin(), state.facts.end(), matches);
  if (it == state.facts.end()) {
    finding("unlock-not-held", Severity::Error, loc, "'" + lock.display + "' is released but it is not held here",
            &lock);
    return;
  }
  state.facts.erase(it);
}

bool FunctionWalk::returnedGuard(const CallSite &call, std::vector<LockRef> &locks, bool &pending) {
  const FunctionDecl *callee = call.callee;
  if (!callee) return false;
  QualType ret = callee->getReturnType();
  if (!rec_.isGuardType(ret)) return false;
  pending = normalizedTypeName(ret) == "std::optional";
  // Keys of the caller's objects standing for the callee's `this` and parameters.
  std::string thisKey;
  if (call.implicitThis) thisKey = "t:";
  else if (call.object)
    if (auto r = rec_.lockRef(call.object, fn_)) thisKey = r->key;
  std::vector<std::optional<LockRef>> argRefs;
  std::vector<std::string> argKeys;
  for (const Expr *arg : call.args) {
    argRefs.push_back(rec_.lockRef(arg, fn_));
    argKeys.push_back(argRefs.back() ? argRefs.back()->key : std::string());
  }
  auto translate = [&](const LockRef &calleeRef) -> std::optional<LockRef> {
    LockRef r = calleeRef;
    r.key = translateKey(calleeRef.key, thisKey, argKeys);
    if (r.key.empty()) return std::nullopt;
    if (calleeRef.key.size() > 1 && calleeRef.key[0] == 'p') {
      unsigned idx = std::stoul(calleeRef.key.substr(1));
      if (idx < argRefs.size() && argRefs[idx] && calleeRef.key.find(':') + 1 == calleeRef.key.size()) {
        r.display = argRefs[idx]->display;
        r.order = argRefs[idx]->order;
      }
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
  const Expr *e = strip(init);
  // `auto g = lock_helper(mu);` — a guard handed back by a function.
  if (const auto *c = dyn_cast<CXXConstructExpr>(e); c && c->getNumArgs() == 1 && !rec_.guardVariable(c->getArg(0)))
    if (isa<CallExpr>(strip(c->getArg(0)))) e = strip(c->getArg(0));
  if (const auto *call = dyn_cast<CallExpr>(e)) {
    CallSite site;
    asCallSite(call, site);
    std::vector<LockRef> locks;
    bool pending = false;
    if (returnedGuard(site, locks, pending)) {
      state.bind(GuardBinding{var, locks, at(loc)});
      for (const auto &l : locks) acquire(state, l, loc, var, false, pending, locks.size() > 1, pending);
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
    state.bind(GuardBinding{var, g.locks, at(loc)});
    return;
  case GuardConstruction::Adopt:
    state.bind(GuardBinding{var, g.locks, at(loc)});
    for (const auto &l : g.locks) {
      auto it = std::find_if(state.facts.begin(), state.facts.end(),
                             [&](const LockFact &f) { return f.lock.key == l.key && !f.guard; });
      if (it != state.facts.end()) it->guard = var;
      else state.facts.push_back(LockFact{l, at(loc), var, false, true}); // the caller's lock
    }
    return;
  case GuardConstruction::Try:
  case GuardConstruction::Lock: {
    state.bind(GuardBinding{var, g.locks, at(loc), g.mode == GuardConstruction::Lock});
    bool pending = g.mode == GuardConstruction::Try;
    for (const auto &l : g.locks) acquire(state, l, loc, var, false, pending, g.locks.size() > 1, pending);
    return;
  }
  }
}

void FunctionWalk::onDeclStmt(LockSet &state, const DeclStmt *decl) {
  for (const Decl *d : decl->decls()) {
    const auto *var = dyn_cast<VarDecl>(d);
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
        if (!state.find(l.key, true)) state.facts.push_back(LockFact{l, at(loc), op.guard, false, false});
    return;
  }
  for (const auto &l : op.locks) {
    std::erase_if(state.facts, [&](const LockFact &f) { return f.lock.key == l.key && f.maybe && !f.guard; });
    if (!state.find(l.key, true)) state.facts.push_back(LockFact{l, at(loc), nullptr, false, false});
  }
}

void FunctionWalk::onLockOperation(LockSet &state, const CallSite &call, const LockOperation &op) {
  SourceLocation loc = call.expr->getBeginLoc();
  if (const auto *member = dyn_cast<CXXMemberCallExpr>(call.expr))
    if (const auto *me = dyn_cast<MemberExpr>(member->getCallee())) loc = me->getBeginLoc();
  switch (op.kind) {
  case LockOperation::Acquire:
    for (const auto &l : op.locks) {
      LockRef lock = l;
      lock.shared = op.shared;
      acquire(state, lock, loc, nullptr, op.memberCall, false, op.group, false);
    }
    return;
  case LockOperation::TryAcquire:
    // Held only on the success branch (see refine); recorded as a bounded acquisition.
    if (emit_)
      for (const auto &l : op.locks) out_.acquires.push_back(AcquireEvent{l, at(loc), true, op.group, state.definite()});
    return;
  case LockOperation::Release:
    for (const auto &l : op.locks) release(state, l.key, loc, nullptr, l);
    return;
  case LockOperation::GuardLock:
    if (const GuardBinding *b = state.binding(op.guard)) {
      auto locks = b->locks;
      for (const auto &l : locks) acquire(state, l, loc, op.guard, false, false, locks.size() > 1, false);
    }
    return;
  case LockOperation::GuardTryLock:
    if (emit_)
      if (const GuardBinding *b = state.binding(op.guard))
        for (const auto &l : b->locks) out_.acquires.push_back(AcquireEvent{l, at(loc), true, false, state.definite()});
    return;
  case LockOperation::GuardUnlock:
    if (const GuardBinding *b = state.binding(op.guard)) {
      if (state.dropOwnedBy(op.guard) == 0)
        for (const auto &l : b->locks)
          finding("unlock-not-held", Severity::Error, loc,
                  "'" + l.display + "' is released through '" + op.guard->getNameAsString() + "' but it is not held here",
                  &l);
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
  const Expr *rhs = strip(call.args[0]);
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
          acquire(state, l, call.expr->getBeginLoc(), target, false, g.mode == GuardConstruction::Try,
                  g.locks.size() > 1, g.mode == GuardConstruction::Try);
    }
  }
}

void FunctionWalk::recordCall(LockSet &state, const CallSite &call, const LockOperation *wait) {
  if (!emit_) return;
  const FunctionDecl *callee = call.callee;
  SourceLocation loc = call.expr->getBeginLoc();
  if (const auto *member = dyn_cast<CXXMemberCallExpr>(call.expr))
    if (const auto *me = dyn_cast<MemberExpr>(member->getCallee()); me && me->getMemberLoc().isValid())
      loc = me->getMemberLoc();

  // Invoking one of our own callable parameters: `fn(x)`, `std::invoke(fn)`.
  if (const auto *ce = dyn_cast<CallExpr>(call.expr)) {
    int param = -1;
    if (call.object && callee && isa<CXXMethodDecl>(callee) &&
        cast<CXXMethodDecl>(callee)->getOverloadedOperator() == OO_Call)
      param = callableParamIndex(call.object, fn_);
    else if (!call.object)
      param = callableParamIndex(ce->getCallee(), fn_);
    if (param < 0 && callee && packs_.invokesCallable(normalizedName(callee)))
      for (const Expr *arg : call.args)
        if ((param = callableParamIndex(arg, fn_)) >= 0) break;
    if (param >= 0) {
      out_.invokes.push_back(InvokeEvent{static_cast<unsigned>(param), at(loc), state.definite()});
      if (!callee || !packs_.invokesCallable(normalizedName(callee))) return;
    }
  }
  if (!callee) return;

  CallEvent ev;
  noteDecl_(callee);
  ev.callee = functionKey(callee, sm_);
  ev.calleeName = displayName(callee, sm_);
  ev.where = at(loc);
  ev.held = state.definite();
  if (call.isConstruct) ev.receiverType = normalizedTypeName(cast<CXXConstructExpr>(call.expr)->getType());
  else if (call.object) ev.receiverType = normalizedTypeName(call.object->IgnoreParenImpCasts()->getType());
  else if (!call.args.empty()) ev.receiverType = normalizedTypeName(call.args[0]->IgnoreParenImpCasts()->getType());

  if (const auto *method = dyn_cast<CXXMethodDecl>(callee)) {
    if (call.implicitThis || (call.object && isa<CXXThisExpr>(call.object->IgnoreParenImpCasts()))) ev.thisArg = "t:";
    else if (call.object)
      if (auto r = rec_.lockRef(call.object, fn_)) ev.thisArg = r->key;
    if (method->isVirtual() && !method->hasAttr<FinalAttr>() && !method->getParent()->hasAttr<FinalAttr>()) {
      bool qualified = false;
      if (const auto *member = dyn_cast<CXXMemberCallExpr>(call.expr))
        if (const auto *me = dyn_cast<MemberExpr>(member->getCallee())) qualified = me->hasQualifier();
      const Expr *obj = call.object ? call.object->IgnoreParenImpCasts() : nullptr;
      bool exactObject = obj && isa<DeclRefExpr>(obj) && !obj->getType()->isPointerType() &&
                         !cast<DeclRefExpr>(obj)->getDecl()->getType()->isReferenceType();
      ev.unresolved = !qualified && !exactObject;
    }
  }
  for (size_t i = 0; i < call.args.size(); ++i) {
    const Expr *arg = call.args[i];
    QualType t = arg->getType();
    std::string key;
    if (t->isRecordType() || t->isPointerType() || t->isReferenceType())
      if (auto r = rec_.lockRef(arg, fn_)) key = r->key;
    ev.argLocks.push_back(key);
    // Callables: lambdas, functions, our own callable parameters passed on.
    const Expr *c = stripCallable(arg);
    CallableArg ca;
    ca.index = static_cast<unsigned>(i);
    if (const auto *ref = dyn_cast_or_null<DeclRefExpr>(c)) {
      if (const auto *var = dyn_cast<VarDecl>(ref->getDecl()); var && !isa<ParmVarDecl>(var) && var->getInit())
        c = stripCallable(var->getInit());
    }
    if (const auto *lambda = dyn_cast_or_null<LambdaExpr>(c)) {
      const CXXMethodDecl *op = lambda->getCallOperator();
      if (const FunctionTemplateDecl *tmpl = op->getDescribedFunctionTemplate()) {
        for (const FunctionDecl *spec : tmpl->specializations()) ca.targets.push_back(functionKey(spec, sm_));
      } else {
        ca.targets.push_back(functionKey(op, sm_));
      }
    } else if (const auto *ref = dyn_cast_or_null<DeclRefExpr>(c)) {
      if (const auto *f = dyn_cast<FunctionDecl>(ref->getDecl())) {
        noteDecl_(f);
        ca.targets.push_back(functionKey(f, sm_));
      } else {
        ca.forwardsParam = callableParamIndex(c, fn_);
      }
    }
    if (!ca.targets.empty() || ca.forwardsParam >= 0) ev.callables.push_back(std::move(ca));
  }
  if (wait) {
    ev.isWait = true;
    const LockFact *released = nullptr;
    if (wait->guard) {
      if (const GuardBinding *b = state.binding(wait->guard); b && !b->locks.empty())
        released = state.find(b->locks.front().key, false);
      if (const GuardBinding *b = state.binding(wait->guard); b && !b->locks.empty()) ev.waitReleases = b->locks.front().key;
    } else if (!wait->locks.empty()) {
      ev.waitReleases = wait->locks.front().key;
      released = state.find(ev.waitReleases, false);
    }
    ev.waitsOnAdopted = released && released->adopted;
  }
  out_.calls.push_back(std::move(ev));
}

void FunctionWalk::onCall(LockSet &state, const CallSite &call) {
  if (const auto *op = dyn_cast<CXXOperatorCallExpr>(call.expr);
      op && op->getOperator() == OO_Equal && call.object && rec_.guardVariable(call.object)) {
    onGuardAssign(state, call);
    return;
  }
  // std::move(guard) handed to a function: the lock leaves with it.
  LockOperation op = rec_.classify(call, fn_);
  if (op.kind == LockOperation::Wait) {
    recordCall(state, call, &op);
    return;
  }
  if (op.kind != LockOperation::None) {
    onLockOperation(state, call, op);
    return;
  }
  if (call.isConstruct && rec_.isGuardType(cast<CXXConstructExpr>(call.expr)->getType())) return;
  recordCall(state, call, nullptr);
}

void FunctionWalk::onStmt(LockSet &state, const Stmt *stmt) {
  if (const auto *decl = dyn_cast<DeclStmt>(stmt)) {
    onDeclStmt(state, decl);
    return;
  }
  if (isa<CoawaitExpr>(stmt) || isa<CoyieldExpr>(stmt)) {
    auto held = state.definite();
    if (!held.empty()) {
      const HeldLock &h = held.back();
      finding("lock-across-await", Severity::Error, stmt->getBeginLoc(),
              std::string(isa<CoawaitExpr>(stmt) ? "co_await" : "co_yield") + " while '" + h.lock.display +
                  "' is held; the coroutine may resume on another thread, or never",
              &h.lock, {{h.acquired, "'" + h.lock.display + "' acquired here"}});
    }
    return;
  }
  CallSite call;
  if (!asCallSite(stmt, call)) return;
  // Guard constructions are handled with their declaration; their temporaries hold nothing.
  if (call.isConstruct && rec_.isGuardType(cast<CXXConstructExpr>(stmt)->getType())) return;
  // A call that initialises a guard variable is handled by onGuardDecl.
  if (const auto *ce = dyn_cast<CallExpr>(stmt); ce && rec_.isGuardType(ce->getType()) && call.callee &&
                                                 rec_.isGuardType(call.callee->getReturnType()))
    return;
  onCall(state, call);
}

void FunctionWalk::onDtor(LockSet &state, const VarDecl *var, const CFGAutomaticObjDtor &dtor) {
  if (rec_.isGuardType(var->getType())) {
    state.dropOwnedBy(var);
    state.unbind(var);
    return;
  }
  const CXXDestructorDecl *d = dtor.getDestructorDecl(ctx_);
  if (!d || d->isTrivial()) return;
  bool user = !sm_.isInSystemHeader(d->getLocation());
  if (!user && !packs_.blocking(normalizedName(d))) return;
  if (!emit_) return;
  noteDecl_(d);
  CallEvent ev;
  ev.callee = functionKey(d, sm_);
  ev.calleeName = displayName(d, sm_);
  ev.where = at(dtor.getTriggerStmt() ? dtor.getTriggerStmt()->getEndLoc() : var->getLocation());
  ev.held = state.definite();
  ev.receiverType = normalizedTypeName(var->getType());
  out_.calls.push_back(std::move(ev));
}

void FunctionWalk::transfer(LockSet &state, const CFGElement &element) {
  if (auto s = element.getAs<CFGStmt>()) {
    onStmt(state, s->getStmt());
  } else if (auto d = element.getAs<CFGAutomaticObjDtor>()) {
    onDtor(state, d->getVarDecl(), *d);
  }
}

void FunctionWalk::refine(LockSet &state, const Expr *cond, bool branchTrue, int depth) {
  if (!cond || depth > 6) return;
  cond = strip(cond);
  if (const auto *u = dyn_cast<UnaryOperator>(cond); u && u->getOpcode() == UO_LNot) {
    refine(state, u->getSubExpr(), !branchTrue, depth + 1);
    return;
  }
  if (const auto *b = dyn_cast<BinaryOperator>(cond)) {
    if (b->getOpcode() == BO_LAnd) {
      if (branchTrue) refine(state, b->getRHS(), true, depth + 1);
      return;
    }
    if (b->getOpcode() == BO_LOr) {
      if (!branchTrue) refine(state, b->getRHS(), false, depth + 1);
      return;
    }
    if (b->getOpcode() == BO_EQ || b->getOpcode() == BO_NE) {
      const Expr *lhs = strip(b->getLHS()), *rhs = strip(b->getRHS());
      Expr::EvalResult value;
      const Expr *other = nullptr;
      if (rhs->EvaluateAsInt(value, ctx_)) other = lhs;
      else if (lhs->EvaluateAsInt(value, ctx_)) other = rhs;
      if (!other) return;
      long v = value.Val.getInt().getExtValue();
      bool equal = (b->getOpcode() == BO_EQ) == branchTrue; // on this edge: other == v ?
      CallSite call;
      if (!asCallSite(other, call)) return;
      LockOperation op = rec_.classify(call, fn_);
      if (op.kind != LockOperation::TryAcquire) return;
      long success = op.success == TrySuccess::Zero ? 0 : op.success == TrySuccess::MinusOne ? -1 : 1;
      if (op.success == TrySuccess::True) applyTry(state, call, op, equal ? v != 0 : v == 0);
      else applyTry(state, call, op, equal && v == success);
      return;
    }
    return;
  }
  if (const auto *ref = dyn_cast<DeclRefExpr>(cond)) {
    if (const auto *var = dyn_cast<VarDecl>(ref->getDecl())) {
      if (rec_.isGuardType(var->getType())) { // `if (lk)` on an optional / unique_lock
        for (auto &f : state.facts)
          if (f.guard == var) f.maybe = false;
        if (!branchTrue) state.dropOwnedBy(var);
        return;
      }
      if (var->isLocalVarDecl() && var->getInit()) refine(state, var->getInit(), branchTrue, depth + 1);
    }
    return;
  }
  CallSite call;
  if (!asCallSite(cond, call)) return;
  LockOperation op = rec_.classify(call, fn_);
  if (op.kind == LockOperation::GuardCheck) {
    if (branchTrue) {
      bool owned = false;
      for (auto &f : state.facts)
        if (f.guard == op.guard) f.maybe = false, owned = true;
      (void)owned;
    } else {
      state.dropOwnedBy(op.guard);
    }
    return;
  }
  if (op.kind == LockOperation::TryAcquire || op.kind == LockOperation::GuardTryLock) {
    bool acquired = op.success == TrySuccess::True ? branchTrue : op.success == TrySuccess::Zero ? !branchTrue : false;
    applyTry(state, call, op, acquired);
  }
}

LockSet FunctionWalk::edgeState(const CFGBlock &from, unsigned succIndex, const LockSet &exit) {
  LockSet state = exit;
  if (from.succ_size() != 2) return state;
  const Stmt *cond = const_cast<CFGBlock &>(from).getTerminatorCondition(false);
  if (const auto *e = dyn_cast_or_null<Expr>(cond)) {
    bool saved = emit_;
    emit_ = false;
    refine(state, e, succIndex == 0, 0);
    emit_ = saved;
  }
  return state;
}

void FunctionWalk::collectManualUnlocks() {
  for (const CFGBlock *block : *cfg_)
    for (const CFGElement &el : *block)
      if (auto s = el.getAs<CFGStmt>()) {
        CallSite call;
        if (!asCallSite(s->getStmt(), call) || call.isConstruct) continue;
        LockOperation op = rec_.classify(call, fn_);
        if (op.kind == LockOperation::Release && op.memberCall)
          for (const auto &l : op.locks) manualUnlocked_.insert(l.key);
      }
}

void FunctionWalk::checkExits() {
  if (lockImplementation_) return;
  const CFGBlock &exit = cfg_->getExit();
  std::set<std::pair<std::string, SourcePoint>> reported;
  for (const auto &pred : exit.preds()) {
    const CFGBlock *block = pred.getReachableBlock();
    if (!block || !entry_[block->getBlockID()].reachable) continue;
    // abort(), a failed assert(), a [[noreturn]] helper: the function does not return
    // there. (A throw does, to the caller, and is reported.)
    if (block->hasNoReturnElement()) continue;
    LockSet state = entry_[block->getBlockID()];
    bool saved = emit_;
    emit_ = false;
    for (const CFGElement &el : *block) transfer(state, el);
    emit_ = saved;
    for (const auto &f : state.facts) {
      if (f.maybe || f.guard || f.adopted) continue;
      if (!reported.insert({f.lock.key, f.acquired}).second) continue;
      Finding out;
      out.rule = "lock-not-released";
      out.severity = Severity::Error;
      out.anchor = f.acquired;
      out.message = "'" + f.lock.display + "' is still held when " + out_.name + "() returns";
      out.lock = f.lock.display;
      out.function = out_.name;
      SourceLocation endLoc = block->getTerminatorStmt() ? block->getTerminatorStmt()->getBeginLoc() : fn_->getEndLoc();
      for (auto it = block->rbegin(); it != block->rend(); ++it)
        if (auto s = it->getAs<CFGStmt>(); s && isa<ReturnStmt>(s->getStmt())) {
          endLoc = s->getStmt()->getBeginLoc();
          break;
        }
      out.trace.push_back({at(endLoc), "returns here with '" + f.lock.display + "' held"});
      findings_.push_back(std::move(out));
    }
  }
}

bool FunctionWalk::run() {
  const Stmt *body = fn_->getBody();
  if (!body) return false;
  CFG::BuildOptions options;
  options.AddImplicitDtors = true;
  options.AddTemporaryDtors = true;
  options.AddInitializers = true;
  options.AddCXXDefaultInitExprInCtors = true;
  options.setAllAlwaysAdd();
  cfg_ = CFG::buildCFG(fn_, const_cast<Stmt *>(body), &ctx_, options);
  if (!cfg_) return false;

  lockImplementation_ = rec_.isLockImplementation(fn_);
  collectManualUnlocks();
  entry_.assign(cfg_->getNumBlockIDs(), LockSet{});
  LockSet start;
  start.reachable = true;
  for (const auto &l : rec_.requiredLocks(fn_)) {
    start.facts.push_back(LockFact{l, at(fn_->getLocation()), nullptr, false, true});
    entryKeys_.insert(l.key);
    out_.entryLocks.push_back(l.key);
  }
  const CFGBlock &entryBlock = cfg_->getEntry();
  entry_[entryBlock.getBlockID()] = start;

  std::deque<const CFGBlock *> work{&entryBlock};
  std::vector<bool> queued(cfg_->getNumBlockIDs(), false);
  queued[entryBlock.getBlockID()] = true;
  size_t budget = 64 * cfg_->getNumBlockIDs() + 64;
  while (!work.empty() && budget-- > 0) {
    const CFGBlock *block = work.front();
    work.pop_front();
    queued[block->getBlockID()] = false;
    LockSet state = entry_[block->getBlockID()];
    for (const CFGElement &el : *block) transfer(state, el);
    unsigned index = 0;
    for (const auto &succ : block->succs()) {
      const CFGBlock *next = succ.getReachableBlock();
      unsigned i = index++;
      if (!next) continue;
      LockSet merged = LockSet::merge(entry_[next->getBlockID()], edgeState(*block, i, state));
      if (!(merged == entry_[next->getBlockID()])) {
        entry_[next->getBlockID()] = std::move(merged);
        if (!queued[next->getBlockID()]) {
          queued[next->getBlockID()] = true;
          work.push_back(next);
        }
      }
    }
  }

  emit_ = true;
  for (const CFGBlock *block : *cfg_) {
    if (!entry_[block->getBlockID()].reachable) continue;
    LockSet state = entry_[block->getBlockID()];
    for (const CFGElement &el : *block) transfer(state, el);
  }
  checkExits();
  return true;
}

bool FunctionAnalyzer::analyze(const FunctionDecl *fn, FunctionFacts &out, std::vector<Finding> &findings) {
  FunctionWalk walk(*this, packs_, ctx_, recognizer_, noteDecl_, fn, out, findings);
  return walk.run();
}

} // namespace lockcheck
