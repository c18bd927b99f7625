// What a run knows before it reads code: the project's .lockcheck.json and the rule packs
// (lockcheck's own, the configuration's, the command line's). Loaded the same way by every
// mode of the binary and by the Clang plugin (checker/plugin/), so that both see one program.
#pragma once

#include "config/config.h"
#include "config/rule_pack.h"

#include <string>
#include <vector>

namespace lockcheck {

struct KnowledgeSources {
  std::string configPath;             // --config; empty: search upward from `searchFrom`
  std::string searchFrom;             // where to start looking for .lockcheck.json; empty: do not
  std::string defaultRulesDir;        // lockcheck's own packs (rulesDirBeside)
  std::vector<std::string> rulePaths; // --rules, after the configuration's packs
};

// Loads the configuration (if any), then the packs in that order, then the configuration's
// handler patterns. False with `error` naming the file and the problem.
bool loadKnowledge(const KnowledgeSources &sources, Config &config, RulePacks &packs, std::string &error);

// The packs shipped with the program at `binaryPath` (<prefix>/bin/lockcheck or
// <prefix>/lib/liblockcheck-plugin.so): <prefix>/share/lockcheck/rules, or in a build tree the
// sources' rules/.
std::string rulesDirBeside(const std::string &binaryPath);

} // namespace lockcheck
