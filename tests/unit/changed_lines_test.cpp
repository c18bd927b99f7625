// --changed-since against a real temporary git repository, and the filter on findings.
#include "config/changed_lines.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace lockcheck {
namespace {
namespace fs = std::filesystem;
using Changes = std::map<std::string, std::set<unsigned>>;

// Runs in a fresh repository as the working directory, as lockcheck would, and restores it.
class ChangedLinesTest : public ::testing::Test {
protected:
  void SetUp() override {
    if (std::system("git --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "git is not installed";
    saved_ = fs::current_path();
    repo_ = fs::temp_directory_path() / ("lockcheck-git-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(repo_);
    fs::create_directories(repo_ / "src");
    fs::current_path(repo_);
    git("init -q");
  }
  void TearDown() override {
    if (saved_.empty()) return;
    fs::current_path(saved_);
    fs::remove_all(repo_);
  }

  static void git(const std::string &args) {
    std::string command = "git -c user.name=test -c user.email=test@example.invalid -c commit.gpgsign=false " + args +
                          " >/dev/null 2>&1";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }
  static void write(const std::string &path, const std::string &text) { std::ofstream(path) << text; }

  fs::path saved_, repo_;
};

TEST_F(ChangedLinesTest, ModifiedAddedAndUntrackedLines) {
  write("src/a.cpp", "1\n2\n3\n4\n5\n");
  write("b.cpp", "x\n");
  git("add -A");
  git("commit -q -m first");
  write("src/a.cpp", "1\n2\nthree\n4\n5\n6\n");
  write("new.cpp", "n1\nn2\n");
  Changes changed;
  std::string error;
  ASSERT_TRUE(changedLinesSince("HEAD", changed, error)) << error;
  Changes expected{{"src/a.cpp", {3, 6}}, {"new.cpp", {1, 2}}};
  EXPECT_EQ(changed, expected);
}

TEST_F(ChangedLinesTest, PathsAreRelativeToTheWorkingDirectory) {
  write("src/a.cpp", "1\n2\n");
  git("add -A");
  git("commit -q -m first");
  write("src/a.cpp", "1\ntwo\n");
  fs::current_path(repo_ / "src");
  Changes changed;
  std::string error;
  ASSERT_TRUE(changedLinesSince("HEAD", changed, error)) << error;
  EXPECT_EQ(changed, (Changes{{"a.cpp", {2}}}));
}

TEST_F(ChangedLinesTest, BadRevisionIsAnError) {
  write("a.cpp", "1\n");
  git("add -A");
  git("commit -q -m first");
  Changes changed;
  std::string error;
  EXPECT_FALSE(changedLinesSince("no-such-branch", changed, error));
  EXPECT_NE(error.find("no-such-branch"), std::string::npos) << error;
  EXPECT_FALSE(changedLinesSince("--output=/tmp/x", changed, error));
}

TEST(ParseUnifiedDiff, HunksDeletionsAndDeletedFiles) {
  std::string diff = "diff --git a/x.cpp b/x.cpp\n"
                     "--- a/x.cpp\n"
                     "+++ b/x.cpp\n"
                     "@@ -3 +3 @@ int f() {\n"
                     "-a\n"
                     "+b\n"
                     "@@ -10,2 +10,0 @@\n"
                     "@@ -20,0 +19,3 @@\n"
                     "diff --git a/gone.cpp b/gone.cpp\n"
                     "--- a/gone.cpp\n"
                     "+++ /dev/null\n"
                     "@@ -1,2 +0,0 @@\n"
                     "--- a/sp ace.cpp\n"
                     "+++ \"b/sp\\tace.cpp\"\n"
                     "@@ -1 +1 @@\n";
  Changes changed;
  parseUnifiedDiff(diff, changed);
  EXPECT_EQ(changed, (Changes{{"x.cpp", {3, 10, 11, 19, 20, 21}}, {"sp\tace.cpp", {1}}}));
}

Finding finding(const std::string &file, unsigned line, std::vector<TraceStep> trace = {}) {
  Finding f;
  f.rule = "blocking-under-lock";
  f.anchor = {file, line, 1};
  f.trace = std::move(trace);
  return f;
}

TEST(KeepTouchingChanges, AnchorOrTraceOnAChangedLine) {
  Changes changed{{"src/a.cpp", {5}}, {"src/b.cpp", {17}}};
  std::vector<Finding> findings{finding("src/a.cpp", 5), finding("src/a.cpp", 6),
                                finding("src/c.cpp", 1, {{{"src/b.cpp", 17, 0}, "calls crypt_r"}}),
                                finding("src/c.cpp", 2, {{{"src/b.cpp", 18, 0}, "calls crypt_r"}})};
  keepTouchingChanges(changed, findings);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].anchor.line, 5u);
  EXPECT_EQ(findings[1].anchor.file, "src/c.cpp");
  EXPECT_EQ(findings[1].anchor.line, 1u);
}

} // namespace
} // namespace lockcheck
