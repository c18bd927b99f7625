// The three report formats: exact text lines, every JSON field, the SARIF structure uploaders need.
#include "report/report.h"
#include "rules/catalog.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

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
  EXPECT_EQ(r["message"]["text"], blockingFinding().message);
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
