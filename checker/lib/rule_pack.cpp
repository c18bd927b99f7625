// Loading and querying rule packs. Validation is strict (unknown keys are errors) and
// every message names the file, the JSON path and the problem, so a typo in a pack
// never silently turns a check off.
#include "rule_pack.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace lockcheck {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr int kPackVersion = 1;
const char *const kCategories[] = {"io", "sleep", "crypto", "db", "net", "sync", "process"};

// Thrown inside the loader only; loadText turns it into the error string.
struct PackError {
  std::string path;
  std::string problem;
};

const char *typeName(const json &j) {
  switch (j.type()) {
  case json::value_t::object: return "an object";
  case json::value_t::array: return "an array";
  case json::value_t::string: return "a string";
  case json::value_t::boolean: return "a boolean";
  case json::value_t::null: return "null";
  default: return "a number";
  }
}

void expect(bool ok, const std::string &path, const std::string &problem) {
  if (!ok) throw PackError{path, problem};
}

void onlyKeys(const json &obj, const std::string &path, std::initializer_list<const char *> allowed) {
  for (const auto &[key, value] : obj.items()) {
    bool known = std::any_of(allowed.begin(), allowed.end(), [&](const char *a) { return key == a; });
    if (!known) {
      std::string list;
      for (const char *a : allowed) list += std::string(list.empty() ? "" : ", ") + a;
      throw PackError{path + "/" + key, "unknown key '" + key + "' (allowed: " + list + ")"};
    }
  }
}

std::string str(const json &obj, const std::string &path, const char *key) {
  expect(obj.contains(key), path, std::string("missing required key '") + key + "'");
  const json &v = obj.at(key);
  expect(v.is_string(), path + "/" + key, std::string("expected a string, found ") + typeName(v));
  expect(!v.get<std::string>().empty(), path + "/" + key, "must not be empty");
  return v.get<std::string>();
}

bool boolean(const json &obj, const std::string &path, const char *key, bool fallback) {
  if (!obj.contains(key)) return fallback;
  expect(obj.at(key).is_boolean(), path + "/" + key, std::string("expected true or false, found ") + typeName(obj.at(key)));
  return obj.at(key).get<bool>();
}

const json &array(const json &doc, const std::string &key) {
  static const json empty = json::array();
  if (!doc.contains(key)) return empty;
  expect(doc.at(key).is_array(), "/" + key, std::string("expected an array, found ") + typeName(doc.at(key)));
  return doc.at(key);
}

std::vector<std::string> names(const json &obj, const std::string &path, const char *key) {
  std::vector<std::string> out;
  if (!obj.contains(key)) return out;
  const json &v = obj.at(key);
  expect(v.is_array(), path + "/" + key, std::string("expected an array of names, found ") + typeName(v));
  for (size_t i = 0; i < v.size(); ++i) {
    expect(v[i].is_string() && !v[i].get<std::string>().empty(), path + "/" + key + "/" + std::to_string(i),
           "expected a non-empty string");
    out.push_back(v[i].get<std::string>());
  }
  return out;
}

Category category(const json &obj, const std::string &path) {
  std::string text = str(obj, path, "category");
  Category c;
  if (!parseCategory(text, c)) {
    std::string list;
    for (const char *k : kCategories) list += std::string(list.empty() ? "" : ", ") + k;
    throw PackError{path + "/category", "unknown category '" + text + "' (expected one of " + list + ")"};
  }
  return c;
}

bool globMatch(const char *p, const char *s) {
  // Iterative '*' matching with backtracking to the last star: linear in practice.
  const char *star = nullptr, *resume = nullptr;
  while (*s) {
    if (*p == '*') {
      star = p++;
      resume = s;
    } else if (*p == *s) {
      ++p;
      ++s;
    } else if (star) {
      p = star + 1;
      s = ++resume;
    } else {
      return false;
    }
  }
  while (*p == '*') ++p;
  return !*p;
}

