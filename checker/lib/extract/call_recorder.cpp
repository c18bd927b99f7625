// The call recorder: each call with the locks definitely held, its callable arguments,
// condition-variable waits and blocking destructors, as the link phase needs them.
#include "extract/function_walk.h"

#include "extract/decl_names.h"
#include "extract/expr_peel.h"
#include "extract/slot_access.h"
#include "extract/slot_types.h"

#include <clang/AST/Attr.h>
#include <clang/AST/DeclTemplate.h>
#include <clang/AST/ExprCXX.h>

namespace lockcheck {
using namespace clang;

namespace {

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

// The operator() overloads of a user class (not a lambda's: those come as LambdaExpr).
std::vector<const CXXMethodDecl *> callOperators(QualType type) {
  std::vector<const CXXMethodDecl *> out;
  const auto *rec = type.getNonReferenceType()->getAsCXXRecordDecl();
  if (!rec || rec->isLambda() || !rec->hasDefinition()) return out;
  if (rec->getASTContext().getSourceManager().isInSystemHeader(rec->getLocation())) return out;
  for (const Decl *d : rec->decls()) {
    const auto *method = dyn_cast<CXXMethodDecl>(d);
    if (const auto *tmpl = dyn_cast<FunctionTemplateDecl>(d)) method = dyn_cast<CXXMethodDecl>(tmpl->getTemplatedDecl());
    if (method && method->getOverloadedOperator() == OO_Call) out.push_back(method);
  }
  return out;
}

} // namespace

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
  // Through a field or variable of callable type: resolved at link time (issue 19).
  SlotKey through;
  std::string throughName;
  if (const auto *ce = dyn_cast<CallExpr>(call.expr))
    if (const Expr *called = calledValue(ce, callee)) through = calledSlot(called, ctx_, throughName);
  if (!callee && through.empty()) return;

  CallEvent ev;
  ev.through = through;
  if (callee) {
    noteDecl_(callee);
    ev.callee = functionKey(callee, sm_);
  }
  ev.calleeName = through.empty() ? displayName(callee, sm_) : throughName;
  ev.where = at(loc);
  ev.held = state.definite();
  if (call.isConstruct) ev.receiverType = normalizedTypeName(cast<CXXConstructExpr>(call.expr)->getType());
  else if (call.object) ev.receiverType = normalizedTypeName(call.object->IgnoreParenImpCasts()->getType());
  else if (!call.args.empty()) ev.receiverType = normalizedTypeName(call.args[0]->IgnoreParenImpCasts()->getType());

  if (const auto *method = dyn_cast_or_null<CXXMethodDecl>(callee)) {
    if (call.implicitThis || (call.object && isa<CXXThisExpr>(call.object->IgnoreParenImpCasts())))
      ev.thisArg = LockKey::thisObject();
    else if (call.object)
      if (auto r = rec_.lockRef(call.object, fn_)) ev.thisArg = r->key;
    if (method->isVirtual() && !method->hasAttr<FinalAttr>() && !method->getParent()->hasAttr<FinalAttr>()) {
      bool qualified = false;
      if (const auto *member = dyn_cast<CXXMemberCallExpr>(call.expr))
        if (const auto *me = dyn_cast<MemberExpr>(member->getCallee())) qualified = me->hasQualifier();
      const Expr *obj = call.object ? call.object->IgnoreParenImpCasts() : nullptr;
      bool onObject = obj && isa<DeclRefExpr>(obj) && !obj->getType()->isPointerType() &&
                      !cast<DeclRefExpr>(obj)->getDecl()->getType()->isReferenceType();
      ev.unresolved = !qualified && !onObject;
      // The slot the receiver is read from (`h->Put()`, `dest_->Append()`): which classes'
      // objects reach this call, and, for a parameter, each caller's own (issue 27).
      if (ev.unresolved && obj) ev.through = slotRead(obj, sm_).key;
    }
  }
  for (size_t i = 0; i < call.args.size(); ++i) {
    const Expr *arg = call.args[i];
    QualType t = arg->getType();
    LockKey key;
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
    auto addOperator = [&](const CXXMethodDecl *op) {
      if (const FunctionTemplateDecl *tmpl = op->getDescribedFunctionTemplate()) {
        for (const FunctionDecl *spec : tmpl->specializations()) ca.targets.push_back(functionKey(spec, sm_));
      } else {
        ca.targets.push_back(functionKey(op, sm_));
      }
    };
    if (const auto *lambda = dyn_cast_or_null<LambdaExpr>(c)) {
      addOperator(lambda->getCallOperator());
    } else if (const auto *ref = dyn_cast_or_null<DeclRefExpr>(c); ref && isa<FunctionDecl>(ref->getDecl())) {
      const auto *f = cast<FunctionDecl>(ref->getDecl());
      noteDecl_(f);
      ca.targets.push_back(functionKey(f, sm_));
    } else if (ref) {
      ca.forwardsParam = callableParamIndex(c, fn_);
    } else {
      // A user functor object (a class with operator()), by value or by reference.
      for (const CXXMethodDecl *op : callOperators(t)) addOperator(op);
    }
    // Objects of known class for a pointer / reference parameter, or the slot the argument
    // is read from: what flows in here, for the callee's calls on that parameter.
    if (ca.targets.empty() && ca.forwardsParam < 0 && callee && i < callee->getNumParams() &&
        isSlotType(callee->getParamDecl(static_cast<unsigned>(i))->getType())) {
      if (const CXXRecordDecl *cls = exactObject(arg)) ca.classes.push_back(normalizedName(cls));
      else ca.slot = slotRead(arg, sm_).key;
    }
    if (!ca.targets.empty() || ca.forwardsParam >= 0 || !ca.classes.empty() || !ca.slot.empty())
      ev.callables.push_back(std::move(ca));
  }
  if (wait) {
    ev.isWait = true;
    const LockFact *released = nullptr;
    if (wait->guard) {
      if (const GuardBinding *b = state.binding(wait->guard); b && !b->locks.empty())
        released = state.find(b->locks.front().key, Certainty::AnyPath);
      if (const GuardBinding *b = state.binding(wait->guard); b && !b->locks.empty()) ev.waitReleases = b->locks.front().key;
    } else if (!wait->locks.empty()) {
      ev.waitReleases = wait->locks.front().key;
      released = state.find(ev.waitReleases, Certainty::AnyPath);
    }
    // The caller's lock: adopted from it (leveldb's CondVar::Wait), or not taken here at all
    // (a Condition that keeps a reference to its owner's mutex, as muduo's does).
    ev.waitsOnAdopted = !released || released->adopted;
  }
  judge_->annotate(ev, call, out_.calls.size());
  out_.calls.push_back(std::move(ev));
  if (const VarDecl *var = nullptr; !wait && pendingCall(call, var))
    recordPending(call, var, call.isConstruct ? PendingCall::Role::Construct : PendingCall::Role::Call);
  if (!wait && callee && sm_.isInSystemHeader(callee->getLocation())) recordImplicit(out_.calls.back(), callee); // null: through a slot
}

