#include "config/knowledge.h"

#include <filesystem>

namespace lockcheck {
namespace fs = std::filesystem;

bool loadKnowledge(const KnowledgeSources &sources, Config &config, RulePacks &packs, std::string &error) {
  std::string configPath = sources.configPath;
  if (configPath.empty() && !sources.searchFrom.empty()) findConfig(sources.searchFrom, configPath);
  if (!configPath.empty() && !loadConfig(configPath, config, error)) return false;
  std::vector<std::string> rulePaths{sources.defaultRulesDir};
  rulePaths.insert(rulePaths.end(), config.rulePacks.begin(), config.rulePacks.end());
  rulePaths.insert(rulePaths.end(), sources.rulePaths.begin(), sources.rulePaths.end());
  for (const auto &path : rulePaths)
    if (!packs.loadPath(path, error)) return false;
  for (const auto &h : config.handlers) packs.addHandlerPattern(h);
  return true;
}

std::string rulesDirBeside(const std::string &binaryPath) {
  if (!binaryPath.empty()) {
    fs::path installed = fs::path(binaryPath).parent_path().parent_path() / "share" / "lockcheck" / "rules";
    std::error_code ec;
    if (fs::is_directory(installed, ec)) return installed.string();
  }
  return LOCKCHECK_SOURCE_RULES_DIR;
}

} // namespace lockcheck
