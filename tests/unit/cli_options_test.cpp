#include "config/cli_options.h"
#include "extract/lock_identity.h"

#include <gtest/gtest.h>

using namespace lockcheck;

namespace {
bool parse(std::vector<const char *> args, CliOptions &out, std::string &error) {
  args.insert(args.begin(), "lockcheck");
  return parseCommandLine(static_cast<int>(args.size()), args.data(), out, error);
}
} // namespace

TEST(CliOptions, PathsFlagsAndExtraArgs) {
  CliOptions o;
  std::string error;
  ASSERT_TRUE(parse({"src", "-p", "build", "--format", "json", "-j4", "--quiet", "--", "-DX=1"}, o, error)) << error;
  EXPECT_EQ(o.paths, std::vector<std::string>{"src"});
  EXPECT_EQ(o.buildDir, "build");
  EXPECT_EQ(o.format, "json");
  EXPECT_EQ(o.jobs, 4u);
  EXPECT_TRUE(o.quiet);
  EXPECT_EQ(o.extraArgs, std::vector<std::string>{"-DX=1"});
}

TEST(CliOptions, RejectsUnknownOptionNamingIt) {
  CliOptions o;
  std::string error;
  EXPECT_FALSE(parse({"--frobnicate"}, o, error));
  EXPECT_NE(error.find("--frobnicate"), std::string::npos);
}

TEST(CliOptions, RejectsBadFormatAndJobs) {
  CliOptions o;
  std::string error;
  EXPECT_FALSE(parse({"--format", "xml"}, o, error));
  EXPECT_NE(error.find("xml"), std::string::npos);
  EXPECT_FALSE(parse({"-j", "zero"}, o, error));
  EXPECT_FALSE(parse({"-p"}, o, error));
  EXPECT_NE(error.find("-p needs a value"), std::string::npos);
}

TEST(CliOptions, SubcommandsCheckTheirArguments) {
  CliOptions o;
  std::string error;
  EXPECT_FALSE(parse({"extract", "a.cpp"}, o, error)); // no -o
  ASSERT_TRUE(parse({"extract", "a.cpp", "-o", "a.lcfacts"}, o, error)) << error;
  EXPECT_EQ(o.mode, CliOptions::Mode::Extract);
  EXPECT_FALSE(parse({"link"}, o, error));
  ASSERT_TRUE(parse({"link", "a.lcfacts", "b.lcfacts"}, o, error));
  EXPECT_EQ(o.paths.size(), 2u);
}

TEST(LockIdentity, TranslatesCalleeKeysIntoCallerTerms) {
  EXPECT_EQ(translateKey("g:store.mu", "", {}), "g:store.mu");
  EXPECT_EQ(translateKey("t:mu_", "t:", {}), "t:mu_");
  EXPECT_EQ(translateKey("t:mu_", "g:db", {}), "g:db.mu_");
  EXPECT_EQ(translateKey("p1:", "", {"", "l:m@3"}), "l:m@3");
  EXPECT_EQ(translateKey("p0:mu", "", {"g:s"}), "g:s.mu");
  EXPECT_EQ(translateKey("l:m@4", "t:", {}), "");
  EXPECT_EQ(translateKey("t:mu_", "", {}), "");
}
