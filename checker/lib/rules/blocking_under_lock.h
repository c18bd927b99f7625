// blocking-under-lock: a blocking call, directly or through calls, while a lock is held; also
// blocking work in a callable that a helper runs under its own lock (link passes).
// Docs: docs/rules/blocking-under-lock.md; fixtures: tests/fixtures/blocking-under-lock/.
#pragma once

#include "rules/rule.h"

namespace lockcheck {

class BlockingUnderLockRule : public Rule {
public:
  explicit BlockingUnderLockRule(std::vector<Finding> &out) : Rule(RuleId::BlockingUnderLock, out) {}
  void link(ProgramLinker &program) override;

private:
  void callsUnderLock(ProgramLinker &program);
  void callablesUnderLock(ProgramLinker &program);
};

} // namespace lockcheck
