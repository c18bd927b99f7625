#include "extract/failure_paths.h"

#include "extract/decl_names.h"
#include "extract/exception_paths.h"
#include "extract/expr_peel.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/Attr.h>
#include <clang/AST/ExprCXX.h>
#include <clang/AST/RecursiveASTVisitor.h>
#include <clang/AST/StmtCXX.h>
#include <clang/Analysis/CFG.h>

#include <algorithm>

namespace lockcheck {
using namespace clang;

namespace {

// The called function's normalised name, for a call, an operator call or a conversion.
std::string calleeName(const Expr *e) {
  if (const auto *call = dyn_cast<CallExpr>(e))
    if (const FunctionDecl *f = call->getDirectCallee()) return normalizedName(f);
  return {};
}

// A signed integer compared with a constant: which way says "negative" (failure).
// Returns +1 when the comparison is true exactly on failure (`x < 0`, `x == -1`), -1 when it
// is false exactly on failure (`x >= 0`, `x != -1`), 0 when it says nothing.
int negativeTest(const BinaryOperator *b, ASTContext &ctx, const Expr **tested) {
  const Expr *lhs = peelWrappers(b->getLHS()), *rhs = peelWrappers(b->getRHS());
  BinaryOperatorKind op = b->getOpcode();
  Expr::EvalResult value;
  if (lhs->EvaluateAsInt(value, ctx) && !rhs->EvaluateAsInt(value, ctx)) {
    std::swap(lhs, rhs);
    op = BinaryOperator::reverseComparisonOp(op);
    rhs->EvaluateAsInt(value, ctx);
  } else if (!rhs->EvaluateAsInt(value, ctx)) {
    return 0;
  }
  if (!lhs->getType()->isSignedIntegerType()) return 0;
  *tested = lhs;
  long long v = value.Val.getInt().getExtValue();
  if ((op == BO_LT && v == 0) || (op == BO_LE && v == -1) || (op == BO_EQ && v == -1)) return 1;
  if ((op == BO_GE && v == 0) || (op == BO_GT && v == -1) || (op == BO_NE && v == -1)) return -1;
  return 0;
}

class ErrorBranches : public RecursiveASTVisitor<ErrorBranches> {
public:
  ErrorBranches(const RulePacks &packs, ASTContext &ctx, std::unordered_set<const Stmt *> &out)
      : packs_(packs), ctx_(ctx), out_(out) {}

  bool TraverseLambdaExpr(LambdaExpr *) { return true; } // its own function

  bool VisitCXXCatchStmt(CXXCatchStmt *handler) {
    mark(handler->getHandlerBlock());
    return true;
  }

  bool VisitIfStmt(IfStmt *s) {
    const Expr *cond = s->getCond();
    if (!cond) return true;
    if (const Stmt *then = s->getThen(); failureOn(cond, true, 0) || endsInFailure(then, cond, true)) mark(then);
    if (const Stmt *other = s->getElse(); other && (failureOn(cond, false, 0) || endsInFailure(other, cond, false)))
      mark(other);
    return true;
  }

private:
  // Taking the `branch` edge of `cond` means something failed.
  bool failureOn(const Expr *cond, bool branch, int depth) const {
    if (!cond || depth > 8) return false;
    cond = peelWrappers(cond);
    if (const auto *u = dyn_cast<UnaryOperator>(cond); u && u->getOpcode() == UO_LNot)
      return failureOn(u->getSubExpr(), !branch, depth + 1);
    if (const auto *b = dyn_cast<BinaryOperator>(cond)) {
      if (b->getOpcode() == BO_LAnd)
        return branch && (failureOn(b->getLHS(), true, depth + 1) || failureOn(b->getRHS(), true, depth + 1));
      if (b->getOpcode() == BO_LOr)
        return !branch && (failureOn(b->getLHS(), false, depth + 1) || failureOn(b->getRHS(), false, depth + 1));
      const Expr *tested = nullptr;
      if (b->isComparisonOp())
        if (int sign = negativeTest(b, ctx_, &tested)) return sign > 0 ? branch : !branch;
      return false;
    }
    if (const auto *ref = dyn_cast<DeclRefExpr>(cond)) // `bool ok = s.ok(); if (!ok)`
      if (const auto *var = dyn_cast<VarDecl>(ref->getDecl()); var && var->isLocalVarDecl() && var->getInit() &&
                                                                var->getType()->isBooleanType())
        return failureOn(var->getInit(), branch, depth + 1);
    std::string name = calleeName(cond);
    if (name.empty()) return false;
    if (packs_.successTest(name)) return !branch;
    if (packs_.failureTest(name)) return branch;
    return false;
  }

  // The branch's last statement reports failure to the caller.
  bool endsInFailure(const Stmt *branch, const Expr *cond, bool taken) const {
    const Stmt *last = branch;
    while (const auto *block = dyn_cast_or_null<CompoundStmt>(last)) last = block->body_empty() ? nullptr : block->body_back();
    if (!last) return false;
    if (const auto *e = dyn_cast<Expr>(last); e && isa<CXXThrowExpr>(peelWrappers(e))) return true;
    const auto *ret = dyn_cast<ReturnStmt>(last);
    if (!ret || !ret->getRetValue()) return false;
    const Expr *value = peelWrappers(ret->getRetValue());
    if (const auto *c = dyn_cast<CXXConstructExpr>(value); c && c->getNumArgs() == 1 && c->getConstructor()->isCopyOrMoveConstructor())
      value = peelWrappers(c->getArg(0));
    if (const auto *b = dyn_cast<CXXBoolLiteralExpr>(value)) return !b->getValue();
    Expr::EvalResult constant;
    if (value->getType()->isSignedIntegerType() && value->EvaluateAsInt(constant, ctx_))
      return constant.Val.getInt().getExtValue() < 0;
    std::string name = calleeName(value);
    if (const auto *c = dyn_cast<CXXConstructExpr>(value)) name = normalizedName(c->getConstructor());
    if (!name.empty() && packs_.failureResult(name)) return true;
    if (const auto *ref = dyn_cast<DeclRefExpr>(value)) return nonzeroOn(cond, ref->getDecl(), taken, 0);
    return false;
  }

