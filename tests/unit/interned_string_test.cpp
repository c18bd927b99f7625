// Interned strings: one object per text, ordered and hashed by text, safe to intern from
// several threads at once; the flat index the link phase looks function keys up in.
#include "support/interned_index.h"
#include "support/interned_string.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

namespace lockcheck {
namespace {

TEST(InternedString, EqualTextsAreOneObject) {
  std::string text = "src/some/long/path/to/a/file.cpp";
  InternedString a(text), b{std::string_view(text)}, c(text.c_str());
  EXPECT_EQ(&a.str(), &b.str());
  EXPECT_EQ(&a.str(), &c.str());
  EXPECT_EQ(a, b);
  EXPECT_NE(a, InternedString("src/other.cpp"));
  EXPECT_EQ(a, text);
  EXPECT_EQ(a, "src/some/long/path/to/a/file.cpp");
  EXPECT_TRUE(InternedString().empty());
  EXPECT_EQ(InternedString(), InternedString(""));
  EXPECT_EQ(a.size(), text.size());
}

TEST(InternedString, OrdersByTextNotByAddress) {
  // Interned in reverse order, so addresses (if they followed allocation) would disagree.
  std::vector<InternedString> names = {"zeta::f", "mid::g", "alpha::h"};
  std::set<InternedString> sorted(names.begin(), names.end());
  std::vector<std::string> got;
  for (const auto &n : sorted) got.push_back(n);
  EXPECT_EQ(got, (std::vector<std::string>{"alpha::h", "mid::g", "zeta::f"}));
  EXPECT_LT(InternedString("a"), InternedString("b"));
  EXPECT_TRUE(InternedString("b") > std::string("a"));
}

TEST(InternedString, HashesByText) {
  EXPECT_EQ(InternedString("k").hash(), std::hash<std::string_view>{}("k"));
  EXPECT_EQ(std::hash<InternedString>{}(InternedString("k")), InternedString(std::string("k")).hash());
}

TEST(InternedString, ConcatenatesAndPrintsLikeAString) {
  InternedString file("a.cpp");
  EXPECT_EQ(file + ":3", "a.cpp:3");
  EXPECT_EQ("at " + file, "at a.cpp");
  EXPECT_EQ(std::string("x/") + file, "x/a.cpp");
  std::ostringstream out;
  out << file << ':' << 3;
  EXPECT_EQ(out.str(), "a.cpp:3");
}

// More texts than the per-thread memo holds, so most come back from the pool's tables after
// those grew many times: each is still its one object, with its own text.
TEST(InternedString, ManyTextsStayDistinctAcrossTableGrowth) {
  constexpr int kTexts = 200000;
  std::vector<const std::string *> first;
  for (int i = 0; i < kTexts; ++i) first.push_back(&InternedString("many/" + std::to_string(i)).str());
  for (int i = kTexts - 1; i >= 0; --i) {
    InternedString again("many/" + std::to_string(i));
    ASSERT_EQ(&again.str(), first[static_cast<size_t>(i)]) << i;
    ASSERT_EQ(again.str(), "many/" + std::to_string(i));
  }
}

TEST(InternedString, ThreadsInterningTheSameTextsAgree) {
  constexpr int kThreads = 4, kTexts = 2000;
  std::vector<std::vector<const std::string *>> seen(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([t, &seen] {
      for (int i = 0; i < kTexts; ++i) seen[t].push_back(&InternedString("race::fn" + std::to_string(i)).str());
    });
  for (auto &th : threads) th.join();
  for (int t = 1; t < kThreads; ++t) EXPECT_EQ(seen[t], seen[0]) << "thread " << t;
  EXPECT_EQ(*seen[0][1234], "race::fn1234");
}

} // namespace
} // namespace lockcheck

namespace lockcheck {
namespace {

TEST(InternedIndex, SetsFindsAndGrowsPastItsFirstTable) {
  InternedIndex index;
  EXPECT_FALSE(index.contains("absent"));
  EXPECT_EQ(index.find(InternedString()), InternedIndex::kAbsent);
  constexpr int kKeys = 5000; // several doublings of the 1024-slot start
  for (int i = 0; i < kKeys; ++i) index.set(InternedString("c:@F@fn" + std::to_string(i) + "#"), i);
  EXPECT_EQ(index.size(), size_t(kKeys));
  for (int i = 0; i < kKeys; ++i) ASSERT_EQ(index.find(InternedString("c:@F@fn" + std::to_string(i) + "#")), i) << i;
  EXPECT_FALSE(index.contains("c:@F@fn5000#"));
  index.set("c:@F@fn7#", -1); // overwriting keeps one entry
  EXPECT_EQ(index.find("c:@F@fn7#"), -1);
  EXPECT_EQ(index.size(), size_t(kKeys));
}

} // namespace
} // namespace lockcheck
