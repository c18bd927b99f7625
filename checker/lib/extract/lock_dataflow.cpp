// The lock-set dataflow over one function's CFG: a worklist to a fixpoint with a join per
// block (LockSet::merge), try-lock results and condition variables refined on branch edges,
// throwing calls in a try flowing into its handlers (ExceptionPaths), then one reporting
// pass and the exits (locks still held where the function returns).
#include "extract/function_walk.h"

#include "extract/branch_conditions.h"
#include "extract/decl_names.h"
#include "extract/exception_paths.h"
#include "extract/expr_peel.h"

#include <clang/AST/Attr.h>
#include <clang/AST/ExprCXX.h>
#include <clang/AST/StmtCXX.h>
#include <clang/Basic/Builtins.h>

#include <deque>

namespace lockcheck {
using namespace clang;

void FunctionWalk::onCall(LockSet &state, const CallSite &call) {
  // `analyzer_noreturn` (libzmq's zmq_abort() in posix_assert) ends the path as [[noreturn]]
  // would, which Clang's CFG does not see: a failed lock that aborts is not a return.
  if (call.callee && call.callee->hasAttr<AnalyzerNoReturnAttr>()) {
    recordCall(state, call, nullptr);
    state = LockSet{};
    return;
  }
  if (const auto *op = dyn_cast<CXXOperatorCallExpr>(call.expr);
      op && op->getOperator() == OO_Equal && call.object && rec_.guardVariable(call.object)) {
    onGuardAssign(state, call);
    return;
  }
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
  handOverGuards(state, call);
}

void FunctionWalk::onStmt(LockSet &state, const Stmt *stmt) {
  updateConditionVariables(state, stmt, ctx_);
  if (const auto *decl = dyn_cast<DeclStmt>(stmt)) {
    onDeclStmt(state, decl);
    return;
  }
  if (isa<CoawaitExpr>(stmt) || isa<CoyieldExpr>(stmt)) {
    auto held = state.definite();
    if (!held.empty() && emit_)
      handler_.suspendedWhileHeld(site(stmt->getBeginLoc()), isa<CoawaitExpr>(stmt) ? "co_await" : "co_yield",
                                  held.back());
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

void FunctionWalk::transfer(LockSet &state, const CFGElement &element) {
  if (auto s = element.getAs<CFGStmt>()) {
    onStmt(state, s->getStmt());
  } else if (auto d = element.getAs<CFGAutomaticObjDtor>()) {
    onDtor(state, d->getVarDecl(), *d);
  } else if (auto t = element.getAs<CFGTemporaryDtor>()) {
    onTemporaryDtor(state, *t);
  }
}

// `if (pthread_mutex_lock(&m)) throw ...;`: on the edge where the result reports failure,
// the call took nothing (spec §1).
void FunctionWalk::dropFailed(LockSet &state, const CallSite &call, const LockOperation &op) {
  SourcePoint where = at(lockOpLocation(call));
  for (const auto &l : op.locks)
    std::erase_if(state.facts, [&](const LockFact &f) { return f.lock.key == l.key && !f.guard && f.acquired == where; });
}

void FunctionWalk::refine(LockSet &state, const Expr *cond, bool branchTrue, int depth) {
  if (!cond || depth > 6) return;
  cond = peelWrappers(cond);
  if (const auto *expect = dyn_cast<CallExpr>(cond); expect && expect->getBuiltinCallee() == Builtin::BI__builtin_expect) {
    refine(state, expect->getArg(0), branchTrue, depth + 1); // `if (unlikely(rc))`
    return;
  }
  if (const auto *assign = dyn_cast<BinaryOperator>(cond); assign && assign->getOpcode() == BO_Assign) {
    refine(state, assign->getRHS(), branchTrue, depth + 1); // `if ((rc = trylock(&m)) != 0)`
    return;
  }
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
      const Expr *lhs = peelWrappers(b->getLHS()), *rhs = peelWrappers(b->getRHS());
      Expr::EvalResult value;
      const Expr *other = nullptr;
      if (rhs->EvaluateAsInt(value, ctx_)) other = lhs;
      else if (lhs->EvaluateAsInt(value, ctx_)) other = rhs;
      if (!other) return;
      other = storedResult(other);
      long v = value.Val.getInt().getExtValue();
      bool equal = (b->getOpcode() == BO_EQ) == branchTrue; // on this edge: other == v ?
      CallSite call;
      if (!asCallSite(other, call)) return;
      LockOperation op = rec_.classify(call, fn_);
      long success = op.success == TrySuccess::Zero ? 0 : op.success == TrySuccess::MinusOne ? -1 : 1;
      if (op.kind == LockOperation::Acquire && op.reportsFailure) {
        if (equal ? v != success : v == success) dropFailed(state, call, op);
        return;
      }
      if (op.kind != LockOperation::TryAcquire) return;
      if (op.success == TrySuccess::True) applyTry(state, call, op, equal ? v != 0 : v == 0);
      else applyTry(state, call, op, equal && v == success);
      return;
    }
    return;
  }
  if (const auto *ref = dyn_cast<DeclRefExpr>(cond)) {
    if (const auto *var = dyn_cast<VarDecl>(ref->getDecl())) {
      if (const VarDecl *tracked = conditionVariable(ref)) state.assume(tracked, branchTrue);
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
      for (auto &f : state.facts)
        if (f.guard == op.guard) f.maybe = false;
    } else {
      state.dropOwnedBy(op.guard);
    }
    return;
  }
  if (op.kind == LockOperation::TryAcquire || op.kind == LockOperation::GuardTryLock) {
    bool acquired = op.success == TrySuccess::True ? branchTrue : op.success == TrySuccess::Zero ? !branchTrue : false;
    applyTry(state, call, op, acquired);
  }
  if (op.kind == LockOperation::Acquire && op.reportsFailure && branchTrue == (op.success == TrySuccess::Zero))
    dropFailed(state, call, op);
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

// One pass over the calls before the dataflow: the keys released by a member .unlock()
// (manual-lock), and where each key is first taken and first let go of in source order
// (a key let go of first is the caller's: findEntryKeys).
void FunctionWalk::collectManualUnlocks() {
  auto note = [&](std::map<LockKey, SourceLocation> &first, const std::vector<LockRef> &locks, SourceLocation loc) {
    for (const auto &l : locks) {
      if (&first == &firstRelease_) releasedLocks_.emplace(l.key, l);
      auto [it, added] = first.emplace(l.key, loc);
      if (!added && sm_.isBeforeInTranslationUnit(loc, it->second)) it->second = loc;
    }
  };
  for (const CFGBlock *block : *cfg_)
    for (const CFGElement &el : *block)
      if (auto s = el.getAs<CFGStmt>()) {
        if (const auto *decl = dyn_cast<DeclStmt>(s->getStmt())) {
          for (const Decl *d : decl->decls()) {
            const auto *var = dyn_cast<VarDecl>(d);
            const auto *construct = var && var->getInit() ? dyn_cast<CXXConstructExpr>(peelWrappers(var->getInit())) : nullptr;
            GuardConstruction g;
            if (!construct || !rec_.isGuardType(var->getType()) || !rec_.guardConstruction(construct, fn_, g)) continue;
            if (g.mode == GuardConstruction::Lock || g.mode == GuardConstruction::Try) note(firstAcquire_, g.locks, var->getLocation());
            if (g.mode == GuardConstruction::Unlock) note(firstRelease_, g.locks, var->getLocation());
            if (g.inverse) note(firstAcquire_, g.locks, fn_->getEndLoc()); // taken back where it dies
          }
          continue;
        }
        CallSite call;
        if (!asCallSite(s->getStmt(), call) || call.isConstruct) continue;
        LockOperation op = rec_.classify(call, fn_);
        SourceLocation loc = call.expr->getBeginLoc();
        if (op.kind == LockOperation::Release && op.memberCall)
          for (const auto &l : op.locks) manualUnlocked_.insert(l.key);
        if (op.kind == LockOperation::Release) note(firstRelease_, op.locks, loc);
        if (op.kind == LockOperation::Acquire || op.kind == LockOperation::TryAcquire) note(firstAcquire_, op.locks, loc);
        if (op.kind == LockOperation::Acquire) note(firstRelease_, op.releases, loc);
      }
}

// The lock set on each edge into the function's exit that is a return or an explicit throw
// (abort(), a failed assert(), a [[noreturn]] helper do not return; an exception no handler
// of a try matches leaves like one thrown outside any try, and a call's exception is not a
// return), with where it returns and what.
std::vector<FunctionWalk::ExitState> FunctionWalk::exitStates() {
  std::vector<ExitState> out;
  const CFGBlock &exit = cfg_->getExit();
  for (const auto &pred : exit.preds()) {
    const CFGBlock *block = pred.getReachableBlock();
    if (!block || !entry_[block->getBlockID()].reachable) continue;
    if (block->hasNoReturnElement() || ExceptionPaths::isDispatch(*block)) continue;
    ExitState e{.state = entry_[block->getBlockID()], .where = {}, .throws = false, .returned = nullptr};
    bool saved = emit_;
    emit_ = false;
    for (const CFGElement &el : *block) transfer(e.state, el);
    emit_ = saved;
    if (!e.state.reachable) continue; // an analyzer_noreturn call on the way (onCall)
    unsigned index = 0;
    for (const auto &succ : block->succs()) {
      if (succ.getReachableBlock() == &exit) e.state = edgeState(*block, index, e.state);
      ++index;
    }
    e.where = block->getTerminatorStmt() ? block->getTerminatorStmt()->getBeginLoc() : fn_->getEndLoc();
    for (auto it = block->rbegin(); it != block->rend(); ++it) {
      auto s = it->getAs<CFGStmt>();
      if (!s) continue;
      if (const auto *ret = dyn_cast<ReturnStmt>(s->getStmt())) {
        e.where = ret->getBeginLoc();
        e.returned = ret->getRetValue();
        break;
      }
      if (isa<CXXThrowExpr>(s->getStmt())) {
        e.throws = true;
        break;
      }
    }
    out.push_back(std::move(e));
  }
  return out;
}

void FunctionWalk::checkExits(const std::vector<ExitState> &exits) {
  if (lockImplementation_) return;
  std::set<std::pair<LockKey, SourcePoint>> reported;
  for (const ExitState &e : exits) {
    for (const auto &f : e.state.facts) {
      // Held on some path: definite, or maybe and not paired by a branch condition (a lock
      // taken and released under the same `if (c)` is dropped on the path that skips both).
      // A lock handed to the caller (a learned acquire wrapper) is the caller's to release.
      if (f.guard || f.adopted || handedOver_.count(f.lock.key)) continue;
      if (!reported.insert({f.lock.key, f.acquired}).second) continue;
      handler_.heldAtReturn(site(e.where), HeldLock{f.lock, f.acquired});
    }
  }
}

// Clang's CFG has no destructor for a variable declared in a range-for's init-statement
// (`for (std::shared_lock rd(mu_); const auto &kv : m)`): a guard there dies where the
// loop is left, i.e. on every edge into the block after the loop (the loop's exit edge and
// its `break`s lead there and nowhere else does, since the init-statement precedes it).
void FunctionWalk::findLoopInitScopes() {
  loopInitScopes_.clear();
  for (const CFGBlock *block : *cfg_) {
    const auto *loop = dyn_cast_or_null<CXXForRangeStmt>(block->getTerminatorStmt());
    const auto *init = loop ? dyn_cast_or_null<DeclStmt>(loop->getInit()) : nullptr;
    if (!init || block->succ_size() != 2) continue;
    const CFGBlock *after = (block->succ_begin() + 1)->getReachableBlock();
    if (!after) continue;
    for (const Decl *d : init->decls())
      if (const auto *var = dyn_cast<VarDecl>(d); var && rec_.isGuardType(var->getType()))
        loopInitScopes_[after].push_back(var);
  }
}

void FunctionWalk::leaveLoopInitScope(LockSet &state, const CFGBlock &next) {
  auto it = loopInitScopes_.find(&next);
  if (it == loopInitScopes_.end()) return;
  for (const VarDecl *var : it->second) {
    state.dropOwnedBy(var);
    state.unbind(var);
  }
}

// The worklist to a fixpoint, from start_, into entry_. Without exception edges for the
// summary of a function with a try (wrapper_summary.cpp): a lock() that throws took nothing.
void FunctionWalk::solve(bool exceptionEdges) {
  entry_.assign(cfg_->getNumBlockIDs(), LockSet{});
  const CFGBlock &entryBlock = cfg_->getEntry();
  entry_[entryBlock.getBlockID()] = start_;
  std::deque<const CFGBlock *> work{&entryBlock};
  std::vector<bool> queued(cfg_->getNumBlockIDs(), false);
  queued[entryBlock.getBlockID()] = true;
  auto flowInto = [&](const CFGBlock &next, LockSet incoming) {
    if (ExceptionPaths::isDispatch(next)) eh_->unwind(incoming, next);
    leaveLoopInitScope(incoming, next);
    LockSet merged = LockSet::merge(entry_[next.getBlockID()], incoming);
    if (merged == entry_[next.getBlockID()]) return;
    entry_[next.getBlockID()] = std::move(merged);
    if (!queued[next.getBlockID()]) {
      queued[next.getBlockID()] = true;
      work.push_back(&next);
    }
  };
  size_t budget = 64 * cfg_->getNumBlockIDs() + 64;
  while (!work.empty() && budget-- > 0) {
    const CFGBlock *block = work.front();
    work.pop_front();
    queued[block->getBlockID()] = false;
    LockSet state = entry_[block->getBlockID()];
    for (const CFGElement &el : *block) {
      if (auto s = el.getAs<CFGStmt>(); s && exceptionEdges)
        if (const CFGBlock *handlers = eh_->throwTarget(s->getStmt())) flowInto(*handlers, state);
      transfer(state, el);
    }
    unsigned index = 0;
    for (const auto &succ : block->succs()) {
      const CFGBlock *next = succ.getReachableBlock();
      unsigned i = index++;
      if (next) flowInto(*next, edgeState(*block, i, state));
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
  eh_ = std::make_unique<ExceptionPaths>(*cfg_, sm_);
  judge_ = std::make_unique<CallJudgements>(packs_, ctx_, rec_, fn_, *cfg_, *eh_);

  lockImplementation_ = rec_.isLockImplementation(fn_);
  collectManualUnlocks();
  LockSet start;
  start.reachable = true;
  std::vector<LockRef> required = rec_.requiredLocks(fn_);
  for (const auto &l : findEntryKeys())
    if (std::none_of(required.begin(), required.end(), [&](const LockRef &r) { return r.key == l.key; })) required.push_back(l);
  for (const auto &l : required) {
    start.facts.push_back(
        LockFact{.lock = l, .acquired = at(fn_->getLocation()), .guard = nullptr, .maybe = false, .adopted = true, .onlyIf = {}});
    entryKeys_.insert(l.key);
    out_.entryLocks.push_back(l.key);
  }
  start_ = std::move(start);
  findLoopInitScopes();
  solve(true);

  emit_ = true;
  for (const CFGBlock *block : *cfg_) {
    if (!entry_[block->getBlockID()].reachable) continue;
    currentBlock_ = block->getBlockID();
    LockSet state = entry_[block->getBlockID()];
    judge_->enterBlock(*block);
    for (const CFGElement &el : *block) {
      size_t calls = out_.calls.size(), acquires = out_.acquires.size();
      transfer(state, el);
      noteSteps(currentBlock_, calls, acquires);
    }
  }
  pendingEffects_ = hasPendingEffects();
  std::vector<ExitState> exits = exitStates();
  summarize(exits);
  checkExits(exits);
  judge_->finish(out_);
  finishProgram();
  return true;
}

bool FunctionAnalyzer::analyze(const FunctionDecl *fn, FunctionFacts &out) {
  FunctionWalk walk(packs_, ctx_, recognizer_, implicit_, noteDecl_, handler_, fn, out);
  return walk.run();
}

} // namespace lockcheck
