#include "driver/revision_files.h"

#include "facts/hashing.h"

#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/VirtualFileSystem.h>

#include <filesystem>

namespace lockcheck {
namespace fs = std::filesystem;
namespace vfs = llvm::vfs;

namespace {

// One of REV's files, read from memory.
class RevisionFile : public vfs::File {
public:
  RevisionFile(vfs::Status status, const std::string &bytes) : status_(std::move(status)), bytes_(bytes) {}
  llvm::ErrorOr<vfs::Status> status() override { return status_; }
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> getBuffer(const llvm::Twine &name, int64_t, bool nullTerminated,
                                                                bool) override {
    return llvm::MemoryBuffer::getMemBuffer(bytes_, name.str(), nullTerminated); // std::string ends in NUL
  }
  std::error_code close() override { return {}; }

private:
  vfs::Status status_;
  const std::string &bytes_;
};

} // namespace

// The disk, but for the files the revision changes. One per Clang run (its own working
// directory and memos), so it needs no lock; the bytes are shared and never change.
class RevisionFileSystem : public vfs::ProxyFileSystem {
public:
  explicit RevisionFileSystem(std::shared_ptr<const void> owner, const std::map<std::string, std::string> &before,
                              const std::set<std::string> &hidden, const std::set<std::string> &names)
      : ProxyFileSystem(vfs::createPhysicalFileSystem()), owner_(std::move(owner)), before_(before), hidden_(hidden),
        names_(names) {}

  llvm::ErrorOr<vfs::Status> status(const llvm::Twine &path) override {
    std::string key;
    const std::string *bytes = nullptr;
    if (!lookup(path, key, bytes)) return ProxyFileSystem::status(path);
    if (!bytes) return std::make_error_code(std::errc::no_such_file_or_directory);
    return statusOf(path, key, *bytes);
  }
  bool exists(const llvm::Twine &path) override { return static_cast<bool>(status(path)); }
  llvm::ErrorOr<std::unique_ptr<vfs::File>> openFileForRead(const llvm::Twine &path) override {
    std::string key;
    const std::string *bytes = nullptr;
    if (!lookup(path, key, bytes)) return ProxyFileSystem::openFileForRead(path);
    if (!bytes) return std::make_error_code(std::errc::no_such_file_or_directory);
    return std::unique_ptr<vfs::File>(new RevisionFile(statusOf(path, key, *bytes), *bytes));
  }

private:
  // True when the revision changes `path`: `bytes` is REV's, or null when REV had no such file.
  bool lookup(const llvm::Twine &path, std::string &key, const std::string *&bytes) {
    llvm::SmallString<256> p;
    path.toVector(p);
    if (!names_.count(llvm::sys::path::filename(p).str())) return false;
    if (makeAbsolute(p)) return false;
    key = RevisionFiles::canonical(std::string(p.str()), folders_);
    if (hidden_.count(key)) return true;
    auto it = before_.find(key);
    if (it == before_.end()) return false;
    bytes = &it->second;
    return true;
  }
  // The disk's status when the file is there (the same file to Clang by any name), with
  // REV's size; else a stable made-up identity per path.
  vfs::Status statusOf(const llvm::Twine &path, const std::string &key, const std::string &bytes) {
    llvm::ErrorOr<vfs::Status> disk = ProxyFileSystem::status(path);
    if (disk && disk->isRegularFile())
      return vfs::Status(path, disk->getUniqueID(), disk->getLastModificationTime(), disk->getUser(), disk->getGroup(),
                         bytes.size(), llvm::sys::fs::file_type::regular_file, disk->getPermissions());
    auto [id, added] = ids_.try_emplace(key);
    if (added) id->second = vfs::getNextVirtualUniqueID();
    return vfs::Status(path, id->second, llvm::sys::TimePoint<>(), 0, 0, bytes.size(),
                       llvm::sys::fs::file_type::regular_file, llvm::sys::fs::perms::all_read);
  }

  std::shared_ptr<const void> owner_; // keeps the maps below alive
  const std::map<std::string, std::string> &before_;
  const std::set<std::string> &hidden_;
  const std::set<std::string> &names_;
  RevisionFiles::Folders folders_;
  std::map<std::string, llvm::sys::fs::UniqueID> ids_;
};

std::string RevisionFiles::canonical(const std::string &path, Folders &memo) {
  fs::path p = fs::path(path).lexically_normal();
  std::string folder = p.parent_path().string();
  auto [it, added] = memo.try_emplace(folder);
  if (added) {
    std::error_code ec;
    fs::path real = fs::weakly_canonical(folder, ec);
    it->second = ec ? folder : real.string();
  }
  return (fs::path(it->second) / p.filename()).string();
}

RevisionFiles::RevisionFiles(const RevisionChanges &changes) {
  auto files = std::make_shared<Files>();
  Folders memo;
  auto keep = [&](const std::string &path, const std::string &bytes) {
    files->before[canonical(path, memo)] = bytes;
    files->names.insert(fs::path(path).filename().string());
  };
  for (const FileChange &f : changes.files) {
    switch (f.kind) {
    case FileChange::Kind::Modified:
    case FileChange::Kind::Deleted: keep(f.path, f.before); break;
    case FileChange::Kind::Renamed: // read as it was under both names: REV's includers name the old one
      keep(f.oldPath, f.before);
      keep(f.path, f.before);
      break;
    case FileChange::Kind::Added:
      files->hidden.insert(canonical(f.path, memo));
      files->names.insert(fs::path(f.path).filename().string());
      break;
    }
  }
  std::uint64_t h = kFnvOffset;
  for (const auto &[path, bytes] : files->before) h = fnv1a(bytes, fnv1a(std::string_view(path.c_str(), path.size() + 1), h));
  for (const auto &path : files->hidden) h = fnv1a(std::string_view(path.c_str(), path.size() + 1), h);
  digest_ = hex64(h);
  files_ = std::move(files);
}

llvm::IntrusiveRefCntPtr<vfs::FileSystem> RevisionFiles::fileSystem() const {
  return llvm::makeIntrusiveRefCnt<RevisionFileSystem>(files_, files_->before, files_->hidden, files_->names);
}

bool RevisionFiles::covers(const std::string &path) const {
  if (!files_->names.count(fs::path(path).filename().string())) return false;
  std::lock_guard lock(mutex_);
  std::string key = canonical(path, folders_);
  return files_->hidden.count(key) || files_->before.count(key);
}

const std::string *RevisionFiles::before(const std::string &path) const {
  if (!files_->names.count(fs::path(path).filename().string())) return nullptr;
  std::lock_guard lock(mutex_);
  auto it = files_->before.find(canonical(path, folders_));
  return it == files_->before.end() ? nullptr : &it->second;
}

} // namespace lockcheck
