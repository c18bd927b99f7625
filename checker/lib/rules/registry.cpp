#include "rules/registry.h"

#include "rules/blocking_under_lock.h"
#include "rules/double_lock.h"
#include "rules/lock_across_await.h"
#include "rules/lock_not_released.h"
#include "rules/lock_order_inversion.h"
#include "rules/manual_lock.h"
#include "rules/unbounded_lock_wait.h"
#include "rules/unlock_not_held.h"
#include "rules/unnamed_guard.h"

namespace lockcheck {

std::vector<std::unique_ptr<Rule>> makeRules(std::vector<Finding> &out) {
  std::vector<std::unique_ptr<Rule>> rules;
  rules.push_back(std::make_unique<BlockingUnderLockRule>(out));
  rules.push_back(std::make_unique<LockAcrossAwaitRule>(out));
  rules.push_back(std::make_unique<UnboundedLockWaitRule>(out));
  rules.push_back(std::make_unique<DoubleLockRule>(out));
  rules.push_back(std::make_unique<UnlockNotHeldRule>(out));
  rules.push_back(std::make_unique<LockNotReleasedRule>(out));
  rules.push_back(std::make_unique<LockOrderInversionRule>(out));
  rules.push_back(std::make_unique<UnnamedGuardRule>(out));
  rules.push_back(std::make_unique<ManualLockRule>(out));
  return rules;
}

void RuleSet::link(ProgramLinker &program) {
  for (auto &rule : rules_) rule->link(program);
}

// Each event goes to every rule; a rule that does not own it ignores it (FlowHandler's defaults).
void RuleSet::acquiredWhileHeld(const FlowSite &site, const LockRef &lock, const HeldLock &held) {
  for (auto &rule : rules_) rule->acquiredWhileHeld(site, lock, held);
}
void RuleSet::lockedByHand(const FlowSite &site, const LockRef &lock) {
  for (auto &rule : rules_) rule->lockedByHand(site, lock);
}
void RuleSet::releasedNotHeld(const FlowSite &site, const LockRef &lock, const std::string &guard) {
  for (auto &rule : rules_) rule->releasedNotHeld(site, lock, guard);
}
void RuleSet::suspendedWhileHeld(const FlowSite &site, const char *keyword, const HeldLock &innermost) {
  for (auto &rule : rules_) rule->suspendedWhileHeld(site, keyword, innermost);
}
void RuleSet::heldAtReturn(const FlowSite &site, const HeldLock &lock) {
  for (auto &rule : rules_) rule->heldAtReturn(site, lock);
}
void RuleSet::temporaryGuard(const FlowSite &site, const std::string &guardType) {
  for (auto &rule : rules_) rule->temporaryGuard(site, guardType);
}
void RuleSet::vexingParseGuard(const FlowSite &site, const std::string &name) {
  for (auto &rule : rules_) rule->vexingParseGuard(site, name);
}

} // namespace lockcheck
