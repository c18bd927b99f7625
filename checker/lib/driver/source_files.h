// Which files the user asked for: directories searched recursively for C++ sources.
#pragma once

#include <string>
#include <vector>

namespace lockcheck {

struct SourceError {
  std::string path;
  std::string message;
};

// C++ sources under `paths`, sorted, each once. Missing or unreadable paths go to `errors`.
std::vector<std::string> findSources(const std::vector<std::string> &paths, std::vector<SourceError> &errors);
bool isCxxSource(const std::string &path);

} // namespace lockcheck
