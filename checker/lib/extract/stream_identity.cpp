#include "extract/stream_identity.h"

#include "extract/decl_names.h"
#include "extract/expr_peel.h"
#include "extract/slot_access.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/Attr.h>
#include <clang/AST/DeclCXX.h>
#include <clang/AST/ExprCXX.h>
#include <clang/AST/RecursiveASTVisitor.h>
#include <clang/Lex/Lexer.h>

#include <algorithm>
#include <set>

namespace lockcheck {
using namespace clang;

namespace {

constexpr const char *kConsole = "$console";
constexpr const char *kNonblocking = "$nonblocking";

// A stream slot is named as a callable slot is (facts/slot_key.h), kept as text: stream
// slots also name a function's result ("r:<function key>").
std::string slotName(const ValueDecl *d, const SourceManager &sm) { return slotOfDecl(d, sm).toString(); }

bool isFileRecord(const RecordDecl *rec) {
  if (!rec || !rec->getIdentifier()) return false;
  llvm::StringRef name = rec->getName();
  return name.ends_with("FILE") || name == "_iobuf"; // glibc _IO_FILE, BSD __sFILE, MSVC _iobuf
}

bool isOstream(const CXXRecordDecl *rec, int depth = 0) {
  if (!rec || depth > 6) return false;
  if (normalizedName(rec) == "std::basic_ostream") return true;
  if (!rec->hasDefinition()) return false;
  for (const auto &base : rec->bases())
    if (isOstream(base.getType()->getAsCXXRecordDecl(), depth + 1)) return true;
  return false;
}

// Does the macro expansion that produced `loc` go through a macro named in `names`?
bool spelledAs(SourceLocation loc, const std::vector<std::string> &names, const SourceManager &sm, const LangOptions &lang) {
  for (int depth = 0; loc.isMacroID() && depth < 16; ++depth) {
    llvm::StringRef macro = Lexer::getImmediateMacroName(loc, sm, lang);
    if (std::find(names.begin(), names.end(), macro.str()) != names.end()) return true;
    loc = sm.getImmediateMacroCallerLoc(loc);
  }
  return false;
}

// Whether flags expression `e` sets one of the bits `names` (enumerators or macros, as the
// headers spell them): `e` itself or an operand of `|`, through parentheses and casts; a
// local variable counts when its initialiser or an `=` / `|=` write sets it and no `&=`
// clears anything (`flags |= O_NONBLOCK` before fcntl(F_SETFL, flags)).
class FlagReader {
public:
  FlagReader(const std::vector<std::string> &names, const FunctionDecl *fn, ASTContext &ctx)
      : names_(names), fn_(fn), ctx_(ctx) {}

  bool sets(const Expr *e, int depth = 0) const {
    if (!e || depth > 12) return false;
    e = e->IgnoreParenCasts();
    if (spelledAs(e->getBeginLoc(), names_, ctx_.getSourceManager(), ctx_.getLangOpts()) &&
        e->getBeginLoc() == e->getEndLoc())
      return true;
    if (const auto *ref = dyn_cast<DeclRefExpr>(e)) {
      if (const auto *c = dyn_cast<EnumConstantDecl>(ref->getDecl()))
        return std::find(names_.begin(), names_.end(), c->getNameAsString()) != names_.end();
      if (const auto *var = dyn_cast<VarDecl>(ref->getDecl()); var && var->isLocalVarDecl()) return localSets(var, depth);
      return false;
    }
    if (const auto *b = dyn_cast<BinaryOperator>(e); b && b->getOpcode() == BO_Or)
      return sets(b->getLHS(), depth + 1) || sets(b->getRHS(), depth + 1);
    return false;
  }

private:
  bool localSets(const VarDecl *var, int depth) const {
    bool set = var->getInit() && sets(var->getInit(), depth + 1), cleared = false;
    if (!fn_ || !fn_->getBody()) return set;
    struct Writes : RecursiveASTVisitor<Writes> {
      const VarDecl *var;
      std::vector<const BinaryOperator *> found;
      bool VisitBinaryOperator(BinaryOperator *b) {
        if (b->isAssignmentOp())
          if (const auto *ref = dyn_cast<DeclRefExpr>(b->getLHS()->IgnoreParenCasts()); ref && ref->getDecl() == var)
            found.push_back(b);
        return true;
      }
    } writes;
    writes.var = var;
    writes.TraverseStmt(fn_->getBody());
    for (const BinaryOperator *b : writes.found) {
      if (b->getOpcode() == BO_AndAssign) cleared = true;
      else if ((b->getOpcode() == BO_Assign || b->getOpcode() == BO_OrAssign) && sets(b->getRHS(), depth + 1)) set = true;
    }
    return set && !cleared;
  }

