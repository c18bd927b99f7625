#include "facts/facts_dir.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

using namespace lockcheck;
namespace fs = std::filesystem;

namespace {
struct TempDir {
  fs::path path = fs::temp_directory_path() / ("lockcheck-facts-dir-" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};

std::string slurp(const fs::path &p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
} // namespace

TEST(FactsDir, NamesMirrorTheSourceAndHashTheObject) {
  std::string a = pluginFactsPath("/b/facts", "/src/kv/auth.cc", "/b/CMakeFiles/auth.dir/auth.cc.o");
  std::string b = pluginFactsPath("/b/facts", "/src/kv/auth.cc", "/b/CMakeFiles/auth_shared.dir/auth.cc.o");
  EXPECT_EQ(a.rfind("/b/facts/src/kv/auth.cc.", 0), 0u) << a;
  EXPECT_EQ(a.size(), std::string("/b/facts/src/kv/auth.cc.").size() + 16 + std::string(".lcfacts").size()) << a;
  EXPECT_NE(a, b); // two objects of one source: two translation units
  EXPECT_EQ(a, pluginFactsPath("/b/facts", "/src/kv/./auth.cc", "/b/CMakeFiles/auth.dir/auth.cc.o")); // a rebuild: the same file
  EXPECT_EQ(pluginFactsSource("/b/facts", a), "/src/kv/auth.cc");
  EXPECT_EQ(pluginFactsSource("/b/facts/", pluginFactsPath("/b/facts", "/x.cc", "")), "/x.cc");
}

TEST(FactsDir, OtherFilesHaveNoSource) {
  EXPECT_EQ(pluginFactsSource("/b/facts", "/b/facts/src/auth.cc.lcfacts"), "");          // extract's naming
  EXPECT_EQ(pluginFactsSource("/b/facts", "/b/facts/auth.cc.0123456789abcdeX.lcfacts"), ""); // not hex
  EXPECT_EQ(pluginFactsSource("/b/facts", "/elsewhere/a.cc.0123456789abcdef.lcfacts"), "");
}

TEST(FactsDir, MarkerAndAtomicWrite) {
  TempDir t;
  std::string dir = (t.path / "facts").string();
  EXPECT_FALSE(isPluginFactsDir(dir));
  std::string error;
  ASSERT_TRUE(preparePluginFactsDir(dir, error)) << error;
  EXPECT_TRUE(isPluginFactsDir(dir));
  ASSERT_TRUE(preparePluginFactsDir(dir, error)) << error; // again: nothing to do
  std::string file = dir + "/one.lcfacts";
  ASSERT_TRUE(writeFileAtomically(file, "first", error)) << error;
  ASSERT_TRUE(writeFileAtomically(file, "second", error)) << error;
  EXPECT_EQ(slurp(file), "second");
  size_t entries = 0;
  for ([[maybe_unused]] const auto &e : fs::directory_iterator(dir)) ++entries;
  EXPECT_EQ(entries, 2u); // the marker and the file: no temporary left
}

TEST(FactsDir, WriteFailuresSayWhere) {
  std::string error;
  EXPECT_FALSE(writeFileAtomically("/dev/null/x.lcfacts", "x", error));
  EXPECT_NE(error.find("cannot write '/dev/null/x.lcfacts.tmp."), std::string::npos) << error;
  EXPECT_FALSE(preparePluginFactsDir("/dev/null/facts", error));
  EXPECT_NE(error.find("cannot create directory '/dev/null/facts'"), std::string::npos) << error;
}
