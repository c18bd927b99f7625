// .lockcheck.json: a good file loads; each kind of mistake names the file and the key.
#include "config/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace lockcheck {
namespace {
namespace fs = std::filesystem;

class ConfigTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("lockcheck-config-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "src" / "deep");
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string &text, const std::string &name = ".lockcheck.json") {
    fs::path path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }

  // Loads `text` and expects failure; returns the error.
  std::string loadError(const std::string &text) {
    std::string path = write(text);
    Config config;
    std::string error;
    EXPECT_FALSE(loadConfig(path, config, error)) << text;
    // The file first: "FILE: key: problem", or "FILE:LINE:COLUMN: problem" as a compiler writes it.
    EXPECT_EQ(error.rfind(path + ":", 0), 0u) << error;
    return error.substr(path.size());
  }

  fs::path dir_;
};

TEST_F(ConfigTest, GoodConfigLoadsEveryKey) {
  std::string path = write(R"({
    "version": 1,
    "rules": {"manual-lock": "off", "unbounded-lock-wait": "error",
              "double-lock": {"enabled": true, "severity": "warning"}, "unnamed-guard": false},
    "rule_packs": ["tools/ourlib.json"],
    "handlers": ["app::http::*::handle*"],
    "exclude": ["third_party", "**/*_gen.cpp"],
    "fail_on": "error",
    "extra_args": ["-DNDEBUG"]
  })");
  Config config;
  std::string error;
  ASSERT_TRUE(loadConfig(path, config, error)) << error;
  EXPECT_FALSE(config.rules.at("manual-lock").enabled);
  EXPECT_EQ(config.rules.at("unbounded-lock-wait").severity, Severity::Error);
  EXPECT_TRUE(config.rules.at("double-lock").enabled);
  EXPECT_EQ(config.rules.at("double-lock").severity, Severity::Warning);
  EXPECT_FALSE(config.rules.at("unnamed-guard").enabled);
  ASSERT_EQ(config.rulePacks.size(), 1u);
  EXPECT_EQ(config.rulePacks[0], (fs::absolute(dir_) / "tools" / "ourlib.json").lexically_normal().string());
  EXPECT_EQ(config.handlers, std::vector<std::string>{"app::http::*::handle*"});
  EXPECT_EQ(config.failOn, Severity::Error);
  EXPECT_EQ(config.extraArgs, std::vector<std::string>{"-DNDEBUG"});
  EXPECT_EQ(config.sourcePath, path);
}

TEST_F(ConfigTest, IndirectCallSettingsLoadAndAreChecked) {
  std::string path = write(R"({"indirect_calls": "ignore", "indirect_exclude": ["Mock*", "*::FakeEnv"]})");
  Config config;
  std::string error;
  ASSERT_TRUE(loadConfig(path, config, error)) << error;
  EXPECT_FALSE(config.resolveIndirectCalls);
  EXPECT_EQ(config.indirectExclude, (std::vector<std::string>{"Mock*", "*::FakeEnv"}));
  EXPECT_TRUE(Config{}.resolveIndirectCalls); // on by default, with the fallback by type
  EXPECT_TRUE(Config{}.matchIndirectByType);
  Config flows;
  ASSERT_TRUE(loadConfig(write(R"({"indirect_calls": "flows"})"), flows, error)) << error;
  EXPECT_TRUE(flows.resolveIndirectCalls);
  EXPECT_FALSE(flows.matchIndirectByType);
  EXPECT_NE(loadError(R"({"indirect_calls": "off"})")
                .find("indirect_calls: expected \"resolve\", \"flows\" or \"ignore\", got \"off\""),
            std::string::npos);
  EXPECT_NE(loadError(R"({"indirect_calls": true})").find("indirect_calls: expected"), std::string::npos);
  EXPECT_NE(loadError(R"({"indirect_exclude": "Mock*"})").find("indirect_exclude: "), std::string::npos);
  EXPECT_NE(loadError(R"({"indirect_exclude": ["Mock*", ""]})").find("indirect_exclude[1]: expected a class"),
            std::string::npos);
}

TEST_F(ConfigTest, DefaultsFailOnWarnings) {
  std::string path = write("{}");
  Config config;
  std::string error;
  ASSERT_TRUE(loadConfig(path, config, error)) << error;
  EXPECT_EQ(config.failOn, Severity::Warning);
  EXPECT_TRUE(config.rules.empty());
}

TEST_F(ConfigTest, UnknownKeyIsNamed) {
  std::string error = loadError(R"({"rules": {}, "exculde": ["x"]})");
  EXPECT_NE(error.find(": exculde: unknown key"), std::string::npos) << error;
}

TEST_F(ConfigTest, BadSeverityIsNamed) {
  EXPECT_NE(loadError(R"({"fail_on": "fatal"})").find(": fail_on: expected \"note\""), std::string::npos);
  std::string error = loadError(R"({"rules": {"double-lock": {"severity": "high"}}})");
  EXPECT_NE(error.find(": rules.double-lock.severity: "), std::string::npos) << error;
  error = loadError(R"({"rules": {"double-lock": "loud"}})");
  EXPECT_NE(error.find(": rules.double-lock: "), std::string::npos) << error;
}

