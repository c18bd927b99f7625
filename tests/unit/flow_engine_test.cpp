// The flow engine (extract/: the lock-set dataflow and the guard model) on small hand-built
// functions with Clang's thread-safety attributes, no rule packs: which locks each call is
// recorded under, and which pairing events reach the FlowHandler.
#include "extract/function_analyzer.h"

#include <clang/AST/ASTContext.h>
#include <clang/Frontend/ASTUnit.h>
#include <clang/Tooling/Tooling.h>
#include <gtest/gtest.h>

#include <map>

namespace lockcheck {
namespace {

const char *kMutex = R"(
struct __attribute__((capability("mutex"))) Mutex {
  void Lock() __attribute__((acquire_capability()));
  void Unlock() __attribute__((release_capability()));
  bool TryLock() __attribute__((try_acquire_capability(true)));
  bool TryLockFailed() __attribute__((try_acquire_capability(false)));
};
struct __attribute__((scoped_lockable)) MutexLock {
  explicit MutexLock(Mutex *mu) __attribute__((acquire_capability(mu)));
  ~MutexLock() __attribute__((release_capability()));
};
Mutex mu;
void work();
)";

struct Events : FlowHandler {
  std::vector<unsigned> releasedNotHeldLines, heldAtReturnLines;
  void releasedNotHeld(const FlowSite &site, const LockRef &, const std::string &) override {
    releasedNotHeldLines.push_back(site.at.line);
  }
  void heldAtReturn(const FlowSite &, const HeldLock &held) override {
    heldAtReturnLines.push_back(held.acquired.line);
  }
};

// Analyses every function defined in `code` (after kMutex); `work()` calls by line, each with
// the displays of the locks definitely held there.
struct Analysis {
  Events events;
  std::map<unsigned, std::vector<std::string>> workCalls;
};

Analysis analyse(const std::string &code) {
  Analysis run;
  std::string source = std::string(kMutex) + code;
  auto ast = clang::tooling::buildASTFromCodeWithArgs(source, {"-std=c++20", "-fexceptions", "-fcxx-exceptions"});
  EXPECT_TRUE(ast);
  if (!ast) return run;
  RulePacks packs;
  FunctionAnalyzer analyzer(packs, ast->getASTContext(), [](const clang::FunctionDecl *) {}, run.events);
  unsigned first = 0;
  for (char ch : std::string(kMutex)) first += ch == '\n';
  for (const clang::Decl *d : ast->getASTContext().getTranslationUnitDecl()->decls()) {
    const auto *fn = llvm::dyn_cast<clang::FunctionDecl>(d);
    if (!fn || !fn->doesThisDeclarationHaveABody()) continue;
    FunctionFacts facts;
    facts.name = fn->getNameAsString();
    EXPECT_TRUE(analyzer.analyze(fn, facts));
    for (const auto &call : facts.calls) {
      if (call.calleeName != "work") continue;
      auto &held = run.workCalls[call.where.line - first];
      for (const auto &h : call.held) held.push_back(h.lock.display);
    }
  }
  for (auto &line : run.events.releasedNotHeldLines) line -= first;
  for (auto &line : run.events.heldAtReturnLines) line -= first;
  return run;
}

using Held = std::vector<std::string>;

TEST(GuardModel, ScopedGuardHoldsUntilItsScopeEnds) {
  Analysis r = analyse(R"(void f() {
  {
    MutexLock lock(&mu);
    work();
  }
  work();
})");
  EXPECT_EQ(r.workCalls[4], Held{"mu"});
  EXPECT_EQ(r.workCalls[6], Held{});
}

TEST(GuardModel, TryAcquireFalseIsHeldWhenItReturnsFalse) {
  Analysis r = analyse(R"(void f() {
  if (mu.TryLockFailed()) {
    work();
    return;
  }
  work();
  mu.Unlock();
})");
  EXPECT_EQ(r.workCalls[3], Held{});
  EXPECT_EQ(r.workCalls[6], Held{"mu"});
  EXPECT_TRUE(r.events.releasedNotHeldLines.empty());
  EXPECT_TRUE(r.events.heldAtReturnLines.empty());
}

TEST(ExceptionPaths, HandlerKeepsOuterGuardLosesInnerOne) {
  Analysis r = analyse(R"(Mutex other;
void f() {
  MutexLock outer(&mu);
  try {
    MutexLock inner(&other);
    work();
  } catch (...) {
    work();
  }
})");
  EXPECT_EQ(r.workCalls[6], (Held{"mu", "other"}));
  EXPECT_EQ(r.workCalls[8], Held{"mu"});
}

TEST(ExceptionPaths, ManualLockInTryLeaksThroughASwallowingHandler) {
  Analysis r = analyse(R"(void f() {
  try {
    mu.Lock();
    work();
    mu.Unlock();
  } catch (...) {
  }
})");
  EXPECT_EQ(r.events.heldAtReturnLines, std::vector<unsigned>{3});
}

TEST(MaybeHeld, ReleaseAfterAMergeIsReportedCorrelatedOneIsNot) {
  Analysis r = analyse(R"(void f(bool c) {
  if (c) mu.Lock();
  work();
  mu.Unlock();
}
void g(bool c) {
  if (c) mu.Lock();
  work();
  if (c) mu.Unlock();
})");
  EXPECT_EQ(r.events.releasedNotHeldLines, std::vector<unsigned>{4});
  EXPECT_EQ(r.workCalls[3], Held{}); // maybe held: no blocking finding can come from it
  EXPECT_EQ(r.workCalls[8], Held{});
  EXPECT_TRUE(r.events.heldAtReturnLines.empty());
}

TEST(MaybeHeld, LoopLeftByContinueHoldingTheLockIsALeak) {
  Analysis r = analyse(R"(void f(int n) {
  for (int i = 0; i < n; ++i) {
    mu.Lock();
    if (i == 2) continue;
    mu.Unlock();
  }
})");
  EXPECT_EQ(r.events.heldAtReturnLines, std::vector<unsigned>{3});
  EXPECT_TRUE(r.events.releasedNotHeldLines.empty());
}

} // namespace
} // namespace lockcheck
