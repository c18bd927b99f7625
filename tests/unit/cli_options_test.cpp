#include "config/cli_options.h"

#include <gtest/gtest.h>

#include <sched.h>

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

// Issue 17: parallel by default, on the processors this process may run on.
TEST(CliOptions, JobsDefaultToTheProcessorsInTheAffinityMask) {
  cpu_set_t set;
  ASSERT_EQ(sched_getaffinity(0, sizeof set, &set), 0);
  unsigned allowed = static_cast<unsigned>(CPU_COUNT(&set));
  EXPECT_GE(availableProcessors(), 1u);
  EXPECT_LE(availableProcessors(), allowed);
  CliOptions o;
  std::string error;
  ASSERT_TRUE(parse({"src"}, o, error)) << error;
  EXPECT_EQ(o.jobs, availableProcessors());
  ASSERT_TRUE(parse({"src", "-j", "1"}, o, error)) << error;
  EXPECT_EQ(o.jobs, 1u);
  // Narrowed to one processor (taskset -c 0), the default follows.
  cpu_set_t one;
  CPU_ZERO(&one);
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
    if (CPU_ISSET(cpu, &set)) {
      CPU_SET(cpu, &one);
      break;
    }
  ASSERT_EQ(sched_setaffinity(0, sizeof one, &one), 0);
  unsigned narrowed = availableProcessors();
  ASSERT_EQ(sched_setaffinity(0, sizeof set, &set), 0);
  EXPECT_EQ(narrowed, 1u);
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
  ASSERT_TRUE(parse({"lsp", "-p", "build", "--cache-dir", "c"}, o, error)) << error;
  EXPECT_EQ(o.mode, CliOptions::Mode::Lsp);
  EXPECT_EQ(o.buildDir, "build");
  EXPECT_FALSE(parse({"lsp", "src/"}, o, error)); // the editor names the files
  EXPECT_NE(error.find("lsp takes no paths"), std::string::npos) << error;
}
