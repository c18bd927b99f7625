// Runs phase one over many files: parses each file with Clang in N threads, with the
// compile commands of driver/compile_database.h, and collects facts and errors.
#pragma once

#include "driver/compile_database.h"
#include "facts/facts.h"
#include "config/rule_pack.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace lockcheck {

struct TUResult {
  std::string file;
  bool ok = false;
  std::string error; // first compiler error, "file:line:col: message"
  TUFacts facts;
};

using ProgressFn = std::function<void(size_t done, size_t total, const std::string &file)>;
class FactsCache;

// One TU, in this process. `file` is absolute. With `contents`, the main file is parsed from
// those bytes instead of the disk (an editor's unsaved buffer); the headers come from disk.
TUResult extractFile(const std::string &file, const CompileSetup &setup, const RulePacks &packs,
                     const std::string *contents = nullptr);

// `cache` may be null. With `workerArgv`, each of the `jobs` threads parses in a worker
// process started by that command (tu_worker.h), so a crash costs one file only; without,
// in this process. Results come back in the order of `files`.
std::vector<TUResult> extractAll(const std::vector<std::string> &files, const CompileSetup &setup,
                                 const RulePacks &packs, unsigned jobs, const ProgressFn &progress,
                                 const FactsCache *cache = nullptr, const std::vector<std::string> &workerArgv = {});

} // namespace lockcheck
