// The project's .lockcheck.json (docs/configuration.md): rules on/off, severities, packs, excludes.
#pragma once

#include "findings/finding.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lockcheck {

struct RuleSetting {
  bool enabled = true;
  std::optional<Severity> severity; // overrides the rule's default when set
};

struct Config {
  std::map<std::string, RuleSetting> rules; // by rule id; ids not listed keep their defaults
  std::vector<std::string> rulePacks;       // resolved against the config file's directory
  std::vector<std::string> handlers;        // handler name patterns (docs/spec.md §5)
  std::vector<std::string> exclude;         // globs on paths relative to the config file's directory
  Severity failOn = Severity::Warning;      // exitCodeFor fails at this severity and above
  std::vector<std::string> extraArgs;       // compiler flags added to every translation unit
  bool resolveIndirectCalls = true;         // "indirect_calls": "resolve" (default) | "flows" | "ignore"
  bool matchIndirectByType = true;          // ... "resolve": a lost flow falls back to the functions converted to its type
  std::vector<std::string> indirectExclude; // "indirect_exclude": classes / targets never taken as targets
  std::string sourcePath;                   // the file this came from; empty for the defaults
};

// Looks for .lockcheck.json in the directory of `startPath` (or `startPath` itself if it is a
// directory) and each parent up to /. False if there is none.
bool findConfig(const std::string &startPath, std::string &foundPath);
// False on unreadable files, bad JSON, unknown keys or rule ids, bad severities and wrong
// types, with `error` as "FILE: KEY: problem".
bool loadConfig(const std::string &path, Config &config, std::string &error);

// Drops findings of disabled rules and in excluded files; applies severity overrides.
void applyConfig(const Config &config, std::vector<Finding> &findings);
bool isExcluded(const Config &config, const std::string &path);
// docs/spec.md §6: 1 if any finding is at or above `failOn`, else 0.
int exitCodeFor(const std::vector<Finding> &findings, Severity failOn);

} // namespace lockcheck
