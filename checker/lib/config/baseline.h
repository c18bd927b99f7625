// Known findings (docs/baseline.md), so a team adopting lockcheck fails only on new ones.
#pragma once

#include "report/finding.h"

#include <string>
#include <vector>

namespace lockcheck {

// The key a finding is remembered by: no line or column, so it survives edits above it.
// file, function, rule, lock and the message with line numbers taken out, joined by '\x1f'.
std::string baselineKey(const Finding &finding);

// Writes every finding's key with a count (deterministic: sorted, same findings → same bytes).
bool writeBaseline(const std::string &path, const std::vector<Finding> &findings, std::string &error);
// Removes the findings the baseline holds; a key with count N absorbs at most N findings.
// False (findings untouched) if the file is missing, not JSON, or not a version this build reads.
bool applyBaseline(const std::string &path, std::vector<Finding> &findings, std::string &error);
// The same matching against findings in memory (--changed-since: a revision's findings);
// a key `known` holds N times absorbs at most N findings.
void removeKnown(std::vector<Finding> &findings, const std::vector<Finding> &known);

} // namespace lockcheck
