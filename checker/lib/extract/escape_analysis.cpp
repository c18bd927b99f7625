#include "extract/escape_analysis.h"

#include "extract/call_site.h"
#include "extract/decl_names.h"
#include "extract/expr_peel.h"
#include "extract/lock_ops.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/DeclCXX.h>
#include <clang/AST/ExprCXX.h>
#include <clang/AST/StmtCXX.h>
#include <clang/Analysis/CFG.h>
#include <clang/Basic/SourceManager.h>

#include <algorithm>
#include <deque>

namespace lockcheck {
using namespace clang;

namespace {

// A handle with operator-> (unique_ptr, shared_ptr, intrusive pointers).
bool isPointerLike(QualType t) {
  const auto *rec = t.getNonReferenceType()->getAsCXXRecordDecl();
  if (!rec || !rec->hasDefinition()) return false;
  if (std::any_of(rec->method_begin(), rec->method_end(), [](const CXXMethodDecl *m) { return m->getOverloadedOperator() == OO_Arrow; }))
    return true;
  for (const auto &base : rec->bases()) // libstdc++'s shared_ptr has it in __shared_ptr_access
    if (isPointerLike(base.getType())) return true;
  return false;
}

// The type of what a pointer-like handle points to (its operator->'s result, dereferenced).
QualType pointee(QualType t) {
  if (t->isPointerType()) return t->getPointeeType();
  const auto *rec = t.getNonReferenceType()->getAsCXXRecordDecl();
  for (int depth = 0; rec && rec->hasDefinition() && depth < 4; ++depth) {
    for (const CXXMethodDecl *m : rec->methods())
      if (m->getOverloadedOperator() == OO_Arrow && m->getReturnType()->isPointerType())
        return m->getReturnType()->getPointeeType();
    rec = rec->getNumBases() ? rec->bases_begin()->getType()->getAsCXXRecordDecl() : nullptr;
  }
  return {};
}

// How a pointer or smart pointer is initialised with a new object: the statement that runs
// its constructor (a CXXConstructExpr, possibly null for a trivial one) or the library call
// that does (`library`). False when the initialiser is no allocation.
bool allocation(const Expr *init, const Stmt *&creation, bool &library) {
  init = peelWrappers(init);
  if (const auto *c = dyn_cast_or_null<CXXConstructExpr>(init); c && c->getNumArgs() >= 1 && isa<CXXNewExpr>(peelWrappers(c->getArg(0))))
    init = peelWrappers(c->getArg(0)); // std::unique_ptr<T> p(new T)
  if (const auto *n = dyn_cast_or_null<CXXNewExpr>(init)) {
    creation = n->getConstructExpr();
    library = false;
    return true;
  }
  if (const auto *call = dyn_cast_or_null<CallExpr>(init))
    if (const FunctionDecl *f = call->getDirectCallee()) {
      std::string name = normalizedName(f);
      if (name == "std::make_unique" || name == "std::make_shared" || name == "std::allocate_shared" ||
          name == "std::make_unique_for_overwrite" || name == "std::make_shared_for_overwrite") {
        creation = call;
        library = true;
        return true;
      }
    }
  return false;
}

// An object (not a pointer to it, not a smart pointer) as an expression's value.
bool isObject(const Stmt *e) {
  QualType t = cast<Expr>(e)->getType();
  return t->isRecordType() && !isPointerLike(t);
}

// A result that may point back at what the function was given (`shared_from_this()`,
// `std::ref(x)`, `&v.front()`).
bool returnsHandle(const FunctionDecl *f) {
  QualType t = f->getReturnType();
  return t->isPointerType() || t->isReferenceType() || isPointerLike(t) || t->isRecordType();
}

// A library function can keep what it is given only if it gets its address: an object passed
// by const reference or by value (copied) to one that returns nothing that may point back
// is read, not kept (`s.size()`, `std::hash`, `os << obj`).
bool libraryOnlyReads(const FunctionDecl *callee, int param, const Stmt *arg) {
  if (!isObject(arg) || returnsHandle(callee)) return false;
  if (param < 0) {
    const auto *m = dyn_cast<CXXMethodDecl>(callee);
    return m && m->isConst();
  }
  if (static_cast<unsigned>(param) >= callee->getNumParams()) return false;
  QualType t = callee->getParamDecl(static_cast<unsigned>(param))->getType();
  return (t->isLValueReferenceType() && t.getNonReferenceType().isConstQualified()) || !t->isReferenceType();
}

// A constructor the compiler writes (implicit or `= default`) for a class whose bases have
// no user-written constructors either: it only constructs bases and members, each on its own
// address, so it cannot hand the object on (and the facts hold no body for it to judge).
bool compilerWritten(const CXXRecordDecl *rec, int depth) {
  if (!rec || !rec->hasDefinition() || depth > 8) return false;
  for (const CXXConstructorDecl *c : rec->ctors())
    if (c->isUserProvided()) return false;
  for (const auto &base : rec->bases())
    if (!compilerWritten(base.getType()->getAsCXXRecordDecl(), depth + 1)) return false;
  return true;
}

bool builtInConstruction(const Stmt *creation) {
  const auto *c = dyn_cast_or_null<CXXConstructExpr>(creation);
  return c && isCompilerWrittenConstructor(c->getConstructor());
}

std::string rootOf(const LockKey &key) {
  std::string rest = key.rest;
  return rest.substr(0, rest.find('.'));
}

} // namespace

bool isCompilerWrittenConstructor(const CXXConstructorDecl *ctor) {
  if (!ctor || ctor->isUserProvided()) return false;
  for (const auto &base : ctor->getParent()->bases())
    if (!compilerWritten(base.getType()->getAsCXXRecordDecl(), 1)) return false;
  return true;
}

// Per block and before each call: for each fresh object, whether some path reaching here
// published it, and which handover calls may have run.
struct EscapeAnalysis::State {
  struct Entry {
    bool published = false;
    std::set<const Stmt *> handovers;
    bool operator==(const Entry &) const = default;
  };
  bool reachable = false;
  std::map<const VarDecl *, Entry> vars;
  bool operator==(const State &) const = default;
  void join(const State &other) {
    reachable = reachable || other.reachable;
    for (const auto &[var, e] : other.vars) {
      Entry &mine = vars[var];
      mine.published = mine.published || e.published;
      mine.handovers.insert(e.handovers.begin(), e.handovers.end());
    }
  }
};

EscapeAnalysis::EscapeAnalysis(const FunctionDecl *fn, const CFG &cfg, const LockRecognizer &rec, ASTContext &ctx)
    : fn_(fn), cfg_(cfg), rec_(rec), ctx_(ctx) {
  if (const auto *ctor = dyn_cast<CXXConstructorDecl>(fn))
    for (const CXXCtorInitializer *init : ctor->inits())
      if (const Expr *value = init->getInit(); value && init->isWritten()) {
        stores_.insert(value); // a member initialised from `this` or a parameter keeps it
        collect(value, nullptr);
      }
  if (const Stmt *body = fn->getBody()) collect(body, nullptr);
  for (const Expr *use : uses_) {
    int root;
    if (isa<CXXThisExpr>(use)) root = -1;
    else if (const auto *parm = dyn_cast<ParmVarDecl>(cast<DeclRefExpr>(use)->getDecl()); parm && parm->getDeclContext() == fn)
      root = static_cast<int>(parm->getFunctionScopeIndex());
    else continue;
    const Stmt *site = nullptr;
    if (classify(use, site) == Use::Publish) escapes_.insert(root);
  }
  if (thisCaptured_) escapes_.insert(-1);
  for (const ValueDecl *d : captured_)
    if (const auto *parm = dyn_cast<ParmVarDecl>(d); parm && parm->getDeclContext() == fn)
      escapes_.insert(static_cast<int>(parm->getFunctionScopeIndex()));
}

EscapeAnalysis::~EscapeAnalysis() = default;

void EscapeAnalysis::collect(const Stmt *s, const Stmt *parent) {
  if (!s) return;
  parent_.emplace(s, parent);
  if (const auto *lambda = dyn_cast<LambdaExpr>(s)) { // its body is its own function
    for (const LambdaCapture &c : lambda->captures()) {
      if (c.capturesThis()) thisCaptured_ = true;
      else if (c.capturesVariable()) captured_.insert(c.getCapturedVar());
    }
    for (const Expr *init : lambda->capture_inits()) collect(init, s);
    return;
  }
  if (isa<CXXThisExpr>(s)) uses_.push_back(cast<Expr>(s));
  // Only objects that can be handed over whole: records, pointers, references to them.
  if (const auto *ref = dyn_cast<DeclRefExpr>(s))
    if (const auto *var = dyn_cast<VarDecl>(ref->getDecl()); var && (isa<ParmVarDecl>(var) || var->isLocalVarDecl())) {
      QualType t = var->getType().getNonReferenceType();
      if (t->isRecordType() || t->isPointerType()) {
        uses_.push_back(ref);
        usesOf_[var].push_back(ref);
      }
    }
  if (const auto *decl = dyn_cast<DeclStmt>(s))
    for (const Decl *d : decl->decls())
      if (const auto *var = dyn_cast<VarDecl>(d)) locals_.push_back(var);
  for (const Stmt *child : s->children()) collect(child, s);
}

// Walks up from a use of an object to the construct that decides what happens to it.
EscapeAnalysis::Use EscapeAnalysis::classify(const Expr *use, const Stmt *&site) const {
  enum { Whole, Member, MemberAddress } what = Whole; // the object (or its pointer), a member, a member's address
  const Stmt *cur = use;
  for (int depth = 0; depth < 48; ++depth) {
    if (stores_.count(cur)) {
      site = cur;
      return what == Member ? Use::Harmless : Use::Publish;
    }
    auto it = parent_.find(cur);
    const Stmt *p = it == parent_.end() ? nullptr : it->second;
    if (!p) return Use::Harmless;
    site = p;
    if (isa<ParenExpr, ExprWithCleanups, MaterializeTemporaryExpr, CXXBindTemporaryExpr, ConstantExpr, ExplicitCastExpr>(p)) {
      cur = p;
      continue;
    }
    if (const auto *cast = dyn_cast<ImplicitCastExpr>(p)) {
      CastKind kind = cast->getCastKind();
      if (kind == CK_LValueToRValue && what != Whole) return Use::Harmless; // a member's value read
      if (kind == CK_PointerToBoolean || kind == CK_MemberPointerToBoolean || kind == CK_IntegralToBoolean)
        return Use::Harmless;
      cur = p;
      continue;
    }
    if (const auto *u = dyn_cast<UnaryOperator>(p)) {
      if (u->getOpcode() == UO_AddrOf) {
        if (what == Member) what = MemberAddress;
        cur = p;
        continue;
      }
      if (u->getOpcode() == UO_Deref) {
        cur = p;
        continue;
      }
      return Use::Harmless; // !p, ++i
    }
    if (const auto *member = dyn_cast<MemberExpr>(p)) {
      const ValueDecl *decl = member->getMemberDecl();
      if (const auto *field = dyn_cast<FieldDecl>(decl)) {
        if (field->getType()->isReferenceType()) return Use::Harmless; // another object
        what = Member;
        cur = p;
        continue;
      }
      const auto *method = dyn_cast<CXXMethodDecl>(decl);
      auto call = parent_.find(p);
      const auto *memberCall = call == parent_.end() ? nullptr : dyn_cast_or_null<CXXMemberCallExpr>(call->second);
      if (!method || !memberCall || what != Whole) return Use::Harmless; // a member's methods: not the object
      site = memberCall;
      CallSite cs;
      if (asCallSite(memberCall, cs) && rec_.classify(cs, fn_).kind != LockOperation::None) return Use::Harmless;
      if (!ctx_.getSourceManager().isInSystemHeader(method->getLocation())) return Use::Handover;
      std::string name = method->getNameAsString();
      if ((name == "get" || method->getOverloadedOperator() == OO_Arrow || method->getOverloadedOperator() == OO_Star) &&
          isPointerLike(method->getThisType()->getPointeeType())) {
        cur = memberCall; // the pointee, as a whole
        continue;
      }
      if (isa<CXXConversionDecl>(method)) return Use::Harmless; // `if (p)` on a smart pointer
      return libraryOnlyReads(method, -1, cur) ? Use::Harmless : Use::Publish;
    }
    if (const auto *call = dyn_cast<CallExpr>(p)) {
      if (call->getCallee() == cur) return Use::Harmless;
      // A member's value or address passed on: the object itself is not (a known limit:
      // a function that keeps a member's address, such as its mutex, is not followed).
      if (what != Whole) return Use::Harmless;
      const FunctionDecl *callee = call->getDirectCallee();
      if (!callee) return Use::Publish;
      std::string name = normalizedName(callee);
      if (name == "std::move" || name == "std::forward" || name == "std::addressof" || name == "std::as_const") {
        cur = p;
        continue;
      }
      const auto *op = dyn_cast<CXXOperatorCallExpr>(call);
      if (op && op->getNumArgs() >= 1 && op->getArg(0) == cur) {
        OverloadedOperatorKind k = op->getOperator();
        if ((k == OO_Arrow || k == OO_Star) && isPointerLike(cast<Expr>(cur)->getType())) {
          cur = p; // a smart pointer's pointee
          continue;
        }
        if (k == OO_Equal || k == OO_EqualEqual || k == OO_ExclaimEqual || k == OO_Less || k == OO_Exclaim) return Use::Harmless;
      }
      if (op && op->getOperator() == OO_Equal && op->getNumArgs() == 2 && op->getArg(1) == cur) return Use::Publish;
      CallSite cs;
      if (asCallSite(call, cs) && rec_.classify(cs, fn_).kind != LockOperation::None) return Use::Harmless;
      if (!ctx_.getSourceManager().isInSystemHeader(callee->getLocation())) return Use::Handover;
      int param = -1;
      for (unsigned i = 0; i < call->getNumArgs(); ++i)
        if (call->getArg(i) == cur) param = static_cast<int>(i);
      if (op && isa<CXXMethodDecl>(callee)) --param; // the object is argument 0 of a member operator
      return libraryOnlyReads(callee, param, cur) ? Use::Harmless : Use::Publish;
    }
    if (const auto *construct = dyn_cast<CXXConstructExpr>(p)) {
      if (what != Whole) return Use::Harmless;
      if (rec_.isGuardType(construct->getType())) return Use::Harmless; // a guard locks it
      const CXXConstructorDecl *ctor = construct->getConstructor();
      if (!ctor) return Use::Publish;
      if (!ctx_.getSourceManager().isInSystemHeader(ctor->getLocation())) return Use::Handover;
      if (ctor->isCopyOrMoveConstructor() && isObject(cur)) return Use::Harmless; // a copy of it
      int param = -1;
      for (unsigned i = 0; i < construct->getNumArgs(); ++i)
        if (construct->getArg(i) == cur) param = static_cast<int>(i);
      return param >= 0 && isObject(cur) && libraryOnlyReads(ctor, param, cur) ? Use::Harmless : Use::Publish;
    }
    if (const auto *b = dyn_cast<BinaryOperator>(p)) {
      if (b->getOpcode() == BO_Assign) return b->getRHS() == cur && what != Member ? Use::Publish : Use::Harmless;
      if (b->getOpcode() == BO_Comma) {
        if (b->getLHS() == cur) return Use::Harmless;
        cur = p;
        continue;
      }
      if (b->isAdditiveOp() && what != Member) {
        cur = p; // a pointer into the object
        continue;
      }
      return Use::Harmless; // comparisons, logic
    }
    if (const auto *cond = dyn_cast<AbstractConditionalOperator>(p)) {
      if (cond->getCond() == cur) return Use::Harmless;
      cur = p;
      continue;
    }
    if (isa<ReturnStmt, CXXThrowExpr, InitListExpr, CXXStdInitializerListExpr>(p))
      return what == Member ? Use::Harmless : Use::Publish;
    if (const auto *decl = dyn_cast<DeclStmt>(p)) {
      if (what == Member) return Use::Harmless;
      for (const Decl *d : decl->decls())
        if (const auto *var = dyn_cast<VarDecl>(d); var && var->getInit() && peelWrappers(var->getInit()) == peelWrappers(cast<Expr>(cur))) {
          QualType t = var->getType();
          return t->isPointerType() || t->isReferenceType() || isPointerLike(t) ? Use::Publish : Use::Harmless;
        }
      return Use::Publish;
    }
    if (isa<CXXDeleteExpr, IfStmt, WhileStmt, DoStmt, ForStmt, SwitchStmt, UnaryExprOrTypeTraitExpr, CXXTypeidExpr,
            CXXNoexceptExpr, CompoundAssignOperator, ArraySubscriptExpr>(p))
      return Use::Harmless;
    return what == Member ? Use::Harmless : Use::Publish; // anything else: assume the worst
  }
  return Use::Publish;
}

// `v = ...`, `v.reset(...)`, `&v` of a pointer: the local may name another object later.
// (`v.release()` does not: it empties `v`, and hands the object on where it is called, a
// publication there, so a lock taken on it before is still on an object not yet shared.)
bool EscapeAnalysis::reassigned(const VarDecl *var) const {
  auto uses = usesOf_.find(var);
  if (uses == usesOf_.end()) return false;
  for (const Expr *use : uses->second) {
    const Stmt *cur = use;
    for (auto it = parent_.find(cur); it != parent_.end() && it->second && isa<ParenExpr, ImplicitCastExpr>(it->second);
         it = parent_.find(cur))
      cur = it->second;
    auto it = parent_.find(cur);
    const Stmt *p = it == parent_.end() ? nullptr : it->second;
    if (const auto *b = dyn_cast_or_null<BinaryOperator>(p); b && b->isAssignmentOp() && b->getLHS() == cur) return true;
    if (const auto *u = dyn_cast_or_null<UnaryOperator>(p); u && u->getOpcode() == UO_AddrOf && !var->getType()->isRecordType())
      return true;
    if (const auto *op = dyn_cast_or_null<CXXOperatorCallExpr>(p); op && op->getOperator() == OO_Equal && op->getArg(0) == cur)
      return true;
    if (const auto *member = dyn_cast_or_null<MemberExpr>(p); member && isPointerLike(var->getType()))
      if (const auto *m = dyn_cast<CXXMethodDecl>(member->getMemberDecl()))
        if (m->getIdentifier() && (m->getName() == "reset" || m->getName() == "swap")) return true;
  }
  return false;
}

void EscapeAnalysis::findFresh() {
  found_ = true;
  for (const VarDecl *var : locals_) {
    if (!var->isLocalVarDecl() || var->isStaticLocal() || var->getType()->isReferenceType() || var->getType()->isDependentType())
      continue;
    QualType t = var->getType();
    bool pointer = t->isPointerType() || isPointerLike(t);
    const Stmt *creation = nullptr;
    bool library = false;
    if (pointer && !(var->getInit() && allocation(var->getInit(), creation, library))) continue;
    if (!pointer && !t->isRecordType()) continue;
    if (!pointer && var->getInit()) creation = dyn_cast<CXXConstructExpr>(peelWrappers(var->getInit()));
    if (reassigned(var) || captured_.count(var)) continue; // captured: a lambda may publish it
    fresh_.emplace(keyOf(var).rest, var);
    if (creation) creations_[creation] = {var, library};
  }
}

// The lock is the object itself or a member reached through members held by value.
bool EscapeAnalysis::owns(const VarDecl *var, const LockKey &lock) const {
  QualType t = var->getType();
  if (t->isPointerType() || isPointerLike(t)) t = pointee(t);
  std::string rest = lock.rest;
  size_t dot = rest.find('.');
  while (dot != std::string::npos) {
    size_t next = rest.find('.', dot + 1);
    std::string name = rest.substr(dot + 1, next == std::string::npos ? std::string::npos : next - dot - 1);
    const auto *rec = t.isNull() ? nullptr : t->getAsCXXRecordDecl();
    if (!rec || !rec->hasDefinition()) return false;
    const FieldDecl *found = nullptr;
    std::vector<const CXXRecordDecl *> classes{rec};
    for (size_t i = 0; i < classes.size() && !found && i < 16; ++i) {
      for (const FieldDecl *f : classes[i]->fields())
        if (f->getName() == name) found = f;
      for (const auto &base : classes[i]->bases())
        if (const auto *b = base.getType()->getAsCXXRecordDecl(); b && b->hasDefinition()) classes.push_back(b);
    }
    if (!found) return false;
    t = found->getType();
    if (t->isPointerType() || t->isReferenceType() || isPointerLike(t)) return false;
    dot = next;
  }
  return true;
}

void EscapeAnalysis::solve() {
  solved_ = true;
  if (!found_) findFresh();
  if (fresh_.empty()) return;
  std::set<const VarDecl *> fresh;
  for (const auto &[name, var] : fresh_) fresh.insert(var);
  std::unordered_map<const Stmt *, std::vector<std::pair<const VarDecl *, Use>>> events;
  for (const auto &[stmt, created] : creations_)
    if (!builtInConstruction(stmt)) events[stmt].emplace_back(created.first, Use::Handover);
  for (const Expr *use : uses_) {
    const auto *ref = dyn_cast<DeclRefExpr>(use);
    const auto *var = ref ? dyn_cast<VarDecl>(ref->getDecl()) : nullptr;
    if (!var || !fresh.count(var)) continue;
    const Stmt *site = nullptr;
    Use kind = classify(use, site);
    if (kind != Use::Harmless && site) events[site].emplace_back(var, kind);
  }
  // An event at a statement the CFG does not list (a DeclStmt of several variables, split
  // into synthetic ones) moves up to the nearest one it does.
  std::set<const Stmt *> elements;
  for (const CFGBlock *block : cfg_)
    for (const CFGElement &el : *block)
      if (auto s = el.getAs<CFGStmt>()) elements.insert(s->getStmt());
  std::vector<std::pair<const Stmt *, const Stmt *>> moves; // from, to (null: nowhere)
  for (const auto &[from, list] : events) {
    const Stmt *site = from;
    while (site && !elements.count(site)) {
      auto up = parent_.find(site);
      site = up == parent_.end() ? nullptr : up->second;
    }
    if (site != from) moves.emplace_back(from, site);
  }
  for (const auto &[from, to] : moves) {
    auto moved = std::move(events[from]);
    events.erase(from);
    if (!to) { // nowhere to put it: those objects are not fresh
      for (const auto &[var, kind] : moved) std::erase_if(fresh_, [&](const auto &f) { return f.second == var; });
      continue;
    }
    auto &into = events[to];
    into.insert(into.end(), moved.begin(), moved.end());
  }
  if (fresh_.empty()) return;

  auto transfer = [&](State &state, const Stmt *s) {
    auto it = events.find(s);
    if (it == events.end()) return;
    for (const auto &[var, kind] : it->second) {
      State::Entry &e = state.vars[var];
      if (kind == Use::Publish) e.published = true;
      else e.handovers.insert(s);
    }
  };
  std::vector<State> entry(cfg_.getNumBlockIDs());
  entry[cfg_.getEntry().getBlockID()].reachable = true;
  std::deque<const CFGBlock *> work{&cfg_.getEntry()};
  size_t budget = 64 * cfg_.getNumBlockIDs() + 64;
  while (!work.empty() && budget-- > 0) {
    const CFGBlock *block = work.front();
    work.pop_front();
    State state = entry[block->getBlockID()];
    for (const CFGElement &el : *block)
      if (auto s = el.getAs<CFGStmt>()) transfer(state, s->getStmt());
    for (const auto &succ : block->succs())
      if (const CFGBlock *next = succ.getReachableBlock()) {
        State merged = entry[next->getBlockID()];
        merged.join(state);
        if (merged == entry[next->getBlockID()]) continue;
        entry[next->getBlockID()] = std::move(merged);
        work.push_back(next);
      }
  }
  if (!work.empty()) { // not converged within the budget: claim nothing
    fresh_.clear();
    return;
  }
  for (const CFGBlock *block : cfg_) {
    State state = entry[block->getBlockID()];
    if (!state.reachable) continue;
    for (const CFGElement &el : *block)
      if (auto s = el.getAs<CFGStmt>()) {
        if (isa<CallExpr, CXXConstructExpr>(s->getStmt())) before_[s->getStmt()] = std::make_unique<State>(state);
        transfer(state, s->getStmt());
      }
  }
}

LockKey EscapeAnalysis::keyOf(const VarDecl *var) const {
  return LockKey::local(var->getNameAsString(), ctx_.getSourceManager().getSpellingLineNumber(var->getLocation()));
}

std::optional<LockKey> EscapeAnalysis::createdBy(const Stmt *call, bool &library) {
  if (!found_) findFresh();
  auto it = creations_.find(call);
  if (it == creations_.end() || !fresh_.count(keyOf(it->second.first).rest)) return std::nullopt;
  library = it->second.second;
  return keyOf(it->second.first);
}

std::vector<int> EscapeAnalysis::escapes() const { return std::vector<int>(escapes_.begin(), escapes_.end()); }

std::vector<EscapeAnalysis::Unshared> EscapeAnalysis::unsharedAt(const Stmt *stmt, const std::vector<HeldLock> &held) {
  std::vector<Unshared> out;
  if (std::none_of(held.begin(), held.end(), [](const HeldLock &h) { return h.lock.key.base == LockKey::Base::Local; }))
    return out;
  if (!solved_) solve();
  auto at = before_.find(stmt);
  if (at == before_.end()) return out;
  for (const HeldLock &h : held) {
    if (h.lock.key.base != LockKey::Base::Local) continue;
    std::string root = rootOf(h.lock.key);
    auto it = fresh_.find(root);
    if (it == fresh_.end() || !owns(it->second, h.lock.key)) continue;
    LockKey object = keyOf(it->second);
    if (std::any_of(out.begin(), out.end(), [&](const Unshared &u) { return u.object == object; })) continue;
    State::Entry e;
    if (auto v = at->second->vars.find(it->second); v != at->second->vars.end()) e = v->second;
    if (e.published) continue;
    out.push_back(Unshared{object, std::vector<const Stmt *>(e.handovers.begin(), e.handovers.end())});
  }
  return out;
}

} // namespace lockcheck
