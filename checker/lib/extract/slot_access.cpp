#include "extract/slot_access.h"

#include "extract/decl_names.h"
#include "extract/expr_peel.h"
#include "extract/slot_types.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/DeclCXX.h>
#include <clang/AST/DeclTemplate.h>
#include <clang/AST/ExprCXX.h>
#include <clang/Basic/SourceManager.h>

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

constexpr int kMaxDepth = 16; // alias chains: a reference to an iterator of a nested map

bool inSystemHeader(const Decl *d) { return d->getASTContext().getSourceManager().isInSystemHeader(d->getLocation()); }

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

bool isSmartPointerName(const std::string &name) {
  return name == "std::unique_ptr" || name == "std::shared_ptr" || name == "std::weak_ptr";
}

// A local of this type refers to what it is initialised from rather than holding a copy:
// a reference, a pointer to a slot's value, or a library iterator / pair / container (a
// container copy is taken for the original: more targets, never fewer). Callables and
// object pointers by value are copies (their own slot, which their initialiser flows into).
bool isAliasType(QualType t) {
  if (t->isReferenceType()) return true;
  t = t.getCanonicalType();
  if (const auto *ptr = t->getAs<PointerType>()) return isSlotType(ptr->getPointeeType());
  const auto *rec = t->getAsCXXRecordDecl();
  if (!rec || !inSystemHeader(rec)) return false;
  std::string name = normalizedName(rec);
  return !isCallableRecordName(name) && !isSmartPointerName(name);
}

// A library function or method that hands out a part of its first argument / object:
// `v.at(i)`, `m.find(k)`, `std::begin(v)`, `std::get<1>(p)`, `std::next(it)`.
bool returnsPartOf(const FunctionDecl *fn, QualType result) {
  return fn && inSystemHeader(fn) && isSlotType(result);
}

std::string bindingName(const VarDecl *var) {
  if (!var->getName().empty()) return var->getNameAsString();
  std::string out = "[";
  if (const auto *d = dyn_cast<DecompositionDecl>(var))
    for (const BindingDecl *b : d->bindings()) {
      if (out.size() > 1) out += ',';
      out += b->getName();
    }
  out += ']';
  return out;
}

SlotRead read(const Expr *e, const SourceManager &sm, int depth);

SlotRead readVariable(const VarDecl *var, const SourceManager &sm, int depth) {
  std::string name = bindingName(var);
  if (var->isCXXForRangeDecl()) {
    if (const Expr *range = rangeOfLoopVar(var))
      if (SlotRead s = read(range, sm, depth + 1); !s.key.empty()) return SlotRead{s.key, name};
  } else if (!isa<ParmVarDecl>(var) && var->hasLocalStorage() && var->getInit() && isAliasType(var->getType())) {
    if (SlotRead s = read(var->getInit(), sm, depth + 1); !s.key.empty()) return SlotRead{s.key, name};
  }
  if (!isSlotType(var->getType())) return {};
  return SlotRead{slotOfDecl(var, sm), name};
}

SlotRead read(const Expr *e, const SourceManager &sm, int depth) {
  if (!e || depth > kMaxDepth) return {};
  e = peelWrappers(e);
  if (const auto *u = dyn_cast<UnaryOperator>(e); u && (u->getOpcode() == UO_Deref || u->getOpcode() == UO_AddrOf))
    return read(u->getSubExpr(), sm, depth + 1);
  if (const auto *b = dyn_cast<BinaryOperator>(e); b && b->isPtrMemOp()) return read(b->getRHS(), sm, depth + 1);
  if (const auto *a = dyn_cast<ArraySubscriptExpr>(e)) return read(a->getBase(), sm, depth + 1);
  if (const auto *op = dyn_cast<CXXOperatorCallExpr>(e)) {
    OverloadedOperatorKind k = op->getOperator();
    if ((k == OO_Subscript || k == OO_Star || k == OO_Arrow) && op->getNumArgs() >= 1) return read(op->getArg(0), sm, depth + 1);
    return {};
  }
  if (const auto *m = dyn_cast<CXXMemberCallExpr>(e)) {
    if (returnsPartOf(m->getMethodDecl(), m->getType())) return read(m->getImplicitObjectArgument(), sm, depth + 1);
    return {};
  }
  if (const auto *call = dyn_cast<CallExpr>(e)) {
    if (call->getNumArgs() >= 1 && returnsPartOf(call->getDirectCallee(), call->getType()) &&
        isSlotType(call->getArg(0)->getType()))
      return read(call->getArg(0), sm, depth + 1);
    return {};
  }
  if (const auto *me = dyn_cast<MemberExpr>(e)) {
    const auto *field = dyn_cast<FieldDecl>(me->getMemberDecl());
    if (!field) return {};
    if (inSystemHeader(field)) return read(me->getBase(), sm, depth + 1); // pair::second, a tuple's element
    if (!isSlotType(field->getType())) return {};
    return SlotRead{slotOfDecl(field, sm), field->getNameAsString()};
  }
  if (const auto *ref = dyn_cast<DeclRefExpr>(e)) {
    if (const auto *binding = dyn_cast<BindingDecl>(ref->getDecl())) {
      SlotRead s = read(binding->getBinding(), sm, depth + 1);
      return s.key.empty() ? SlotRead{} : SlotRead{s.key, binding->getNameAsString()};
    }
    if (const auto *var = dyn_cast<VarDecl>(ref->getDecl())) return readVariable(var, sm, depth);
  }
  return {};
}

} // namespace

