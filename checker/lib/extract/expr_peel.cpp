#include "extract/expr_peel.h"

#include <clang/AST/ExprCXX.h>

namespace lockcheck {
using namespace clang;

const Expr *peelWrappers(const Expr *e) {
  while (e) {
    e = e->IgnoreParenImpCasts();
    if (const auto *x = dyn_cast<ExprWithCleanups>(e)) e = x->getSubExpr();
    else if (const auto *x = dyn_cast<MaterializeTemporaryExpr>(e)) e = x->getSubExpr();
    else if (const auto *x = dyn_cast<CXXBindTemporaryExpr>(e)) e = x->getSubExpr();
    else if (const auto *x = dyn_cast<ConstantExpr>(e)) e = x->getSubExpr();
    else if (const auto *x = dyn_cast<CXXFunctionalCastExpr>(e)) e = x->getSubExpr();
    else break;
  }
  return e;
}

} // namespace lockcheck
