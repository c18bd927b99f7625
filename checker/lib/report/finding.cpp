#include "report/finding.h"

#include <algorithm>
#include <tuple>

namespace lockcheck {

const char *severityName(Severity s) {
  switch (s) {
  case Severity::Note: return "note";
  case Severity::Warning: return "warning";
  case Severity::Error: return "error";
  }
  return "error";
}

bool parseSeverity(const std::string &text, Severity &out) {
  if (text == "note") out = Severity::Note;
  else if (text == "warning") out = Severity::Warning;
  else if (text == "error") out = Severity::Error;
  else return false;
  return true;
}

const char *judgementText(const std::string &judgement) {
  if (judgement == "not-yet-shared")
    return "a note, not an error: the lock belongs to an object this function created and has not published yet "
           "(stored, returned or given to code that may share it), so no other thread can wait for it";
  if (judgement == "error-path")
    return "what blocks runs only when something failed (a catch block or a branch taken on failure); nothing "
           "on the normal path blocks";
  return "";
}

bool SourcePoint::operator<(const SourcePoint &o) const {
  return std::tie(file, line, column) < std::tie(o.file, o.line, o.column);
}

void sortFindings(std::vector<Finding> &findings) {
  std::stable_sort(findings.begin(), findings.end(), [](const Finding &a, const Finding &b) {
    return std::tie(a.anchor, a.rule, a.message) < std::tie(b.anchor, b.rule, b.message);
  });
  findings.erase(std::unique(findings.begin(), findings.end(),
                             [](const Finding &a, const Finding &b) {
                               return a.anchor == b.anchor && a.rule == b.rule && a.message == b.message;
                             }),
                 findings.end());
}

} // namespace lockcheck
