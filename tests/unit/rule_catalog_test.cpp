// The rule catalog is the one place ids and severities are written: its order is RuleId's,
// every rule unit is registered once, and findings take id and severity from it.
#include "findings/catalog.h"
#include "rules/registry.h"

#include <gtest/gtest.h>

#include <set>

namespace lockcheck {
namespace {

TEST(RuleCatalog, TableIsInRuleIdOrder) {
  const auto &rules = allRules();
  ASSERT_EQ(rules.size(), 9u);
  for (size_t i = 0; i < rules.size(); ++i) {
    EXPECT_EQ(static_cast<size_t>(rules[i].rule), i) << rules[i].id;
    EXPECT_EQ(&ruleInfo(rules[i].rule), &rules[i]);
    EXPECT_EQ(findRule(rules[i].id), &rules[i]);
  }
  EXPECT_EQ(findRule("no-such-rule"), nullptr);
}

TEST(RuleCatalog, MakeFindingTakesIdAndSeverityFromTheCatalog) {
  Finding f = makeFinding(RuleId::ManualLock, {"a.cpp", 3, 5}, "message", "mu", "fn", {{{"a.cpp", 2, 1}, "note"}});
  EXPECT_EQ(f.rule, "manual-lock");
  EXPECT_EQ(f.severity, Severity::Note);
  EXPECT_EQ(f.anchor, (SourcePoint{"a.cpp", 3, 5}));
  EXPECT_EQ(f.lock, "mu");
  EXPECT_EQ(f.function, "fn");
  ASSERT_EQ(f.trace.size(), 1u);
  EXPECT_EQ(makeFinding(RuleId::UnboundedLockWait, {}, "", "", "").severity, Severity::Warning);
  EXPECT_EQ(makeFinding(RuleId::DoubleLock, {}, "", "", "").severity, Severity::Error);
}

TEST(RuleRegistry, EveryCatalogRuleHasExactlyOneUnit) {
  std::vector<Finding> out;
  std::multiset<RuleId> registered;
  for (const auto &rule : makeRules(out)) registered.insert(rule->id());
  ASSERT_EQ(registered.size(), allRules().size());
  for (const auto &info : allRules()) EXPECT_EQ(registered.count(info.rule), 1u) << info.id;
}

// Flow events reach the rule that owns them, and only that rule reports.
TEST(RuleRegistry, FlowEventsReachTheirRule) {
  std::vector<Finding> out;
  RuleSet rules(out);
  std::string fn = "ns::f";
  LockRef mu{LockKey::global("mu"), LockKey::global("mu"), "mu", false, false};
  rules.acquiredWhileHeld(FlowSite{fn, {"a.cpp", 9, 3}}, mu, HeldLock{mu, {"a.cpp", 8, 3}});
  rules.releasedNotHeld(FlowSite{fn, {"a.cpp", 12, 3}}, mu, "lk");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].rule, "double-lock");
  EXPECT_EQ(out[0].message, "'mu' is acquired while it is already held");
  ASSERT_EQ(out[0].trace.size(), 1u);
  EXPECT_EQ(out[0].trace[0].where, (SourcePoint{"a.cpp", 8, 3}));
  EXPECT_EQ(out[1].rule, "unlock-not-held");
  EXPECT_EQ(out[1].message, "'mu' is released through 'lk' but it is not held here");
  EXPECT_EQ(out[1].function, "ns::f");
}

} // namespace
} // namespace lockcheck
