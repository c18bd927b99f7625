// Lock keys: parsing the key grammar of facts.h, and translating a callee's keys into a
// caller's terms through the call's object and arguments.
#include "facts/lock_key.h"

#include <gtest/gtest.h>

namespace lockcheck {
namespace {

TEST(LockKey, ParsesEveryBase) {
  auto g = LockKey::parse("g:ns::store.mu");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->base, LockKey::Base::Global);
  EXPECT_EQ(g->rest, "ns::store.mu");
  EXPECT_TRUE(g->isDeclaration());
  auto p = LockKey::parse("p12:");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->base, LockKey::Base::Param);
  EXPECT_EQ(p->param, 12u);
  EXPECT_TRUE(p->isWholeParam());
  EXPECT_FALSE(LockKey::parse("p0:mu")->isWholeParam());
  EXPECT_EQ(LockKey::parse("t:mu_")->base, LockKey::Base::This);
  EXPECT_EQ(LockKey::parse("l:m@12")->base, LockKey::Base::Local);
  EXPECT_EQ(LockKey::parse("x:get()")->base, LockKey::Base::Spelling);
  EXPECT_TRUE(LockKey::parse("f:DB::mu_")->isDeclaration());
  EXPECT_FALSE(LockKey::parse("t:mu_")->isDeclaration());
  for (const char *bad : {"", "mu", ":mu", "q:mu", "px:mu", "p:mu"}) EXPECT_FALSE(LockKey::parse(bad)) << bad;
}

TEST(LockKey, TranslatesThroughThisAndArguments) {
  std::vector<std::string> args{"g:store", "", "l:m@3"};
  EXPECT_EQ(translateKey("t:mu_", "l:db@7", args), "l:db@7.mu_");
  EXPECT_EQ(translateKey("t:mu_", "t:", args), "t:mu_");
  EXPECT_EQ(translateKey("t:mu_", "", args), "");
  EXPECT_EQ(translateKey("p0:mu", "t:", args), "g:store.mu");
  EXPECT_EQ(translateKey("p2:", "t:", args), "l:m@3");
  EXPECT_EQ(translateKey("p1:mu", "t:", args), ""); // the argument names no lock
  EXPECT_EQ(translateKey("p3:mu", "t:", args), ""); // no such argument
  EXPECT_EQ(translateKey("g:global_mu", "", {}), "g:global_mu");
  EXPECT_EQ(translateKey("l:m@12", "t:", args), ""); // the callee's locals stay there
  EXPECT_EQ(translateKey("x:get()", "t:", args), "");
}

TEST(LockIdentity, TranslatesCalleeKeysIntoCallerTerms) {
  EXPECT_EQ(translateKey("g:store.mu", "", {}), "g:store.mu");
  EXPECT_EQ(translateKey("t:mu_", "t:", {}), "t:mu_");
  EXPECT_EQ(translateKey("t:mu_", "g:db", {}), "g:db.mu_");
  EXPECT_EQ(translateKey("p1:", "", {"", "l:m@3"}), "l:m@3");
  EXPECT_EQ(translateKey("p0:mu", "", {"g:s"}), "g:s.mu");
  EXPECT_EQ(translateKey("l:m@4", "t:", {}), "");
  EXPECT_EQ(translateKey("t:mu_", "", {}), "");
}

} // namespace
} // namespace lockcheck
