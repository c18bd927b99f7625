// Every rule unit, and a FlowHandler that hands each flow event to all of them. Extract and
// link sit below the rules (docs/design.md "Stages"): the driver hands them makeRuleSet.
#pragma once

#include "link/program_linker.h"
#include "rules/rule.h"

#include <memory>
#include <vector>

namespace lockcheck {

// The rules, each reporting into `out`. One line per rule in registry.cpp.
std::vector<std::unique_ptr<Rule>> makeRules(std::vector<Finding> &out);

class RuleSet : public LinkRules {
public:
  explicit RuleSet(std::vector<Finding> &out) : rules_(makeRules(out)) {}

  void link(ProgramLinker &program) override;

  void acquiredWhileHeld(const FlowSite &site, const LockRef &lock, const HeldLock &held) override;
  void lockedByHand(const FlowSite &site, const LockRef &lock) override;
  void releasedNotHeld(const FlowSite &site, const LockRef &lock, const std::string &guard) override;
  void suspendedWhileHeld(const FlowSite &site, const char *keyword, const HeldLock &innermost) override;
  void heldAtReturn(const FlowSite &site, const HeldLock &lock) override;
  void temporaryGuard(const FlowSite &site, const std::string &guardType) override;
  void vexingParseGuard(const FlowSite &site, const std::string &name) override;

private:
  std::vector<std::unique_ptr<Rule>> rules_;
};

// The rules reporting into `out`: the FlowHandlerFactory of extract and the LinkRulesFactory
// of link.
inline std::unique_ptr<RuleSet> makeRuleSet(std::vector<Finding> &out) { return std::make_unique<RuleSet>(out); }

} // namespace lockcheck
