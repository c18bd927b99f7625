// Lock keys: parsing the key grammar of facts.h, its text round trip, the order of keys
// (the order of their texts), and translating a callee's keys into a caller's terms
// through the call's object and arguments.
#include "facts/lock_key.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <unordered_set>
#include <vector>

namespace lockcheck {
namespace {

// A key from its facts-file text (the tests read better in it).
LockKey key(const char *text) {
  auto parsed = LockKey::fromFacts(text);
  EXPECT_TRUE(parsed) << text;
  return parsed.value_or(LockKey{});
}

std::string translated(const char *calleeKey, const char *thisArg, const std::vector<const char *> &args) {
  std::vector<LockKey> keys;
  for (const char *a : args) keys.push_back(key(a));
  return key(calleeKey).translate(key(thisArg), keys).toString();
}

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
  std::vector<const char *> args{"g:store", "", "l:m@3"};
  EXPECT_EQ(translated("t:mu_", "l:db@7", args), "l:db@7.mu_");
  EXPECT_EQ(translated("t:mu_", "t:", args), "t:mu_");
  EXPECT_EQ(translated("t:mu_", "", args), "");
  EXPECT_EQ(translated("p0:mu", "t:", args), "g:store.mu");
  EXPECT_EQ(translated("p2:", "t:", args), "l:m@3");
  EXPECT_EQ(translated("p1:mu", "t:", args), ""); // the argument names no lock
  EXPECT_EQ(translated("p3:mu", "t:", args), ""); // no such argument
  EXPECT_EQ(translated("g:global_mu", "", {}), "g:global_mu");
  EXPECT_EQ(translated("l:m@12", "t:", args), ""); // the callee's locals stay there
  EXPECT_EQ(translated("x:get()", "t:", args), "");
}

TEST(LockIdentity, TranslatesCalleeKeysIntoCallerTerms) {
  EXPECT_EQ(translated("g:store.mu", "", {}), "g:store.mu");
  EXPECT_EQ(translated("t:mu_", "t:", {}), "t:mu_");
  EXPECT_EQ(translated("t:mu_", "g:db", {}), "g:db.mu_");
  EXPECT_EQ(translated("p1:", "", {"", "l:m@3"}), "l:m@3");
  EXPECT_EQ(translated("p0:mu", "", {"g:s"}), "g:s.mu");
  EXPECT_EQ(translated("l:m@4", "t:", {}), "");
  EXPECT_EQ(translated("t:mu_", "", {}), "");
  EXPECT_EQ(translated("f:DB::mu_", "", {}), "f:DB::mu_"); // an order id is the same everywhere
  EXPECT_EQ(translated("", "t:", {"g:s"}), "");
}

TEST(LockKey, NamedConstructorsSpellTheGrammar) {
  EXPECT_EQ(LockKey::global("ns::store").toString(), "g:ns::store");
  EXPECT_EQ(LockKey::global("f::cache_mu", "src/a.cpp").toString(), "g:f::cache_mu@src/a.cpp");
  EXPECT_EQ(LockKey::field("DB", "mu_").toString(), "f:DB::mu_");
  EXPECT_EQ(LockKey::thisObject().toString(), "t:");
  EXPECT_EQ(LockKey::thisMember("inner.mu").toString(), "t:inner.mu");
  EXPECT_EQ(LockKey::parameter(3).toString(), "p3:");
  EXPECT_EQ(LockKey::parameter(10, "mu").toString(), "p10:mu");
  EXPECT_EQ(LockKey::local("m", 12).toString(), "l:m@12");
  EXPECT_EQ(LockKey::local("other").toString(), "l:other");
  EXPECT_EQ(LockKey::spelling("get()").toString(), "x:get()");
  EXPECT_EQ(LockKey().toString(), "");
  EXPECT_TRUE(LockKey().empty());
  EXPECT_FALSE(LockKey::thisObject().empty());
  EXPECT_EQ(LockKey::parameter(2), key("p2:"));
  EXPECT_EQ(LockKey::thisMember("mu_"), key("t:mu_"));
  EXPECT_NE(LockKey::thisMember("mu_"), key("g:mu_"));
  EXPECT_NE(LockKey::parameter(1, "mu"), key("p2:mu"));
}

TEST(LockKey, JoinsMembers) {
  EXPECT_EQ(LockKey::thisObject().join("mu"), key("t:mu"));
  EXPECT_EQ(key("g:s").join("mu"), key("g:s.mu"));
  EXPECT_EQ(key("p0:a.b").join("mu"), key("p0:a.b.mu"));
  EXPECT_EQ(key("l:db@7").join(""), key("l:db@7"));
  EXPECT_TRUE(LockKey().join("mu").empty());
}

TEST(LockKey, TextRoundTrips) {
  for (const char *text : {"", "g:ns::store.mu", "g:f::m@src/a.cpp.inner", "f:DB::mu_", "t:", "t:a.b", "p0:",
                           "p7:mu", "p12345678:x", "l:m@12", "l:other", "x:get():weird:text"})
    EXPECT_EQ(key(text).toString(), text);
  // Non-canonical parameter numbers would not come back as written: no key.
  EXPECT_FALSE(LockKey::parse("p01:mu"));
  EXPECT_FALSE(LockKey::parse("p123456789:")); // longer than any parameter list
  EXPECT_FALSE(LockKey::parse("p-1:"));
  EXPECT_FALSE(LockKey::fromFacts("mu"));
  EXPECT_TRUE(LockKey::fromFacts("")->empty());
}

// Keys order exactly as their texts did, so that every map and set keyed on them, and every
// report built from those, keeps its order.
TEST(LockKey, OrdersAsItsText) {
  std::vector<std::string> texts{"",       "f:A::m", "f:B::a", "g:a",   "g:a.b",   "g:a@x",   "g:b",  "l:m@1",
                                 "l:m@10", "l:m@2",  "p0:",    "p0:a",  "p0:a.b",  "p1:",     "p10:", "p10:a",
                                 "p1:a",   "p2:",    "p9:z",   "p100:", "t:",      "t:a",     "t:a.b", "t:b",
                                 "x:",     "x:a",    "x:p1:",  "g:",    "f:",      "l:",      "p3:p4:", "t:z"};
  std::vector<LockKey> keys;
  for (const auto &t : texts) keys.push_back(key(t.c_str()));
  for (size_t i = 0; i < texts.size(); ++i)
    for (size_t j = 0; j < texts.size(); ++j) {
      EXPECT_EQ(keys[i] < keys[j], texts[i] < texts[j]) << texts[i] << " vs " << texts[j];
      EXPECT_EQ(keys[i] == keys[j], texts[i] == texts[j]) << texts[i] << " vs " << texts[j];
    }
  std::set<LockKey> sorted(keys.begin(), keys.end());
  std::set<std::string> sortedTexts(texts.begin(), texts.end());
  std::vector<std::string> back;
  for (const auto &k : sorted) back.push_back(k.toString());
  EXPECT_EQ(back, std::vector<std::string>(sortedTexts.begin(), sortedTexts.end()));
}

TEST(LockKey, HashesByValue) {
  std::unordered_set<LockKey> set{key("t:mu"), key("g:mu"), key("p1:mu"), key("p2:mu")};
  EXPECT_EQ(set.size(), 4u);
  EXPECT_EQ(set.count(LockKey::thisObject().join("mu")), 1u);
  EXPECT_EQ(set.count(LockKey::parameter(3, "mu")), 0u);
  EXPECT_EQ(std::hash<LockKey>{}(key("g:a.b")), std::hash<LockKey>{}(LockKey::global("a").join("b")));
  EXPECT_LE(sizeof(LockKey), 16u);
}

} // namespace
} // namespace lockcheck
