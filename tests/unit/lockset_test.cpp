// LockSet::merge, the join of the lock-set dataflow: a fact held on one incoming path only
// becomes "maybe" (never a blocking finding); an unreachable path contributes nothing; a maybe
// fact remembers the branch conditions that tell its paths apart (LockSet::assume).
#include "extract/lockset.h"

#include <clang/AST/ASTContext.h>
#include <clang/Frontend/ASTUnit.h>
#include <clang/Tooling/Tooling.h>

#include <gtest/gtest.h>

namespace lockcheck {
namespace {

LockKey g(const char *name) { return LockKey::global(name); }

LockFact fact(const LockKey &key, unsigned line, bool maybe = false) {
  return LockFact{.lock = LockRef{.key = key, .order = key, .display = key.rest},
                  .acquired = {"a.cpp", line, 1},
                  .maybe = maybe,
                  .onlyIf = {}};
}

LockSet reachable(std::vector<LockFact> facts) {
  LockSet s;
  s.reachable = true;
  s.facts = std::move(facts);
  return s;
}

TEST(LockSetMerge, HeldOnBothPathsStaysDefinite) {
  LockSet m = LockSet::merge(reachable({fact(g("a"), 1)}), reachable({fact(g("a"), 2)}));
  ASSERT_EQ(m.facts.size(), 1u);
  EXPECT_FALSE(m.facts[0].maybe);
  EXPECT_EQ(m.definite().size(), 1u);
  EXPECT_NE(m.find(g("a"), Certainty::Definite), nullptr);
}

TEST(LockSetMerge, HeldOnOnePathBecomesMaybe) {
  LockSet m = LockSet::merge(reachable({fact(g("a"), 1)}), reachable({fact(g("b"), 2)}));
  ASSERT_EQ(m.facts.size(), 2u);
  EXPECT_TRUE(m.facts[0].maybe);
  EXPECT_TRUE(m.facts[1].maybe);
  EXPECT_TRUE(m.definite().empty());
  EXPECT_EQ(m.find(g("a"), Certainty::Definite), nullptr);
  EXPECT_NE(m.find(g("a"), Certainty::AnyPath), nullptr);
}

TEST(LockSetMerge, MaybeOnEitherSideStaysMaybe) {
  LockSet m = LockSet::merge(reachable({fact(g("a"), 1)}), reachable({fact(g("a"), 2, true)}));
  ASSERT_EQ(m.facts.size(), 1u);
  EXPECT_TRUE(m.facts[0].maybe);
}

TEST(LockSetMerge, UnreachablePathContributesNothing) {
  LockSet unreachable;
  unreachable.facts = {fact(g("b"), 5)};
  LockSet m = LockSet::merge(unreachable, reachable({fact(g("a"), 1)}));
  ASSERT_EQ(m.facts.size(), 1u);
  EXPECT_EQ(m.facts[0].lock.key, g("a"));
  EXPECT_FALSE(m.facts[0].maybe);
  EXPECT_TRUE(m == LockSet::merge(reachable({fact(g("a"), 1)}), unreachable));
}

TEST(LockSetMerge, IsAFixpointOnItsOwnResult) {
  LockSet m = LockSet::merge(reachable({fact(g("a"), 1)}), reachable({}));
  EXPECT_TRUE(LockSet::merge(m, reachable({})) == m);
}

// Two distinct VarDecls to stand for condition variables `c` and `d`.
class BranchCorrelation : public ::testing::Test {
protected:
  void SetUp() override {
    ast_ = clang::tooling::buildASTFromCode("void f(bool c, bool d) {}");
    const clang::FunctionDecl *fn = nullptr;
    for (const clang::Decl *d : ast_->getASTContext().getTranslationUnitDecl()->decls())
      if (const auto *f = llvm::dyn_cast<clang::FunctionDecl>(d); f && f->getName() == "f") fn = f;
    ASSERT_NE(fn, nullptr);
    c_ = fn->getParamDecl(0);
    d_ = fn->getParamDecl(1);
  }
  // A path that took the edge `var == value`, holding `facts`.
  LockSet path(const clang::VarDecl *var, bool value, std::vector<LockFact> facts) {
    LockSet s = reachable(std::move(facts));
    s.assume(var, value);
    return s;
  }
  std::unique_ptr<clang::ASTUnit> ast_;
  const clang::VarDecl *c_ = nullptr, *d_ = nullptr;
};

TEST_F(BranchCorrelation, LockUnderConditionIsHeldExactlyWhenItHolds) {
  // if (c) m.lock();
  LockSet joined = LockSet::merge(path(c_, true, {fact(g("m"), 1)}), path(c_, false, {}));
  ASSERT_EQ(joined.facts.size(), 1u);
  EXPECT_TRUE(joined.facts[0].maybe);
  EXPECT_TRUE(joined.assumptions.empty()); // c is unknown after the join
  ASSERT_EQ(joined.facts[0].onlyIf.size(), 1u);
  EXPECT_EQ(joined.facts[0].onlyIf[0], (BranchFact{c_, true}));
  // if (c) ... : definite on the true edge, gone on the false edge.
  LockSet onTrue = joined, onFalse = joined;
  onTrue.assume(c_, true);
  onFalse.assume(c_, false);
  ASSERT_NE(onTrue.find(g("m"), Certainty::Definite), nullptr);
  EXPECT_TRUE(onTrue.facts[0].onlyIf.empty());
  EXPECT_TRUE(onFalse.facts.empty());
}

TEST_F(BranchCorrelation, AnUnrelatedConditionLeavesItMaybe) {
  LockSet joined = LockSet::merge(path(c_, true, {fact(g("m"), 1)}), path(c_, false, {}));
  joined.assume(d_, true);
  ASSERT_EQ(joined.facts.size(), 1u);
  EXPECT_TRUE(joined.facts[0].maybe);
  EXPECT_EQ(joined.find(g("m"), Certainty::Definite), nullptr);
}

TEST_F(BranchCorrelation, AWriteToTheConditionForgetsTheCorrelation) {
  LockSet joined = LockSet::merge(path(c_, true, {fact(g("m"), 1)}), path(c_, false, {}));
  joined.forget(c_); // c = other;
  EXPECT_TRUE(joined.facts[0].onlyIf.empty());
  joined.assume(c_, false);
  ASSERT_EQ(joined.facts.size(), 1u); // not dropped: c no longer tells the paths apart
  EXPECT_TRUE(joined.facts[0].maybe);
}

TEST_F(BranchCorrelation, WithoutAContradictionOnTheOtherPathNoCorrelation) {
  // Both paths know c is true: c does not tell them apart.
  LockSet joined = LockSet::merge(path(c_, true, {fact(g("m"), 1)}), path(c_, true, {}));
  ASSERT_EQ(joined.facts.size(), 1u);
  EXPECT_TRUE(joined.facts[0].maybe);
  EXPECT_TRUE(joined.facts[0].onlyIf.empty());
  EXPECT_EQ(joined.assumptions, (std::vector<BranchFact>{{c_, true}}));
}

TEST_F(BranchCorrelation, AMaybeFactJoinedWithADefiniteOneKeepsOnlySharedConditions) {
  LockSet maybeUnderC = LockSet::merge(path(c_, true, {fact(g("m"), 1)}), path(c_, false, {}));
  LockSet definite = path(c_, true, {fact(g("m"), 1)});
  LockSet joined = LockSet::merge(maybeUnderC, definite);
  ASSERT_EQ(joined.facts.size(), 1u);
  EXPECT_TRUE(joined.facts[0].maybe);
  EXPECT_EQ(joined.facts[0].onlyIf, (std::vector<BranchFact>{{c_, true}}));
  // ...and a join is a fixpoint on its own result.
  EXPECT_TRUE(LockSet::merge(joined, joined) == joined);
}

} // namespace
} // namespace lockcheck
