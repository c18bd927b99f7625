// The nine rule ids of SPEC §2 with their descriptions and doc pages (docs/rules/<id>.md).
#pragma once

#include "report/finding.h"

#include <string>
#include <string_view>
#include <vector>

namespace lockcheck {

struct RuleInfo {
  const char *id;          // kebab-case; also the doc page's and the SARIF rule's name
  Severity severity;       // default severity (SPEC §2)
  const char *summary;     // one line, for --list-rules and SARIF shortDescription
  const char *description; // a paragraph, for SARIF fullDescription and --explain without docs
};

// Every rule, in SPEC §2 order (SARIF ruleIndex is the position here).
const std::vector<RuleInfo> &allRules();
// Null for an unknown id.
const RuleInfo *findRule(std::string_view id);

// The rule's doc page: installed (<exe>/../share/doc/lockcheck/rules/<id>.md) first, else the
// source tree's docs/rules/<id>.md. Empty if the id is unknown or no page exists.
std::string ruleDocPath(std::string_view id);
// False if there is no readable page.
bool readRuleDoc(std::string_view id, std::string &text);

} // namespace lockcheck
