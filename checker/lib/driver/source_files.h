// Which files the user asked for: directories searched recursively for C++ sources; with
// a compilation database, a directory means the sources it lists there (issue 24).
#pragma once

#include <set>
#include <string>
#include <vector>

namespace lockcheck {

struct SourceError {
  std::string path;
  std::string message;
};

// The compilation database's part in choosing sources: a directory PATH means the listed
// C++ sources under it (the program the build compiles, as run-clang-tidy takes it); the
// others found there are counted in `unlisted` and analysed only with `includeUnlisted`.
// A file named on the command line is analysed whether listed or not.
struct DatabaseScope {
  const std::set<std::string> *listed = nullptr; // absolute, normalised (listedFiles())
  std::string databasePath;                      // for messages
  bool includeUnlisted = false;
  size_t unlisted = 0;          // out: sources found under directories that it does not list
  std::string firstUnlisted;    // out: the first of them by name, for the notice
};

// C++ sources under `paths`, sorted, each once. Missing or unreadable paths go to `errors`,
// and so does a directory with no source to analyse. `scope`: null without a database.
std::vector<std::string> findSources(const std::vector<std::string> &paths, std::vector<SourceError> &errors,
                                     DatabaseScope *scope = nullptr);
bool isCxxSource(const std::string &path);

} // namespace lockcheck
