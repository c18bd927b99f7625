// double-lock: a non-recursive lock acquired again on a path that holds it, in one
// function (a flow event) or through a call to a helper that takes it (a link pass).
// Docs: docs/rules/double-lock.md; fixtures: tests/fixtures/double-lock/.
#pragma once

#include "rules/rule.h"

namespace lockcheck {

class DoubleLockRule : public Rule {
public:
  explicit DoubleLockRule(std::vector<Finding> &out) : Rule(RuleId::DoubleLock, out) {}
  void acquiredWhileHeld(const FlowSite &site, const LockRef &lock, const HeldLock &held) override;
  void link(ProgramLinker &program) override;
};

} // namespace lockcheck
