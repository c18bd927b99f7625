// A finding as every reporter sees it: rule, anchor, message, trace.
#pragma once

#include "support/interned_string.h"

#include <string>
#include <vector>

namespace lockcheck {

enum class Severity { Note, Warning, Error };

const char *severityName(Severity s);
// Parses "note" / "warning" / "error"; returns false on anything else.
bool parseSeverity(const std::string &text, Severity &out);

struct SourcePoint {
  InternedString file; // as shown to the user (relative to the working directory when below it)
  unsigned line = 0;
  unsigned column = 0;
  bool valid() const { return !file.empty() && line != 0; }
  bool operator<(const SourcePoint &o) const;
  bool operator==(const SourcePoint &o) const = default;
};

struct TraceStep {
  SourcePoint where;
  std::string note;
};

struct Finding {
  std::string rule;       // kebab-case rule id, see rules/catalog.h
  Severity severity = Severity::Error;
  SourcePoint anchor;
  std::string message;
  std::string lock;       // the lock as written, e.g. "store.mu" (empty if not about one lock)
  std::string function;   // enclosing function's qualified name (baseline key)
  std::vector<TraceStep> trace;
  // One line on what to change, e.g. "copy what crypt_r needs while 'mu' is held, release
  // it, then call verify_password()"; empty when the rule's page says it all.
  std::string fix;
  // Which judgements of docs/spec.md §3 "What is reported" shaped the finding, for users who
  // ask why it is a note or why it names this target: "not-yet-shared" (a note: the lock's
  // object is not reachable by another thread yet), "error-path" (what blocks runs only when
  // something failed). Empty for most findings.
  std::vector<std::string> judgements;
};

// One sentence on a judgement (Finding::judgements) for the reports; empty for an unknown one.
const char *judgementText(const std::string &judgement);

// Stable order: file, line, column, rule, message.
void sortFindings(std::vector<Finding> &findings);

} // namespace lockcheck
