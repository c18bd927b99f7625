// Slot keys: the grammar of facts/slot_key.h, its text round trip, what a key tells about
// its function, and the facts boundary rejecting a malformed key with its text.
#include "facts/slot_key.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <set>
#include <unordered_set>

namespace lockcheck {
namespace {

TEST(SlotKey, ParsesEveryKind) {
  auto f = SlotKey::parse("f:ns::Logger::sinks_");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->kind, SlotKey::Kind::Field);
  EXPECT_EQ(f->path, "ns::Logger::sinks_");
  EXPECT_EQ(f->function(), "");
  auto g = SlotKey::parse("g:loguru::s_fatal_handler");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->kind, SlotKey::Kind::Global);
  // Function keys are USRs, full of '#' and '@': the name and line come from the end.
  auto l = SlotKey::parse("l:c:@N@loguru@F@flush##callback@1540");
  ASSERT_TRUE(l);
  EXPECT_EQ(l->kind, SlotKey::Kind::Local);
  EXPECT_EQ(l->number, 1540u);
  EXPECT_EQ(l->function(), "c:@N@loguru@F@flush#");
  auto p = SlotKey::parse("p:c:@F@add_callback#*1C#*Fv(#*v#*1C)#12");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->kind, SlotKey::Kind::Param);
  EXPECT_EQ(p->number, 12u);
  EXPECT_EQ(p->function(), "c:@F@add_callback#*1C#*Fv(#*v#*1C)");
  EXPECT_TRUE(p->isParameterOf("c:@F@add_callback#*1C#*Fv(#*v#*1C)"));
  EXPECT_FALSE(p->isParameterOf("c:@F@add_callback#"));
  EXPECT_FALSE(l->isParameterOf("c:@N@loguru@F@flush#"));
  EXPECT_TRUE(SlotKey::parse("l:lambda:a.cpp:3:9#[k,v]@3")); // a structured binding's hidden variable
}

TEST(SlotKey, RejectsWhatIsNoKey) {
  for (const char *bad : {"", "f", "f:", "x:a", "F:a", "fa", "g:", "p:fn", "p:fn#", "p:#0", "p:fn#01", "p:fn#x",
                          "p:fn#-1", "p:fn#9999999999", "l:fn#x", "l:fn#x@", "l:fn@3", "l:#x@3", "l:fn#@3",
                          "l:fn#x@03"})
    EXPECT_FALSE(SlotKey::parse(bad)) << bad;
  EXPECT_TRUE(SlotKey::fromFacts("").has_value()); // none
  EXPECT_TRUE(SlotKey::fromFacts("")->empty());
  EXPECT_FALSE(SlotKey::fromFacts("q:x"));
}

TEST(SlotKey, NamedConstructorsSpellTheGrammarAndTheTextRoundTrips) {
  EXPECT_EQ(SlotKey::field("Watcher::on_change_").toString(), "f:Watcher::on_change_");
  EXPECT_EQ(SlotKey::global("g_hooks").toString(), "g:g_hooks");
  EXPECT_EQ(SlotKey::local("c:@F@run#", "cb", 17).toString(), "l:c:@F@run##cb@17");
  EXPECT_EQ(SlotKey::parameter("c:@F@set#I#", 0).toString(), "p:c:@F@set#I##0");
  EXPECT_EQ(SlotKey{}.toString(), "");
  for (const char *text : {"f:A::b", "g:x", "l:c:@F@run##cb@17", "p:c:@F@set#I##0", "p:fn#10"})
    EXPECT_EQ(SlotKey::parse(text)->toString(), text);
}

TEST(SlotKey, OrdersAndHashesByValue) {
  SlotKey a = *SlotKey::parse("p:fn#2"), b = *SlotKey::parse("p:fn#10"), c = *SlotKey::parse("f:A::x");
  EXPECT_EQ(a, SlotKey::parameter("fn", 2));
  EXPECT_NE(a, b);
  std::set<SlotKey> ordered{a, b, c, SlotKey::parameter("fn", 2)};
  EXPECT_EQ(ordered.size(), 3u);
  EXPECT_EQ(*ordered.begin(), c); // fields before parameters
  std::unordered_set<SlotKey> hashed{a, b, c, SlotKey::parameter("fn", 2)};
  EXPECT_EQ(hashed.size(), 3u);
}

TEST(SlotKey, JsonRejectsAMalformedKeyNamingIt) {
  nlohmann::json good = SlotKey::field("A::cb");
  EXPECT_EQ(good, "f:A::cb");
  EXPECT_EQ(good.get<SlotKey>(), SlotKey::field("A::cb"));
  nlohmann::json bad = "p:fn#x";
  try {
    (void)bad.get<SlotKey>();
    FAIL() << "accepted a malformed slot key";
  } catch (const std::invalid_argument &e) {
    EXPECT_STREQ(e.what(), "not a callable slot key: \"p:fn#x\"");
  }
}

} // namespace
} // namespace lockcheck
