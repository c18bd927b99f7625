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

} // namespace

void writeTextReport(const std::vector<Finding> &findings, const RunSummary &summary, std::ostream &out) {
  size_t errors = 0, warnings = 0, notes = 0;
  for (const auto &f : findings) {
    writePoint(f.anchor, out);
    out << ": " << severityName(f.severity) << ": " << f.message << " [" << f.rule << "]\n";
    for (const auto &step : f.trace) {
      writePoint(step.where, out);
      out << ": note: " << step.note << '\n';
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
