// SARIF 2.1.0 as GitHub code scanning reads it: one rule per id with its doc page as help,
// relative URIs under %SRCROOT%, the trace as a code flow and as related locations linked
// from the message, fingerprints that survive edits.
#include "report/report.h"

#include "facts/hashing.h"
#include "report/file_uri.h"
#include "rules/catalog.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cstdint>
#include <filesystem>
#include <map>
#include <ostream>

namespace lockcheck {
namespace {
using nlohmann::ordered_json;

// SARIF's result levels "note", "warning", "error" are severityName()'s words.

std::string forwardSlashes(std::string path) {
  for (char &c : path)
    if (c == '\\') c = '/';
  return path;
}

// Finding paths are relative to the working directory when below it, which is what %SRCROOT%
// means to an uploader run from the checkout root. Paths outside it stay absolute file: URIs.
ordered_json artifactLocation(const std::string &file) {
  std::string path = forwardSlashes(file);
  if (!path.empty() && path.front() == '/') return {{"uri", "file://" + percentEncode(path)}};
  while (path.rfind("./", 0) == 0) path.erase(0, 2);
  return {{"uri", percentEncode(path)}, {"uriBaseId", "%SRCROOT%"}};
}

ordered_json physicalLocation(const SourcePoint &p) {
  ordered_json region = {{"startLine", p.line}};
  if (p.column != 0) region["startColumn"] = p.column; // SARIF columns start at 1; 0 means unknown
  return {{"artifactLocation", artifactLocation(p.file)}, {"region", std::move(region)}};
}

std::string pascalCase(const std::string &id) {
  std::string out;
  bool upper = true;
  for (char c : id) {
    if (c == '-') {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return out;
}

std::string stableHash(const Finding &f) {
  std::uint64_t h = kFnvOffset;
  for (const std::string *part : {&f.anchor.file.str(), &f.function, &f.rule, &f.lock})
    h = fnv1a("\xff", fnv1a(*part, h)); // separator, so ("ab","c") and ("a","bc") differ
  return hex64(h);
}

ordered_json ruleDescriptors() {
  ordered_json rules = ordered_json::array();
  for (const auto &rule : allRules()) {
    std::string doc;
    if (!readRuleDoc(rule.id, doc)) doc = rule.description;
    rules.push_back({{"id", rule.id},
                     {"name", pascalCase(rule.id)},
                     {"shortDescription", {{"text", rule.summary}}},
                     {"fullDescription", {{"text", rule.description}}},
                     {"help", {{"text", doc}, {"markdown", doc}}},
                     {"defaultConfiguration", {{"level", severityName(rule.severity)}}},
                     {"properties", {{"tags", {"concurrency", "lockcheck"}}}}});
  }
  return rules;
}

// The trace steps that have a place, numbered from 1: the ids the message links to.
ordered_json relatedLocations(const Finding &f) {
  ordered_json related = ordered_json::array();
  unsigned id = 0;
  for (const auto &step : f.trace) {
    if (!step.where.valid()) continue;
    related.push_back({{"id", ++id}, {"physicalLocation", physicalLocation(step.where)}, {"message", {{"text", step.note}}}});
  }
  return related;
}

// SARIF §3.11.5: a literal '[' or ']' in a message with embedded links is escaped.
std::string escapeBrackets(const std::string &text) {
  std::string out;
  for (char c : text) {
    if (c == '[' || c == ']') out += '\\';
    out += c;
  }
  return out;
}

// SARIF §3.11.6 embedded links "[text](id)" to the first related location (the lock, for
// most rules) and the last (what blocks or the other order); the code flow has the rest.
std::string messageWithLinks(const Finding &f, const ordered_json &related) {
  if (related.empty()) return f.message;
  auto link = [](const ordered_json &r) {
    return "[" + escapeBrackets(r["message"]["text"].get<std::string>()) + "](" + std::to_string(r["id"].get<unsigned>()) + ")";
  };
  std::string text = escapeBrackets(f.message) + " (" + link(related.front());
  if (related.size() > 1) text += "; " + link(related.back());
  return text + ")";
}

ordered_json threadFlowLocation(const ordered_json &location, const std::string &text) {
  ordered_json at = location;
  at["message"] = {{"text", text}};
  return {{"location", std::move(at)}};
}

// The trace as one thread's path (SARIF §3.36-3.38), in the order it runs: when the trace
// starts at the acquisition, the finding's own line (the call or acquisition made under
// it) comes next and the trace's call steps descend from there; otherwise (a callable run
// under a helper's lock) the trace leads up to the finding's line, which comes last.
ordered_json codeFlow(const Finding &f, const ordered_json &anchor) {
  ordered_json steps = ordered_json::array();
  for (const auto &step : f.trace)
    if (step.where.valid()) steps.push_back(threadFlowLocation({{"physicalLocation", physicalLocation(step.where)}}, step.note));
  const std::string acquired = "acquired here";
  const std::string &first = f.trace.front().note;
  bool startsAtLock = first.size() >= acquired.size() && first.compare(first.size() - acquired.size(), acquired.size(), acquired) == 0;
  steps.insert(startsAtLock ? steps.begin() + 1 : steps.end(), threadFlowLocation(anchor, f.message));
  for (size_t i = 0; i < steps.size(); ++i) steps[i]["executionOrder"] = i + 1;
  return {{"message", {{"text", f.message}}}, {"threadFlows", ordered_json::array({{{"locations", std::move(steps)}}})}};
}

ordered_json results(const std::vector<Finding> &findings) {
  ordered_json list = ordered_json::array();
  // Same key twice in one function (two blocking calls under one lock) must not collapse
  // into one alert, so each occurrence gets its number, as GitHub's own line hashes do.
  std::map<std::string, unsigned> occurrences;
  const auto &rules = allRules();
  for (const auto &f : findings) {
    ordered_json result = {{"ruleId", f.rule}};
    for (size_t i = 0; i < rules.size(); ++i)
      if (f.rule == rules[i].id) result["ruleIndex"] = i;
    result["level"] = severityName(f.severity);
    ordered_json related = relatedLocations(f);
    result["message"] = {{"text", messageWithLinks(f, related)}};
    ordered_json location = {{"physicalLocation", physicalLocation(f.anchor)}};
    if (!f.function.empty())
      location["logicalLocations"] = ordered_json::array({{{"fullyQualifiedName", f.function}, {"kind", "function"}}});
    result["locations"] = ordered_json::array({location});
    if (!related.empty()) {
      result["codeFlows"] = ordered_json::array({codeFlow(f, location)});
      result["relatedLocations"] = std::move(related);
    }
    if (!f.judgements.empty()) result["properties"] = {{"judgements", f.judgements}};
    std::string hash = stableHash(f);
    result["partialFingerprints"] = {{"lockcheck/v1", hash + ":" + std::to_string(++occurrences[hash])}};
    list.push_back(std::move(result));
  }
  return list;
}

ordered_json invocation(const RunSummary &summary) {
  ordered_json notifications = ordered_json::array();
  for (const auto &e : summary.errors) {
    ordered_json n = {{"level", "error"}, {"message", {{"text", e.file.empty() ? e.message : e.file + ": " + e.message}}}};
    if (!e.file.empty())
      n["locations"] = ordered_json::array({{{"physicalLocation", {{"artifactLocation", artifactLocation(e.file)}}}}});
    notifications.push_back(std::move(n));
  }
  // "Successful" in SARIF's sense: every input was analysed. Findings do not make a run fail.
  ordered_json inv = {{"executionSuccessful", summary.errors.empty()}};
  if (!notifications.empty()) inv["toolExecutionNotifications"] = std::move(notifications);
  return inv;
}

std::string workingDirectoryUri() {
  std::error_code ec;
  std::string cwd = forwardSlashes(std::filesystem::current_path(ec).string());
  if (ec || cwd.empty()) return {};
  if (cwd.back() != '/') cwd += '/'; // a base URI must end in '/' (SARIF §3.14.14)
  return "file://" + percentEncode(cwd);
}

} // namespace

void writeSarifReport(const std::vector<Finding> &findings, const RunSummary &summary, std::ostream &out) {
  ordered_json driver = {{"name", "lockcheck"}, {"version", LOCKCHECK_VERSION}, {"semanticVersion", LOCKCHECK_VERSION}};
#ifdef LOCKCHECK_HOMEPAGE
  driver["informationUri"] = LOCKCHECK_HOMEPAGE;
#endif
  driver["rules"] = ruleDescriptors();
  ordered_json run = {{"tool", {{"driver", std::move(driver)}}}};
  if (std::string root = workingDirectoryUri(); !root.empty())
    run["originalUriBaseIds"] = {{"%SRCROOT%", {{"uri", root}}}};
  run["results"] = results(findings);
  run["invocations"] = ordered_json::array({invocation(summary)});
  ordered_json log = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
                      {"version", "2.1.0"},
                      {"runs", ordered_json::array({std::move(run)})}};
  out << log.dump(2, ' ', false, ordered_json::error_handler_t::replace) << '\n';
}

} // namespace lockcheck
