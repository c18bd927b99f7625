#include "report/report.h"

namespace lockcheck {

bool parseOutputFormat(std::string_view text, OutputFormat &out) {
  if (text == "text") out = OutputFormat::Text;
  else if (text == "json") out = OutputFormat::Json;
  else if (text == "sarif") out = OutputFormat::Sarif;
  else return false;
  return true;
}

void writeReport(OutputFormat format, const std::vector<Finding> &findings, const RunSummary &summary,
                 std::ostream &out) {
  switch (format) {
  case OutputFormat::Text: writeTextReport(findings, summary, out); return;
  case OutputFormat::Json: writeJsonReport(findings, summary, out); return;
  case OutputFormat::Sarif: writeSarifReport(findings, summary, out); return;
  }
}

} // namespace lockcheck
