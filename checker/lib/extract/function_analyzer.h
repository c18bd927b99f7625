// Walks one function's CFG with a lock set per block (flow-sensitive, per path) and
// records what the link phase needs (calls, acquisitions, callable invocations, each
// with the locks held); lock misuse inside one function goes to a FlowHandler (the rules).
// Never prints, never builds a finding.
#pragma once

#include "extract/flow_handler.h"
#include "extract/implicit_calls.h"
#include "extract/learned_locks.h"
#include "facts/facts.h"
#include "extract/lock_ops.h"
#include "config/rule_pack.h"

#include <clang/AST/ASTContext.h>

#include <functional>
#include <map>
#include <string>

namespace clang {
class FunctionDecl;
} // namespace clang

namespace lockcheck {

class FunctionAnalyzer {
public:
  // `noteDecl` is told about every callee so the TU facts can describe it.
  using DeclSink = std::function<void(const clang::FunctionDecl *)>;

  FunctionAnalyzer(const RulePacks &packs, clang::ASTContext &ctx, DeclSink noteDecl, FlowHandler &handler)
      : packs_(packs), ctx_(ctx), learned_(packs, ctx), recognizer_(packs, ctx, &learned_), implicit_(ctx.getSourceManager()),
        noteDecl_(std::move(noteDecl)), handler_(handler) {
    learned_.setScanner([this](const clang::FunctionDecl *fn) { return recognizer_.lockOpsIn(fn); });
  }

  FunctionAnalyzer(const FunctionAnalyzer &) = delete; // its learned locks point back at it
  FunctionAnalyzer &operator=(const FunctionAnalyzer &) = delete;

  // False when no CFG could be built (the function is then skipped).
  bool analyze(const clang::FunctionDecl *fn, FunctionFacts &out);

  const LockRecognizer &recognizer() const { return recognizer_; }
  // Wrappers learned from bodies in this TU; the extractor tells it how to analyse a callee now.
  LearnedLocks &learned() { return learned_; }

private:
  const RulePacks &packs_;
  clang::ASTContext &ctx_;
  LearnedLocks learned_;
  LockRecognizer recognizer_;
  ImplicitCalls implicit_; // remembered across the TU's functions
  DeclSink noteDecl_;
  FlowHandler &handler_;
};

} // namespace lockcheck
