// The arguments of the Clang plugin (checker/plugin/), as the compiler hands them over:
// `-fplugin-arg-lockcheck-out=DIR` arrives as "out=DIR". docs/user-guide.md lists them.
#pragma once

#include <string>
#include <vector>

namespace lockcheck {

struct PluginOptions {
  std::string outDir;                 // out=DIR: where the facts go (required)
  std::string configPath;             // config=FILE: .lockcheck.json; default: found upward from the source
  std::vector<std::string> rulePaths; // rules=PATH (repeatable): packs after the configuration's
  bool strict = false;                // strict: an internal error fails the compile instead of a warning
};

// False on an unknown or malformed argument, or without out=, with `error` saying which.
bool parsePluginArguments(const std::vector<std::string> &args, PluginOptions &out, std::string &error);

} // namespace lockcheck
