// `lockcheck compare`: observed sites are matched to static findings by any frame of their call
// stack; bad input is named.
#include "report/compare.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace lockcheck {
namespace {
namespace fs = std::filesystem;

class CompareTest : public ::testing::Test {
protected:
  static fs::path dir() { return fs::temp_directory_path() / ("lockcheck-compare-" + std::to_string(::getpid())); }
  std::string write(const std::string &name, const std::string &text) {
    fs::create_directories(dir());
    std::ofstream(dir() / name) << text;
    return (dir() / name).string();
  }
  void TearDown() override { fs::remove_all(dir()); }

  int run(const std::string &staticReport, const std::string &runtimeReport) {
    out_.str("");
    err_.str("");
    return runCompare({write("static.json", staticReport), write("runtime.json", runtimeReport)}, out_, err_);
  }
  std::ostringstream out_, err_;
};

// The static finding: crypt_r at src/auth.cpp:42, reached from src/store.cpp:17.
const char *kStatic = R"json({"tool":"lockcheck","findings":[
  {"rule":"blocking-under-lock","file":"src/store.cpp","line":17,"message":"verify() blocks",
   "trace":[{"file":"src/store.cpp","line":15,"note":"'mu' acquired here"},
            {"file":"src/auth.cpp","line":42,"note":"calls crypt_r (crypto)"}]},
  {"rule":"unlock-not-held","file":"src/other.cpp","line":3,"message":"not comparable"}]})json";

// A runtime report with one observed site anchored at src/auth.cpp:`line`.
std::string observed(const std::string &frames, unsigned line = 42) {
  return R"({"tool":"lockcheck","findings":[{"rule":"blocking-under-lock","observed":true,
    "file":"/home/u/proj/src/auth.cpp","line":)" + std::to_string(line) +
         R"(,"message":"crypt_r() blocks","stack":[)" + frames + "]}]}";
}

TEST(CompareSameFile, SuffixAtAPathBoundary) {
  EXPECT_TRUE(sameSourceFile("src/auth.cpp", "/home/u/proj/src/auth.cpp"));
  EXPECT_TRUE(sameSourceFile("/home/u/proj/./src/auth.cpp", "src/auth.cpp"));
  EXPECT_FALSE(sameSourceFile("src/auth.cpp", "/home/u/proj/xsrc/auth.cpp"));
  EXPECT_FALSE(sameSourceFile("src/auth.cpp", "src/auth.cc"));
  EXPECT_FALSE(sameSourceFile("", "src/auth.cpp"));
}

TEST_F(CompareTest, ObservedStackThroughATraceStepIsCovered) {
  EXPECT_EQ(run(kStatic, observed(R"({"file":"/usr/include/x.h","line":9},
                                     {"file":"/home/u/proj/src/auth.cpp","line":42})")),
            0)
      << out_.str();
  EXPECT_NE(out_.str().find("static misses (observed at run time, not reported by lockcheck): 0"), std::string::npos);
  EXPECT_NE(out_.str().find("never observed (the run may not have reached them): 0"), std::string::npos);
}

TEST_F(CompareTest, ObservedCallerMatchingTheStaticAnchorIsCovered) {
  EXPECT_EQ(run(kStatic, observed(R"({"file":"/home/u/proj/src/util.cpp","line":5},
                                     {"file":"/home/u/proj/src/store.cpp","line":17})")),
            0);
}

TEST_F(CompareTest, UnmatchedObservedSiteIsAStaticMiss) {
  EXPECT_EQ(run(kStatic, observed(R"({"file":"/home/u/proj/src/auth.cpp","line":43},
                                     {"file":"/home/u/proj/src/store.cpp","line":15})", 43)),
            1);
  EXPECT_NE(out_.str().find("not reported by lockcheck): 1\n  /home/u/proj/src/auth.cpp:43: crypt_r() blocks"),
            std::string::npos)
      << out_.str();
  EXPECT_NE(out_.str().find("never observed (the run may not have reached them): 1\n  src/store.cpp:17"),
            std::string::npos)
      << out_.str();
}

TEST_F(CompareTest, EmptyRuntimeReportListsEveryStaticFindingAsNeverObserved) {
  EXPECT_EQ(run(kStatic, R"({"findings":[]})"), 0);
  EXPECT_NE(out_.str().find("static findings: 1"), std::string::npos) << out_.str();
}

TEST_F(CompareTest, BadInputIsNamed) {
  EXPECT_EQ(run(kStatic, "{not json"), 2);
  EXPECT_NE(err_.str().find("runtime.json: not valid JSON"), std::string::npos) << err_.str();
  EXPECT_EQ(run(R"({"findings":{}})", R"({"findings":[]})"), 2);
  EXPECT_NE(err_.str().find("static.json: not a lockcheck report"), std::string::npos) << err_.str();
  EXPECT_EQ(run(R"({"findings":[{"rule":"blocking-under-lock","line":3}]})", R"({"findings":[]})"), 2);
  EXPECT_NE(err_.str().find("findings[0]: needs \"rule\", \"file\" and \"line\""), std::string::npos) << err_.str();
  out_.str("");
  err_.str("");
  EXPECT_EQ(runCompare({"/nonexistent/static.json", "/nonexistent/runtime.json"}, out_, err_), 2);
  EXPECT_NE(err_.str().find("/nonexistent/static.json: cannot read"), std::string::npos);
  EXPECT_EQ(runCompare({"one.json"}, out_, err_), 2);
  EXPECT_NE(err_.str().find("usage: lockcheck compare"), std::string::npos);
}

} // namespace
} // namespace lockcheck
