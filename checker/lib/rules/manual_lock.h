// manual-lock: a bare .lock()/.unlock() pair where an RAII guard would do (flow event).
// Docs: docs/rules/manual-lock.md; fixtures: tests/fixtures/manual-lock/.
#pragma once

#include "rules/rule.h"

namespace lockcheck {

class ManualLockRule : public Rule {
public:
  explicit ManualLockRule(std::vector<Finding> &out) : Rule(RuleId::ManualLock, out) {}
  void lockedByHand(const FlowSite &site, const LockRef &lock) override;
};

} // namespace lockcheck
