#include "extract/callable_flow_recorder.h"

#include "extract/decl_names.h"
#include "extract/expr_peel.h"
#include "extract/slot_access.h"
#include "extract/slot_types.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/Attr.h>
#include <clang/AST/DeclTemplate.h>
#include <clang/AST/ExprCXX.h>
#include <clang/AST/RecursiveASTVisitor.h>

#include <algorithm>
#include <set>

namespace lockcheck {
using namespace clang;

namespace {

bool hasCallOperator(const CXXRecordDecl *rec) {
  return rec->hasDefinition() && std::any_of(rec->method_begin(), rec->method_end(), [](const CXXMethodDecl *m) {
           return m->getOverloadedOperator() == OO_Call;
         });
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

// A value worth following into a slot: a callable, an object pointer, a polymorphic object,
// a lambda or a functor.
bool isSlotValue(const Expr *e) {
  QualType t = e->getType().getNonReferenceType();
  if (isSlotType(t) || polymorphicObjectClass(t)) return true;
  const auto *rec = t->getAsCXXRecordDecl();
  return rec && (rec->isLambda() || hasCallOperator(rec));
}

// A parameter through which the callee may store into its caller's slot: a non-const
// lvalue reference to a slot's value, or a pointer to one (`WritableFile **result`).
bool isOutParameter(QualType t) {
  if (t->isLValueReferenceType()) {
    QualType v = t.getNonReferenceType();
    return !v.isConstQualified() && isSlotType(v);
  }
  if (const auto *ptr = t->getAs<PointerType>()) return !ptr->getPointeeType().isConstQualified() && isSlotType(ptr->getPointeeType());
  return false;
}

// Library methods that store their arguments into the object: `cb = f`, `v.push_back(f)`,
// `p.reset(new T)`; anything else (`cb(x)`, `m.find(k)`) only reads it.
bool storesArguments(const FunctionDecl *fn) {
  static const std::set<std::string> names{"push_back", "push_front", "push",   "emplace",        "emplace_back",
                                           "emplace_front", "emplace_hint", "insert", "insert_or_assign", "try_emplace",
                                           "assign",    "swap",       "fill",   "resize",         "reset",
                                           "store",     "exchange"};
  if (const auto *m = dyn_cast<CXXMethodDecl>(fn); m && m->getOverloadedOperator() == OO_Equal) return true;
  return fn->getIdentifier() && names.count(fn->getName().str());
}

// The function that a library call constructs a user object in place for, and the
// arguments it forwards: `v.emplace_back(args)`, `m.try_emplace(k, args)`,
// `std::make_unique<T>(args)`.
bool constructsInPlace(const FunctionDecl *fn) {
  static const std::set<std::string> methods{"emplace", "emplace_back", "emplace_front", "emplace_hint", "try_emplace"};
  static const std::set<std::string> functions{"std::make_unique", "std::make_shared", "std::allocate_shared",
                                               "std::construct_at"};
  if (isa<CXXMethodDecl>(fn)) return fn->getIdentifier() && methods.count(fn->getName().str());
  return functions.count(normalizedName(fn)) > 0;
}

// The type of the callable a call through a value calls (`(obj.*pm)()` calls pm).
QualType calledType(const Expr *called) {
  called = called->IgnoreParenImpCasts();
  if (const auto *b = dyn_cast<BinaryOperator>(called); b && b->isPtrMemOp()) return b->getRHS()->getType();
  return called->getType();
}

class FlowVisitor : public RecursiveASTVisitor<FlowVisitor> {
  using Base = RecursiveASTVisitor<FlowVisitor>;

public:
  FlowVisitor(ASTContext &ctx, TUFacts &out) : ctx_(ctx), sm_(ctx.getSourceManager()), out_(out) {}
  bool shouldVisitTemplateInstantiations() const { return true; }
  bool shouldVisitLambdaBody() const { return true; }

  bool TraverseDecl(Decl *d) {
    if (d && !isa<TranslationUnitDecl>(d) && sm_.isInSystemHeader(d->getLocation())) return true;
    return Base::TraverseDecl(d);
  }

  // Classes whose objects were created or handed out where no slot follows them.
  void finish() {
    std::set<std::string> escaping;
    for (const auto &[core, cls] : creations_)
      if (!consumed_.count(core) && !receivers_.count(core)) escaping.insert(normalizedName(cls));
    for (const CXXThisExpr *t : thisUses_)
      if (!receivers_.count(t))
        if (const CXXRecordDecl *cls = polymorphicObjectClass(t->getType()->getPointeeType())) escaping.insert(normalizedName(cls));
    out_.escapingClasses.assign(escaping.begin(), escaping.end());
    for (auto &[slot, s] : out_.callableFlows) {
      sortUnique(s.targets);
      sortUnique(s.slots);
    }
    for (auto &[type, fns] : out_.callableTypes) sortUnique(fns);
  }

  bool VisitParmVarDecl(ParmVarDecl *parm) {
    if (!parm->getType()->isDependentType() && isOutParameter(parm->getType()))
      if (SlotKey slot = slotOfDecl(parm, sm_); !slot.empty()) outParams_.insert(slot);
    return true;
  }

  bool VisitVarDecl(VarDecl *var) {
    if (isa<ParmVarDecl>(var) || var->isImplicit() || var->isCXXForRangeDecl() || !var->getInit() ||
        var->getType()->isDependentType() || !isSlotType(var->getType()) || !aliasedSlot(var, sm_).empty())
      return true;
    flow(slotOfDecl(var, sm_), var->getInit(), var->getType());
    return true;
  }

  bool VisitFieldDecl(FieldDecl *field) {
    if (field->hasInClassInitializer() && field->getInClassInitializer() && isSlotType(field->getType()))
      flow(slotOfDecl(field, sm_), field->getInClassInitializer(), field->getType());
    return true;
  }

  bool VisitCXXConstructorDecl(CXXConstructorDecl *ctor) {
    if (ctor->isDependentContext()) return true;
    for (const CXXCtorInitializer *init : ctor->inits())
      if (init->isWritten() && init->getMember() && isSlotType(init->getMember()->getType()))
        flow(slotOfDecl(init->getMember(), sm_), init->getInit(), init->getMember()->getType());
    return true;
  }

  bool VisitBinaryOperator(BinaryOperator *op) {
    if (op->getOpcode() == BO_Assign && !op->isTypeDependent() && isSlotType(op->getLHS()->getType()))
      flow(slotRead(op->getLHS(), sm_).key, op->getRHS(), op->getLHS()->getType());
    return true;
  }

  // Aggregate and designated initialisation: `Callback{id, fn, data}`, `{.on_close = f}`.
  bool VisitInitListExpr(InitListExpr *list) {
    if (list->isTypeDependent()) return true;
    // A list with implicit conversions has two forms and the visitor sees only the one as
    // written; the semantic one has an initialiser per field, in order.
    if (!list->isSemanticForm()) list = list->getSemanticForm();
    if (list) aggregate(list->getType(), {list->getInits(), list->getNumInits()});
    return true;
  }
  bool VisitCXXParenListInitExpr(CXXParenListInitExpr *init) { // C++20 `Callback(id, fn, data)`
    if (!init->isTypeDependent()) aggregate(init->getType(), init->getInitExprs());
    return true;
  }

  bool VisitCallExpr(CallExpr *call) {
    if (call->isTypeDependent() || call->isValueDependent()) return true;
    const FunctionDecl *callee = call->getDirectCallee();
    if (const auto *cast = dyn_cast<ImplicitCastExpr>(call->getCallee()->IgnoreParens())) calleeCasts_.insert(cast);
    noteCalledType(call, callee);
    if (!callee) return true;
    const auto *op = dyn_cast<CXXOperatorCallExpr>(call);
    const Expr *object = nullptr;
    std::vector<const Expr *> args(call->arg_begin(), call->arg_end());
    if (const auto *m = dyn_cast<CXXMemberCallExpr>(call)) object = m->getImplicitObjectArgument();
    else if (op && isa<CXXMethodDecl>(callee) && !args.empty()) {
      object = args.front();
      args.erase(args.begin());
    }
    if (const auto *conv = dyn_cast<CXXConversionDecl>(callee); conv && conv->getParent()->isLambda()) {
      std::vector<std::string> ops; // a lambda converted to a function pointer
      callOperators(QualType(conv->getParent()->getTypeForDecl(), 0), sm_, ops);
      converted(callableTypeKey(call->getType(), ctx_), ops);
    }
    created(call); // std::make_unique<T>
    if (sm_.isInSystemHeader(callee->getLocation())) {
      // Into a library slot: `cb_ = f` (operator=), `v.push_back(f)`, `p.reset(new T)`.
      if (object && storesArguments(callee) && isSlotType(object->getType()))
        if (SlotKey slot = slotRead(object, sm_).key; !slot.empty())
          for (const Expr *arg : args)
            if (isSlotValue(arg)) flow(slot, arg, object->getType());
      if (constructsInPlace(callee)) constructedInPlace(callee, object, args);
      return true;
    }
    const auto *method = dyn_cast<CXXMethodDecl>(callee);
    bool dispatched = method && method->isVirtual() && !method->hasAttr<FinalAttr>() && !method->getParent()->hasAttr<FinalAttr>();
    arguments(callee, args, dispatched);
    return true;
  }

  bool VisitCXXConstructExpr(CXXConstructExpr *construct) {
    const CXXConstructorDecl *ctor = construct->getConstructor();
    if (!ctor || construct->isTypeDependent()) return true;
    // A std::function made from a callable: a conversion to its type, wherever it goes.
    if (isCallableRecordName(normalizedName(ctor->getParent())) && construct->getNumArgs() >= 1 &&
        !isCallableRecordName(normalizedTypeName(construct->getArg(0)->getType()))) {
      CallableSources found;
      sources(construct->getArg(0), found, false, 0);
      converted(callableTypeKey(construct->getType(), ctx_), found.targets);
      return true;
    }
    if (sm_.isInSystemHeader(ctor->getLocation())) return true;
    arguments(ctor, std::vector<const Expr *>(construct->arg_begin(), construct->arg_end()), false);
    return true;
  }

  // A function's address taken as a function pointer (`&f`, or `f` decaying where it is
  // not called) or as a pointer to member (`&C::f`): converted to that type.
  bool VisitImplicitCastExpr(ImplicitCastExpr *cast) {
    if (cast->getCastKind() == CK_FunctionToPointerDecay && !calleeCasts_.count(cast))
      if (const auto *ref = dyn_cast<DeclRefExpr>(cast->getSubExpr()->IgnoreParens()))
        if (const auto *f = dyn_cast<FunctionDecl>(ref->getDecl()))
          converted(callableTypeKey(cast->getType(), ctx_), {functionKey(f, sm_)});
    if (cast->getCastKind() == CK_DerivedToBase || cast->getCastKind() == CK_UncheckedDerivedToBase) created(cast);
    return true;
  }
  bool VisitUnaryOperator(UnaryOperator *op) {
    if (op->getOpcode() != UO_AddrOf) return true;
    if (const auto *ref = dyn_cast<DeclRefExpr>(op->getSubExpr()->IgnoreParens()))
      if (const auto *f = dyn_cast<FunctionDecl>(ref->getDecl())) {
        converted(callableTypeKey(op->getType(), ctx_), {functionKey(f, sm_)});
        return true;
      }
    created(op);
    // `&slot` handed to what no slot follows: it may be written through that pointer.
    if (!op->isTypeDependent() && !isSlotType(op->getType()))
      if (SlotKey slot = slotRead(op->getSubExpr(), sm_).key; !slot.empty()) out_.callableFlows[slot].unknown = true;
    return true;
  }
  bool VisitCXXNewExpr(CXXNewExpr *n) {
    created(n);
    return true;
  }
  bool VisitMemberExpr(MemberExpr *me) {
    receivers_.insert(peelWrappers(me->getBase())); // `obj.f()`, `this->x`: used, not handed out
    return true;
  }
  bool VisitCXXThisExpr(CXXThisExpr *t) {
    if (!t->isImplicit()) thisUses_.push_back(t);
    return true;
  }

private:
  static void sortUnique(auto &v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  }

  void aggregate(QualType type, ArrayRef<const Expr *> inits) {
    const auto *rec = type->getAsCXXRecordDecl();
    if (!rec || rec->isUnion() || !rec->hasDefinition() || sm_.isInSystemHeader(rec->getLocation())) return;
    size_t i = rec->getNumBases(); // a C++17 aggregate initialises its bases first
    for (const FieldDecl *field : rec->fields()) {
      if (i >= inits.size()) break;
      if (isSlotType(field->getType())) flow(slotOfDecl(field, sm_), inits[i], field->getType());
      ++i;
    }
  }

  // A user function's slot parameters receive what its callers pass; through an out
  // parameter the callee stores into the caller's slot (unknown when the call is dispatched
  // to an override lockcheck cannot name here).
  void arguments(const FunctionDecl *callee, const std::vector<const Expr *> &args, bool dispatched) {
    for (unsigned i = 0; i < args.size() && i < callee->getNumParams(); ++i) {
      QualType type = callee->getParamDecl(i)->getType();
      if (type->isDependentType() || !isSlotType(type)) continue;
      SlotKey param = slotOfDecl(callee->getParamDecl(i), sm_);
      flow(param, args[i], type);
      if (!isOutParameter(type)) continue;
      if (SlotKey mine = slotRead(args[i], sm_).key; !mine.empty() && mine != param) {
        CallableSources &into = out_.callableFlows[mine];
        if (dispatched) into.unknown = true;
        else into.slots.push_back(param);
      }
    }
  }

  // `v.emplace_back(id, fn)` runs `Callback(id, fn)` inside the library: a constructor of
  // the element class taking exactly these arguments (after a position or key, for
  // emplace_hint / try_emplace), or the aggregate's fields in order.
  void constructedInPlace(const FunctionDecl *fn, const Expr *object, const std::vector<const Expr *> &args) {
    std::vector<QualType> candidates;
    if (object) {
      QualType container = object->getType().getNonReferenceType();
      if (container->isPointerType()) container = container->getPointeeType(); // `list->emplace_back(...)`
      if (const auto *spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(container->getAsCXXRecordDecl()))
        for (const TemplateArgument &arg : spec->getTemplateArgs().asArray())
          if (arg.getKind() == TemplateArgument::Type) candidates.push_back(arg.getAsType());
    } else if (const TemplateArgumentList *targs = fn->getTemplateSpecializationArgs();
               targs && targs->size() >= 1 && targs->get(0).getKind() == TemplateArgument::Type) {
      candidates.push_back(targs->get(0).getAsType());
    }
    for (QualType t : candidates) {
      const auto *rec = t->getAsCXXRecordDecl();
      if (!rec || !rec->hasDefinition() || sm_.isInSystemHeader(rec->getLocation())) continue;
      for (size_t skip = 0; skip <= 1 && skip < args.size(); ++skip) {
        std::vector<const Expr *> rest(args.begin() + static_cast<std::ptrdiff_t>(skip), args.end());
        const CXXConstructorDecl *only = nullptr;
        int matches = 0;
        for (const CXXConstructorDecl *ctor : rec->ctors())
          if (!ctor->isCopyOrMoveConstructor() && !ctor->isDeleted() && ctor->getMinRequiredArguments() <= rest.size() &&
              rest.size() <= ctor->getNumParams())
            only = ctor, ++matches;
        if (matches == 1) return arguments(only, rest, false);
        if (matches == 0 && rec->isAggregate()) return aggregate(t, rest);
      }
    }
  }

  // The type a call through a slot calls, kept with the slot: what the fallback matches.
  void noteCalledType(const CallExpr *call, const FunctionDecl *callee) {
    const Expr *called = calledValue(call, callee);
    if (!called) return;
    SlotKey slot = slotRead(called, sm_).key;
    if (slot.empty() || slot.kind == SlotKey::Kind::Param) return;
    std::string type = callableTypeKey(calledType(called), ctx_);
    std::string &known = out_.callableFlows[slot].type;
    if (!type.empty() && (known.empty() || type < known)) known = type;
  }

  void converted(const std::string &type, const std::vector<std::string> &functions) {
    if (type.empty() || functions.empty()) return;
    auto &into = out_.callableTypes[type];
    into.insert(into.end(), functions.begin(), functions.end());
  }

  void created(const Expr *e) {
    const Expr *core = nullptr;
    if (const CXXRecordDecl *cls = exactObject(e, &core)) creations_.emplace_back(core, cls);
  }

  void flow(const SlotKey &slot, const Expr *value, QualType destination) {
    if (slot.empty() || !value) return;
    CallableSources found;
    sources(value, found, !outParams_.count(slot), 0);
    converted(callableTypeKey(destination, ctx_), found.targets);
    CallableSources &into = out_.callableFlows[slot];
    into.targets.insert(into.targets.end(), found.targets.begin(), found.targets.end());
    into.slots.insert(into.slots.end(), found.slots.begin(), found.slots.end());
    into.unknown |= found.unknown;
  }

  void elements(ArrayRef<const Expr *> values, CallableSources &into, bool consume, int depth) {
    for (const Expr *v : values)
      if (v && isSlotValue(v)) sources(v, into, consume, depth + 1);
  }

  // What a value can hold: functions, lambdas, member functions, objects of known classes,
  // other slots. `consume`: the objects named here are followed (they do not escape).
  void sources(const Expr *e, CallableSources &into, bool consume, int depth) {
    if (depth > 8) {
      into.unknown = true;
      return;
    }
    if (const auto *il = dyn_cast<CXXStdInitializerListExpr>(peelWrappers(e))) return sources(il->getSubExpr(), into, consume, depth + 1);
    if (const auto *list = dyn_cast<InitListExpr>(peelWrappers(e)))
      return elements({list->getInits(), list->getNumInits()}, into, consume, depth);
    // A pair or tuple built in place (`m.insert({name, cb})`): its callables and pointers.
    if (const auto *c = dyn_cast<CXXConstructExpr>(peelWrappers(e));
        c && c->getNumArgs() >= 2 && sm_.isInSystemHeader(c->getConstructor()->getLocation()))
      return elements({c->getArgs(), c->getNumArgs()}, into, consume, depth);
    const Expr *core = nullptr;
    if (const CXXRecordDecl *cls = exactObject(e, &core); cls && !hasCallOperator(cls)) {
      into.targets.push_back(normalizedName(cls));
      if (consume) consumed_.insert(core);
      return;
    }
    e = stripCallable(e);
    if (!e) return;
    if (const auto *c = dyn_cast<CXXConstructExpr>(e); c && c->getNumArgs() == 0) return; // an empty std::function
    if (isa<CXXNullPtrLiteralExpr, GNUNullExpr, IntegerLiteral, ImplicitValueInitExpr, CXXScalarValueInitExpr>(e)) return;
    if (const auto *list = dyn_cast<InitListExpr>(e)) return elements({list->getInits(), list->getNumInits()}, into, consume, depth);
    if (const auto *cond = dyn_cast<AbstractConditionalOperator>(e)) {
      sources(cond->getTrueExpr(), into, consume, depth + 1);
      sources(cond->getFalseExpr(), into, consume, depth + 1);
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
      if (name == "std::bind" || name == "std::bind_front") return sources(call->getArg(0), into, consume, depth + 1);
      if (name == "std::make_pair" || name == "std::make_tuple" || name == "std::forward_as_tuple" || name == "std::tie")
        return elements({call->getArgs(), call->getNumArgs()}, into, consume, depth);
    }
    if (SlotKey slot = slotRead(e, sm_).key; !slot.empty()) {
      into.slots.push_back(slot);
      return;
    }
    size_t before = into.targets.size();
    if (!isSlotType(e->getType())) callOperators(e->getType(), sm_, into.targets); // a functor object
    if (into.targets.size() == before) into.unknown = true; // dlsym, a call's result, a cast, `this`...
  }

  ASTContext &ctx_;
  const SourceManager &sm_;
  TUFacts &out_;
  std::set<SlotKey> outParams_;                 // parameters that store into their caller's slot
  std::set<const Expr *> calleeCasts_;          // `f` decaying to be called, not converted
  std::vector<std::pair<const Expr *, const CXXRecordDecl *>> creations_; // objects of exact class handed out
  std::set<const Expr *> consumed_;             // ... into a slot that follows them
  std::set<const Expr *> receivers_;            // ... or only used (`obj.f()`)
  std::vector<const CXXThisExpr *> thisUses_;
};

} // namespace

void recordCallableFlows(ASTContext &ctx, TUFacts &out) {
  FlowVisitor visitor(ctx, out);
  visitor.TraverseDecl(ctx.getTranslationUnitDecl());
  visitor.finish();
}

} // namespace lockcheck
