#include "config/config.h"
#include "support/bounded_read.h"
#include "support/strict_json.h"
#include "findings/catalog.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace lockcheck {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char *kConfigName = ".lockcheck.json";
constexpr int kConfigVersion = 1;

// Every problem names the file and the key path ("rules.double-lock.severity"), so a user can
// go straight to it; the message mirrors the rule-pack loader's.
struct Problem {
  std::string key;
  std::string what;
};

bool stringList(const json &value, const std::string &key, std::vector<std::string> &out, Problem &p) {
  if (!value.is_array()) {
    p = {key, "expected an array of strings"};
    return false;
  }
  for (size_t i = 0; i < value.size(); ++i) {
    if (!value[i].is_string()) {
      p = {key + "[" + std::to_string(i) + "]", "expected a string"};
      return false;
    }
    out.push_back(value[i].get<std::string>());
  }
  return true;
}

bool severityValue(const json &value, const std::string &key, Severity &out, Problem &p) {
  if (!value.is_string() || !parseSeverity(value.get<std::string>(), out)) {
    p = {key, "expected \"note\", \"warning\" or \"error\", got " + value.dump()};
    return false;
  }
  return true;
}

// A rule's value: true/false, "on"/"off", a severity, or {"enabled": bool, "severity": "..."}.
bool ruleSetting(const json &value, const std::string &key, RuleSetting &out, Problem &p) {
  if (value.is_boolean()) {
    out.enabled = value.get<bool>();
    return true;
  }
  if (value.is_string()) {
    std::string text = value.get<std::string>();
    if (text == "off" || text == "on") {
      out.enabled = text == "on";
      return true;
    }
    Severity s;
    if (!parseSeverity(text, s)) {
      p = {key, "expected true, false, \"on\", \"off\", \"note\", \"warning\" or \"error\", got " + value.dump()};
      return false;
    }
    out.severity = s;
    return true;
  }
  if (!value.is_object()) {
    p = {key, "expected a boolean, a string or an object"};
    return false;
  }
  for (const auto &[name, item] : value.items()) {
    std::string itemKey = key + "." + name;
    if (name == "enabled") {
      if (!item.is_boolean()) {
        p = {itemKey, "expected true or false"};
        return false;
      }
      out.enabled = item.get<bool>();
    } else if (name == "severity") {
      Severity s;
      if (!severityValue(item, itemKey, s, p)) return false;
      out.severity = s;
    } else {
      p = {itemKey, "unknown key (expected \"enabled\" or \"severity\")"};
      return false;
    }
  }
  return true;
}

// Indirect calls (docs/configuration.md): on or off, and names never taken as targets.
bool indirectSetting(const std::string &key, const json &value, Config &config, Problem &p) {
  if (key == "indirect_calls") {
    if (!value.is_string() || (value != "resolve" && value != "flows" && value != "ignore")) {
      p = {key, "expected \"resolve\", \"flows\" or \"ignore\", got " + value.dump()};
      return false;
    }
    config.resolveIndirectCalls = value != "ignore";
    config.matchIndirectByType = value == "resolve";
    return true;
  }
  if (!stringList(value, key, config.indirectExclude, p)) return false;
  for (size_t i = 0; i < config.indirectExclude.size(); ++i)
    if (config.indirectExclude[i].empty() || config.indirectExclude[i] == "*") {
      p = {key + "[" + std::to_string(i) + "]",
           "expected a class or function name pattern (\"Mock*\", \"*::FakeEnv\"), got " +
               json(config.indirectExclude[i]).dump() + "; to turn indirect calls off write \"indirect_calls\": \"ignore\""};
      return false;
    }
  return true;
}

bool parseConfig(const json &root, const fs::path &dir, Config &config, Problem &p) {
  if (!root.is_object()) {
    p = {"(top level)", "expected an object"};
    return false;
  }
  for (const auto &[key, value] : root.items()) {
    if (key == "version") {
      if (!value.is_number_integer() || value.get<int>() != kConfigVersion) {
        p = {key, "expected " + std::to_string(kConfigVersion) + ", got " + value.dump()};
        return false;
      }
    } else if (key == "rules") {
      if (!value.is_object()) {
        p = {key, "expected an object keyed by rule id"};
        return false;
      }
      for (const auto &[id, setting] : value.items()) {
        if (!findRule(id)) {
          p = {key + "." + id, "unknown rule id (see lockcheck --list-rules)"};
          return false;
        }
        RuleSetting rule;
        if (!ruleSetting(setting, key + "." + id, rule, p)) return false;
        config.rules[id] = rule;
      }
    } else if (key == "rule_packs") {
      std::vector<std::string> packs;
      if (!stringList(value, key, packs, p)) return false;
      for (const auto &pack : packs) config.rulePacks.push_back((dir / pack).lexically_normal().string());
    } else if (key == "handlers") {
      if (!stringList(value, key, config.handlers, p)) return false;
    } else if (key == "exclude") {
      if (!stringList(value, key, config.exclude, p)) return false;
    } else if (key == "fail_on") {
      if (!severityValue(value, key, config.failOn, p)) return false;
    } else if (key == "extra_args") {
      if (!stringList(value, key, config.extraArgs, p)) return false;
    } else if (key == "indirect_calls" || key == "indirect_exclude") {
      if (!indirectSetting(key, value, config, p)) return false;
    } else {
      p = {key, "unknown key (expected version, rules, rule_packs, handlers, exclude, fail_on, extra_args, "
                "indirect_calls, indirect_exclude)"};
      return false;
    }
  }
  return true;
}