  // The branch is taken when integer `var` is non-zero or negative (`rc != 0`, `if (rc)`).
  bool nonzeroOn(const Expr *cond, const ValueDecl *var, bool branch, int depth) const {
    if (!cond || depth > 8 || !var->getType()->isIntegerType()) return false;
    cond = peelWrappers(cond);
    auto names = [&](const Expr *e) {
      const auto *ref = dyn_cast<DeclRefExpr>(peelWrappers(e));
      return ref && ref->getDecl() == var;
    };
    if (names(cond)) return branch;
    if (const auto *u = dyn_cast<UnaryOperator>(cond); u && u->getOpcode() == UO_LNot)
      return nonzeroOn(u->getSubExpr(), var, !branch, depth + 1);
    const auto *b = dyn_cast<BinaryOperator>(cond);
    if (!b) return false;
    if (b->getOpcode() == BO_LAnd && branch)
      return nonzeroOn(b->getLHS(), var, true, depth + 1) || nonzeroOn(b->getRHS(), var, true, depth + 1);
    if (b->getOpcode() == BO_LOr && !branch)
      return nonzeroOn(b->getLHS(), var, false, depth + 1) || nonzeroOn(b->getRHS(), var, false, depth + 1);
    if (!b->isEqualityOp()) {
      const Expr *tested = nullptr;
      int sign = b->isComparisonOp() ? negativeTest(b, ctx_, &tested) : 0;
      return sign != 0 && names(tested) && (sign > 0 ? branch : !branch);
    }
    const Expr *other = names(b->getLHS()) ? b->getRHS() : names(b->getRHS()) ? b->getLHS() : nullptr;
    Expr::EvalResult zero;
    if (!other || !peelWrappers(other)->EvaluateAsInt(zero, ctx_) || zero.Val.getInt() != 0) return false;
    return (b->getOpcode() == BO_NE) == branch;
  }

  void mark(const Stmt *s) {
    if (!s || !out_.insert(s).second) return;
    for (const Stmt *child : s->children()) mark(child);
  }

  const RulePacks &packs_;
  ASTContext &ctx_;
  std::unordered_set<const Stmt *> &out_;
};

} // namespace

FailurePaths::FailurePaths(const FunctionDecl *fn, const CFG &cfg, const ExceptionPaths &eh, const RulePacks &packs,
                           ASTContext &ctx)
    : packs_(packs), ctx_(ctx) {
  findDying(cfg, eh);
  findErrorBranches(fn);
}

void FailurePaths::findDying(const CFG &cfg, const ExceptionPaths &eh) {
  dying_.assign(cfg.getNumBlockIDs(), 0);
  // `analyzer_noreturn` (libzmq's zmq_abort() behind zmq_assert) ends the process as
  // [[noreturn]] does; Clang's CFG does not end the block there (the lock dataflow agrees).
  auto abortsHere = [](const CFGBlock &block) {
    return std::any_of(block.begin(), block.end(), [](const CFGElement &el) {
      auto s = el.getAs<CFGStmt>();
      const auto *call = s ? dyn_cast<CallExpr>(s->getStmt()) : nullptr;
      const FunctionDecl *callee = call ? call->getDirectCallee() : nullptr;
      return callee && callee->hasAttr<AnalyzerNoReturnAttr>();
    });
  };
  for (const CFGBlock *block : cfg)
    if (block->hasNoReturnElement() || abortsHere(*block)) dying_[block->getBlockID()] = 1;
  // Least fixpoint: a block dies when every way on dies, its throwing calls' handlers included.
  for (bool changed = true; changed;) {
    changed = false;
    for (const CFGBlock *block : cfg) {
      if (dying_[block->getBlockID()]) continue;
      bool any = false, all = true;
      for (const auto &succ : block->succs())
        if (const CFGBlock *next = succ.getReachableBlock()) {
          any = true;
          all = all && dying_[next->getBlockID()];
        }
      for (const CFGElement &el : *block)
        if (auto s = el.getAs<CFGStmt>())
          if (const CFGBlock *handlers = eh.throwTarget(s->getStmt())) all = all && dying_[handlers->getBlockID()];
      if (any && all) {
        dying_[block->getBlockID()] = 1;
        changed = true;
      }
    }
  }
}

void FailurePaths::findErrorBranches(const FunctionDecl *fn) {
  if (Stmt *body = fn->getBody()) ErrorBranches(packs_, ctx_, onError_).TraverseStmt(body);
}

CallPath FailurePaths::pathOf(const CFGBlock &block, const Stmt *stmt) const {
  if (dying_[block.getBlockID()]) return CallPath::Dying;
  if (stmt && onError_.count(stmt)) return CallPath::Error;
  return CallPath::Normal;
}

} // namespace lockcheck