uint64_t fnv1a(const std::string &bytes, uint64_t h) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

} // namespace

const char *categoryName(Category c) { return kCategories[static_cast<int>(c)]; }

bool parseCategory(const std::string &text, Category &out) {
  for (int i = 0; i < 7; ++i)
    if (text == kCategories[i]) {
      out = static_cast<Category>(i);
      return true;
    }
  return false;
}

NamePattern::NamePattern(std::string text) : text_(std::move(text)), exact_(text_.find('*') == std::string::npos) {}

bool NamePattern::matches(const std::string &name) const {
  return exact_ ? name == text_ : globMatch(text_.c_str(), name.c_str());
}

template <class T> void RulePacks::Table<T>::add(T entry, const NamePattern &key) {
  if (key.isExact()) exact.emplace(key.text(), entries.size()); // first pack to name it wins
  else patterns.push_back(entries.size());
  entries.push_back(std::move(entry));
}

template <class T> const T *RulePacks::Table<T>::find(const std::string &name, const NamePattern T::*key) const {
  if (auto it = exact.find(name); it != exact.end()) return &entries[it->second];
  for (size_t i : patterns)
    if ((entries[i].*key).matches(name)) return &entries[i];
  return nullptr;
}

bool RulePacks::loadPath(const std::string &path, std::string &error) {
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    error = path + ": no such rule pack file or directory";
    return false;
  }
  std::vector<std::string> files;
  if (fs::is_directory(path, ec)) {
    for (const auto &entry : fs::directory_iterator(path, ec))
      if (entry.path().extension() == ".json") files.push_back(entry.path().string());
    std::sort(files.begin(), files.end());
    if (files.empty()) {
      error = path + ": no *.json rule packs in this directory";
      return false;
    }
  } else {
    files.push_back(path);
  }
  for (const auto &file : files) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) {
      error = file + ": cannot read it";
      return false;
    }
    if (!loadText(text.str(), file, error)) return false;
  }
  return true;
}

