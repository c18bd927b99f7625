#include "report/compare.h"

#include "support/bounded_read.h"
#include "support/strict_json.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <ostream>

namespace lockcheck {

namespace {

using nlohmann::json;

bool pointOf(const json &node, SourcePoint &out) {
  if (!node.is_object() || !node.contains("file") || !node["file"].is_string() || !node.contains("line") ||
      !node["line"].is_number_unsigned())
    return false;
  out.file = node["file"].get<std::string>();
  out.line = node["line"].get<unsigned>();
  return true;
}

bool matches(const ComparedSite &a, const ComparedSite &b) {
  for (const auto &p : a.points)
    for (const auto &q : b.points)
      if (p.line == q.line && sameSourceFile(p.file, q.file)) return true;
  return false;
}

std::string location(const SourcePoint &p) { return p.file + ":" + std::to_string(p.line); }

} // namespace

bool sameSourceFile(const std::string &a, const std::string &b) {
  std::string x = std::filesystem::path(a).lexically_normal().string();
  std::string y = std::filesystem::path(b).lexically_normal().string();
  if (x.size() < y.size()) std::swap(x, y);
  if (y.empty()) return false;
  return x == y || (x.size() > y.size() && x.compare(x.size() - y.size(), y.size(), y) == 0 &&
                    x[x.size() - y.size() - 1] == '/');
}

bool readComparedSites(const std::string &path, std::vector<ComparedSite> &sites, std::string &error) {
  std::string text, why;
  if (!readBounded(path, kReportFileLimit, text, why)) {
    error = path + ": cannot read: " + why;
    return false;
  }
  json report;
  if (strict_json::Error e; !strict_json::parse(text, report, e, strict_json::kBoundedOnly)) {
    error = path + ": not valid JSON (" + strict_json::describe(e) + ")";
    return false;
  }
  if (!report.is_object() || !report.contains("findings") || !report["findings"].is_array()) {
    error = path + ": not a lockcheck report (no \"findings\" array)";
    return false;
  }
  size_t index = 0;
  for (const auto &f : report["findings"]) {
    std::string where = path + ": findings[" + std::to_string(index++) + "]";
    ComparedSite site;
    if (!pointOf(f, site.anchor) || !f.contains("rule") || !f["rule"].is_string()) {
      error = where + ": needs \"rule\", \"file\" and \"line\"";
      return false;
    }
    // Only blocking-under-lock can be observed by the runtime; other rules are not compared.
    if (f["rule"] != "blocking-under-lock") continue;
    if (f.contains("message") && f["message"].is_string()) site.message = f["message"].get<std::string>();
    // A frame without debug information has no line: it cannot be matched.
    if (site.anchor.valid()) site.points.push_back(site.anchor);
    bool observed = f.contains("stack") && f["stack"].is_array();
    // Observed: the call stack (not the lock's). Static: the anchor and the trace steps on the
    // way to the blocking call; where the lock was taken is not on that way.
    for (const auto &node : observed ? f["stack"] : f.value("trace", json::array())) {
      SourcePoint p;
      std::string note = node.is_object() ? node.value("note", "") : "";
      bool acquisition = note.size() >= 13 && note.compare(note.size() - 13, 13, "acquired here") == 0;
      if (pointOf(node, p) && p.valid() && !acquisition) site.points.push_back(p);
    }
    sites.push_back(std::move(site));
  }
  return true;
}

Comparison compareSites(const std::vector<ComparedSite> &staticSites, const std::vector<ComparedSite> &observed) {
  Comparison result;
  for (size_t i = 0; i < observed.size(); ++i) {
    bool covered = false;
    for (const auto &s : staticSites) covered = covered || matches(observed[i], s);
    if (!covered) result.staticMisses.push_back(i);
  }
  for (size_t i = 0; i < staticSites.size(); ++i) {
    bool seen = false;
    for (const auto &o : observed) seen = seen || matches(staticSites[i], o);
    if (!seen) result.neverObserved.push_back(i);
  }
  return result;
}

int runCompare(const std::vector<std::string> &args, std::ostream &out, std::ostream &err) {
  if (args.size() != 2) {
    err << "lockcheck: error: usage: lockcheck compare STATIC.json RUNTIME.json\n";
    return 2;
  }
  std::vector<ComparedSite> staticSites, observed;
  std::string error;
  if (!readComparedSites(args[0], staticSites, error) || !readComparedSites(args[1], observed, error)) {
    err << "lockcheck: error: " << error << "\n";
    return 2;
  }
  Comparison c = compareSites(staticSites, observed);
  out << "static misses (observed at run time, not reported by lockcheck): " << c.staticMisses.size() << "\n";
  for (size_t i : c.staticMisses) {
    out << "  " << location(observed[i].anchor) << ": " << observed[i].message << "\n";
    for (size_t k = 1; k < observed[i].points.size(); ++k)
      out << "      from " << location(observed[i].points[k]) << "\n";
  }
  out << "static findings never observed (the run may not have reached them): " << c.neverObserved.size() << "\n";
  for (size_t i : c.neverObserved)
    out << "  " << location(staticSites[i].anchor) << ": " << staticSites[i].message << "\n";
  out << "observed sites: " << observed.size() << ", covered by the static report: "
      << observed.size() - c.staticMisses.size() << ", static findings: " << staticSites.size() << "\n";
  return c.staticMisses.empty() ? 0 : 1;
}

} // namespace lockcheck
