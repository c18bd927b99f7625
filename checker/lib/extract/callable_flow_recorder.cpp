#include "extract/callable_flow_recorder.h"

#include "extract/decl_names.h"
#include "extract/expr_peel.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/DeclTemplate.h>
#include <clang/AST/ExprCXX.h>
#include <clang/AST/RecursiveASTVisitor.h>

#include <algorithm>

namespace lockcheck {
using namespace clang;

const Expr *stripCallable(const Expr *e) {
  for (int depth = 0; e && depth < 8; ++depth) {
    e = peelWrappers(e);
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
    if (const auto *u = dyn_cast<UnaryOperator>(e); u && (u->getOpcode() == UO_AddrOf || u->getOpcode() == UO_Deref)) {
      e = u->getSubExpr(); // &f passed on, (*fp)(...) called
      continue;
    }
    break;
  }
  return e;
}

namespace {

bool isCallableRecordName(const std::string &name) {
  return name == "std::function" || name == "std::move_only_function" || name == "std::copyable_function" ||
         name == "std::function_ref";
}

// std::function, a function pointer or reference, a pointer to member function, or a
// standard container / array of these.
bool isCallableType(QualType t, int depth = 0) {
  if (t.isNull() || depth > 3) return false;
  t = t.getNonReferenceType().getCanonicalType();
  while (const ArrayType *a = t->getAsArrayTypeUnsafe()) t = a->getElementType().getCanonicalType();
  if (t->isFunctionPointerType() || t->isMemberFunctionPointerType() || t->isFunctionType()) return true;
  const auto *rec = t->getAsCXXRecordDecl();
  if (!rec) return false;
  std::string name = normalizedName(rec);
  if (isCallableRecordName(name)) return true;
  if (name.rfind("std::", 0) != 0) return false;
  if (const auto *spec = dyn_cast<ClassTemplateSpecializationDecl>(rec))
    for (const TemplateArgument &arg : spec->getTemplateArgs().asArray())
      if (arg.getKind() == TemplateArgument::Type && isCallableType(arg.getAsType(), depth + 1)) return true;
  return false;
}

// A user class with a call operator (lambda or functor) held by value: its operator()s.
void callOperators(QualType t, const SourceManager &sm, std::vector<std::string> &out) {
  const auto *rec = t.getNonReferenceType()->getAsCXXRecordDecl();
  if (!rec || !rec->hasDefinition() || sm.isInSystemHeader(rec->getLocation())) return;
  for (const CXXMethodDecl *m : rec->methods()) {
    if (m->getOverloadedOperator() != OO_Call) continue;
    if (const FunctionTemplateDecl *tmpl = m->getDescribedFunctionTemplate()) {
      for (const FunctionDecl *spec : tmpl->specializations()) out.push_back(functionKey(spec, sm));
    } else {
      out.push_back(functionKey(m, sm));
    }
  }
}

// `for (auto &cb : callbacks_)`: Clang initialises `cb` from `*__begin`, `__begin` from
// `__range.begin()` (or `begin(__range)`) and `__range` from the range: that range.
const Expr *rangeOfLoopVar(const VarDecl *var) {
  const Expr *e = var->getInit() ? peelWrappers(var->getInit()) : nullptr;
  if (const auto *op = dyn_cast_or_null<CXXOperatorCallExpr>(e); op && op->getOperator() == OO_Star) e = op->getArg(0);
  else if (const auto *u = dyn_cast_or_null<UnaryOperator>(e); u && u->getOpcode() == UO_Deref) e = u->getSubExpr();
  else return nullptr;
  const auto *begin = dyn_cast<DeclRefExpr>(peelWrappers(e));
  const auto *beginVar = begin ? dyn_cast<VarDecl>(begin->getDecl()) : nullptr;
  if (!beginVar || !beginVar->isImplicit() || !beginVar->getInit()) return nullptr;
  e = peelWrappers(beginVar->getInit());
  if (const auto *m = dyn_cast<CXXMemberCallExpr>(e)) e = m->getImplicitObjectArgument();
  else if (const auto *c = dyn_cast<CallExpr>(e); c && c->getNumArgs() == 1) e = c->getArg(0);
  const auto *range = dyn_cast_or_null<DeclRefExpr>(peelWrappers(e));
  const auto *rangeVar = range ? dyn_cast<VarDecl>(range->getDecl()) : nullptr;
  if (!rangeVar || !rangeVar->isImplicit()) return e; // an array decays straight to __begin
  return rangeVar->getInit();
}

struct Slot {
  std::string key, display;
};

// The slot an expression reads or writes as a whole callable (or one element of).
Slot slotOf(const Expr *e, const SourceManager &sm, int depth = 0) {
  if (!e || depth > 6) return {};
  e = peelWrappers(e);
  if (const auto *u = dyn_cast<UnaryOperator>(e); u && u->getOpcode() == UO_Deref) return slotOf(u->getSubExpr(), sm, depth + 1);
  if (const auto *b = dyn_cast<BinaryOperator>(e); b && b->isPtrMemOp()) return slotOf(b->getRHS(), sm, depth + 1);
  if (const auto *a = dyn_cast<ArraySubscriptExpr>(e)) return slotOf(a->getBase(), sm, depth + 1);
  if (const auto *op = dyn_cast<CXXOperatorCallExpr>(e); op && op->getOperator() == OO_Subscript)
    return slotOf(op->getArg(0), sm, depth + 1);
  if (const auto *m = dyn_cast<CXXMemberCallExpr>(e)) {
    const CXXMethodDecl *method = m->getMethodDecl();
    std::string name = method && method->getIdentifier() ? method->getName().str() : "";
    if (name == "at" || name == "front" || name == "back") return slotOf(m->getImplicitObjectArgument(), sm, depth + 1);
    return {};
  }
  const ValueDecl *d = nullptr;
  if (const auto *ref = dyn_cast<DeclRefExpr>(e)) d = ref->getDecl();
  else if (const auto *me = dyn_cast<MemberExpr>(e)) d = me->getMemberDecl();
  if (!d || !isCallableType(d->getType())) return {};
  if (const auto *var = dyn_cast<VarDecl>(d); var && var->isCXXForRangeDecl())
    if (const Expr *range = rangeOfLoopVar(var)) {
      Slot s = slotOf(range, sm, depth + 1);
      if (!s.key.empty()) return Slot{s.key, var->getNameAsString()};
    }
  return Slot{slotOfDecl(d, sm), d->getNameAsString()};
}

class FlowVisitor : public RecursiveASTVisitor<FlowVisitor> {
  using Base = RecursiveASTVisitor<FlowVisitor>;

public:
  FlowVisitor(ASTContext &ctx, TUFacts &out) : sm_(ctx.getSourceManager()), out_(out) {}
  bool shouldVisitTemplateInstantiations() const { return true; }
  bool shouldVisitLambdaBody() const { return true; }