bool RulePacks::loadText(const std::string &text, const std::string &origin, std::string &error) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error &e) {
    // nlohmann gives a byte offset; turn it into line:column for people.
    size_t line = 1, column = 1;
    for (size_t i = 0; i < e.byte && i < text.size(); ++i) {
      if (text[i] == '\n') ++line, column = 1;
      else ++column;
    }
    error = origin + ":" + std::to_string(line) + ":" + std::to_string(column) + ": invalid JSON: " + e.what();
    return false;
  } catch (const json::exception &e) { // e.g. out_of_range for a number like 1e400
    error = origin + ": invalid JSON: " + e.what();
    return false;
  }
  // Build into copies and swap in at the end: a bad pack leaves nothing half-loaded.
  RulePacks staged = *this;
  try {
    expect(doc.is_object(), "/", std::string("a rule pack is a JSON object, found ") + typeName(doc));
    onlyKeys(doc, "", {"lockcheck_pack", "name", "description", "blocking", "blocking_types", "nonblocking", "waits",
                       "lock_types", "guard_types", "lock_functions", "invokes_callable", "handlers"});
    expect(doc.contains("lockcheck_pack"), "/", "missing 'lockcheck_pack' (the schema version, 1)");
    expect(doc["lockcheck_pack"].is_number_integer() && doc["lockcheck_pack"] == kPackVersion, "/lockcheck_pack",
           "unsupported schema version " + doc["lockcheck_pack"].dump() + " (this lockcheck reads version 1)");
    PackInfo info{str(doc, "", "name"), origin, doc.value("description", std::string())};
    if (doc.contains("description"))
      expect(doc["description"].is_string(), "/description", "expected a string");
    for (const auto &p : packs_)
      expect(p.name != info.name, "/name", "a pack named '" + info.name + "' is already loaded from " + p.path);

    auto where = [&](const char *key, size_t i) { return std::string("/") + key + "/" + std::to_string(i); };
    auto object = [&](const json &e, const std::string &path) {
      expect(e.is_object(), path, std::string("expected an object, found ") + typeName(e));
    };
    const json &blocking = array(doc, "blocking");
    for (size_t i = 0; i < blocking.size(); ++i) {
      std::string path = where("blocking", i);
      object(blocking[i], path);
      onlyKeys(blocking[i], path, {"name", "category", "note"});
      NamePattern name(str(blocking[i], path, "name"));
      staged.blocking_.add(BlockingEntry{name, category(blocking[i], path), info.name + ": " + path}, name);
    }
    const json &types = array(doc, "blocking_types");
    for (size_t i = 0; i < types.size(); ++i) {
      std::string path = where("blocking_types", i);
      object(types[i], path);
      onlyKeys(types[i], path, {"type", "category", "note"});
      NamePattern type(str(types[i], path, "type"));
      staged.blockingTypes_.add(BlockingTypeEntry{type, category(types[i], path), info.name + ": " + path}, type);
    }
    for (const auto &n : names(doc, "", "nonblocking")) staged.nonblocking_.emplace_back(n);
    const json &waits = array(doc, "waits");
    for (size_t i = 0; i < waits.size(); ++i) {
      std::string path = where("waits", i);
      object(waits[i], path);
      onlyKeys(waits[i], path, {"name", "releases_arg", "note"});
      NamePattern name(str(waits[i], path, "name"));
      expect(waits[i].contains("releases_arg") && waits[i]["releases_arg"].is_number_unsigned(), path + "/releases_arg",
             "expected the index (0, 1, ...) of the argument whose lock the wait releases");
      staged.waits_.add(WaitEntry{name, waits[i]["releases_arg"].get<unsigned>(), info.name + ": " + path}, name);
    }
    const json &locks = array(doc, "lock_types");
    for (size_t i = 0; i < locks.size(); ++i) {
      std::string path = where("lock_types", i);
      object(locks[i], path);
      onlyKeys(locks[i], path, {"type", "acquire", "acquire_shared", "try_acquire", "try_acquire_shared", "release",
                                "release_shared", "recursive", "note"});
      LockTypeEntry e{NamePattern(str(locks[i], path, "type"))};
      e.acquire = names(locks[i], path, "acquire");
      e.acquireShared = names(locks[i], path, "acquire_shared");
      e.tryAcquire = names(locks[i], path, "try_acquire");
      e.tryAcquireShared = names(locks[i], path, "try_acquire_shared");
      e.release = names(locks[i], path, "release");
      e.releaseShared = names(locks[i], path, "release_shared");
      e.recursive = boolean(locks[i], path, "recursive", false);
      expect(!e.acquire.empty() || !e.acquireShared.empty(), path, "a lock type needs 'acquire' or 'acquire_shared'");
      expect(!e.release.empty() || !e.releaseShared.empty(), path, "a lock type needs 'release' or 'release_shared'");
      e.origin = info.name + ": " + path;
      NamePattern key = e.type;
      staged.lockTypes_.add(std::move(e), key);
    }
    const json &guards = array(doc, "guard_types");
    for (size_t i = 0; i < guards.size(); ++i) {
      std::string path = where("guard_types", i);
      object(guards[i], path);
      onlyKeys(guards[i], path, {"type", "shared", "movable", "note"});
      NamePattern type(str(guards[i], path, "type"));
      staged.guardTypes_.add(GuardTypeEntry{type, boolean(guards[i], path, "shared", false),
                                            boolean(guards[i], path, "movable", false), info.name + ": " + path},
                             type);
    }
    const json &functions = array(doc, "lock_functions");
    for (size_t i = 0; i < functions.size(); ++i) {
      std::string path = where("lock_functions", i);
      const json &f = functions[i];
      object(f, path);
      onlyKeys(f, path, {"name", "op", "arg", "success", "note"});
      LockFunctionEntry e{NamePattern(str(f, path, "name"))};
      static const std::pair<const char *, LockOp> ops[] = {
          {"acquire", LockOp::Acquire}, {"acquire_shared", LockOp::AcquireShared},
          {"try_acquire", LockOp::TryAcquire}, {"try_acquire_shared", LockOp::TryAcquireShared},
          {"release", LockOp::Release}, {"release_shared", LockOp::ReleaseShared}};
      std::string op = str(f, path, "op");
      auto found = std::find_if(std::begin(ops), std::end(ops), [&](const auto &o) { return op == o.first; });
      expect(found != std::end(ops), path + "/op",
             "unknown op '" + op + "' (expected acquire, acquire_shared, try_acquire, try_acquire_shared, release, release_shared)");
      e.op = found->second;
      if (!f.contains("arg")) e.arg = 0;
      else if (f["arg"].is_string() && f["arg"] == "all") e.arg = -1;
      else {
        expect(f["arg"].is_number_unsigned() && f["arg"].get<unsigned>() < 64, path + "/arg",
               "expected an argument index (0, 1, ...) or \"all\"");
        e.arg = f["arg"].get<int>();
      }
      std::string success = f.contains("success") ? str(f, path, "success") : "true";
      if (success == "true") e.success = TrySuccess::True;
      else if (success == "zero") e.success = TrySuccess::Zero;
      else if (success == "minus_one") e.success = TrySuccess::MinusOne;
      else throw PackError{path + "/success", "unknown success value '" + success + "' (expected true, zero or minus_one)"};
      e.origin = info.name + ": " + path;
      NamePattern key = e.name;
      staged.lockFunctions_.add(std::move(e), key);
    }
    for (const auto &n : names(doc, "", "invokes_callable")) staged.invokesCallable_.emplace_back(n);
    for (const auto &n : names(doc, "", "handlers")) staged.handlers_.emplace_back(n);
    staged.packs_.push_back(std::move(info));
    staged.sources_.push_back(text);
  } catch (const PackError &e) {
    error = origin + ": " + (e.path.empty() ? "/" : e.path) + ": " + e.problem;
    return false;
  } catch (const std::exception &e) {
    error = origin + ": " + e.what();
    return false;
  }
  *this = std::move(staged);
  return true;
}