  const std::vector<std::string> &names_;
  const FunctionDecl *fn_;
  ASTContext &ctx_;
};

// What a stream expression may hold: atoms, slots, the function's own parameters.
struct Value {
  bool console = false, nonblocking = false, unknown = false;
  std::vector<std::string> slots;
  std::vector<unsigned> params; // of the function the expression is in
};

class ValueReader {
public:
  ValueReader(const RulePacks &packs, ASTContext &ctx) : packs_(packs), ctx_(ctx), sm_(ctx.getSourceManager()) {}

  void read(const Expr *e, const FunctionDecl *fn, Value &out, int depth = 0) const {
    if (!e || depth > 8) {
      out.unknown = true;
      return;
    }
    e = peel(e);
    if (const auto *cond = dyn_cast<AbstractConditionalOperator>(e)) {
      read(cond->getTrueExpr(), fn, out, depth + 1);
      read(cond->getFalseExpr(), fn, out, depth + 1);
      return;
    }
    if (e->getType()->isIntegralOrEnumerationType() && !e->isValueDependent()) {
      Expr::EvalResult value;
      if (e->EvaluateAsInt(value, ctx_)) {
        (packs_.consoleDescriptor(value.Val.getInt().getExtValue()) ? out.console : out.unknown) = true;
        return;
      }
    }
    if (const auto *a = dyn_cast<ArraySubscriptExpr>(e)) return read(a->getBase(), fn, out, depth + 1);
    if (const auto *ref = dyn_cast<DeclRefExpr>(e)) {
      const auto *var = dyn_cast<VarDecl>(ref->getDecl());
      if (!var) return void(out.unknown = true);
      if (const auto *parm = dyn_cast<ParmVarDecl>(var); parm && fn && parm->getDeclContext() == fn)
        return out.params.push_back(parm->getFunctionScopeIndex());
      if (var->hasGlobalStorage() && packs_.consoleStream(normalizedName(var))) return void(out.console = true);
      return slot(var, out);
    }
    if (const auto *member = dyn_cast<MemberExpr>(e)) {
      if (const auto *var = dyn_cast<VarDecl>(member->getMemberDecl()); var && packs_.consoleStream(normalizedName(var)))
        return void(out.console = true);
      return slot(member->getMemberDecl(), out);
    }
    if (const auto *call = dyn_cast<CallExpr>(e)) return result(call, fn, out);
    out.unknown = true;
  }

private:
  void slot(const ValueDecl *d, Value &out) const {
    std::string key = slotName(d, sm_);
    if (key.empty()) out.unknown = true;
    else out.slots.push_back(std::move(key));
  }

  // A call's result: a descriptor made non-blocking, or what a user function returns.
  void result(const CallExpr *call, const FunctionDecl *fn, Value &out) const {
    const FunctionDecl *callee = call->getDirectCallee();
    if (!callee) return void(out.unknown = true);
    if (const NonblockingDescriptorEntry *d = packs_.nonblockingDescriptor(normalizedName(callee));
        d && d->fillsArg < 0 && d->setsArg < 0) {
      bool made = d->flagsArg < call->getNumArgs() && FlagReader(d->flags, fn, ctx_).sets(call->getArg(d->flagsArg));
      (made ? out.nonblocking : out.unknown) = true;
      return;
    }
    if (sm_.isInSystemHeader(callee->getLocation())) return void(out.unknown = true);
    if (const auto *m = dyn_cast<CXXMethodDecl>(callee); m && m->isVirtual() && !m->hasAttr<FinalAttr>())
      return void(out.unknown = true); // a virtual call's result is any override's
    out.slots.push_back("r:" + functionKey(callee, sm_));
  }