  bool TraverseDecl(Decl *d) {
    if (d && !isa<TranslationUnitDecl>(d) && sm_.isInSystemHeader(d->getLocation())) return true;
    return Base::TraverseDecl(d);
  }

  bool VisitVarDecl(VarDecl *var) {
    if (isa<ParmVarDecl>(var) || var->isImplicit() || var->isCXXForRangeDecl() || !var->getInit() ||
        var->getType()->isDependentType() || !isCallableType(var->getType()))
      return true;
    flow(slotOfDecl(var, sm_), var->getInit());
    return true;
  }

  bool VisitFieldDecl(FieldDecl *field) {
    if (field->hasInClassInitializer() && field->getInClassInitializer() && isCallableType(field->getType()))
      flow(slotOfDecl(field, sm_), field->getInClassInitializer());
    return true;
  }

  bool VisitCXXConstructorDecl(CXXConstructorDecl *ctor) {
    if (ctor->isDependentContext()) return true;
    for (const CXXCtorInitializer *init : ctor->inits())
      if (init->isWritten() && init->getMember() && isCallableType(init->getMember()->getType()))
        flow(slotOfDecl(init->getMember(), sm_), init->getInit());
    return true;
  }

  bool VisitBinaryOperator(BinaryOperator *op) {
    if (op->getOpcode() == BO_Assign && !op->isTypeDependent() && isCallableType(op->getLHS()->getType()))
      flow(slotOf(op->getLHS(), sm_).key, op->getRHS());
    return true;
  }

