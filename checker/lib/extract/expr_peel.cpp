#include "extract/expr_peel.h"

#include "extract/decl_names.h"

#include <clang/AST/DeclCXX.h>
#include <clang/AST/ExprCXX.h>

namespace lockcheck {
using namespace clang;

namespace {

// A handle that points at one object: it has operator-> (unique_ptr, shared_ptr,
// boost::scoped_ptr, intrusive pointers, reference wrappers with get()).
bool isPointerLike(const CXXRecordDecl *rec, int depth = 0) {
  if (!rec || !rec->hasDefinition() || depth > 4) return false;
  for (const auto *m : rec->methods())
    if (m->getOverloadedOperator() == OO_Arrow) return true;
  for (const auto &base : rec->bases()) // libstdc++'s shared_ptr has them in __shared_ptr_access
    if (isPointerLike(base.getType()->getAsCXXRecordDecl(), depth + 1)) return true;
  return false;
}

// `p.get()` on a pointer-like handle, `opt.value()` on an optional, `ref.get()` on
// std::reference_wrapper: the object the handle stands for.
const Expr *handleTarget(const CXXMemberCallExpr *call) {
  const CXXMethodDecl *method = call->getMethodDecl();
  const Expr *object = call->getImplicitObjectArgument();
  if (!method || !object || call->getNumArgs() != 0) return nullptr;
  std::string name = method->getNameAsString();
  std::string owner = normalizedName(method->getParent());
  const CXXRecordDecl *handle = object->getType()->getAsCXXRecordDecl();
  if (name == "get" && (isPointerLike(handle) || owner == "std::reference_wrapper")) return object;
  if (name == "value" && (owner == "std::optional" || owner == "boost::optional")) return object;
  return nullptr;
}

} // namespace

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

const Expr *peel(const Expr *e) {
  for (int depth = 0; e && depth < 16; ++depth) {
    e = peelWrappers(e);
    if (const auto *u = dyn_cast<UnaryOperator>(e); u && (u->getOpcode() == UO_AddrOf || u->getOpcode() == UO_Deref)) {
      e = u->getSubExpr();
      continue;
    }
    if (const auto *c = dyn_cast<ExplicitCastExpr>(e)) { // static_cast<std::mutex &>(m), (pthread_mutex_t *)p
      e = c->getSubExpr();
      continue;
    }
    if (const auto *op = dyn_cast<CXXOperatorCallExpr>(e);
        op && op->getNumArgs() == 1 && (op->getOperator() == OO_Star || op->getOperator() == OO_Arrow)) {
      e = op->getArg(0);
      continue;
    }
    if (const auto *m = dyn_cast<CXXMemberCallExpr>(e)) {
      if (const Expr *target = handleTarget(m)) {
        e = target;
        continue;
      }
      break;
    }
    if (const auto *call = dyn_cast<CallExpr>(e); call && call->getNumArgs() == 1 && call->getDirectCallee()) {
      std::string name = normalizedName(call->getDirectCallee());
      if (name == "std::ref" || name == "std::cref" || name == "std::addressof" || name == "std::move" ||
          name == "std::forward") {
        e = call->getArg(0);
        continue;
      }
    }
    break;
  }
  return e;
}

} // namespace lockcheck