  const RulePacks &packs_;
  ASTContext &ctx_;
  const SourceManager &sm_;
};

// The slot an lvalue names (the left of `=`, an argument written through).
std::string writtenSlot(const Expr *e, const SourceManager &sm) {
  e = peel(e);
  while (const auto *a = dyn_cast_or_null<ArraySubscriptExpr>(e)) e = peel(a->getBase());
  if (const auto *ref = dyn_cast_or_null<DeclRefExpr>(e)) return slotName(ref->getDecl(), sm);
  if (const auto *member = dyn_cast_or_null<MemberExpr>(e)) return slotName(member->getMemberDecl(), sm);
  return {};
}

class StreamFlowVisitor : public RecursiveASTVisitor<StreamFlowVisitor> {
  using Base = RecursiveASTVisitor<StreamFlowVisitor>;

public:
  StreamFlowVisitor(ASTContext &ctx, const RulePacks &packs, TUFacts &out)
      : ctx_(ctx), sm_(ctx.getSourceManager()), packs_(packs), reader_(packs, ctx), out_(out) {}
  bool shouldVisitTemplateInstantiations() const { return true; }
  bool shouldVisitLambdaBody() const { return true; }

  bool TraverseDecl(Decl *d) {
    if (d && !isa<TranslationUnitDecl>(d) && sm_.isInSystemHeader(d->getLocation())) return true;
    const auto *fn = dyn_cast_or_null<FunctionDecl>(d);
    if (!fn) return Base::TraverseDecl(d);
    const FunctionDecl *outer = fn_;
    fn_ = fn;
    bool result = Base::TraverseDecl(d);
    fn_ = outer;
    return result;
  }

  bool TraverseLambdaExpr(LambdaExpr *lambda) {
    const FunctionDecl *outer = fn_;
    fn_ = lambda->getCallOperator();
    bool result = Base::TraverseLambdaExpr(lambda);
    fn_ = outer;
    return result;
  }

  bool VisitVarDecl(VarDecl *var) {
    if (isa<ParmVarDecl>(var) || !var->getInit() || var->getType()->isDependentType() || !isStreamType(var->getType()))
      return true;
    flow(slotName(var, sm_), var->getInit(), fn_);
    return true;
  }

  bool VisitFieldDecl(FieldDecl *field) {
    if (field->hasInClassInitializer() && field->getInClassInitializer() && isStreamType(field->getType()))
      flow(slotName(field, sm_), field->getInClassInitializer(), nullptr);
    return true;
  }

  bool VisitCXXConstructorDecl(CXXConstructorDecl *ctor) {
    if (ctor->isDependentContext()) return true;
    for (const CXXCtorInitializer *init : ctor->inits())
      if (init->isWritten() && init->getMember() && isStreamType(init->getMember()->getType()))
        flow(slotName(init->getMember(), sm_), init->getInit(), ctor);
    return true;
  }

  bool VisitBinaryOperator(BinaryOperator *op) {
    if (!op->isAssignmentOp() || op->isTypeDependent() || !isStreamType(op->getLHS()->getType())) return true;
    std::string slot = writtenSlot(op->getLHS(), sm_);
    if (op->getOpcode() == BO_Assign) flow(slot, op->getRHS(), fn_);
    else unknown(slot); // `fd += 1`
    return true;
  }

  bool VisitUnaryOperator(UnaryOperator *op) {
    const Expr *sub = op->getSubExpr();
    if (op->isTypeDependent() || !isStreamType(sub->getType())) return true;
    if (op->isIncrementDecrementOp() || (op->getOpcode() == UO_AddrOf && !filled_.count(op)))
      unknown(writtenSlot(sub, sm_)); // `&fd` may be written through
    return true;
  }

