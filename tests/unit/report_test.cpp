// The three report formats: exact text lines, every JSON field, the SARIF structure uploaders need.
#include "report/report.h"
#include "rules/catalog.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <sstream>

namespace lockcheck {
namespace {
using nlohmann::json;

Finding blockingFinding() {
  Finding f;
  f.rule = "blocking-under-lock";
  f.severity = Severity::Error;
  f.anchor = {"src/auth.cpp", 42, 12};
  f.message = "verify_password() blocks (crypto: crypt_r) while 'store.mu' is held";
  f.lock = "store.mu";
  f.function = "Auth::login";
  f.trace = {{{"src/auth.cpp", 40, 3}, "'store.mu' acquired here"},
             {{"src/crypto.cpp", 17, 0}, "calls crypt_r (crypto)"}};
  return f;
}

Finding warningFinding() {
  Finding f;
  f.rule = "unbounded-lock-wait";
  f.severity = Severity::Warning;
  f.anchor = {"src/handler.cpp", 7, 0};
  f.message = "'mu' may be waited for forever in request handler handle()";
  f.lock = "mu";
  f.function = "handle";
  return f;
}

std::string render(OutputFormat format, const std::vector<Finding> &findings, const RunSummary &summary) {
  std::ostringstream out;
  writeReport(format, findings, summary, out);
  return out.str();
}

RunSummary summaryWithError() {
  RunSummary s;
  s.files = 12;
  s.seconds = 0.8;
  s.errors.push_back({"src/broken.cpp", "does not parse: expected ';'"});
  return s;
}

TEST(OutputFormat, ParsesTheThreeNames) {
  OutputFormat f = OutputFormat::Text;
  EXPECT_TRUE(parseOutputFormat("sarif", f));
  EXPECT_EQ(f, OutputFormat::Sarif);
  EXPECT_TRUE(parseOutputFormat("json", f));
  EXPECT_EQ(f, OutputFormat::Json);
  EXPECT_TRUE(parseOutputFormat("text", f));
  EXPECT_EQ(f, OutputFormat::Text);
  EXPECT_FALSE(parseOutputFormat("xml", f));
  EXPECT_FALSE(parseOutputFormat("SARIF", f));
}

TEST(TextReport, CompilerStyleLinesNotesErrorsAndSummary) {
  std::string text = render(OutputFormat::Text, {blockingFinding(), warningFinding()}, summaryWithError());
  EXPECT_EQ(text,
            "src/auth.cpp:42:12: error: verify_password() blocks (crypto: crypt_r) while 'store.mu' is held "
            "[blocking-under-lock]\n"
            "src/auth.cpp:40:3: note: 'store.mu' acquired here\n"
            "src/crypto.cpp:17: note: calls crypt_r (crypto)\n"
            "src/handler.cpp:7: warning: 'mu' may be waited for forever in request handler handle() "
            "[unbounded-lock-wait]\n"
            "src/broken.cpp: error: does not parse: expected ';'\n"
            "2 findings (1 error, 1 warning, 0 notes) in 12 files\n");
}

TEST(TextReport, CleanRunPrintsNothing) {
  RunSummary s;
  s.files = 3;
  EXPECT_EQ(render(OutputFormat::Text, {}, s), "");
}

TEST(TextReport, InputErrorsWithoutFindingsHaveNoSummary) {
  EXPECT_EQ(render(OutputFormat::Text, {}, summaryWithError()), "src/broken.cpp: error: does not parse: expected ';'\n");
}

TEST(JsonReport, HasEveryField) {
  json j = json::parse(render(OutputFormat::Json, {blockingFinding()}, summaryWithError()));
  EXPECT_EQ(j["tool"], "lockcheck");
  EXPECT_EQ(j["version"], LOCKCHECK_VERSION);
  ASSERT_EQ(j["findings"].size(), 1u);
  const json &f = j["findings"][0];
  EXPECT_EQ(f["rule"], "blocking-under-lock");
  EXPECT_EQ(f["severity"], "error");
  EXPECT_EQ(f["file"], "src/auth.cpp");
  EXPECT_EQ(f["line"], 42);
  EXPECT_EQ(f["column"], 12);
  EXPECT_EQ(f["message"], "verify_password() blocks (crypto: crypt_r) while 'store.mu' is held");
  EXPECT_EQ(f["lock"], "store.mu");
  EXPECT_EQ(f["function"], "Auth::login");
  ASSERT_EQ(f["trace"].size(), 2u);
  EXPECT_EQ(f["trace"][1], json({{"file", "src/crypto.cpp"}, {"line", 17}, {"column", 0},
                                 {"note", "calls crypt_r (crypto)"}}));
  ASSERT_EQ(j["errors"].size(), 1u);
  EXPECT_EQ(j["errors"][0], json({{"file", "src/broken.cpp"}, {"message", "does not parse: expected ';'"}}));
  EXPECT_EQ(j["summary"]["files"], 12);
  EXPECT_EQ(j["summary"]["findings"], 1);
  EXPECT_DOUBLE_EQ(j["summary"]["seconds"].get<double>(), 0.8);
}

TEST(JsonReport, EmptyRunStillHasArrays) {
  json j = json::parse(render(OutputFormat::Json, {}, RunSummary{}));
  EXPECT_TRUE(j["findings"].is_array());
  EXPECT_TRUE(j["errors"].is_array());
  EXPECT_EQ(j["summary"]["findings"], 0);
}

TEST(SarifReport, HasTheStructureCodeScanningNeeds) {
  json log = json::parse(render(OutputFormat::Sarif, {blockingFinding(), warningFinding()}, summaryWithError()));
  EXPECT_EQ(log["version"], "2.1.0");
  EXPECT_TRUE(log["$schema"].get<std::string>().find("sarif-2.1.0") != std::string::npos);
  ASSERT_EQ(log["runs"].size(), 1u);
  const json &run = log["runs"][0];
  const json &driver = run["tool"]["driver"];
  EXPECT_EQ(driver["name"], "lockcheck");
  EXPECT_EQ(driver["version"], LOCKCHECK_VERSION);
  ASSERT_EQ(driver["rules"].size(), allRules().size());
  for (size_t i = 0; i < allRules().size(); ++i) {
    const json &rule = driver["rules"][i];
    EXPECT_EQ(rule["id"], allRules()[i].id);
    EXPECT_FALSE(rule["name"].get<std::string>().empty());
    EXPECT_FALSE(rule["shortDescription"]["text"].get<std::string>().empty());
    EXPECT_FALSE(rule["fullDescription"]["text"].get<std::string>().empty());
    EXPECT_FALSE(rule["help"]["text"].get<std::string>().empty());
    EXPECT_FALSE(rule["help"]["markdown"].get<std::string>().empty());
    EXPECT_EQ(rule["defaultConfiguration"]["level"], severityName(allRules()[i].severity));
  }
  EXPECT_EQ(driver["rules"][0]["name"], "BlockingUnderLock");

  ASSERT_EQ(run["results"].size(), 2u);
  const json &r = run["results"][0];
  EXPECT_EQ(r["ruleId"], "blocking-under-lock");
  EXPECT_EQ(driver["rules"][r["ruleIndex"].get<size_t>()]["id"], "blocking-under-lock");
  EXPECT_EQ(r["level"], "error");
  // SARIF §3.11.6: the message links to the lock and to what blocks (related location ids).
  EXPECT_EQ(r["message"]["text"], blockingFinding().message +
                                      " (['store.mu' acquired here](1); [calls crypt_r (crypto)](2))");
  const json &loc = r["locations"][0]["physicalLocation"];
  EXPECT_EQ(loc["artifactLocation"]["uri"], "src/auth.cpp");
  EXPECT_EQ(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
  EXPECT_EQ(loc["region"]["startLine"], 42);
  EXPECT_EQ(loc["region"]["startColumn"], 12);
  ASSERT_EQ(r["relatedLocations"].size(), 2u);
  EXPECT_EQ(r["relatedLocations"][1]["message"]["text"], "calls crypt_r (crypto)");
  EXPECT_EQ(r["relatedLocations"][1]["physicalLocation"]["artifactLocation"]["uri"], "src/crypto.cpp");
  // Column 0 is "unknown": SARIF columns start at 1, so none is written.
  EXPECT_FALSE(r["relatedLocations"][1]["physicalLocation"]["region"].contains("startColumn"));
  EXPECT_FALSE(r["partialFingerprints"].empty());
  EXPECT_EQ(run["results"][1]["level"], "warning");

  const json &inv = run["invocations"][0];
  EXPECT_FALSE(inv["executionSuccessful"].get<bool>());
  ASSERT_EQ(inv["toolExecutionNotifications"].size(), 1u);
  EXPECT_NE(inv["toolExecutionNotifications"][0]["message"]["text"].get<std::string>().find("src/broken.cpp"),
            std::string::npos);
}

TEST(SarifReport, FingerprintsIgnoreLinesButCountOccurrences) {
  Finding a = blockingFinding();
  Finding moved = a;
  moved.anchor.line += 10;
  Finding other = a;
  other.function = "Auth::logout";
  json one = json::parse(render(OutputFormat::Sarif, {a}, RunSummary{}));
  json two = json::parse(render(OutputFormat::Sarif, {moved, a, other}, RunSummary{}));
  auto fp = [](const json &log, size_t i) { return log["runs"][0]["results"][i]["partialFingerprints"].dump(); };
  EXPECT_EQ(fp(one, 0), fp(two, 0));
  EXPECT_NE(fp(two, 0), fp(two, 1)); // same key twice: second occurrence
  EXPECT_NE(fp(two, 0), fp(two, 2));
}

TEST(SarifReport, UrisUseForwardSlashesAndEncoding) {
  Finding f = warningFinding();
  f.anchor.file = "./src\\my file#1.cpp";
  json log = json::parse(render(OutputFormat::Sarif, {f}, RunSummary{}));
  EXPECT_EQ(log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "src/my%20file%231.cpp");
  EXPECT_TRUE(log["runs"][0]["invocations"][0]["executionSuccessful"].get<bool>());
}

TEST(TextReport, FixHintIsTheLastNote) {
  Finding f = blockingFinding();
  f.fix = "copy what crypt_r needs while 'store.mu' is held, release it, then call verify_password()";
  std::string text = render(OutputFormat::Text, {f}, RunSummary{});
  EXPECT_NE(text.find("src/crypto.cpp:17: note: calls crypt_r (crypto)\n"
                      "src/auth.cpp:42:12: note: to fix: copy what crypt_r needs while 'store.mu' is held, release it, "
                      "then call verify_password()\n1 finding"),
            std::string::npos)
      << text;
}

// docs/spec.md §3: a finding says which judgement made it a note, in every format.
TEST(Reports, JudgementsAreListedInEveryFormat) {
  Finding f = blockingFinding();
  f.severity = Severity::Note;
  f.message += " (not yet shared)";
  f.judgements = {"not-yet-shared"};
  f.fix = "move it";
  json j = json::parse(render(OutputFormat::Json, {f}, RunSummary{}));
  EXPECT_EQ(j["findings"][0]["judgements"], json::array({"not-yet-shared"}));
  EXPECT_FALSE(json::parse(render(OutputFormat::Json, {blockingFinding()}, RunSummary{}))["findings"][0].contains("judgements"));
  json sarif = json::parse(render(OutputFormat::Sarif, {f}, RunSummary{}));
  EXPECT_EQ(sarif["runs"][0]["results"][0]["properties"]["judgements"], json::array({"not-yet-shared"}));
  EXPECT_EQ(sarif["runs"][0]["results"][0]["level"], "note");
  std::string text = render(OutputFormat::Text, {f}, RunSummary{});
  EXPECT_NE(text.find("src/auth.cpp:42:12: note: a note, not an error: the lock belongs to an object this function "
                      "created and has not published yet"),
            std::string::npos)
      << text;
  EXPECT_LT(text.find("[not-yet-shared]\n"), text.find("note: to fix: move it")) << text; // the fix stays last
  EXPECT_STRNE(judgementText("error-path"), "");
  EXPECT_STREQ(judgementText("no-such-judgement"), "");
}

TEST(SarifReport, TraceIsACodeFlowFromTheLockToWhatBlocks) {
  json log = json::parse(render(OutputFormat::Sarif, {blockingFinding(), warningFinding()}, RunSummary{}));
  const json &r = log["runs"][0]["results"][0];
  ASSERT_EQ(r["codeFlows"].size(), 1u);
  const json &steps = r["codeFlows"][0]["threadFlows"][0]["locations"];
  ASSERT_EQ(steps.size(), 3u);
  std::vector<std::pair<int, std::string>> path;
  for (size_t i = 0; i < steps.size(); ++i) {
    EXPECT_EQ(steps[i]["executionOrder"], i + 1);
    path.emplace_back(steps[i]["location"]["physicalLocation"]["region"]["startLine"].get<int>(),
                      steps[i]["location"]["message"]["text"].get<std::string>());
  }
  // Acquire, then the call made under the lock, then each step down to the blocking call.
  EXPECT_EQ(path, (std::vector<std::pair<int, std::string>>{
                      {40, "'store.mu' acquired here"}, {42, blockingFinding().message}, {17, "calls crypt_r (crypto)"}}));
  EXPECT_EQ(steps[2]["location"]["physicalLocation"]["artifactLocation"]["uri"], "src/crypto.cpp");
  // A finding without a trace has neither a flow nor links.
  const json &w = log["runs"][0]["results"][1];
  EXPECT_FALSE(w.contains("codeFlows"));
  EXPECT_EQ(w["message"]["text"], warningFinding().message);
}

TEST(SarifReport, CallableTraceEndsAtTheFindingAndBracketsAreEscaped) {
  Finding f = blockingFinding();
  f.message = "operator[]() blocks (sleep) while 'mu' is held by locked, which runs this callable under it";
  f.anchor = {"src/a.cpp", 14, 5};
  f.trace = {{{"src/a.cpp", 13, 3}, "the callable is passed to locked here"},
             {{"src/a.cpp", 9, 31}, "'mu' acquired here"},
             {{"src/a.cpp", 10, 3}, "the callable is invoked here"}};
  const json r = json::parse(render(OutputFormat::Sarif, {f}, RunSummary{}))["runs"][0]["results"][0];
  std::vector<int> lines;
  for (const auto &s : r["codeFlows"][0]["threadFlows"][0]["locations"])
    lines.push_back(s["location"]["physicalLocation"]["region"]["startLine"]);
  EXPECT_EQ(lines, (std::vector<int>{13, 9, 10, 14}));
  EXPECT_EQ(r["message"]["text"].get<std::string>().rfind("operator\\[\\]() blocks", 0), 0u) << r["message"]["text"];
}

TEST(RulesCatalog, EveryRulePageShowsTheFixBeforeAndAfterAndExplainPrintsIt) {
  for (const auto &rule : allRules()) {
    std::string text;
    ASSERT_TRUE(readRuleDoc(rule.id, text)) << rule.id;
    size_t at = text.find("\n## How to fix\n");
    ASSERT_NE(at, std::string::npos) << rule.id << ": no '## How to fix' section";
    size_t end = text.find("\n## ", at + 1);
    std::string section = text.substr(at + 1, end == std::string::npos ? std::string::npos : end - at);
    size_t before = section.find("Before:\n\n```cpp\n"), after = section.find("After:\n\n```cpp\n");
    EXPECT_NE(before, std::string::npos) << rule.id << ": no 'Before:' code block";
    EXPECT_NE(after, std::string::npos) << rule.id << ": no 'After:' code block";
    EXPECT_LT(before, after) << rule.id;
    // --explain reads the same page: the section comes out verbatim.
    std::string out, command = std::string(LOCKCHECK_BINARY) + " --explain " + rule.id;
    if (FILE *p = popen(command.c_str(), "r")) {
      char buf[4096];
      for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
      EXPECT_EQ(pclose(p), 0);
    }
    EXPECT_NE(out.find(section), std::string::npos) << rule.id << ": --explain does not show the fix";
  }
}

TEST(RulesCatalog, EveryRuleHasADocPage) {
  EXPECT_EQ(allRules().size(), 9u);
  for (const auto &rule : allRules()) {
    std::string text;
    EXPECT_TRUE(readRuleDoc(rule.id, text)) << rule.id;
    EXPECT_NE(text.find(rule.id), std::string::npos) << rule.id;
  }
  ASSERT_NE(findRule("double-lock"), nullptr);
  EXPECT_EQ(findRule("manual-lock")->severity, Severity::Note);
  EXPECT_EQ(findRule("no-such-rule"), nullptr);
  EXPECT_EQ(ruleDocPath("../../etc/passwd"), "");
}

} // namespace
} // namespace lockcheck