TEST_F(ConfigTest, UnknownRuleIsNamed) {
  std::string error = loadError(R"({"rules": {"blocking-under-mutex": "off"}})");
  EXPECT_NE(error.find(": rules.blocking-under-mutex: unknown rule id"), std::string::npos) << error;
}

TEST_F(ConfigTest, WrongTypesAreNamed) {
  EXPECT_NE(loadError(R"({"exclude": "third_party"})").find(": exclude: expected an array"), std::string::npos);
  EXPECT_NE(loadError(R"({"handlers": ["a", 3]})").find(": handlers[1]: expected a string"), std::string::npos);
  EXPECT_NE(loadError(R"({"rules": {"double-lock": {"enabled": "yes"}}})").find("rules.double-lock.enabled"),
            std::string::npos);
  EXPECT_NE(loadError(R"({"version": 2})").find(": version: "), std::string::npos);
  EXPECT_NE(loadError("[]").find("expected an object"), std::string::npos);
  EXPECT_EQ(loadError("{\"rules\":\n  ]}").rfind(":2:3: invalid JSON: syntax error", 0), 0u);
}

TEST_F(ConfigTest, MissingFileIsAnError) {
  Config config;
  std::string error;
  EXPECT_FALSE(loadConfig((dir_ / "nope.json").string(), config, error));
  EXPECT_NE(error.find("cannot read"), std::string::npos);
}

TEST_F(ConfigTest, FoundUpwardFromTheAnalysedPath) {
  std::string path = write("{}");
  std::ofstream(dir_ / "src" / "deep" / "a.cpp") << "int x;\n";
  std::string found;
  ASSERT_TRUE(findConfig((dir_ / "src" / "deep" / "a.cpp").string(), found));
  EXPECT_EQ(fs::path(found), fs::path(path));
  ASSERT_TRUE(findConfig((dir_ / "src").string(), found));
  EXPECT_EQ(fs::path(found), fs::path(path));
}

TEST_F(ConfigTest, ExcludedPathsAreRelativeToTheConfigFile) {
  std::string path = write(R"({"exclude": ["third_party", "**/*_gen.cpp", "src/legacy/*.cpp"]})");
  Config config;
  std::string error;
  ASSERT_TRUE(loadConfig(path, config, error)) << error;
  EXPECT_TRUE(isExcluded(config, (dir_ / "third_party" / "lib" / "x.cpp").string()));
  EXPECT_TRUE(isExcluded(config, (dir_ / "src" / "deep" / "proto_gen.cpp").string()));
  EXPECT_TRUE(isExcluded(config, (dir_ / "proto_gen.cpp").string()));
  EXPECT_TRUE(isExcluded(config, (dir_ / "src" / "legacy" / "old.cpp").string()));
  EXPECT_FALSE(isExcluded(config, (dir_ / "src" / "legacy" / "sub" / "old.cpp").string()));
  EXPECT_FALSE(isExcluded(config, (dir_ / "src" / "auth.cpp").string()));
  EXPECT_FALSE(isExcluded(config, (dir_ / "src" / "third_party_glue.cpp").string()));
  EXPECT_FALSE(isExcluded(Config{}, (dir_ / "third_party" / "x.cpp").string()));
}

Finding finding(const std::string &rule, Severity severity, const std::string &file = "src/a.cpp") {
  Finding f;
  f.rule = rule;
  f.severity = severity;
  f.anchor = {file, 1, 1};
  return f;
}

TEST_F(ConfigTest, ApplyDropsDisabledRulesAndOverridesSeverities) {
  Config config;
  config.rules["manual-lock"].enabled = false;
  config.rules["unbounded-lock-wait"].severity = Severity::Error;
  std::vector<Finding> findings{finding("manual-lock", Severity::Note), finding("unbounded-lock-wait", Severity::Warning),
                                finding("double-lock", Severity::Error)};
  applyConfig(config, findings);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].rule, "unbounded-lock-wait");
  EXPECT_EQ(findings[0].severity, Severity::Error);
  EXPECT_EQ(findings[1].rule, "double-lock");
}

TEST_F(ConfigTest, ApplyDropsFindingsInExcludedFiles) {
  Config config;
  config.sourcePath = (dir_ / ".lockcheck.json").string();
  config.exclude = {"third_party"};
  std::vector<Finding> findings{finding("double-lock", Severity::Error, (dir_ / "third_party" / "m.h").string()),
                                finding("double-lock", Severity::Error, (dir_ / "src" / "m.h").string())};
  applyConfig(config, findings);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].anchor.file, (dir_ / "src" / "m.h").string());
}

TEST_F(ConfigTest, ExitCodeFollowsFailOn) {
  std::vector<Finding> warningOnly{finding("unbounded-lock-wait", Severity::Warning)};
  std::vector<Finding> noteOnly{finding("manual-lock", Severity::Note)};
  EXPECT_EQ(exitCodeFor({}, Severity::Note), 0);
  EXPECT_EQ(exitCodeFor(warningOnly, Severity::Warning), 1);
  EXPECT_EQ(exitCodeFor(warningOnly, Severity::Error), 0);
  EXPECT_EQ(exitCodeFor(noteOnly, Severity::Warning), 0);
  EXPECT_EQ(exitCodeFor(noteOnly, Severity::Note), 1);
}

} // namespace
} // namespace lockcheck
