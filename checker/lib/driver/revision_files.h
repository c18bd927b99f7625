// The files a revision's version of the program is parsed from (--changed-since, issue 24):
// the working tree, except that each file changed since the revision reads as it was there
// and each file added since is absent. The paths stay those of the working tree, so every
// finding, function key and cache entry of an unchanged file is the same in both versions
// and nothing is checked out: no temporary tree to remove, even after a crash or a signal.
#pragma once

#include "driver/git_revision.h"

#include <llvm/ADT/IntrusiveRefCntPtr.h>

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

namespace llvm::vfs {
class FileSystem;
}

namespace lockcheck {

class RevisionFiles {
public:
  explicit RevisionFiles(const RevisionChanges &changes);

  // A file system that answers this way over a fresh view of the disk (its own working
  // directory: one per Clang run).
  llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> fileSystem() const;
  // Whether `path` (absolute) is a file the revision changes: read from REV's bytes, or hidden.
  bool covers(const std::string &path) const;
  // REV's bytes of `path`; null when REV had no such file (or it did not change).
  const std::string *before(const std::string &path) const;
  // Names every path and byte: part of a cache key for what is parsed from these files.
  const std::string &digest() const { return digest_; }

  // Files are compared by canonical path: absolute, normalised, symbolic links in its
  // folders resolved (the file's own name is kept: it may not exist). Folders are memoised.
  using Folders = std::map<std::string, std::string>;
  static std::string canonical(const std::string &path, Folders &memo);

private:
  struct Files {
    std::map<std::string, std::string> before; // canonical path -> REV's bytes
    std::set<std::string> hidden;              // canonical paths REV did not have
    std::set<std::string> names;               // file names of both: most lookups stop there
  };
  std::shared_ptr<const Files> files_;
  std::string digest_;
  mutable std::mutex mutex_; // covers() is called from the extraction threads
  mutable Folders folders_;
};

} // namespace lockcheck
