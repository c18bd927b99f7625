// User code that a call into the standard library (or any system header) runs now:
// `v.emplace_back(args)`, `std::make_unique<T>`, `std::make_shared<T>`,
// `std::optional<T>::emplace` construct the user's T; `v.clear()` or a
// `std::unique_ptr<T>`'s destructor destroy it; `std::sort` calls the user's comparator.
// Found by following direct calls, constructions and deletes through the instantiated
// bodies of system functions until they reach a user function (docs/spec.md §1,
// "Implicit calls count like written ones"). Calls through pointers and virtual dispatch
// inside the library (std::thread's run, std::function's invoker) are not followed:
// that work does not run now, or not here.
#pragma once

#include <map>
#include <vector>

namespace clang {
class FunctionDecl;
class SourceManager;
} // namespace clang

namespace lockcheck {

class ImplicitCalls {
public:
  explicit ImplicitCalls(const clang::SourceManager &sm) : sm_(sm) {}

  // The non-trivial user functions a system function runs directly, in body order.
  const std::vector<const clang::FunctionDecl *> &runBy(const clang::FunctionDecl *systemFn);

private:
  const std::vector<const clang::FunctionDecl *> &reached(const clang::FunctionDecl *fn, int depth);

  const clang::SourceManager &sm_;
  std::map<const clang::FunctionDecl *, std::vector<const clang::FunctionDecl *>> memo_; // per system function
};

} // namespace lockcheck
