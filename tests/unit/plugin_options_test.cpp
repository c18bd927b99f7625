#include "config/plugin_options.h"

#include <gtest/gtest.h>

using namespace lockcheck;

TEST(PluginOptions, EveryArgument) {
  PluginOptions o;
  std::string error;
  ASSERT_TRUE(parsePluginArguments({"out=build/facts", "config=.lockcheck.json", "rules=a.json", "rules=packs", "strict"},
                                   o, error))
      << error;
  EXPECT_EQ(o.outDir, "build/facts");
  EXPECT_EQ(o.configPath, ".lockcheck.json");
  EXPECT_EQ(o.rulePaths, (std::vector<std::string>{"a.json", "packs"}));
  EXPECT_TRUE(o.strict);
}

TEST(PluginOptions, OutIsRequired) {
  PluginOptions o;
  std::string error;
  EXPECT_FALSE(parsePluginArguments({"strict"}, o, error));
  EXPECT_EQ(error, "no output directory: add -fplugin-arg-lockcheck-out=DIR");
}

TEST(PluginOptions, ValuesThatMustBeThere) {
  PluginOptions o;
  std::string error;
  EXPECT_FALSE(parsePluginArguments({"out="}, o, error));
  EXPECT_EQ(error, "'out' needs a value: -fplugin-arg-lockcheck-out=DIR");
  EXPECT_FALSE(parsePluginArguments({"out=d", "rules"}, o, error));
  EXPECT_EQ(error, "'rules' needs a value: -fplugin-arg-lockcheck-rules=PATH");
}

TEST(PluginOptions, RejectsUnknownRepeatedAndValuedFlags) {
  PluginOptions o;
  std::string error;
  EXPECT_FALSE(parsePluginArguments({"out=d", "bogus=1"}, o, error));
  EXPECT_EQ(error, "unknown argument 'bogus=1' (expected out=DIR, config=FILE, rules=PATH or strict)");
  EXPECT_FALSE(parsePluginArguments({"out=d", "out=e"}, o, error));
  EXPECT_EQ(error, "'out' is given twice ('d', 'e')");
  EXPECT_FALSE(parsePluginArguments({"out=d", "config=a", "config=b"}, o, error));
  EXPECT_EQ(error, "'config' is given twice ('a', 'b')");
  EXPECT_FALSE(parsePluginArguments({"out=d", "strict=yes"}, o, error));
  EXPECT_EQ(error, "unknown argument 'strict=yes' (expected out=DIR, config=FILE, rules=PATH or strict)");
}