  bool VisitInitListExpr(InitListExpr *list) {
    if (!list->isSemanticForm() || list->isTypeDependent()) return true;
    const auto *rec = list->getType()->getAsRecordDecl();
    if (!rec || list->getType()->getAsCXXRecordDecl() == nullptr || rec->isUnion()) return true;
    unsigned i = 0;
    for (const FieldDecl *field : rec->fields()) {
      if (i >= list->getNumInits()) break;
      if (isCallableType(field->getType())) flow(slotOfDecl(field, sm_), list->getInit(i));
      ++i;
    }
    return true;
  }

  bool VisitCallExpr(CallExpr *call) {
    if (call->isTypeDependent() || call->isValueDependent()) return true;
    const FunctionDecl *callee = call->getDirectCallee();
    if (!callee) return true;
    const auto *op = dyn_cast<CXXOperatorCallExpr>(call);
    const Expr *object = nullptr;
    std::vector<const Expr *> args(call->arg_begin(), call->arg_end());
    if (const auto *m = dyn_cast<CXXMemberCallExpr>(call)) object = m->getImplicitObjectArgument();
    else if (op && isa<CXXMethodDecl>(callee) && !args.empty()) {
      object = args.front();
      args.erase(args.begin());
    }
    // Into a standard callable or container of callables: `cb_ = f` (operator=), `v.push_back(f)`.
    if (sm_.isInSystemHeader(callee->getLocation())) {
      if (object && isCallableType(object->getType()))
        if (std::string slot = slotOf(object, sm_).key; !slot.empty())
          for (const Expr *arg : args)
            if (isCallableValue(arg)) flow(slot, arg);
      return true;
    }
    arguments(callee, args);
    return true;
  }

  bool VisitCXXConstructExpr(CXXConstructExpr *construct) {
    const CXXConstructorDecl *ctor = construct->getConstructor();
    if (!ctor || construct->isTypeDependent() || sm_.isInSystemHeader(ctor->getLocation())) return true;
    arguments(ctor, std::vector<const Expr *>(construct->arg_begin(), construct->arg_end()));
    return true;
  }

private:
  // A user function's callable parameters receive what its callers pass.
  void arguments(const FunctionDecl *callee, const std::vector<const Expr *> &args) {
    for (unsigned i = 0; i < args.size() && i < callee->getNumParams(); ++i)
      if (isCallableType(callee->getParamDecl(i)->getType()))
        flow(slotOfDecl(callee->getParamDecl(i), sm_), args[i]);
  }

  bool isCallableValue(const Expr *arg) {
    QualType t = arg->getType();
    if (isCallableType(t)) return true;
    const auto *rec = t.getNonReferenceType()->getAsCXXRecordDecl();
    return rec && (rec->isLambda() || (rec->hasDefinition() && std::any_of(rec->method_begin(), rec->method_end(), [](const CXXMethodDecl *m) {
                                          return m->getOverloadedOperator() == OO_Call;
                                        })));
  }

  void flow(const std::string &slot, const Expr *value) {
    if (slot.empty() || !value) return;
    CallableSources &into = out_.callableFlows[slot];
    sources(value, into, 0);
    std::sort(into.targets.begin(), into.targets.end());
    into.targets.erase(std::unique(into.targets.begin(), into.targets.end()), into.targets.end());
    std::sort(into.slots.begin(), into.slots.end());
    into.slots.erase(std::unique(into.slots.begin(), into.slots.end()), into.slots.end());
  }

