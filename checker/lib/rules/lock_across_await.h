// lock-across-await: a co_await / co_yield while a lock is held (flow event).
// Docs: docs/rules/lock-across-await.md; fixtures: tests/fixtures/lock-across-await/.
#pragma once

#include "rules/rule.h"

namespace lockcheck {

class LockAcrossAwaitRule : public Rule {
public:
  explicit LockAcrossAwaitRule(std::vector<Finding> &out) : Rule(RuleId::LockAcrossAwait, out) {}
  void suspendedWhileHeld(const FlowSite &site, const char *keyword, const HeldLock &innermost) override;
};

} // namespace lockcheck
