// What the link phase needs to judge whether a maintainer would act on a call (docs/spec.md
// §3 "What is reported is what a maintainer would act on"), gathered for one function while
// the flow engine records its calls: the call's path (normal, error branch, dying:
// failure_paths.h), the streams and descriptors it is given (stream_identity.h), the held
// locks' objects that are not yet shared there (escape_analysis.h), and what the function
// publishes of its `this` and parameters.
#pragma once

#include "config/rule_pack.h"
#include "extract/call_site.h"
#include "extract/escape_analysis.h"
#include "extract/failure_paths.h"
#include "facts/facts.h"

#include <map>
#include <set>
#include <string>
#include <utility>
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
class LockRecognizer;

class CallJudgements {
public:
  CallJudgements(const RulePacks &packs, clang::ASTContext &ctx, const LockRecognizer &rec, const clang::FunctionDecl *fn,
                 const clang::CFG &cfg, const ExceptionPaths &eh);

  // The block the flow engine is recording calls from.
  void enterBlock(const clang::CFGBlock &block) { block_ = &block; }
  // Fills `ev` (going to index `index` of the function's calls) for the call `call`.
  void annotate(CallEvent &ev, const CallSite &call, size_t index);
  // Only the path, for calls with no statement of their own (`stmt` null: a destructor).
  void annotatePath(CallEvent &ev, const clang::Stmt *stmt) const;
  // The function's escapes, and the handovers of its unshared objects as call indices.
  void finish(FunctionFacts &out);

private:
  std::string knownStream(const clang::Expr *arg) const;
  std::vector<size_t> constructorCalls(const LockKey &object, FunctionFacts &out) const;

  const RulePacks &packs_;
  clang::ASTContext &ctx_;
  const clang::FunctionDecl *fn_;
  FailurePaths paths_;
  EscapeAnalysis escapes_;
  const clang::CFGBlock *block_ = nullptr;
  std::map<const clang::Stmt *, size_t> callIndex_; // first call recorded for a statement
  struct Pending {
    size_t call;
    EscapeAnalysis::Unshared unshared;
  };
  std::vector<Pending> pending_;
  struct Creation {
    size_t call;  // the constructor's call, or the library call that runs it
    bool library; // std::make_unique and friends: the constructor is among the implicit calls after it
  };
  std::map<LockKey, Creation> creations_;
  std::set<const clang::Stmt *> onThis_; // a constructor's base and delegating initialisers
};

} // namespace lockcheck
