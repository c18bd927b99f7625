#include "extract/branch_conditions.h"

#include "extract/expr_peel.h"
#include "extract/lockset.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/Expr.h>
#include <clang/AST/Stmt.h>

namespace lockcheck {
using namespace clang;

const VarDecl *conditionVariable(const Expr *e) {
  if (!e) return nullptr;
  const auto *ref = dyn_cast<DeclRefExpr>(e->IgnoreParenImpCasts());
  const auto *var = ref ? dyn_cast<VarDecl>(ref->getDecl()) : nullptr;
  if (!var || !(var->hasLocalStorage() || isa<ParmVarDecl>(var))) return nullptr;
  QualType type = var->getType();
  if (type->isReferenceType() || type.isVolatileQualified()) return nullptr;
  return type->isIntegralOrEnumerationType() || type->isPointerType() ? var : nullptr;
}

const Expr *storedResult(const Expr *e) {
  const Expr *peeled = peelWrappers(e);
  if (const auto *assign = dyn_cast<BinaryOperator>(peeled); assign && assign->getOpcode() == BO_Assign)
    return peelWrappers(assign->getRHS());
  if (const auto *ref = dyn_cast<DeclRefExpr>(peeled))
    if (const auto *var = dyn_cast<VarDecl>(ref->getDecl()); var && var->isLocalVarDecl() && var->getInit())
      return peelWrappers(var->getInit());
  return e;
}

namespace {

// `var` now holds `value`: known if it is a constant, unknown otherwise.
void written(LockSet &state, const VarDecl *var, const Expr *value, const ASTContext &ctx) {
  state.forget(var);
  Expr::EvalResult result;
  if (value && !value->isValueDependent() && value->EvaluateAsInt(result, ctx))
    state.assume(var, result.Val.getInt().getBoolValue());
}

} // namespace

bool updateConditionVariables(LockSet &state, const Stmt *stmt, const ASTContext &ctx) {
  if (const auto *decl = dyn_cast<DeclStmt>(stmt)) {
    bool any = false;
    for (const Decl *d : decl->decls())
      if (const auto *var = dyn_cast<VarDecl>(d); var && var->hasLocalStorage()) {
        const Expr *init = var->getInit();
        QualType type = var->getType();
        if (!type->isReferenceType() && (type->isIntegralOrEnumerationType() || type->isPointerType())) {
          written(state, var, init, ctx);
          any = true;
        }
      }
    return any;
  }
  if (const auto *b = dyn_cast<BinaryOperator>(stmt); b && b->isAssignmentOp()) {
    const VarDecl *var = conditionVariable(b->getLHS());
    if (!var) return false;
    written(state, var, b->getOpcode() == BO_Assign ? b->getRHS() : nullptr, ctx);
    return true;
  }
  if (const auto *u = dyn_cast<UnaryOperator>(stmt);
      u && (u->isIncrementDecrementOp() || u->getOpcode() == UO_AddrOf)) {
    const VarDecl *var = conditionVariable(u->getSubExpr());
    if (!var) return false;
    state.forget(var);
    return true;
  }
  return false;
}

} // namespace lockcheck
