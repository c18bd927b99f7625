// Inline suppressions against real files: same line, line above, reasons, wrong ids.
#include "triage/suppressions.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace lockcheck {
namespace {
namespace fs = std::filesystem;

class SuppressionsTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("lockcheck-supp-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string &text) {
    fs::path path = dir_ / "a.cpp";
    std::ofstream(path) << text;
    return path.string();
  }

  static Finding at(const std::string &file, unsigned line, const std::string &rule = "blocking-under-lock") {
    Finding f;
    f.rule = rule;
    f.anchor = {file, line, 5};
    f.message = "x() blocks while 'mu' is held";
    f.lock = "mu";
    f.function = "f";
    return f;
  }

  fs::path dir_;
};

TEST_F(SuppressionsTest, SameLineWithReason) {
  std::string file = write("void f() {\n"
                           "  std::lock_guard g(mu);\n"
                           "  x(); // lockcheck: ignore[blocking-under-lock] x only touches memory here\n"
                           "}\n");
  std::vector<Finding> findings{at(file, 3)};
  applySuppressions(findings);
  EXPECT_TRUE(findings.empty());
}

TEST_F(SuppressionsTest, CommentLineAbove) {
  std::string file = write("void f() {\n"
                           "  // lockcheck: ignore[blocking-under-lock] -- startup only, no contention\n"
                           "  x();\n"
                           "}\n");
  std::vector<Finding> findings{at(file, 3)};
  applySuppressions(findings);
  EXPECT_TRUE(findings.empty());
}

TEST_F(SuppressionsTest, TrailingCommentOnTheLineAboveIsAboutThatLine) {
  std::string file = write("void f() {\n"
                           "  y(); // lockcheck: ignore[blocking-under-lock] y is fast\n"
                           "  x();\n"
                           "}\n");
  std::vector<Finding> findings{at(file, 3)};
  applySuppressions(findings);
  EXPECT_EQ(findings.size(), 1u);
}

TEST_F(SuppressionsTest, WithoutReasonIsSuppressedButNoted) {
  std::string file = write("void f() {\n"
                           "  std::lock_guard g(mu);\n"
                           "  x(); // lockcheck: ignore[blocking-under-lock]\n"
                           "  x(); // lockcheck: ignore[blocking-under-lock]\n"
                           "}\n");
  std::vector<Finding> findings{at(file, 3), at(file, 4)};
  applySuppressions(findings);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].rule, "blocking-under-lock");
  EXPECT_EQ(findings[0].severity, Severity::Note);
  EXPECT_EQ(findings[0].anchor.line, 3u);
  EXPECT_EQ(findings[0].anchor.column, 8u);
  EXPECT_EQ(findings[0].message, "suppression of blocking-under-lock has no reason; say why it is safe");
  EXPECT_EQ(findings[1].anchor.line, 4u);
}

TEST_F(SuppressionsTest, WrongRuleIdIsNotSuppressed) {
  std::string file = write("void f() {\n"
                           "  x(); // lockcheck: ignore[double-lock] not this one\n"
                           "}\n");
  std::vector<Finding> findings{at(file, 2)};
  applySuppressions(findings);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::Error);
}

TEST_F(SuppressionsTest, ListsAndWildcard) {
  std::string file = write("  a(); // lockcheck: ignore[double-lock, blocking-under-lock] both are known\n"
                           "  b(); /* lockcheck: ignore[*] generated code */\n"
                           "  c();\n");
  std::vector<Finding> findings{at(file, 1), at(file, 1, "double-lock"), at(file, 1, "manual-lock"),
                                at(file, 2, "lock-order-inversion"), at(file, 3)};
  applySuppressions(findings);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].rule, "manual-lock");
  EXPECT_EQ(findings[1].anchor.line, 3u);
}

TEST_F(SuppressionsTest, UnreadableFileSuppressesNothing) {
  std::vector<Finding> findings{at((dir_ / "missing.cpp").string(), 1)};
  applySuppressions(findings);
  EXPECT_EQ(findings.size(), 1u);
}

TEST(ParseSuppression, OnlyInComments) {
  Suppression s;
  EXPECT_FALSE(parseSuppression("  x(); lockcheck: ignore[double-lock] no comment", s));
  EXPECT_FALSE(parseSuppression("  x(); // lockcheck: ignore[] empty", s));
  EXPECT_FALSE(parseSuppression("  x(); // lockcheck: ignore[double-lock", s));
  ASSERT_TRUE(parseSuppression("// lockcheck: ignore[ double-lock ]  : why */", s));
  EXPECT_EQ(s.rules, std::vector<std::string>{"double-lock"});
  EXPECT_EQ(s.reason, "why");
  EXPECT_TRUE(s.wholeLine);
  EXPECT_EQ(s.column, 1u);
}

} // namespace
} // namespace lockcheck
