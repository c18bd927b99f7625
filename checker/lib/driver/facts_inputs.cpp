#include "driver/facts_inputs.h"

#include "facts/facts_dir.h"
#include "support/bounded_read.h"

#include <algorithm>
#include <filesystem>
#include <sstream>

namespace lockcheck {
namespace fs = std::filesystem;

bool expandFactsArgument(const std::string &argument, std::vector<std::string> &out, std::vector<std::string> &gone,
                         std::string &error) {
  if (argument.size() > 1 && argument[0] == '@') {
    std::string text, why;
    if (!readBounded(argument.substr(1), kListFileLimit, text, why)) {
      error = "cannot read the list of facts files: " + why;
      return false;
    }
    std::istringstream list(text);
    for (std::string line; std::getline(list, line);)
      if (!line.empty()) out.push_back(line);
    return true;
  }
  std::error_code ec;
  if (!fs::is_directory(argument, ec)) {
    out.push_back(argument); // a missing file is reported when it is read
    return true;
  }
  std::vector<std::string> found;
  for (fs::recursive_directory_iterator it(argument, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".lcfacts" && it->is_regular_file(ec)) found.push_back(it->path().string());
  if (ec) {
    error = "cannot list directory: " + ec.message();
    return false;
  }
  std::sort(found.begin(), found.end());
  if (found.empty()) {
    error = "no .lcfacts files in this directory";
    return false;
  }
  if (!isPluginFactsDir(argument)) {
    out.insert(out.end(), found.begin(), found.end());
    return true;
  }
  size_t kept = 0;
  for (auto &path : found) {
    std::string source = pluginFactsSource(argument, path);
    if (!source.empty() && !fs::exists(source, ec)) {
      gone.push_back(source);
    } else {
      out.push_back(std::move(path));
      ++kept;
    }
  }
  if (kept == 0) error = "the sources of all its .lcfacts files are gone"; // a gate that links nothing must not pass
  return kept > 0;
}

} // namespace lockcheck
