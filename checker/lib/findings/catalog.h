// The rules of docs/spec.md §2: one typed id each, and the one table that --list-rules,
// --explain, config validation, SARIF and the fixture runner read (id, severity, help).
#pragma once

#include "findings/finding.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lockcheck {

// In docs/spec.md §2 order; SARIF's ruleIndex is the position in allRules().
enum class RuleId {
  BlockingUnderLock,
  LockAcrossAwait,
  UnboundedLockWait,
  DoubleLock,
  UnlockNotHeld,
  LockNotReleased,
  LockOrderInversion,
  UnnamedGuard,
  ManualLock,
};

struct RuleInfo {
  RuleId rule;
  const char *id;          // kebab-case; also the doc page's, fixture folder's and SARIF rule's name
  Severity severity;       // default severity (docs/spec.md §2), written here only
  const char *summary;     // one line, for --list-rules and SARIF shortDescription
  const char *description; // a paragraph, for SARIF fullDescription and --explain without docs
};

// Every rule, in RuleId order.
const std::vector<RuleInfo> &allRules();
const RuleInfo &ruleInfo(RuleId rule);
// Null for an unknown id.
const RuleInfo *findRule(std::string_view id);

// The one way to build a finding: rule id and severity come from the catalog.
Finding makeFinding(RuleId rule, const SourcePoint &anchor, std::string message, std::string lock,
                    std::string function, std::vector<TraceStep> trace = {});

// The rule's doc page: installed (<exe>/../share/doc/lockcheck/rules/<id>.md) first, else the
// source tree's docs/rules/<id>.md. Empty if the id is unknown or no page exists.
std::string ruleDocPath(std::string_view id);
// False if there is no readable page.
bool readRuleDoc(std::string_view id, std::string &text);

} // namespace lockcheck
