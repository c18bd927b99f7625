// The lock-set dataflow over one function's CFG: a worklist to a fixpoint with a join per
// block (LockSet::merge), try-lock results and condition variables refined on branch edges,
// throwing calls in a try flowing into its handlers (ExceptionPaths), then one reporting
// pass and the exits (locks still held where the function returns).
#include "extract/function_walk.h"

#include "extract/branch_conditions.h"
#include "extract/decl_names.h"
#include "extract/exception_paths.h"
#include "extract/expr_peel.h"

#include <clang/AST/ExprCXX.h>
#include <clang/AST/StmtCXX.h>

#include <deque>

namespace lockcheck {
using namespace clang;

void FunctionWalk::onCall(LockSet &state, const CallSite &call) {
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

void FunctionWalk::refine(LockSet &state, const Expr *cond, bool branchTrue, int depth) {
  if (!cond || depth > 6) return;
  cond = peelWrappers(cond);
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
  std::set<std::pair<LockKey, SourcePoint>> reported;
  for (const auto &pred : exit.preds()) {
    const CFGBlock *block = pred.getReachableBlock();
    if (!block || !entry_[block->getBlockID()].reachable) continue;
    // abort(), a failed assert(), a [[noreturn]] helper: the function does not return
    // there. (A throw does, to the caller, and is reported.)
    if (block->hasNoReturnElement()) continue;
    // An exception no handler of a try matches leaves like one thrown outside any try: a
    // call's exception is not a return (explicit throws are, as above).
    if (ExceptionPaths::isDispatch(*block)) continue;
    LockSet state = entry_[block->getBlockID()];
    bool saved = emit_;
    emit_ = false;
    for (const CFGElement &el : *block) transfer(state, el);
    emit_ = saved;
    unsigned index = 0;
    for (const auto &succ : block->succs()) {
      if (succ.getReachableBlock() == &exit) state = edgeState(*block, index, state);
      ++index;
    }
    for (const auto &f : state.facts) {
      // Held on some path: definite, or maybe and not paired by a branch condition (a lock
      // taken and released under the same `if (c)` is dropped on the path that skips both).
      if (f.guard || f.adopted) continue;
      if (!reported.insert({f.lock.key, f.acquired}).second) continue;
      SourceLocation endLoc = block->getTerminatorStmt() ? block->getTerminatorStmt()->getBeginLoc() : fn_->getEndLoc();
      for (auto it = block->rbegin(); it != block->rend(); ++it)
        if (auto s = it->getAs<CFGStmt>(); s && isa<ReturnStmt>(s->getStmt())) {
          endLoc = s->getStmt()->getBeginLoc();
          break;
        }
      handler_.heldAtReturn(site(endLoc), HeldLock{f.lock, f.acquired});
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
  judge_ = std::make_unique<CallJudgements>(packs_, ctx_, rec_, fn_, *cfg_, *eh_, streamFlows_);

  lockImplementation_ = rec_.isLockImplementation(fn_);
  collectManualUnlocks();
  entry_.assign(cfg_->getNumBlockIDs(), LockSet{});
  LockSet start;
  start.reachable = true;
  for (const auto &l : rec_.requiredLocks(fn_)) {
    start.facts.push_back(
        LockFact{.lock = l, .acquired = at(fn_->getLocation()), .guard = nullptr, .maybe = false, .adopted = true, .onlyIf = {}});
    entryKeys_.insert(l.key);
    out_.entryLocks.push_back(l.key);
  }
  const CFGBlock &entryBlock = cfg_->getEntry();
  entry_[entryBlock.getBlockID()] = start;

  std::deque<const CFGBlock *> work{&entryBlock};
  std::vector<bool> queued(cfg_->getNumBlockIDs(), false);
  queued[entryBlock.getBlockID()] = true;
  auto flowInto = [&](const CFGBlock &next, LockSet incoming) {
    if (ExceptionPaths::isDispatch(next)) eh_->unwind(incoming, next);
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
      if (auto s = el.getAs<CFGStmt>())
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

  emit_ = true;
  for (const CFGBlock *block : *cfg_) {
    if (!entry_[block->getBlockID()].reachable) continue;
    LockSet state = entry_[block->getBlockID()];
    judge_->enterBlock(*block);
    for (const CFGElement &el : *block) transfer(state, el);
  }
  checkExits();
  judge_->finish(out_);
  return true;
}

bool FunctionAnalyzer::analyze(const FunctionDecl *fn, FunctionFacts &out) {
  FunctionWalk walk(packs_, ctx_, recognizer_, implicit_, noteDecl_, handler_, fn, out);
  walk.setStreamFlows(streamFlows_);
  return walk.run();
}

} // namespace lockcheck
