#include "driver/source_files.h"

#include <algorithm>
#include <filesystem>

namespace lockcheck {
namespace fs = std::filesystem;

bool isCxxSource(const std::string &path) {
  static const std::set<std::string> extensions{".cpp", ".cc", ".cxx", ".c++", ".cp", ".C", ".CPP"};
  return extensions.count(fs::path(path).extension().string()) > 0;
}

namespace {

// The C++ sources below `path` that a walk finds (hidden directories and CMake's scratch
// space hold no sources of the project), as `path`/relative, normalised.
std::vector<std::string> walk(const std::string &path, std::vector<SourceError> &errors, bool &readable) {
  std::vector<std::string> found;
  std::error_code ec;
  fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec), end;
  if (ec) {
    errors.push_back({path, "cannot read directory: " + ec.message()});
    readable = false;
    return found;
  }
  for (; it != end; it.increment(ec)) {
    if (ec) break;
    const fs::path &p = it->path();
    std::string name = p.filename().string();
    // The error_code overloads: an entry that cannot be resolved (a symlink loop) must
    // not throw out of the walk.
    std::error_code entryError;
    bool directory = it->is_directory(entryError);
    if (directory && (name.empty() || name[0] == '.' || name == "CMakeFiles")) {
      it.disable_recursion_pending();
      continue;
    }
    if (!isCxxSource(p.string())) continue;
    if (it->is_regular_file(entryError)) found.push_back(p.lexically_normal().string());
    else if (entryError || (it->is_symlink(entryError) && !it->exists(entryError)))
      errors.push_back({p.string(), entryError ? "cannot read: " + entryError.message()
                                               : "cannot read: a symbolic link to nothing"});
  }
  readable = !ec;
  if (ec) errors.push_back({path, "cannot read directory: " + ec.message()});
  return found;
}

// Whether the database lists `file` (as written, or with symbolic links resolved).
bool listed(const std::set<std::string> &list, const std::string &file) {
  std::error_code ec;
  fs::path abs = fs::absolute(file, ec).lexically_normal();
  if (list.count(abs.string())) return true;
  fs::path real = fs::weakly_canonical(abs, ec);
  return !ec && list.count(real.string());
}

// The listed sources below directory `path` (given as the user wrote it), each as
// `path`/relative: the form a walk gives, so one file is one entry.
std::vector<std::string> listedUnder(const std::set<std::string> &list, const std::string &path) {
  std::vector<std::string> out;
  std::error_code ec;
  fs::path abs = fs::absolute(path, ec).lexically_normal();
  std::set<fs::path> roots{abs};
  if (fs::path real = fs::weakly_canonical(abs, ec); !ec) roots.insert(real);
  for (const fs::path &root : roots) {
    std::string prefix = root.string();
    if (prefix.empty() || prefix.back() != '/') prefix += '/';
    for (auto it = list.lower_bound(prefix); it != list.end() && it->compare(0, prefix.size(), prefix) == 0; ++it) {
      if (!isCxxSource(*it) || !fs::is_regular_file(*it, ec)) continue; // a stale entry: nothing to read
      out.push_back((fs::path(path) / fs::path(*it).lexically_relative(root)).lexically_normal().string());
    }
  }
  return out;
}

} // namespace

std::vector<std::string> findSources(const std::vector<std::string> &paths, std::vector<SourceError> &errors,
                                     DatabaseScope *scope) {
  std::set<std::string> found;
  for (const auto &path : paths) {
    std::error_code ec;
    fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
      // ELOOP and EACCES say more than "missing" does.
      errors.push_back({path, ec && ec != std::errc::no_such_file_or_directory ? "cannot read: " + ec.message()
                                                                                : "no such file or directory"});
      continue;
    }
    if (fs::is_regular_file(status)) {
      if (!isCxxSource(path)) errors.push_back({path, "not a C++ source file (.cpp, .cc, .cxx)"});
      else found.insert(fs::path(path).lexically_normal().string());
      continue;
    }
    if (!fs::is_directory(status)) { // a device or a pipe: no end to read, and no source
      errors.push_back({path, "not a regular file or a directory (a device, pipe or socket)"});
      continue;
    }
    bool readable = true;
    std::vector<std::string> sources = walk(path, errors, readable);
    if (!readable) { // what the walk found before it failed, as ever
      found.insert(sources.begin(), sources.end());
      continue;
    }
    if (!scope || !scope->listed) {
      // A mistyped path must not make a gate pass on nothing.
      if (sources.empty()) errors.push_back({path, "no C++ sources (.cpp, .cc, .cxx) under this directory"});
      found.insert(sources.begin(), sources.end());
      continue;
    }
    std::vector<std::string> mine = listedUnder(*scope->listed, path);
    size_t unlisted = 0;
    for (const auto &file : sources) {
      if (listed(*scope->listed, file)) continue;
      if (scope->firstUnlisted.empty() || file < scope->firstUnlisted) scope->firstUnlisted = file;
      ++unlisted;
      if (scope->includeUnlisted) mine.push_back(file);
    }
    scope->unlisted += unlisted;
    if (mine.empty())
      errors.push_back({path, unlisted == 0 ? "no C++ sources (.cpp, .cc, .cxx) under this directory"
                                            : "none of the " + std::to_string(unlisted) +
                                                  " C++ sources under this directory is listed in " +
                                                  scope->databasePath +
                                                  " (--include-unlisted analyses them with guessed flags)"});
    found.insert(mine.begin(), mine.end());
  }
  return {found.begin(), found.end()};
}

} // namespace lockcheck
