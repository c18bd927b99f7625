// The replay skeleton (facts/lock_effects.h, LockProgram): when a function calls a wrapper
// whose body is in another translation unit, what that call does to locks is only known at
// link. Extract then records the function's CFG reduced to what the link phase needs to
// run the lock-set dataflow again for those calls (link/lock_replay.h): per block, its
// recorded calls, acquisitions and releases in order, the branch on a pending call's
// result, the exits and what they return. Functions without such calls record nothing.
#include "extract/function_walk.h"

#include "extract/expr_peel.h"
#include "extract/learned_locks.h"

#include <clang/AST/DeclCXX.h>
#include <clang/AST/ExprCXX.h>
#include <clang/Basic/Builtins.h>

namespace lockcheck {
using namespace clang;

namespace {

LockKey localKey(const VarDecl *var, const SourceManager &sm) {
  return LockKey::local(var->getName(), sm.getSpellingLineNumber(var->getLocation()));
}

// The pending call an expression tests, and whether it is true exactly when that call's
// result is non-zero (`m.tryLock()`, `rc != 0`) or zero (`!m.tryLock()`, `rc == 0`).
const Stmt *testedCall(const Expr *e, bool &nonZero, ASTContext &ctx, int depth = 0) {
  if (!e || depth > 6) return nullptr;
  e = peelWrappers(e);
  if (const auto *u = dyn_cast<UnaryOperator>(e); u && u->getOpcode() == UO_LNot) {
    nonZero = !nonZero;
    return testedCall(u->getSubExpr(), nonZero, ctx, depth + 1);
  }
  if (const auto *b = dyn_cast<BinaryOperator>(e)) {
    if (b->getOpcode() == BO_Assign) return testedCall(b->getRHS(), nonZero, ctx, depth + 1);
    if (b->getOpcode() != BO_EQ && b->getOpcode() != BO_NE) return nullptr;
    Expr::EvalResult value;
    const Expr *other = nullptr;
    if (b->getRHS()->EvaluateAsInt(value, ctx)) other = b->getLHS();
    else if (b->getLHS()->EvaluateAsInt(value, ctx)) other = b->getRHS();
    if (!other || value.Val.getInt().getBoolValue()) return nullptr; // only `== 0` / `!= 0` say it
    if (b->getOpcode() == BO_EQ) nonZero = !nonZero;
    return testedCall(other, nonZero, ctx, depth + 1);
  }
  if (const auto *call = dyn_cast<CallExpr>(e); call && call->getBuiltinCallee() == Builtin::BI__builtin_expect)
    return testedCall(call->getArg(0), nonZero, ctx, depth + 1);
  if (const auto *ref = dyn_cast<DeclRefExpr>(e))
    if (const auto *var = dyn_cast<VarDecl>(ref->getDecl()); var && var->isLocalVarDecl() && var->getInit())
      return testedCall(var->getInit(), nonZero, ctx, depth + 1);
  if (isa<CallExpr>(e) || isa<CXXConstructExpr>(e)) return e;
  return nullptr;
}

} // namespace

bool FunctionWalk::pendingCall(const CallSite &call, const VarDecl *&var) {
  var = nullptr;
  LearnedLocks *learned = rec_.learned();
  if (!learned || !call.callee || lockImplementation_) return false;
  if (sm_.isInSystemHeader(call.callee->getLocation()) || isa<CXXDestructorDecl>(call.callee)) return false;
  // A method of a local whose construction is pending (`lock.unlock()` on a guard from elsewhere).
  if (call.object)
    if (const auto *ref = dyn_cast<DeclRefExpr>(peel(call.object)))
      if (const auto *v = dyn_cast<VarDecl>(ref->getDecl()); v && pendingVars_.count(v)) {
        var = v;
        return true;
      }
  if (learned->bodyHere(call.callee)) {
    const LearnedLocks::Summary *summary = learned->summaryOf(call.callee);
    if (!summary || !summary->pending) return false;
  }
  return learned->mayActOnLocks(call);
}

void FunctionWalk::recordPending(const CallSite &call, const VarDecl *var, PendingCall::Role role) {
  PendingCall p;
  p.call = static_cast<unsigned>(out_.calls.size() - 1);
  p.at = call.expr ? at(lockOpLocation(call)) : out_.calls.back().where;
  p.names = rec_.callNames(call, fn_);
  p.role = role;
  if (var) {
    p.var = localKey(var, sm_);
    p.names.self = LockRef{.key = p.var, .order = p.var, .display = var->getNameAsString()};
    p.names.selfIsCallersThis = false;
  }
  for (const Expr *arg : call.args) {
    if (const auto *def = dyn_cast<CXXDefaultArgExpr>(arg)) arg = def->getExpr();
    Expr::EvalResult value;
    if (arg && !arg->isValueDependent() && arg->EvaluateAsInt(value, ctx_))
      p.constArgs.push_back(value.Val.getInt().getExtValue());
    else
      p.constArgs.push_back(std::nullopt);
  }
  if (call.expr) pendingByExpr_[call.expr] = static_cast<unsigned>(program_.pending.size());
  pendingByCall_[p.call] = static_cast<unsigned>(program_.pending.size());
  program_.pending.push_back(std::move(p));
}

// A construction recorded as pending initialises `var`: its calls and destructor are the
// guard's (the DeclStmt follows the construction in the CFG).
void FunctionWalk::notePendingVar(const VarDecl *var) {
  if (!var->getInit() || program_.pending.empty()) return;
  auto it = pendingByExpr_.find(peelWrappers(var->getInit()));
  if (it == pendingByExpr_.end()) return;
  PendingCall &p = program_.pending[it->second];
  if (p.role != PendingCall::Role::Construct) return;
  p.var = localKey(var, sm_);
  p.at = at(var->getLocation()); // a guard's acquisition is anchored at its declaration
  p.names.self = LockRef{.key = p.var, .order = p.var, .display = var->getNameAsString()};
  pendingVars_.insert(var);
}

// A plain pending call may hand the caller a lock or take one back: this function's own
// effects are then known only at link, and so are those of its callers' calls to it. A
// local guard dies inside the function and hands nothing on.
bool FunctionWalk::hasPendingEffects() const {
  return std::any_of(program_.pending.begin(), program_.pending.end(),
                     [](const PendingCall &p) { return p.var.empty() && p.role == PendingCall::Role::Call; });
}

void FunctionWalk::noteSteps(unsigned block, size_t callsBefore, size_t acquiresBefore) {
  for (size_t i = callsBefore; i < out_.calls.size(); ++i) {
    auto p = pendingByCall_.find(static_cast<unsigned>(i));
    if (p != pendingByCall_.end()) steps_.push_back({block, ProgramStep{ProgramStep::Kind::Pending, p->second, {}}});
    else steps_.push_back({block, ProgramStep{ProgramStep::Kind::Call, static_cast<unsigned>(i), {}}});
  }
  for (size_t i = acquiresBefore; i < out_.acquires.size(); ++i)
    steps_.push_back({block, ProgramStep{ProgramStep::Kind::Acquire, static_cast<unsigned>(i), {}}});
}

void FunctionWalk::noteRelease(const LockKey &key) {
  if (emit_) steps_.push_back({currentBlock_, ProgramStep{ProgramStep::Kind::Release, 0, key}});
}

void FunctionWalk::finishProgram() {
  if (program_.pending.empty()) return;
  LockProgram &out = out_.program;
  out.pending = std::move(program_.pending);
  if (const auto *ctor = dyn_cast<CXXConstructorDecl>(fn_); ctor && rec_.learned())
    for (const CXXCtorInitializer *init : ctor->inits())
      if (const FieldDecl *field = init->getMember())
        if (LockKey from = rec_.learned()->initialisedFrom(ctor, field->getName()); !from.empty())
          out.fieldInits.emplace_back(field->getName().str(), from);
  // Reachable blocks, the entry first.
  std::map<unsigned, unsigned> index;
  std::vector<const CFGBlock *> blocks{&cfg_->getEntry()};
  index[cfg_->getEntry().getBlockID()] = 0;
  for (const CFGBlock *b : *cfg_)
    if (b != &cfg_->getEntry() && b != &cfg_->getExit() && entry_[b->getBlockID()].reachable) {
      index[b->getBlockID()] = static_cast<unsigned>(blocks.size());
      blocks.push_back(b);
    }
  out.blocks.resize(blocks.size());
  for (const auto &[block, step] : steps_)
    if (auto it = index.find(block); it != index.end()) out.blocks[it->second].steps.push_back(step);
  const CFGBlock &exit = cfg_->getExit();
  for (size_t i = 0; i < blocks.size(); ++i) {
    const CFGBlock *b = blocks[i];
    ProgramBlock &pb = out.blocks[i];
    bool exits = false;
    for (const auto &succ : b->succs()) {
      const CFGBlock *next = succ.getReachableBlock();
      exits |= next == &exit;
      auto it = next ? index.find(next->getBlockID()) : index.end();
      pb.succ.push_back(it == index.end() ? -1 : static_cast<int>(it->second));
    }
    if (b->succ_size() == 2)
      if (const auto *cond = dyn_cast_or_null<Expr>(const_cast<CFGBlock *>(b)->getTerminatorCondition(false))) {
        bool nonZero = true;
        if (const Stmt *tested = testedCall(cond, nonZero, ctx_))
          if (auto it = pendingByExpr_.find(tested); it != pendingByExpr_.end()) {
            pb.test = static_cast<int>(it->second);
            pb.nonZeroSucc = nonZero ? 0 : 1;
          }
      }
    if (!exits || b->hasNoReturnElement() || ExceptionPaths::isDispatch(*b)) continue;
    ProgramExit e;
    e.where = at(b->getTerminatorStmt() ? b->getTerminatorStmt()->getBeginLoc() : fn_->getEndLoc());
    for (auto it = b->rbegin(); it != b->rend(); ++it) {
      auto s = it->getAs<CFGStmt>();
      if (!s) continue;
      if (isa<CXXThrowExpr>(s->getStmt())) e.throws = true;
      if (const auto *ret = dyn_cast<ReturnStmt>(s->getStmt())) {
        e.where = at(ret->getBeginLoc());
        Expr::EvalResult value;
        bool nonZero = true;
        if (const Expr *v = ret->getRetValue(); v && !v->isValueDependent() && v->EvaluateAsInt(value, ctx_)) {
          e.returnsConstant = true;
          e.value = value.Val.getInt().getExtValue();
        } else if (const Stmt *tested = testedCall(ret->getRetValue(), nonZero, ctx_)) {
          if (auto p = pendingByExpr_.find(tested); p != pendingByExpr_.end()) {
            e.returnsPending = static_cast<int>(p->second);
            e.negated = !nonZero;
          }
        }
      }
      break;
    }
    pb.exit = static_cast<int>(out.exits.size());
    out.exits.push_back(std::move(e));
  }
}

} // namespace lockcheck
