// unlock-not-held: a release on a path that does not hold the lock (flow event).
// Docs: docs/rules/unlock-not-held.md; fixtures: tests/fixtures/unlock-not-held/.
#pragma once

#include "rules/rule.h"

namespace lockcheck {

class UnlockNotHeldRule : public Rule {
public:
  explicit UnlockNotHeldRule(std::vector<Finding> &out) : Rule(RuleId::UnlockNotHeld, out) {}
  void releasedNotHeld(const FlowSite &site, const LockRef &lock, const std::string &guard) override;
};

} // namespace lockcheck
