// The command line of docs/spec.md §6, parsed into one struct. No clang here: usage errors are
// found before anything heavy starts.
#pragma once

#include <string>
#include <vector>

namespace lockcheck {

struct CliOptions {
  enum class Mode { Analyze, Extract, Link, Lsp, ListRules, Explain, Version, Help };
  Mode mode = Mode::Analyze;
  std::vector<std::string> paths;      // sources (analyze, extract) or facts files (link)
  std::string buildDir;                // -p
  std::string format = "text";
  std::string output;                  // -o
  std::string depfile;                 // extract --depfile: Makefile rule "OUTPUT: inputs"
  unsigned jobs = 0;                   // -j; 0 until parsed: then availableProcessors()
  std::vector<std::string> rulePaths;  // --rules
  std::string configPath;              // --config
  std::string baselinePath;            // --baseline
  bool writeBaseline = false;          // --write-baseline
  std::string changedSince;            // --changed-since
  std::string cacheDir;                // --cache-dir
  bool noCache = false;                // --no-cache
  bool includeUnlisted = false;        // --include-unlisted: sources the database does not list
  bool quiet = false;
  bool worker = false;                 // --internal-worker (tu_worker.h): serve TUs on fd 3
  std::string explainRule;
  std::vector<std::string> extraArgs;  // after --
};

// False on a usage error, with `error` saying what is wrong.
bool parseCommandLine(int argc, const char *const *argv, CliOptions &out, std::string &error);
const char *usageText();
// Processors this process may run on: its CPU affinity mask, capped by a cgroup v2 CPU quota.
unsigned availableProcessors();

} // namespace lockcheck