// Glob over '/'-separated paths: '*' and '?' stay within one segment, '**' crosses segments.
bool globMatch(std::string_view pattern, std::string_view path) {
  if (pattern.empty()) return path.empty();
  if (pattern.substr(0, 2) == "**") {
    std::string_view rest = pattern.substr(2);
    if (!rest.empty() && rest.front() == '/') {
      // "**/x" also matches "x" at this level.
      if (globMatch(rest.substr(1), path)) return true;
    }
    for (size_t i = 0; i <= path.size(); ++i)
      if (globMatch(rest, path.substr(i))) return true;
    return false;
  }
  if (pattern.front() == '*') {
    for (size_t i = 0; i <= path.size(); ++i) {
      if (globMatch(pattern.substr(1), path.substr(i))) return true;
      if (i < path.size() && path[i] == '/') break;
    }
    return false;
  }
  if (path.empty()) return false;
  if (pattern.front() == '?' ? path.front() == '/' : pattern.front() != path.front()) return false;
  return globMatch(pattern.substr(1), path.substr(1));
}

// A pattern matches the path, any directory above it ("third_party" excludes everything below),
// and — without a '/' — any single name in it ("*.pb.cc"), as .gitignore does.
bool patternMatches(std::string pattern, const std::string &path) {
  while (pattern.size() > 1 && pattern.back() == '/') pattern.pop_back();
  if (pattern.rfind("./", 0) == 0) pattern.erase(0, 2);
  bool anchored = pattern.find('/') != std::string::npos;
  std::vector<size_t> ends{path.size()}; // the path itself, then each directory above it
  for (size_t i = 1; i < path.size(); ++i)
    if (path[i] == '/') ends.push_back(i);
  for (size_t end : ends) {
    std::string_view prefix(path.data(), end);
    if (anchored) {
      if (globMatch(pattern, prefix)) return true;
      continue;
    }
    size_t slash = prefix.rfind('/');
    if (globMatch(pattern, slash == std::string_view::npos ? prefix : prefix.substr(slash + 1))) return true;
  }
  return false;
}

// The path as the patterns see it: relative to the config's directory (or the working directory
// without a config file), with '/' separators. Paths outside that directory stay absolute.
std::string patternSubject(const Config &config, const std::string &path) {
  std::error_code ec;
  fs::path base = config.sourcePath.empty() ? fs::current_path(ec) : fs::path(config.sourcePath).parent_path();
  fs::path absBase = fs::absolute(base, ec).lexically_normal();
  fs::path absPath = fs::absolute(path, ec).lexically_normal();
  fs::path rel = absPath.lexically_relative(absBase);
  if (rel.empty() || *rel.begin() == "..") return absPath.generic_string();
  return rel.generic_string();
}

// Config errors name keys as "rules.double-lock.severity", as the key table in the docs does.
std::string describe(const std::string &file, const strict_json::Error &e) {
  std::string where = e.path.empty() ? std::string("(top level)") : strict_json::dotted(e.path);
  switch (e.kind) {
  case strict_json::Error::NulByte:
    return file + ": line " + std::to_string(e.line) + ": NUL byte in the file (a configuration is UTF-8 text)";
  case strict_json::Error::Syntax:
    return strict_json::position(file, e) + ": invalid JSON: " + e.what;
  case strict_json::Error::DuplicateKey: return file + ": " + where + ": duplicate key (each key may appear once in an object)";
  case strict_json::Error::NulString: return file + ": " + where + (e.inKey ? " (a key)" : "") + ": NUL character (\\u0000) in a string";
  case strict_json::Error::TooDeep: return file + ": " + where + ": " + e.what;
  }
  return e.what;
}

} // namespace

bool findConfig(const std::string &startPath, std::string &foundPath) {
  std::error_code ec;
  fs::path dir = fs::absolute(startPath.empty() ? "." : startPath, ec).lexically_normal();
  if (ec) return false;
  if (!fs::is_directory(dir, ec)) dir = dir.parent_path();
  for (;;) {
    fs::path candidate = dir / kConfigName;
    if (fs::is_regular_file(candidate, ec)) {
      foundPath = candidate.string();
      return true;
    }
    if (!dir.has_relative_path()) return false; // reached the root
    dir = dir.parent_path();
  }
}

bool loadConfig(const std::string &path, Config &config, std::string &error) {
  std::string text, why;
  if (!readBounded(path, kConfigFileLimit, text, why)) {
    error = path + ": cannot read configuration file: " + why;
    return false;
  }
  json root;
  if (strict_json::Error e; !strict_json::parse(text, root, e)) {
    error = describe(path, e);
    return false;
  }
  Config loaded;
  loaded.sourcePath = path;
  Problem problem;
  std::error_code ec;
  fs::path dir = fs::absolute(path, ec).parent_path();
  if (!parseConfig(root, dir, loaded, problem)) {
    error = path + ": " + problem.key + ": " + problem.what;
    return false;
  }
  config = std::move(loaded);
  return true;
}

bool isExcluded(const Config &config, const std::string &path) {
  if (config.exclude.empty()) return false;
  std::string subject = patternSubject(config, path);
  for (const auto &pattern : config.exclude)
    if (patternMatches(pattern, subject)) return true;
  return false;
}

void applyConfig(const Config &config, std::vector<Finding> &findings) {
  std::erase_if(findings, [&](const Finding &f) {
    auto rule = config.rules.find(f.rule);
    if (rule != config.rules.end() && !rule->second.enabled) return true;
    // Excluded files are not analysed, but findings can still anchor in their headers.
    return isExcluded(config, f.anchor.file);
  });
  for (auto &f : findings) {
    auto rule = config.rules.find(f.rule);
    if (rule != config.rules.end() && rule->second.severity) f.severity = *rule->second.severity;
  }
}

int exitCodeFor(const std::vector<Finding> &findings, Severity failOn) {
  for (const auto &f : findings)
    if (f.severity >= failOn) return 1;
  return 0;
}

} // namespace lockcheck
