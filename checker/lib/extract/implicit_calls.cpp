#include "extract/implicit_calls.h"

#include <clang/AST/DeclCXX.h>
#include <clang/AST/ExprCXX.h>
#include <clang/Basic/SourceManager.h>

#include <algorithm>
#include <functional>

namespace lockcheck {
using namespace clang;

namespace {

// Deep enough for libstdc++'s emplace_back -> _M_realloc_insert -> allocator_traits::construct
// -> construct_at -> the user's constructor; a bound on template-heavy headers.
constexpr int kMaxDepth = 10;

const FunctionDecl *targetOf(const Stmt *s) {
  if (const auto *c = dyn_cast<CXXConstructExpr>(s)) return c->getConstructor();
  if (const auto *c = dyn_cast<CallExpr>(s)) return c->getDirectCallee();
  if (const auto *d = dyn_cast<CXXDeleteExpr>(s))
    if (const auto *rec = d->getDestroyedType()->getAsCXXRecordDecl(); rec && rec->hasDefinition())
      return rec->getDestructor();
  return nullptr;
}

bool isLambdaMember(const FunctionDecl *fn) {
  const auto *method = dyn_cast<CXXMethodDecl>(fn);
  return method && method->getParent()->isLambda();
}

} // namespace

const std::vector<const FunctionDecl *> &ImplicitCalls::runBy(const FunctionDecl *systemFn) {
  return reached(systemFn, 0);
}

const std::vector<const FunctionDecl *> &ImplicitCalls::reached(const FunctionDecl *fn, int depth) {
  static const std::vector<const FunctionDecl *> none;
  fn = fn->getCanonicalDecl();
  auto found = memo_.find(fn);
  if (found != memo_.end()) return found->second; // done, or in progress on a recursive path
  if (depth > kMaxDepth) return none;
  memo_[fn]; // in progress: a recursive path back here adds nothing
  std::vector<const FunctionDecl *> out;
  auto add = [&out](const FunctionDecl *user) {
    if (std::find(out.begin(), out.end(), user) == out.end()) out.push_back(user);
  };
  const FunctionDecl *def = fn->getDefinition();
  std::function<void(const Stmt *)> walk = [&](const Stmt *s) {
    if (!s || isa<LambdaExpr>(s)) return; // a lambda's body runs when it is called, not here
    if (const FunctionDecl *target = targetOf(s)) {
      if (!sm_.isInSystemHeader(target->getLocation())) {
        // Lambdas reach the flow as callables (docs/design.md); trivial members do nothing.
        if (!isLambdaMember(target) && !target->isTrivial()) add(target);
      } else {
        for (const FunctionDecl *user : reached(target, depth + 1)) add(user);
      }
    }
    for (const Stmt *child : s->children()) walk(child);
  };
  if (const auto *ctor = dyn_cast_or_null<CXXConstructorDecl>(def)) // shared_ptr builds its control block here
    for (const CXXCtorInitializer *init : ctor->inits()) walk(init->getInit());
  if (def && def->hasBody()) walk(def->getBody());
  return memo_[fn] = std::move(out);
}

} // namespace lockcheck
