#include "config/plugin_options.h"

namespace lockcheck {

bool parsePluginArguments(const std::vector<std::string> &args, PluginOptions &out, std::string &error) {
  out = PluginOptions{};
  for (const auto &arg : args) {
    size_t eq = arg.find('=');
    std::string name = arg.substr(0, eq);
    std::string value = eq == std::string::npos ? std::string() : arg.substr(eq + 1);
    bool hasValue = eq != std::string::npos;
    if (name == "strict" && !hasValue) {
      out.strict = true;
      continue;
    }
    if ((name == "out" || name == "config" || name == "rules") && value.empty()) {
      error = "'" + name + "' needs a value: -fplugin-arg-lockcheck-" + name + "=" + (name == "out" ? "DIR" : "PATH");
      return false;
    }
    if (name == "out") {
      if (!out.outDir.empty()) {
        error = "'out' is given twice ('" + out.outDir + "', '" + value + "')";
        return false;
      }
      out.outDir = value;
    } else if (name == "config") {
      if (!out.configPath.empty()) {
        error = "'config' is given twice ('" + out.configPath + "', '" + value + "')";
        return false;
      }
      out.configPath = value;
    } else if (name == "rules") {
      out.rulePaths.push_back(value);
    } else {
      error = "unknown argument '" + arg + "' (expected out=DIR, config=FILE, rules=PATH or strict)";
      return false;
    }
  }
  if (out.outDir.empty()) {
    error = "no output directory: add -fplugin-arg-lockcheck-out=DIR";
    return false;
  }
  return true;
}

} // namespace lockcheck
