// The JSON of docs/spec.md §6. ordered_json keeps the documented key order, so diffs of reports stay readable.
#include "report/report.h"

#include <nlohmann/json.hpp>

#include <ostream>

namespace lockcheck {

void writeJsonReport(const std::vector<Finding> &findings, const RunSummary &summary, std::ostream &out) {
  using nlohmann::ordered_json;
  ordered_json list = ordered_json::array();
  for (const auto &f : findings) {
    ordered_json trace = ordered_json::array();
    for (const auto &step : f.trace)
      trace.push_back({{"file", step.where.file},
                       {"line", step.where.line},
                       {"column", step.where.column},
                       {"note", step.note}});
    ordered_json finding = {{"rule", f.rule},
                            {"severity", severityName(f.severity)},
                            {"file", f.anchor.file},
                            {"line", f.anchor.line},
                            {"column", f.anchor.column},
                            {"message", f.message},
                            {"lock", f.lock},
                            {"function", f.function},
                            {"trace", std::move(trace)}};
    if (!f.judgements.empty()) finding["judgements"] = f.judgements; // docs/spec.md §3: why a note, why this target
    list.push_back(std::move(finding));
  }
  ordered_json errors = ordered_json::array();
  for (const auto &e : summary.errors) errors.push_back({{"file", e.file}, {"message", e.message}});
  ordered_json report = {{"tool", "lockcheck"},
                         {"version", LOCKCHECK_VERSION},
                         {"findings", std::move(list)},
                         {"errors", std::move(errors)},
                         {"summary",
                          {{"files", summary.files}, {"findings", findings.size()}, {"seconds", summary.seconds}}}};
  // Replace, not throw, on invalid UTF-8 in a message: a report must always come out.
  out << report.dump(2, ' ', false, ordered_json::error_handler_t::replace) << '\n';
}

} // namespace lockcheck
