// --changed-since's view of git (driver/git_revision.h) against a real temporary repository:
// which files changed since a revision, their bytes there, renames, untracked files, errors.
#include "driver/git_revision.h"
#include "driver/revision_files.h"

#include <gtest/gtest.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/VirtualFileSystem.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace lockcheck {
namespace {
namespace fs = std::filesystem;

// Runs in a fresh repository as the working directory, as lockcheck would, and restores it.
class GitRevisionTest : public ::testing::Test {
protected:
  void SetUp() override {
    if (std::system("git --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "git is not installed";
    saved_ = fs::current_path();
    repo_ = fs::weakly_canonical(fs::temp_directory_path()) /
            ("lockcheck-git-" + std::to_string(::getpid()) + "-" +
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
  std::string at(const std::string &relative) const { return (repo_ / relative).string(); }
  const FileChange *find(const RevisionChanges &changes, const std::string &relative) const {
    for (const auto &f : changes.files)
      if (f.path == at(relative)) return &f;
    return nullptr;
  }

  fs::path saved_, repo_;
};

TEST_F(GitRevisionTest, ModifiedAddedDeletedRenamedAndUntracked) {
  write("src/a.cpp", "int a = 1;\n");
  write("gone.cpp", "int gone;\n");
  write("old_name.cpp", "int moved_function_body_long_enough_to_be_similar = 42;\n// more\n// lines\n");
  git("add -A");
  git("commit -q -m first");
  write("src/a.cpp", "int a = 2;\n");
  fs::remove("gone.cpp");
  git("mv old_name.cpp new_name.cpp");
  write("staged.cpp", "int s;\n");
  git("add staged.cpp");
  write("untracked.cpp", "int u;\n");
  RevisionChanges changes;
  std::string error;
  ASSERT_TRUE(changesSince("HEAD", changes, error)) << error;
  EXPECT_EQ(changes.top, repo_.string());
  const FileChange *a = find(changes, "src/a.cpp");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->kind, FileChange::Kind::Modified);
  EXPECT_EQ(a->before, "int a = 1;\n");
  const FileChange *gone = find(changes, "gone.cpp");
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->kind, FileChange::Kind::Deleted);
  EXPECT_EQ(gone->before, "int gone;\n");
  const FileChange *moved = find(changes, "new_name.cpp");
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->kind, FileChange::Kind::Renamed);
  EXPECT_EQ(moved->oldPath, at("old_name.cpp"));
  EXPECT_NE(moved->before.find("moved_function_body"), std::string::npos);
  ASSERT_TRUE(find(changes, "staged.cpp"));
  EXPECT_EQ(find(changes, "staged.cpp")->kind, FileChange::Kind::Added);
  ASSERT_TRUE(find(changes, "untracked.cpp"));
  EXPECT_EQ(find(changes, "untracked.cpp")->kind, FileChange::Kind::Added);
  EXPECT_EQ(changes.files.size(), 5u);
}

TEST_F(GitRevisionTest, BadRevisionAndNoRepositoryAreErrors) {
  write("a.cpp", "1\n");
  git("add -A");
  git("commit -q -m first");
  RevisionChanges changes;
  std::string error;
  EXPECT_FALSE(changesSince("no-such-branch", changes, error));
  EXPECT_NE(error.find("unknown revision 'no-such-branch'"), std::string::npos) << error;
  EXPECT_FALSE(changesSince("--output=/tmp/x", changes, error));
  EXPECT_NE(error.find("is not a revision"), std::string::npos) << error;
  fs::path outside = repo_ / "not-a-repo";
  fs::create_directories(outside);
  fs::current_path(outside);
  ::setenv("GIT_CEILING_DIRECTORIES", repo_.string().c_str(), 1);
  EXPECT_FALSE(changesSince("HEAD", changes, error));
  ::unsetenv("GIT_CEILING_DIRECTORIES");
  EXPECT_NE(error.find("not in a git repository"), std::string::npos) << error;
}

TEST(ParseRawDiff, StatusesPathsAndRenames) {
  std::string z(1, '\0');
  std::string text = ":100644 100644 aaaa bbbb M" + z + "src/a b.cpp" + z + ":100644 100644 cccc dddd R087" + z +
                     "old.cpp" + z + "new.cpp" + z + ":000000 100644 0000 eeee A" + z + "n\nl.cpp" + z +
                     ":160000 160000 ffff 1111 M" + z + "third_party/sub" + z;
  std::vector<RawChange> changes = parseRawDiff(text);
  ASSERT_EQ(changes.size(), 4u);
  EXPECT_EQ(changes[0].status, 'M');
  EXPECT_EQ(changes[0].path, "src/a b.cpp");
  EXPECT_EQ(changes[0].oldSha, "aaaa");
  EXPECT_EQ(changes[1].status, 'R');
  EXPECT_EQ(changes[1].oldPath, "old.cpp");
  EXPECT_EQ(changes[1].path, "new.cpp");
  EXPECT_EQ(changes[2].path, "n\nl.cpp");
  EXPECT_TRUE(changes[3].submodule);
}

// REV's view of the files: changed ones read as they were, added ones absent, the rest the disk.
TEST_F(GitRevisionTest, RevisionFilesServeTheRevisionsBytes) {
  write("src/a.h", "old\n");
  write("src/same.h", "same\n");
  git("add -A");
  git("commit -q -m first");
  write("src/a.h", "new\n");
  write("src/added.h", "added\n");
  RevisionChanges changes;
  std::string error;
  ASSERT_TRUE(changesSince("HEAD", changes, error)) << error;
  RevisionFiles files(changes);
  auto view = files.fileSystem();
  auto text = [&](const std::string &path) {
    auto buffer = view->getBufferForFile(path);
    return buffer ? (*buffer)->getBuffer().str() : std::string("<none>");
  };
  EXPECT_EQ(text(at("src/a.h")), "old\n");
  EXPECT_EQ(text(at("src/../src/a.h")), "old\n");
  EXPECT_EQ(view->status(at("src/a.h"))->getSize(), 4u);
  EXPECT_EQ(text(at("src/same.h")), "same\n");
  EXPECT_EQ(text(at("src/added.h")), "<none>");
  EXPECT_FALSE(view->exists(at("src/added.h")));
  EXPECT_TRUE(files.covers(at("src/a.h")));
  EXPECT_TRUE(files.covers(at("src/added.h")));
  EXPECT_FALSE(files.covers(at("src/same.h")));
  ASSERT_TRUE(files.before(at("src/a.h")));
  EXPECT_EQ(*files.before(at("src/a.h")), "old\n");
  // Through a symbolic link to the folder, the same file.
  fs::create_directory_symlink(repo_ / "src", repo_ / "link");
  EXPECT_EQ(text(at("link/a.h")), "old\n");
  EXPECT_TRUE(files.covers(at("link/added.h")));
}

} // namespace
} // namespace lockcheck
