// lock-order-inversion: a cycle in the whole program's lock-order graph (link pass).
// Docs: docs/rules/lock-order-inversion.md; fixtures: tests/fixtures/lock-order-inversion/.
#pragma once

#include "rules/rule.h"

namespace lockcheck {

class LockOrderInversionRule : public Rule {
public:
  explicit LockOrderInversionRule(std::vector<Finding> &out) : Rule(RuleId::LockOrderInversion, out) {}
  void link(ProgramLinker &program) override;
};

} // namespace lockcheck
