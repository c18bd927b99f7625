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
      errors.push_back({path, "no such file or directory"});
      continue;
    }
    if (fs::is_regular_file(status)) {
      if (!isCxxSource(path)) errors.push_back({path, "not a C++ source file (.cpp, .cc, .cxx)"});
      else found.insert(fs::path(path).lexically_normal().string());
      continue;
    }
    fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec), end;
    if (ec) {
      errors.push_back({path, "cannot read directory: " + ec.message()});
      continue;
    }
    for (; it != end; it.increment(ec)) {
      if (ec) break;
      const fs::path &p = it->path();
      std::string name = p.filename().string();
      // Hidden directories and CMake's scratch space hold no sources of the project.
      if (it->is_directory() && (name.empty() || name[0] == '.' || name == "CMakeFiles")) {
        it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file() && isCxxSource(p.string())) found.insert(p.lexically_normal().string());
    }
  }
  return {found.begin(), found.end()};
}

} // namespace lockcheck
