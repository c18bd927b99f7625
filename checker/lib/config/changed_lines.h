// --changed-since REV: which lines changed, and which findings touch them.
#pragma once

#include "report/finding.h"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace lockcheck {

// Changed lines per file, files named as Finding::file is (relative to the working directory
// when below it). Runs `git diff --unified=0 REV --` in the repository holding the working
// directory: committed, staged and unstaged edits alike. Untracked, not ignored files count as
// changed in full (a new file not yet added is still part of the change). A pure deletion marks
// the lines on either side of it. False, with `error`, outside a repository or for a bad REV.
bool changedLinesSince(const std::string &rev, std::map<std::string, std::set<unsigned>> &out, std::string &error);

// Parses `git diff --unified=0` output; paths stay as git prints them (relative to the top level).
void parseUnifiedDiff(const std::string &diff, std::map<std::string, std::set<unsigned>> &out);

// Keeps findings whose anchor or any trace step is on a changed line. The whole program is
// still analysed: a change can create a finding whose other end is in an untouched file.
void keepTouchingChanges(const std::map<std::string, std::set<unsigned>> &changed, std::vector<Finding> &findings);

} // namespace lockcheck
