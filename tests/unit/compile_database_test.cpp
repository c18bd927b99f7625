// compile_commands.json as lockcheck reads it (driver/compile_database.h): relative
// "directory" values resolved against the database's folder, @file response files expanded,
// and the database's list of files.
#include "driver/compile_database.h"

#include <clang/Tooling/CompilationDatabase.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace lockcheck {
namespace {
namespace fs = std::filesystem;

class CompileDatabaseTest : public ::testing::Test {
protected:
  void SetUp() override {
    root_ = fs::weakly_canonical(fs::temp_directory_path()) /
            ("lockcheck-cdb-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "build");
    fs::create_directories(root_ / "src");
    std::ofstream(root_ / "src" / "a.cpp") << "int a;\n";
  }
  void TearDown() override { fs::remove_all(root_); }
  std::vector<std::string> commandFor(const CompileSetup &setup, const fs::path &file) {
    auto commands = setup.database->getCompileCommands(file.string());
    return commands.empty() ? std::vector<std::string>{} : commands.front().CommandLine;
  }
  static bool has(const std::vector<std::string> &args, const std::string &arg) {
    return std::find(args.begin(), args.end(), arg) != args.end();
  }
  fs::path root_;
};

TEST_F(CompileDatabaseTest, RelativeDirectoryIsTheDatabasesFolders) {
  std::ofstream(root_ / "build" / "compile_commands.json")
      << R"([{"directory": "..", "file": "src/a.cpp", "arguments": ["c++", "-DFROM_DATABASE", "-c", "src/a.cpp"]}])";
  CompileSetup setup;
  std::string error;
  ASSERT_TRUE(setupCompilation((root_ / "build").string(), "", {}, setup, error)) << error;
  auto commands = setup.database->getCompileCommands((root_ / "src" / "a.cpp").string());
  ASSERT_EQ(commands.size(), 1u);
  EXPECT_EQ(commands.front().Directory, root_.string());
  EXPECT_TRUE(has(commands.front().CommandLine, "-DFROM_DATABASE"));
  EXPECT_EQ(listedFiles(setup), std::set<std::string>{(root_ / "src" / "a.cpp").string()});
}

TEST_F(CompileDatabaseTest, ResponseFilesAreExpandedFromTheCommandsDirectory) {
  std::ofstream(root_ / "build" / "flags.rsp") << "-DFROM_RESPONSE_FILE -Iinclude\n";
  std::ofstream(root_ / "build" / "compile_commands.json")
      << R"([{"directory": ")" << (root_ / "build").string()
      << R"(", "file": "../src/a.cpp", "command": "c++ @flags.rsp -c ../src/a.cpp"}])";
  CompileSetup setup;
  std::string error;
  ASSERT_TRUE(setupCompilation((root_ / "build").string(), "", {}, setup, error)) << error;
  auto args = commandFor(setup, root_ / "src" / "a.cpp");
  EXPECT_TRUE(has(args, "-DFROM_RESPONSE_FILE")) << ::testing::PrintToString(args);
  EXPECT_FALSE(has(args, "@flags.rsp"));
}

TEST(WithAbsoluteDirectories, OnlyRelativeOnesChange) {
  std::string absolute = R"([{"directory": "/b", "file": "a.cpp", "command": "c++ a.cpp"}])";
  EXPECT_EQ(withAbsoluteDirectories(absolute, "/db"), absolute); // the same bytes, not re-encoded
  std::string escaped = R"([{"directory": "\/b", "file": "a.cpp", "command": "c++ \"directory\": x"}])";
  EXPECT_EQ(withAbsoluteDirectories(escaped, "/db"), escaped);
  std::string relative = R"([{"directory": "out/../gen", "file": "a.cpp"}, {"directory": "/abs", "file": "b.cpp"}])";
  std::string fixed = withAbsoluteDirectories(relative, "/db");
  EXPECT_NE(fixed.find(R"("directory":"/db/gen")"), std::string::npos) << fixed;
  EXPECT_NE(fixed.find(R"("directory":"/abs")"), std::string::npos) << fixed;
  EXPECT_EQ(withAbsoluteDirectories("[{\"directory\": \"x\"", "/db"), "[{\"directory\": \"x\""); // not JSON: as given
}

} // namespace
} // namespace lockcheck