  bool VisitReturnStmt(ReturnStmt *ret) {
    if (fn_ && ret->getRetValue() && !fn_->isDependentContext() && isStreamType(fn_->getReturnType()))
      flow("r:" + functionKey(fn_, sm_), ret->getRetValue(), fn_);
    return true;
  }

  bool VisitCallExpr(CallExpr *call) {
    if (call->isTypeDependent() || call->isValueDependent()) return true;
    const FunctionDecl *callee = call->getDirectCallee();
    if (!callee) return true;
    std::vector<const Expr *> args(call->arg_begin(), call->arg_end());
    if (isa<CXXOperatorCallExpr>(call) && isa<CXXMethodDecl>(callee) && !args.empty()) args.erase(args.begin());
    if (const NonblockingDescriptorEntry *d = packs_.nonblockingDescriptor(normalizedName(callee))) {
      descriptors(*d, args);
    }
    writtenThrough(callee, args);
    return true;
  }

  bool VisitCXXConstructExpr(CXXConstructExpr *construct) {
    if (const CXXConstructorDecl *ctor = construct->getConstructor(); ctor && !construct->isTypeDependent())
      writtenThrough(ctor, std::vector<const Expr *>(construct->arg_begin(), construct->arg_end()));
    return true;
  }

private:
  // pipe2(fds, O_NONBLOCK) fills fds; fcntl(fd, F_SETFL, flags | O_NONBLOCK) changes fd.
  void descriptors(const NonblockingDescriptorEntry &d, const std::vector<const Expr *> &args) {
    bool made = d.flagsArg < args.size() && FlagReader(d.flags, fn_, ctx_).sets(args[d.flagsArg]);
    if (d.fillsArg >= 0 && static_cast<size_t>(d.fillsArg) < args.size()) {
      const Expr *arg = args[static_cast<size_t>(d.fillsArg)];
      if (const auto *addr = dyn_cast<UnaryOperator>(arg->IgnoreParenImpCasts())) filled_.insert(addr);
      std::string slot = writtenSlot(arg, sm_);
      if (slot.empty()) return;
      StreamSources &into = out_.streamFlows[slot];
      (made ? into.nonblocking : into.unknown) = true;
    }
    if (d.setsArg >= 0 && static_cast<size_t>(d.setsArg) < args.size() && made) {
      bool command = d.commandArg < 0 || (static_cast<size_t>(d.commandArg) < args.size() &&
                                          FlagReader(d.commands, fn_, ctx_).sets(args[static_cast<size_t>(d.commandArg)]));
      std::string slot = writtenSlot(args[static_cast<size_t>(d.setsArg)], sm_);
      if (command && !slot.empty()) out_.streamFlows[slot].madeNonblocking = true;
    }
  }

  // A stream slot passed by non-const reference, or an array of them passed as a pointer, may
  // be written by the callee (a pack's fills_arg is recorded by descriptors()).
  void writtenThrough(const FunctionDecl *callee, const std::vector<const Expr *> &args) {
    for (size_t i = 0; i < args.size(); ++i) {
      const Expr *arg = args[i];
      if (const auto *u = dyn_cast<UnaryOperator>(arg->IgnoreParenImpCasts()); u && filled_.count(u)) continue;
      bool decayed = false;
      if (const auto *cast = dyn_cast<ImplicitCastExpr>(arg); cast && cast->getCastKind() == CK_ArrayToPointerDecay)
        decayed = isStreamType(cast->getSubExpr()->getType());
      bool byReference = false;
      if (i < callee->getNumParams()) {
        QualType t = callee->getParamDecl(static_cast<unsigned>(i))->getType();
        byReference = t->isLValueReferenceType() && !t.getNonReferenceType().isConstQualified() &&
                      isStreamType(t.getNonReferenceType());
      }
      const NonblockingDescriptorEntry *d = packs_.nonblockingDescriptor(normalizedName(callee));
      if ((decayed || byReference) && !(d && d->fillsArg == static_cast<int>(i))) unknown(writtenSlot(arg, sm_));
    }
  }

