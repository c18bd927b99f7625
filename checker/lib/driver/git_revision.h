// --changed-since REV (issue 24): which files of the repository holding the working
// directory differ from REV — committed, staged and unstaged edits, and untracked files not
// ignored — and REV's bytes of each one REV had. git runs without a shell, so REV can never
// be read as shell syntax; nothing is written to disk.
#pragma once

#include <string>
#include <vector>

namespace lockcheck {

struct FileChange {
  enum class Kind { Modified, Added, Deleted, Renamed };
  Kind kind = Kind::Modified;
  std::string path;     // absolute: the file now (for Deleted: where it was)
  std::string oldPath;  // Renamed: where it was at REV (absolute)
  std::string before;   // REV's bytes (Modified, Deleted, Renamed)
};

struct RevisionChanges {
  std::string revision; // as given
  std::string top;      // the repository's top level (absolute)
  std::vector<FileChange> files;
};

// False with `error` (a sentence naming the problem) outside a git repository, for a REV
// that is no commit, or when git fails.
bool changesSince(const std::string &revision, RevisionChanges &out, std::string &error);

// `git diff --raw -z` output: ":MODE MODE SHA SHA STATUS\0PATH\0[PATH\0]"; paths relative to
// the top level. Exposed for tests. `shas` gets the old side's blob id of each change.
struct RawChange {
  char status = 0; // M, A, D, R, C, T
  std::string oldSha, path, oldPath;
  bool submodule = false;
};
std::vector<RawChange> parseRawDiff(const std::string &text);

} // namespace lockcheck