  // What a value of callable type can call: functions, lambdas, member functions, other slots.
  void sources(const Expr *e, CallableSources &into, int depth) {
    if (depth > 8) {
      into.unknown = true;
      return;
    }
    if (const auto *list = dyn_cast<InitListExpr>(peelWrappers(e))) {
      for (const Expr *init : list->inits()) sources(init, into, depth + 1);
      return;
    }
    if (const auto *il = dyn_cast<CXXStdInitializerListExpr>(peelWrappers(e))) return sources(il->getSubExpr(), into, depth + 1);
    e = stripCallable(e);
    if (!e) return;
    if (const auto *c = dyn_cast<CXXConstructExpr>(e); c && c->getNumArgs() == 0) return; // empty std::function
    if (isa<CXXNullPtrLiteralExpr, GNUNullExpr, IntegerLiteral, ImplicitValueInitExpr, CXXScalarValueInitExpr>(e)) return;
    if (const auto *list = dyn_cast<InitListExpr>(e)) {
      for (const Expr *init : list->inits()) sources(init, into, depth + 1);
      return;
    }
    if (const auto *cond = dyn_cast<AbstractConditionalOperator>(e)) {
      sources(cond->getTrueExpr(), into, depth + 1);
      sources(cond->getFalseExpr(), into, depth + 1);
      return;
    }
    if (const auto *lambda = dyn_cast<LambdaExpr>(e)) return callOperators(lambda->getType(), sm_, into.targets);
    if (const auto *ref = dyn_cast<DeclRefExpr>(e))
      if (const auto *f = dyn_cast<FunctionDecl>(ref->getDecl())) {
        into.targets.push_back(functionKey(f, sm_));
        return;
      }
    if (const auto *call = dyn_cast<CallExpr>(e); call && call->getDirectCallee() && call->getNumArgs() >= 1) {
      std::string name = normalizedName(call->getDirectCallee());
      if (name == "std::bind" || name == "std::bind_front") return sources(call->getArg(0), into, depth + 1);
    }
    if (Slot s = slotOf(e, sm_); !s.key.empty()) {
      into.slots.push_back(s.key);
      return;
    }
    size_t before = into.targets.size();
    if (!isCallableType(e->getType())) callOperators(e->getType(), sm_, into.targets); // a functor object
    if (into.targets.size() == before) into.unknown = true; // dlsym, a call's result, a cast...
  }

  const SourceManager &sm_;
  TUFacts &out_;
};

} // namespace

std::string slotOfDecl(const ValueDecl *d, const SourceManager &sm) {
  if (const auto *field = dyn_cast<FieldDecl>(d)) return "f:" + normalizedName(field);
  const auto *var = dyn_cast<VarDecl>(d);
  if (!var) return {};
  if (const auto *parm = dyn_cast<ParmVarDecl>(var)) {
    const auto *fn = dyn_cast_or_null<FunctionDecl>(parm->getDeclContext());
    return fn ? "p:" + functionKey(fn, sm) + "#" + std::to_string(parm->getFunctionScopeIndex()) : std::string();
  }
  if (var->hasGlobalStorage()) return "g:" + normalizedName(var);
  const auto *fn = dyn_cast_or_null<FunctionDecl>(var->getParentFunctionOrMethod());
  if (!fn) return {};
  return "l:" + functionKey(fn, sm) + "#" + var->getNameAsString() + "@" +
         std::to_string(sm.getSpellingLineNumber(var->getLocation()));
}

std::string calledSlot(const Expr *callee, ASTContext &ctx, std::string &display) {
  Slot s = slotOf(callee, ctx.getSourceManager());
  // A parameter is the caller's callable: FunctionWalk records it as an invocation, and
  // the union over every caller would blame one caller for another's callable.
  if (s.key.rfind("p:", 0) == 0) return {};
  display = s.display;
  return s.key;
}

void recordCallableFlows(ASTContext &ctx, TUFacts &out) { FlowVisitor(ctx, out).TraverseDecl(ctx.getTranslationUnitDecl()); }

} // namespace lockcheck