  void flow(const std::string &slot, const Expr *value, const FunctionDecl *fn) {
    if (slot.empty() || !value) return;
    Value v;
    reader_.read(value, fn, v);
    StreamSources &into = out_.streamFlows[slot];
    into.console |= v.console;
    into.nonblocking |= v.nonblocking;
    into.unknown |= v.unknown;
    for (auto &s : v.slots) into.slots.push_back(std::move(s));
    for (unsigned p : v.params) into.slots.push_back("p:" + functionKey(fn, sm_) + "#" + std::to_string(p));
    std::sort(into.slots.begin(), into.slots.end());
    into.slots.erase(std::unique(into.slots.begin(), into.slots.end()), into.slots.end());
  }

  void unknown(const std::string &slot) {
    if (!slot.empty()) out_.streamFlows[slot].unknown = true;
  }

  ASTContext &ctx_;
  const SourceManager &sm_;
  const RulePacks &packs_;
  ValueReader reader_;
  TUFacts &out_;
  const FunctionDecl *fn_ = nullptr;
  std::set<const UnaryOperator *> filled_; // `&fds` given to a pack's fills_arg
};

} // namespace

bool isStreamType(QualType type) {
  if (type.isNull() || type->isDependentType()) return false;
  QualType t = type.getNonReferenceType().getCanonicalType();
  while (const ArrayType *a = t->getAsArrayTypeUnsafe()) t = a->getElementType().getCanonicalType();
  if (t->isSpecificBuiltinType(BuiltinType::Int)) return true;
  if (t->isPointerType()) t = t->getPointeeType().getCanonicalType();
  if (const auto *rec = t->getAsRecordDecl(); rec && isFileRecord(rec)) return type.getNonReferenceType()->isPointerType();
  return isOstream(t->getAsCXXRecordDecl());
}

std::string streamValue(const Expr *arg, const FunctionDecl *fn, const RulePacks &packs, ASTContext &ctx) {
  if (!arg || arg->isTypeDependent() || !isStreamType(arg->getType())) return {};
  Value v;
  ValueReader(packs, ctx).read(arg, fn, v);
  if (v.unknown) return {};
  size_t kinds = (v.console ? 1 : 0) + (v.nonblocking ? 1 : 0) + v.slots.size() + v.params.size();
  if (kinds != 1) return {};
  if (v.console) return kConsole;
  if (v.nonblocking) return kNonblocking;
  if (!v.params.empty()) return "a:" + std::to_string(v.params.front());
  return v.slots.front();
}

void recordStreamFlows(ASTContext &ctx, const RulePacks &packs, TUFacts &out) {
  StreamFlowVisitor(ctx, packs, out).TraverseDecl(ctx.getTranslationUnitDecl());
}

void pruneStreamFlows(TUFacts &out) {
  // Locals and results are written only by their own function's body, which every TU that
  // records them sees whole: one that something unknown flows into is unknown when absent too.
  std::erase_if(out.streamFlows, [](const auto &entry) {
    return entry.second.unknown && (entry.first.rfind("l:", 0) == 0 || entry.first.rfind("r:", 0) == 0);
  });
  for (bool changed = true; changed;) {
    std::set<std::string> read;
    for (const auto &[key, fn] : out.functions)
      for (const auto &call : fn.calls)
        for (const auto &s : call.streams) read.insert(s.value);
    for (const auto &[slot, sources] : out.streamFlows) read.insert(sources.slots.begin(), sources.slots.end());
    size_t before = out.streamFlows.size();
    std::erase_if(out.streamFlows, [&](const auto &entry) { return entry.first.rfind("l:", 0) == 0 && !read.count(entry.first); });
    changed = out.streamFlows.size() != before;
  }
}

} // namespace lockcheck