SlotKey slotOfDecl(const ValueDecl *d, const SourceManager &sm) {
  if (const auto *field = dyn_cast<FieldDecl>(d)) return SlotKey::field(normalizedName(field));
  const auto *var = dyn_cast<VarDecl>(d);
  if (!var) return {};
  if (const auto *parm = dyn_cast<ParmVarDecl>(var)) {
    const auto *fn = dyn_cast_or_null<FunctionDecl>(parm->getDeclContext());
    return fn ? SlotKey::parameter(functionKey(fn, sm), parm->getFunctionScopeIndex()) : SlotKey{};
  }
  if (var->hasGlobalStorage()) return SlotKey::global(normalizedName(var));
  const auto *fn = dyn_cast_or_null<FunctionDecl>(var->getParentFunctionOrMethod());
  if (!fn) return {};
  return SlotKey::local(functionKey(fn, sm), bindingName(var), sm.getSpellingLineNumber(var->getLocation()));
}

SlotRead slotRead(const Expr *e, const SourceManager &sm) { return read(e, sm, 0); }

SlotKey aliasedSlot(const VarDecl *var, const SourceManager &sm) {
  SlotRead s = readVariable(var, sm, 0);
  return s.key == slotOfDecl(var, sm) ? SlotKey{} : s.key;
}

const Expr *calledValue(const CallExpr *call, const FunctionDecl *callee) {
  if (!callee) return call->getCallee();
  const auto *op = dyn_cast<CXXOperatorCallExpr>(call);
  const auto *method = dyn_cast<CXXMethodDecl>(callee);
  if (op && method && method->getOverloadedOperator() == OO_Call && op->getNumArgs() >= 1 &&
      isCallableRecordName(normalizedName(method->getParent())))
    return op->getArg(0);
  return nullptr;
}

SlotKey calledSlot(const Expr *called, ASTContext &ctx, std::string &display) {
  SlotRead s = slotRead(called, ctx.getSourceManager());
  // A parameter is the caller's callable: FunctionWalk records it as an invocation, and
  // the union over every caller would blame one caller for another's callable.
  if (s.key.kind == SlotKey::Kind::Param) return {};
  display = s.display;
  return s.key;
}

const CXXRecordDecl *exactObject(const Expr *e, const Expr **core) {
  e = stripCallable(e);
  if (!e) return nullptr;
  const CXXRecordDecl *cls = nullptr;
  if (const auto *n = dyn_cast<CXXNewExpr>(e)) {
    if (!n->isArray()) cls = polymorphicObjectClass(n->getAllocatedType());
  } else if (const auto *call = dyn_cast<CallExpr>(e); call && call->getDirectCallee()) {
    std::string name = normalizedName(call->getDirectCallee());
    const TemplateArgumentList *args = call->getDirectCallee()->getTemplateSpecializationArgs();
    if ((name == "std::make_unique" || name == "std::make_shared" || name == "std::allocate_shared") && args &&
        args->size() >= 1 && args->get(0).getKind() == TemplateArgument::Type)
      cls = polymorphicObjectClass(args->get(0).getAsType());
  } else {
    const ValueDecl *d = nullptr;
    if (const auto *ref = dyn_cast<DeclRefExpr>(e)) d = ref->getDecl();
    else if (const auto *me = dyn_cast<MemberExpr>(e)) d = me->getMemberDecl();
    // An object declared as one (a reference names some object of a derived class).
    if (d && (isa<VarDecl>(d) || isa<FieldDecl>(d)) && !d->getType()->isReferenceType())
      cls = polymorphicObjectClass(d->getType());
  }
  if (cls && core) *core = e;
  return cls;
}

} // namespace lockcheck