void FunctionWalk::recordImplicit(const CallEvent &call, const FunctionDecl *systemFn) {
  // Pack-listed callees speak for themselves: blocking ones are reported as such, and the
  // callables an algorithm runs reach the link phase as callables.
  std::string qualified = normalizedName(systemFn);
  if (packs_.blocking(qualified) || packs_.nonblocking(qualified) || packs_.invokesCallable(qualified)) return;
  std::vector<CallEvent> implicit;
  for (const FunctionDecl *user : implicit_.runBy(systemFn)) {
    noteDecl_(user);
    CallEvent ev;
    ev.callee = functionKey(user, sm_);
    ev.calleeName = qualified; // the call as written: "std::vector::emplace_back() blocks (...)"
    ev.where = call.where;
    ev.held = call.held;
    ev.path = call.path;
    implicit.push_back(std::move(ev));
  }
  for (auto &ev : implicit) out_.calls.push_back(std::move(ev));
}

void FunctionWalk::onDtor(LockSet &state, const VarDecl *var, const CFGAutomaticObjDtor &dtor) {
  if (rec_.isGuardType(var->getType())) {
    state.dropOwnedBy(var);
    reacquireInverse(state, var);
    state.unbind(var);
    return;
  }
  // Anchored at the declaration of the object it destroys (docs/spec.md §1).
  recordDtor(state, dtor.getDestructorDecl(ctx_), var->getType(), var->getBeginLoc(), var);
}

// A temporary's destructor at the end of its full expression, anchored at the temporary.
void FunctionWalk::onTemporaryDtor(LockSet &state, const CFGTemporaryDtor &dtor) {
  const CXXBindTemporaryExpr *bind = dtor.getBindTemporaryExpr();
  if (!bind || rec_.isGuardType(bind->getType())) return; // an unnamed guard: see unnamed_guard_check
  recordDtor(state, dtor.getDestructorDecl(ctx_), bind->getType(), bind->getBeginLoc());
}

void FunctionWalk::recordDtor(LockSet &state, const CXXDestructorDecl *d, QualType type, SourceLocation where,
                              const VarDecl *var) {
  if (!d || d->isTrivial() || !emit_) return;
  // A closure's destructor only destroys its captures; and functionKey names every member
  // of a lambda's class after the lambda, so it would read as a call of the lambda.
  if (d->getParent()->isLambda()) return;
  bool system = sm_.isInSystemHeader(d->getLocation());
  // A library destructor blocks when a pack says so (std::jthread), or runs the user's
  // (std::unique_ptr<T> deletes a T): recordImplicit.
  if (system && !packs_.blocking(normalizedName(d)) && implicit_.runBy(d).empty()) return;
  noteDecl_(d);
  CallEvent ev;
  ev.callee = functionKey(d, sm_);
  ev.calleeName = displayName(d, sm_);
  ev.where = at(where);
  ev.held = state.definite();
  ev.receiverType = normalizedTypeName(type);
  judge_->annotatePath(ev, nullptr);
  out_.calls.push_back(std::move(ev));
  if (var && pendingVars_.count(var)) {
    CallSite site;
    site.callee = d;
    recordPending(site, var, PendingCall::Role::Destroy);
  }
  if (system) recordImplicit(out_.calls.back(), d);
}

} // namespace lockcheck
