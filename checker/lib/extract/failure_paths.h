// Which of a function's calls run only when something failed, or only on the way to ending
// the process (docs/spec.md §3 "Paths that end the process are not reported", "The named
// target is the normal one"). Two judgements, both conservative (when in doubt, Normal):
//
// Dying: every path from the call ends in a call that does not return (abort, exit,
// std::terminate, a [[noreturn]] function, a temporary or local whose destructor is
// [[noreturn]]: glog's LogMessageFatal behind LOG(FATAL) and CHECK). Clang's CFG ends such
// blocks with the exit as their only successor and marks them (CFGBlock::hasNoReturnElement);
// a block is dying when it is such a block or all its successors are dying, and a call in a
// try also needs its handlers dying. Loops that never leave are not dying (least fixpoint).
//
// Error: the call is in a `catch` block, or in a branch of an `if` that runs only on failure:
//   - the branch is taken when a success test is false or a failure test true (the packs'
//     success_tests / failure_tests: `!s.ok()`, `else` of `if (s.ok())`, `if (in.fail())`),
//     or when a signed integer is negative (`rc < 0`, `fd == -1`); `!`, `&&` and `||`
//     combine as logic says (the else of `ok() && x` is not a failure);
//   - or the branch's last statement reports failure: `throw`, `return false`, a negative
//     constant, a result the packs list as failure_results (`return Status::IOError(...)`),
//     or the integer the condition found non-zero or negative (`if (rc != 0) { ...; return rc; }`).
#pragma once

#include "config/rule_pack.h"
#include "facts/facts.h"

#include <unordered_set>
#include <vector>

namespace clang {
class ASTContext;
class CFG;
class CFGBlock;
class FunctionDecl;
class Stmt;
} // namespace clang

namespace lockcheck {

class ExceptionPaths;

class FailurePaths {
public:
  FailurePaths(const clang::FunctionDecl *fn, const clang::CFG &cfg, const ExceptionPaths &eh, const RulePacks &packs,
               clang::ASTContext &ctx);

  // `stmt` (null for an implicit destructor) runs in `block`.
  CallPath pathOf(const clang::CFGBlock &block, const clang::Stmt *stmt) const;

private:
  void findDying(const clang::CFG &cfg, const ExceptionPaths &eh);
  void findErrorBranches(const clang::FunctionDecl *fn);

  const RulePacks &packs_;
  clang::ASTContext &ctx_;
  std::vector<char> dying_;                           // by block id
  std::unordered_set<const clang::Stmt *> onError_; // every statement of an error branch
};

} // namespace lockcheck
