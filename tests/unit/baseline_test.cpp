// Baselines absorb known findings by key and count, not by line, and reject files they cannot read.
#include "triage/baseline.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace lockcheck {
namespace {
namespace fs = std::filesystem;

class BaselineTest : public ::testing::Test {
protected:
  void SetUp() override {
    path_ = (fs::temp_directory_path() / ("lockcheck-baseline-" + std::to_string(::getpid()) + "-" +
                                          ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".json"))
                .string();
  }
  void TearDown() override { fs::remove(path_); }

  static Finding blocking(unsigned line, const std::string &function = "Store::login") {
    Finding f;
    f.rule = "blocking-under-lock";
    f.anchor = {"src/store.cpp", line, 7};
    f.message = "verify() blocks (crypto: crypt_r) while 'mu_' is held";
    f.lock = "mu_";
    f.function = function;
    f.trace = {{{"src/store.cpp", line - 2, 3}, "'mu_' acquired here"}};
    return f;
  }

  std::string path_;
};

TEST_F(BaselineTest, ShiftedFindingIsAbsorbedNewOneIsNot) {
  std::string error;
  ASSERT_TRUE(writeBaseline(path_, {blocking(42)}, error)) << error;
  // A line inserted above: the same finding one line down, plus a new one in another function.
  std::vector<Finding> now{blocking(43), blocking(80, "Store::reset")};
  ASSERT_TRUE(applyBaseline(path_, now, error)) << error;
  ASSERT_EQ(now.size(), 1u);
  EXPECT_EQ(now[0].function, "Store::reset");
}

TEST_F(BaselineTest, CountsAbsorbAsManyAsWereKnown) {
  std::string error;
  ASSERT_TRUE(writeBaseline(path_, {blocking(10), blocking(20)}, error)) << error;
  std::ifstream in(path_);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("\"count\": 2"), std::string::npos) << text.str();
  std::vector<Finding> now{blocking(11), blocking(21), blocking(31)};
  ASSERT_TRUE(applyBaseline(path_, now, error)) << error;
  EXPECT_EQ(now.size(), 1u);
}

TEST_F(BaselineTest, LineNumbersInMessagesDoNotMatter) {
  Finding a = blocking(10, "(lambda at src/store.cpp:12:3)");
  a.message = "'mu_' is held when 'db_' is acquired (see line 12)";
  Finding b = a;
  b.function = "(lambda at src/store.cpp:13:3)";
  b.message = "'mu_' is held when 'db_' is acquired (see line 13)";
  EXPECT_EQ(baselineKey(a), baselineKey(b));
  std::string error;
  ASSERT_TRUE(writeBaseline(path_, {a}, error)) << error;
  std::vector<Finding> now{b};
  ASSERT_TRUE(applyBaseline(path_, now, error)) << error;
  EXPECT_TRUE(now.empty());
}

TEST_F(BaselineTest, WritingTwiceGivesTheSameBytes) {
  std::string error;
  ASSERT_TRUE(writeBaseline(path_, {blocking(80, "b"), blocking(10, "a")}, error));
  std::stringstream first;
  first << std::ifstream(path_).rdbuf();
  ASSERT_TRUE(writeBaseline(path_, {blocking(10, "a"), blocking(80, "b")}, error));
  std::stringstream second;
  second << std::ifstream(path_).rdbuf();
  EXPECT_EQ(first.str(), second.str());
}

TEST_F(BaselineTest, CorruptFileIsAnError) {
  std::vector<Finding> now{blocking(42)};
  std::string error;
  std::ofstream(path_) << "{\"lockcheck_baseline\": 1, \"findings\": [";
  EXPECT_FALSE(applyBaseline(path_, now, error));
  EXPECT_NE(error.find(path_), std::string::npos) << error;

  std::ofstream(path_) << R"({"lockcheck_baseline": 1, "findings": [{"file": "a.cpp", "rule": 3}]})";
  EXPECT_FALSE(applyBaseline(path_, now, error));
  EXPECT_NE(error.find("findings[0]"), std::string::npos) << error;

  std::ofstream(path_) << R"({"lockcheck_baseline": 99, "findings": []})";
  EXPECT_FALSE(applyBaseline(path_, now, error));
  EXPECT_NE(error.find("version 99"), std::string::npos) << error;

  std::ofstream(path_) << R"({"findings": []})";
  EXPECT_FALSE(applyBaseline(path_, now, error));
  EXPECT_EQ(now.size(), 1u);
}

TEST_F(BaselineTest, MissingFileIsAnError) {
  std::vector<Finding> now{blocking(42)};
  std::string error;
  EXPECT_FALSE(applyBaseline(path_ + ".missing", now, error));
  EXPECT_NE(error.find("--write-baseline"), std::string::npos) << error;
}

} // namespace
} // namespace lockcheck
