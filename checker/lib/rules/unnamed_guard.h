// unnamed-guard: a guard destroyed at once, or a vexing parse that declares a new empty
// guard (events of the AST check in extract/unnamed_guard_check).
// Docs: docs/rules/unnamed-guard.md; fixtures: tests/fixtures/unnamed-guard/.
#pragma once

#include "rules/rule.h"

namespace lockcheck {

class UnnamedGuardRule : public Rule {
public:
  explicit UnnamedGuardRule(std::vector<Finding> &out) : Rule(RuleId::UnnamedGuard, out) {}
  void temporaryGuard(const FlowSite &site, const std::string &guardType) override;
  void vexingParseGuard(const FlowSite &site, const std::string &name) override;
};

} // namespace lockcheck