const BlockingEntry *RulePacks::blocking(const std::string &name) const {
  return blocking_.find(name, &BlockingEntry::name);
}
const BlockingTypeEntry *RulePacks::blockingType(const std::string &name) const {
  return blockingTypes_.find(name, &BlockingTypeEntry::type);
}
bool RulePacks::nonblocking(const std::string &name) const {
  return std::any_of(nonblocking_.begin(), nonblocking_.end(), [&](const NamePattern &p) { return p.matches(name); });
}
const WaitEntry *RulePacks::wait(const std::string &name) const { return waits_.find(name, &WaitEntry::name); }
const LockTypeEntry *RulePacks::lockType(const std::string &name) const {
  return lockTypes_.find(name, &LockTypeEntry::type);
}
const GuardTypeEntry *RulePacks::guardType(const std::string &name) const {
  return guardTypes_.find(name, &GuardTypeEntry::type);
}
const LockFunctionEntry *RulePacks::lockFunction(const std::string &name) const {
  return lockFunctions_.find(name, &LockFunctionEntry::name);
}
bool RulePacks::invokesCallable(const std::string &name) const {
  return std::any_of(invokesCallable_.begin(), invokesCallable_.end(),
                     [&](const NamePattern &p) { return p.matches(name); });
}
bool RulePacks::handler(const std::string &name) const {
  return std::any_of(handlers_.begin(), handlers_.end(), [&](const NamePattern &p) { return p.matches(name); });
}
void RulePacks::addHandlerPattern(const std::string &pattern) {
  handlers_.emplace_back(pattern);
  sources_.push_back("handler:" + pattern);
}

std::string RulePacks::fingerprint() const {
  uint64_t h = 1469598103934665603ull;
  for (const auto &s : sources_) h = fnv1a(s + '\0', h);
  char buf[17];
  snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

} // namespace lockcheck
