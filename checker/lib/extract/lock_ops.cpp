#include "extract/lock_ops.h"

#include "extract/decl_names.h"
#include "extract/expr_peel.h"
#include "extract/learned_locks.h"
#include "extract/lock_identity.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/Attr.h>
#include <clang/AST/DeclCXX.h>
#include <clang/AST/DeclTemplate.h>
#include <clang/AST/Expr.h>
#include <clang/AST/ExprCXX.h>
#include <clang/Basic/SourceManager.h>

#include <algorithm>

namespace lockcheck {
using namespace clang;

namespace {

bool contains(const std::vector<std::string> &names, const std::string &name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

const CXXRecordDecl *recordOf(QualType type) {
  type = type.getNonReferenceType();
  if (const auto *ptr = type->getAs<PointerType>()) type = ptr->getPointeeType();
  return type->getAsCXXRecordDecl();
}

// std::optional<G> -> G
QualType unwrapOptional(QualType type) {
  const auto *rec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(recordOf(type));
  if (rec && normalizedName(rec) == "std::optional" && rec->getTemplateArgs().size() == 1)
    return rec->getTemplateArgs()[0].getAsType();
  return type;
}

enum class Tag { None, Defer, Adopt, Try, Timed };
Tag tagOf(QualType type) {
  std::string name = normalizedTypeName(type);
  if (name == "std::defer_lock_t" || name == "boost::defer_lock_t") return Tag::Defer;
  if (name == "std::adopt_lock_t" || name == "boost::adopt_lock_t") return Tag::Adopt;
  if (name == "std::try_to_lock_t" || name == "boost::try_to_lock_t") return Tag::Try;
  if (name.rfind("std::chrono::", 0) == 0 || name.rfind("boost::chrono::", 0) == 0 ||
      name.rfind("boost::posix_time::", 0) == 0)
    return Tag::Timed;
  return Tag::None;
}

} // namespace

std::optional<LockRef> LockRecognizer::lockRef(const Expr *expr, const FunctionDecl *fn) const {
  auto ref = lockRefFor(expr, fn, ctx_);
  if (ref) ref->recursive = isRecursive(expr->getType());
  return ref;
}

bool LockRecognizer::isLockType(QualType type) const {
  const CXXRecordDecl *rec = recordOf(type);
  if (!rec) return false;
  if (rec->hasAttr<CapabilityAttr>()) return true;
  return packs_.lockType(normalizedName(rec)) != nullptr;
}

bool LockRecognizer::isRecursive(QualType type) const {
  const CXXRecordDecl *rec = recordOf(type);
  if (!rec) return false;
  const LockTypeEntry *entry = packs_.lockType(normalizedName(rec));
  return entry && entry->recursive;
}

bool LockRecognizer::isGuardType(QualType type) const {
  const CXXRecordDecl *rec = recordOf(unwrapOptional(type));
  if (!rec) return false;
  if (rec->hasAttr<ScopedLockableAttr>()) return true;
  if (packs_.guardType(normalizedName(rec))) return true;
  return learned_ && !ctx_.getSourceManager().isInSystemHeader(rec->getLocation()) &&
         learned_->guardKind(rec) != LearnedLocks::GuardKind::None;
}

const VarDecl *LockRecognizer::guardVariable(const Expr *expr) const {
  // `lk`, `std::move(lk)`, and `*opt` / `opt.value()` on a std::optional guard name the same guard.
  if (const auto *ref = dyn_cast_or_null<DeclRefExpr>(peel(expr)))
    if (const auto *var = dyn_cast<VarDecl>(ref->getDecl()); var && isGuardType(var->getType())) return var;
  return nullptr;
}

// Maps attribute arguments (written in the callee's terms) to locks in the caller's terms.
std::vector<LockRef> LockRecognizer::attrLocks(llvm::ArrayRef<Expr *> args, const CallSite &call,
                                               const FunctionDecl *caller) const {
  std::vector<LockRef> out;
  auto objectRef = [&]() -> std::optional<LockRef> {
    if (call.object) return lockRef(call.object, caller);
    if (call.implicitThis)
      return LockRef{.key = LockKey::thisObject(), .order = LockKey::thisObject(), .display = "this"};
    return std::nullopt;
  };
  if (args.empty()) {
    if (auto ref = objectRef()) out.push_back(*ref);
    return out;
  }
  for (const Expr *arg : args) {
    const Expr *e = peel(arg);
    if (const auto *ref = dyn_cast<DeclRefExpr>(e)) {
      if (const auto *parm = dyn_cast<ParmVarDecl>(ref->getDecl())) {
        unsigned index = parm->getFunctionScopeIndex();
        if (index < call.args.size())
          if (auto r = lockRef(call.args[index], caller)) out.push_back(*r);
        continue;
      }
      if (auto r = lockRef(e, caller)) out.push_back(*r);
      continue;
    }
    if (isa<CXXThisExpr>(e)) {
      if (auto r = objectRef()) out.push_back(*r);
      continue;
    }
    if (const auto *member = dyn_cast<MemberExpr>(e); member && isa<CXXThisExpr>(member->getBase()->IgnoreParenImpCasts())) {
      auto base = objectRef();
      const auto *field = dyn_cast<FieldDecl>(member->getMemberDecl());
      if (!base || !field) continue;
      LockRef r;
      r.key = base->key.join(field->getNameAsString());
      r.order = fieldOrder(field);
      r.display = (base->key == LockKey::thisObject() ? std::string() : base->display + ".") + field->getNameAsString();
      r.recursive = isRecursive(field->getType());
      out.push_back(r);
    }
  }
  return out;
}

LockOperation LockRecognizer::classify(const CallSite &call, const FunctionDecl *caller) const {
  LockOperation op;
  const FunctionDecl *callee = call.callee;
  if (!callee || call.isConstruct) return op;

  // try_acquire_capability(v), exclusive_trylock_function(v): held when the call returns v;
  // v false means held when it returns zero.
  auto tryAttribute = [&](const Expr *successValue, llvm::ArrayRef<Expr *> args, bool shared) {
    op.kind = LockOperation::TryAcquire;
    op.shared = shared;
    op.bounded = true;
    Expr::EvalResult success;
    if (successValue && successValue->EvaluateAsInt(success, ctx_) && !success.Val.getInt().getBoolValue())
      op.success = TrySuccess::Zero;
    op.locks = attrLocks(args, call, caller);
  };
  // Thread-safety attributes first: they are the author's word.
  if (const auto *a = callee->getAttr<AcquireCapabilityAttr>()) {
    op.kind = LockOperation::Acquire;
    op.shared = a->isShared();
    op.locks = attrLocks(llvm::ArrayRef<Expr *>(a->args_begin(), a->args_size()), call, caller);
  } else if (const auto *a = callee->getAttr<TryAcquireCapabilityAttr>()) {
    tryAttribute(a->getSuccessValue(), llvm::ArrayRef<Expr *>(a->args_begin(), a->args_size()), a->isShared());
  } else if (const auto *a = callee->getAttr<ExclusiveTrylockFunctionAttr>()) { // Abseil's TryLock()
    tryAttribute(a->getSuccessValue(), llvm::ArrayRef<Expr *>(a->args_begin(), a->args_size()), false);
  } else if (const auto *a = callee->getAttr<SharedTrylockFunctionAttr>()) {
    tryAttribute(a->getSuccessValue(), llvm::ArrayRef<Expr *>(a->args_begin(), a->args_size()), true);
  } else if (const auto *a = callee->getAttr<ReleaseCapabilityAttr>()) {
    op.kind = LockOperation::Release;
    op.shared = a->isShared();
    op.locks = attrLocks(llvm::ArrayRef<Expr *>(a->args_begin(), a->args_size()), call, caller);
  }
  if (op.kind != LockOperation::None) {
    // A release/acquire method on a scoped_lockable guard acts on the guard's locks.
    if (call.object) {
      if (const VarDecl *guard = guardVariable(call.object)) {
        op.guard = guard;
        op.kind = op.kind == LockOperation::Release ? LockOperation::GuardUnlock
                  : op.kind == LockOperation::Acquire ? LockOperation::GuardLock
                                                      : LockOperation::GuardTryLock;
        op.locks.clear();
      }
    }
    return op;
  }

  std::string name = normalizedName(callee);
  if (const WaitEntry *wait = packs_.wait(name)) {
    op.kind = LockOperation::Wait;
    if (wait->releasesArg < call.args.size()) {
      const Expr *arg = call.args[wait->releasesArg];
      op.guard = guardVariable(arg);
      if (!op.guard)
        if (auto ref = lockRef(arg, caller)) op.locks.push_back(*ref);
    }
    return op;
  }

  if (const LockFunctionEntry *fn = packs_.lockFunction(name)) {
    std::vector<const Expr *> lockArgs;
    if (fn->arg < 0) lockArgs = call.args;
    else if (static_cast<size_t>(fn->arg) < call.args.size()) lockArgs.push_back(call.args[fn->arg]);
    for (const Expr *arg : lockArgs)
      if (auto ref = lockRef(arg, caller)) op.locks.push_back(*ref);
    op.group = op.locks.size() > 1;
    op.success = fn->success;
    op.reportsFailure = fn->reportsFailure;
    switch (fn->op) {
    case LockOp::Acquire: op.kind = LockOperation::Acquire; break;
    case LockOp::AcquireShared: op.kind = LockOperation::Acquire; op.shared = true; break;
    case LockOp::TryAcquire: op.kind = LockOperation::TryAcquire; op.bounded = true; break;
    case LockOp::TryAcquireShared: op.kind = LockOperation::TryAcquire; op.shared = true; op.bounded = true; break;
    case LockOp::Release: op.kind = LockOperation::Release; break;
    case LockOp::ReleaseShared: op.kind = LockOperation::Release; op.shared = true; break;
    }
    return op;
  }

  if (!call.object) {
    learnedOperation(call, caller, op);
    return op;
  }
  std::string method = callee->getNameAsString();

  // Members of a guard object: unique_lock::lock/unlock/release, optional<guard> checks.
  if (const VarDecl *guard = guardVariable(call.object)) {
    op.guard = guard;
    if (learnedGuardMethod(call, op)) return op;
    if (method == "lock" || method == "lock_shared") op.kind = LockOperation::GuardLock;
    else if (method.rfind("try_lock", 0) == 0) { op.kind = LockOperation::GuardTryLock; op.bounded = true; }
    else if (method == "unlock" || method == "unlock_shared") op.kind = LockOperation::GuardUnlock;
    else if (method == "release") op.kind = LockOperation::GuardRelease;
    else if (method == "reset") op.kind = LockOperation::GuardReset;
    else if (method == "owns_lock" || method == "has_value" || isa<CXXConversionDecl>(callee))
      op.kind = LockOperation::GuardCheck;
    else op.guard = nullptr;
    return op;
  }

  const CXXRecordDecl *rec = recordOf(call.object->getType());
  if (!rec) return op;
  const LockTypeEntry *type = packs_.lockType(normalizedName(rec));
  if (!type) {
    learnedOperation(call, caller, op);
    return op;
  }
  {
    auto ref = lockRef(call.object, caller);
    if (!ref) return op;
    if (contains(type->acquire, method)) op.kind = LockOperation::Acquire;
    else if (contains(type->acquireShared, method)) { op.kind = LockOperation::Acquire; op.shared = true; }
    else if (contains(type->tryAcquire, method)) { op.kind = LockOperation::TryAcquire; op.bounded = true; }
    else if (contains(type->tryAcquireShared, method)) { op.kind = LockOperation::TryAcquire; op.shared = true; op.bounded = true; }
    else if (contains(type->release, method)) op.kind = LockOperation::Release;
    else if (contains(type->releaseShared, method)) { op.kind = LockOperation::Release; op.shared = true; }
    else return op;
    ref->shared = op.shared;
    op.locks.push_back(*ref);
    op.memberCall = true;
  }
  return op;
}

bool LockRecognizer::guardConstruction(const CXXConstructExpr *construct, const FunctionDecl *caller,
                                       GuardConstruction &out) const {
  out = GuardConstruction{};
  QualType type = construct->getType();
  if (!isGuardType(type)) return false;
  const CXXRecordDecl *rec = recordOf(unwrapOptional(type));
  if (const GuardTypeEntry *entry = packs_.guardType(normalizedName(rec))) out.shared = entry->shared;
  if (construct->getNumArgs() == 0) {
    out.mode = GuardConstruction::Empty;
    return true;
  }
  // Thread-safety scoped_lockable: the constructor says which arguments it locks.
  const CXXConstructorDecl *ctor = construct->getConstructor();
  CallSite call;
  asCallSite(construct, call);
  if (const auto *a = ctor->getAttr<AcquireCapabilityAttr>()) {
    out.shared = a->isShared();
    out.locks = attrLocks(llvm::ArrayRef<Expr *>(a->args_begin(), a->args_size()), call, caller);
    return true;
  }
  if (learnedGuardConstruction(construct, call, caller, out)) return true;
  for (const Expr *arg : construct->arguments()) {
    if (isa<CXXDefaultArgExpr>(arg)) continue;
    QualType argType = arg->getType();
    if (const VarDecl *from = guardVariable(arg)) {
      out.mode = GuardConstruction::MoveFrom;
      out.movedFrom = from;
      continue;
    }
    switch (tagOf(argType)) {
    case Tag::Defer: out.mode = GuardConstruction::Defer; continue;
    case Tag::Adopt: out.mode = GuardConstruction::Adopt; continue;
    case Tag::Try:
    case Tag::Timed: out.mode = GuardConstruction::Try; continue;
    case Tag::None: break;
    }
    if (isLockType(argType)) {
      if (auto ref = lockRef(arg, caller)) {
        ref->shared = out.shared;
        out.locks.push_back(*ref);
      }
    }
  }
  if (out.mode == GuardConstruction::Lock && out.locks.empty() && !out.movedFrom) out.mode = GuardConstruction::Empty;
  return true;
}

std::vector<LockRef> LockRecognizer::requiredLocks(const FunctionDecl *fn) const {
  std::vector<LockRef> out;
  CallSite self;
  self.callee = fn;
  self.implicitThis = isa<CXXMethodDecl>(fn);
  for (const auto *a : fn->specific_attrs<RequiresCapabilityAttr>()) {
    for (const Expr *arg : a->args()) {
      const Expr *e = arg->IgnoreParenImpCasts();
      if (const auto *member = dyn_cast<MemberExpr>(e); member && isa<CXXThisExpr>(member->getBase()->IgnoreParenImpCasts())) {
        auto refs = attrLocks(llvm::ArrayRef<Expr *>(const_cast<Expr **>(&arg), 1), self, fn);
        out.insert(out.end(), refs.begin(), refs.end());
      } else if (auto ref = lockRef(e, fn)) {
        ref->shared = a->isShared();
        out.push_back(*ref);
      }
    }
  }
  return out;
}

bool LockRecognizer::isLockImplementation(const FunctionDecl *fn) const {
  if (fn->hasAttr<AcquireCapabilityAttr>() || fn->hasAttr<ReleaseCapabilityAttr>() ||
      fn->hasAttr<TryAcquireCapabilityAttr>() || fn->hasAttr<ExclusiveTrylockFunctionAttr>() ||
      fn->hasAttr<SharedTrylockFunctionAttr>())
    return true;
  const auto *method = dyn_cast<CXXMethodDecl>(fn);
  if (!method) return false;
  const CXXRecordDecl *rec = method->getParent();
  return rec->hasAttr<CapabilityAttr>() || rec->hasAttr<ScopedLockableAttr>() ||
         packs_.lockType(normalizedName(rec)) || packs_.guardType(normalizedName(rec));
}

} // namespace lockcheck
