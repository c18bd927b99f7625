// unbounded-lock-wait: an acquisition without a time limit in a request handler (link pass).
// Docs: docs/rules/unbounded-lock-wait.md; fixtures: tests/fixtures/unbounded-lock-wait/.
#pragma once

#include "rules/rule.h"

namespace lockcheck {

class UnboundedLockWaitRule : public Rule {
public:
  explicit UnboundedLockWaitRule(std::vector<Finding> &out) : Rule(RuleId::UnboundedLockWait, out) {}
  void link(ProgramLinker &program) override;
};

} // namespace lockcheck
