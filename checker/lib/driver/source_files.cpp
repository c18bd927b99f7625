#include "driver/source_files.h"

#include <algorithm>
#include <filesystem>
#include <set>

namespace lockcheck {
namespace fs = std::filesystem;

bool isCxxSource(const std::string &path) {
  static const std::set<std::string> extensions{".cpp", ".cc", ".cxx", ".c++", ".cp", ".C", ".CPP"};
  return extensions.count(fs::path(path).extension().string()) > 0;
}

std::vector<std::string> findSources(const std::vector<std::string> &paths, std::vector<SourceError> &errors) {
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
    fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec), end;
    if (ec) {
      errors.push_back({path, "cannot read directory: " + ec.message()});
      continue;
    }
    size_t sources = 0;
    for (; it != end; it.increment(ec)) {
      if (ec) break;
      const fs::path &p = it->path();
      std::string name = p.filename().string();
      // The error_code overloads: an entry that cannot be resolved (a symlink loop) must
      // not throw out of the walk.
      std::error_code entryError;
      bool directory = it->is_directory(entryError);
      // Hidden directories and CMake's scratch space hold no sources of the project.
      if (directory && (name.empty() || name[0] == '.' || name == "CMakeFiles")) {
        it.disable_recursion_pending();
        continue;
      }
      if (!isCxxSource(p.string())) continue;
      if (it->is_regular_file(entryError)) found.insert(p.lexically_normal().string()), ++sources;
      else if (entryError || (it->is_symlink(entryError) && !it->exists(entryError)))
        errors.push_back({p.string(), entryError ? "cannot read: " + entryError.message()
                                                 : "cannot read: a symbolic link to nothing"});
    }
    if (ec) errors.push_back({path, "cannot read directory: " + ec.message()});
    // A mistyped path must not make a gate pass on nothing.
    else if (sources == 0) errors.push_back({path, "no C++ sources (.cpp, .cc, .cxx) under this directory"});
  }
  return {found.begin(), found.end()};
}

} // namespace lockcheck
