// Turns findings and input errors into text, JSON or SARIF (docs/spec.md §6). The analysis never prints.
#pragma once

#include "findings/finding.h"

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace lockcheck {

enum class OutputFormat { Text, Json, Sarif };
// "text" / "json" / "sarif"; false on anything else.
bool parseOutputFormat(std::string_view text, OutputFormat &out);

// A file lockcheck could not read or parse; the run goes on without it (exit status 2).
struct InputError {
  std::string file;
  std::string message;
};

struct RunSummary {
  unsigned files = 0;
  double seconds = 0;
  std::vector<InputError> errors;
};

void writeReport(OutputFormat format, const std::vector<Finding> &findings, const RunSummary &summary,
                 std::ostream &out);

// One writer per format (report_text.cpp, report_json.cpp, report_sarif.cpp); writeReport picks one.
void writeTextReport(const std::vector<Finding> &findings, const RunSummary &summary, std::ostream &out);
void writeJsonReport(const std::vector<Finding> &findings, const RunSummary &summary, std::ostream &out);
void writeSarifReport(const std::vector<Finding> &findings, const RunSummary &summary, std::ostream &out);

} // namespace lockcheck
