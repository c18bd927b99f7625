// LockSet::merge, the join of the lock-set dataflow: a fact held on one incoming path only
// becomes "maybe" (never a blocking finding); an unreachable path contributes nothing.
#include "extract/lockset.h"

#include <gtest/gtest.h>

namespace lockcheck {
namespace {

LockFact fact(const std::string &key, unsigned line, bool maybe = false) {
  return LockFact{LockRef{key, key, key.substr(2), false, false}, {"a.cpp", line, 1}, nullptr, maybe, false};
}

LockSet reachable(std::vector<LockFact> facts) {
  LockSet s;
  s.reachable = true;
  s.facts = std::move(facts);
  return s;
}

TEST(LockSetMerge, HeldOnBothPathsStaysDefinite) {
  LockSet m = LockSet::merge(reachable({fact("g:a", 1)}), reachable({fact("g:a", 2)}));
  ASSERT_EQ(m.facts.size(), 1u);
  EXPECT_FALSE(m.facts[0].maybe);
  EXPECT_EQ(m.definite().size(), 1u);
  EXPECT_NE(m.find("g:a", true), nullptr);
}

TEST(LockSetMerge, HeldOnOnePathBecomesMaybe) {
  LockSet m = LockSet::merge(reachable({fact("g:a", 1)}), reachable({fact("g:b", 2)}));
  ASSERT_EQ(m.facts.size(), 2u);
  EXPECT_TRUE(m.facts[0].maybe);
  EXPECT_TRUE(m.facts[1].maybe);
  EXPECT_TRUE(m.definite().empty());
  EXPECT_EQ(m.find("g:a", true), nullptr);
  EXPECT_NE(m.find("g:a", false), nullptr);
}

TEST(LockSetMerge, MaybeOnEitherSideStaysMaybe) {
  LockSet m = LockSet::merge(reachable({fact("g:a", 1)}), reachable({fact("g:a", 2, true)}));
  ASSERT_EQ(m.facts.size(), 1u);
  EXPECT_TRUE(m.facts[0].maybe);
}

TEST(LockSetMerge, UnreachablePathContributesNothing) {
  LockSet unreachable;
  unreachable.facts = {fact("g:b", 5)};
  LockSet m = LockSet::merge(unreachable, reachable({fact("g:a", 1)}));
  ASSERT_EQ(m.facts.size(), 1u);
  EXPECT_EQ(m.facts[0].lock.key, "g:a");
  EXPECT_FALSE(m.facts[0].maybe);
  EXPECT_TRUE(m == LockSet::merge(reachable({fact("g:a", 1)}), unreachable));
}

TEST(LockSetMerge, IsAFixpointOnItsOwnResult) {
  LockSet m = LockSet::merge(reachable({fact("g:a", 1)}), reachable({}));
  EXPECT_TRUE(LockSet::merge(m, reachable({})) == m);
}

} // namespace
} // namespace lockcheck
