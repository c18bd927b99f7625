// Compiler-style lines, so editors and CI log parsers that understand gcc/clang pick them up.
#include "report/report.h"

#include <ostream>

namespace lockcheck {
namespace {

// "file:line:col" — without the column when it is unknown (0), as compilers do.
void writePoint(const SourcePoint &p, std::ostream &out) {
  out << p.file << ':' << p.line;
  if (p.column != 0) out << ':' << p.column;
}

std::string counted(size_t n, const char *singular, const char *plural) {
  return std::to_string(n) + ' ' + (n == 1 ? singular : plural);
}

// Trace notes printed at each end of a long trace.
constexpr size_t kTraceHead = 6, kTraceTail = 4;

} // namespace

void writeTextReport(const std::vector<Finding> &findings, const RunSummary &summary, std::ostream &out) {
  size_t errors = 0, warnings = 0, notes = 0;
  for (const auto &f : findings) {
    writePoint(f.anchor, out);
    out << ": " << severityName(f.severity) << ": " << f.message << " [" << f.rule << "]\n";
    // A chain thousands of calls deep would bury the report: its ends say where the lock
    // is and what blocks; the middle is left to the JSON and SARIF reports.
    size_t shown = f.trace.size() > kTraceHead + kTraceTail + 1 ? kTraceHead : f.trace.size();
    for (size_t i = 0; i < f.trace.size(); ++i) {
      if (i == shown) {
        size_t left = f.trace.size() - kTraceHead - kTraceTail;
        writePoint(f.trace[i].where, out);
        out << ": note: ... " << counted(left, "step", "steps") << " left out (--format json or sarif shows all)\n";
        i += left - 1;
        continue;
      }
      writePoint(f.trace[i].where, out);
      out << ": note: " << f.trace[i].note << '\n';
    }
    for (const auto &j : f.judgements) { // docs/spec.md §3: why it is a note, why this target
      writePoint(f.anchor, out);
      out << ": note: " << judgementText(j) << " [" << j << "]\n";
    }
    if (!f.fix.empty()) {
      writePoint(f.anchor, out);
      out << ": note: to fix: " << f.fix << '\n';
    }
    switch (f.severity) {
    case Severity::Error: ++errors; break;
    case Severity::Warning: ++warnings; break;
    case Severity::Note: ++notes; break;
    }
  }
  for (const auto &e : summary.errors) out << e.file << ": error: " << e.message << '\n';
  // A clean run prints nothing, like a compiler; the summary is for when there is something to read.
  if (!findings.empty())
    out << counted(findings.size(), "finding", "findings") << " (" << counted(errors, "error", "errors") << ", "
        << counted(warnings, "warning", "warnings") << ", " << counted(notes, "note", "notes") << ") in "
        << counted(summary.files, "file", "files") << '\n';
}

} // namespace lockcheck
