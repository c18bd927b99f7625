#include "extract/call_site.h"

#include <clang/AST/DeclCXX.h>
#include <clang/AST/Expr.h>
#include <clang/AST/ExprCXX.h>

namespace lockcheck {
using namespace clang;

bool asCallSite(const Stmt *stmt, CallSite &out) {
  out = CallSite{};
  out.expr = stmt;
  if (const auto *construct = dyn_cast<CXXConstructExpr>(stmt)) {
    out.callee = construct->getConstructor();
    out.isConstruct = true;
    for (const Expr *arg : construct->arguments()) out.args.push_back(arg);
    return out.callee != nullptr;
  }
  const auto *call = dyn_cast<CallExpr>(stmt);
  if (!call) return false;
  out.callee = call->getDirectCallee();
  if (const auto *member = dyn_cast<CXXMemberCallExpr>(call)) {
    out.object = member->getImplicitObjectArgument();
    if (out.object && isa<CXXThisExpr>(out.object->IgnoreParenImpCasts()) &&
        cast<CXXThisExpr>(out.object->IgnoreParenImpCasts())->isImplicit())
      out.implicitThis = true;
    for (const Expr *arg : member->arguments()) out.args.push_back(arg);
    return true;
  }
  if (const auto *op = dyn_cast<CXXOperatorCallExpr>(call);
      op && op->getNumArgs() > 0 && out.callee && isa<CXXMethodDecl>(out.callee) &&
      !cast<CXXMethodDecl>(out.callee)->isStatic()) {
    out.object = op->getArg(0);
    for (unsigned i = 1; i < op->getNumArgs(); ++i) out.args.push_back(op->getArg(i));
    return true;
  }
  for (const Expr *arg : call->arguments()) out.args.push_back(arg);
  return true;
}

} // namespace lockcheck
