// lock-not-released: a manual acquisition still held where the function returns (flow
// event, anchored at the acquisition).
// Docs: docs/rules/lock-not-released.md; fixtures: tests/fixtures/lock-not-released/.
#pragma once

#include "rules/rule.h"

namespace lockcheck {

class LockNotReleasedRule : public Rule {
public:
  explicit LockNotReleasedRule(std::vector<Finding> &out) : Rule(RuleId::LockNotReleased, out) {}
  void heldAtReturn(const FlowSite &site, const HeldLock &lock) override;
};

} // namespace lockcheck
