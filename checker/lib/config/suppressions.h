// Inline suppressions: `// lockcheck: ignore[rule-id] reason` on the anchor line or the line above.
#pragma once

#include "report/finding.h"

#include <functional>
#include <string>
#include <vector>

namespace lockcheck {

struct Suppression {
  std::vector<std::string> rules; // rule ids, or "*" for every rule
  std::string reason;             // empty when none was given
  unsigned column = 0;            // where the comment starts (1-based)
  bool wholeLine = false;         // nothing but the comment on its line
};

// The suppression in one source line, if any. Exposed for tests.
bool parseSuppression(const std::string &line, Suppression &out);

// Removes findings whose anchor line, or the comment-only line above it, carries a matching
// suppression. A matching suppression without a reason adds a note finding (one per comment
// and rule) asking for one. Each anchor file is read once; unreadable files suppress nothing.
// Suppressions that match no finding are left alone (no "unused suppression" report yet).
// `read`: a file's text (--changed-since reads a revision's); null reads the disk.
using SourceReader = std::function<bool(const std::string &file, std::string &text)>;
void applySuppressions(std::vector<Finding> &findings, const SourceReader &read = nullptr);

} // namespace lockcheck
