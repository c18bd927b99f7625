// Loading and querying rule packs. Validation is strict (unknown keys are errors) and
// every message names the file, the JSON path and the problem, so a typo in a pack
// never silently turns a check off.
#include "config/rule_pack.h"
#include "support/bounded_read.h"
#include "support/strict_json.h"

#include "facts/hashing.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace lockcheck {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr int kPackVersion = 1;
const char *const kCategories[] = {"io", "sleep", "crypto", "db", "net", "sync", "process"};
const char *const kTopKeys[] = {"lockcheck_pack",   "name",          "description",         "blocking",
                                "blocking_types",   "nonblocking",   "waits",               "lock_types",
                                "guard_types",      "lock_functions", "invokes_callable",   "handlers",
                                "console_streams",  "console_descriptors", "stream_calls", "nonblocking_descriptors",
                                "success_tests",    "failure_tests", "failure_results"};

// Thrown inside loadText only, which turns it into the error string.
struct PackError {
  std::string path; // JSON pointer; "" is the document
  std::string problem;
};

[[noreturn]] void fail(const std::string &path, const std::string &problem) { throw PackError{path, problem}; }
void expect(bool ok, const std::string &path, const std::string &problem) {
  if (!ok) fail(path, problem);
}

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

template <class List> std::string joined(const List &items) {
  std::string out;
  for (const auto &item : items) out += std::string(out.empty() ? "" : ", ") + item;
  return out;
}

template <class List> void onlyKeys(const json &obj, const std::string &path, const List &allowed) {
  for (const auto &[key, value] : obj.items()) {
    bool known = std::any_of(std::begin(allowed), std::end(allowed), [&](const char *a) { return key == a; });
    if (!known) fail(path + "/" + key, "unknown key '" + key + "' (allowed: " + joined(allowed) + ")");
  }
}

// A name as the analyser produces it: catches the usual ways of writing something else.
void checkName(const std::string &text, const std::string &path) {
  expect(!text.empty(), path, "must not be empty");
  expect(text.find_first_of(" \t\r\n") != 0 && text.find_last_of(" \t\r\n") != text.size() - 1, path,
         "'" + text + "' has leading or trailing white space");
  expect(std::none_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }), path,
         "control characters are not allowed in names");
  if (text.rfind("::", 0) == 0) fail(path, "write '" + text.substr(2) + "' without the leading '::'");
  expect(text.find('<') == std::string::npos || text.find("operator") != std::string::npos, path,
         "'" + text + "': names carry no template arguments (write 'std::unique_lock', not 'std::unique_lock<std::mutex>')");
  std::vector<std::string> pieces;
  expect(splitPattern(text, pieces), path, "'" + text + "' ends in a lone '\\' (a literal star is written \"\\\\*\")");
  // "Iter::operator*" reads as the dereference operator but would match every operator.
  expect(text.find("operator*") == std::string::npos, path,
           "'" + text + "' would match every operator ('*' is a wildcard): for the operator itself write "
           "\"operator\\\\*\" in JSON");
}

std::string str(const json &obj, const std::string &path, const char *key) {
  expect(obj.contains(key), path, std::string("missing required key '") + key + "'");
  const json &v = obj.at(key);
  expect(v.is_string(), path + "/" + key, std::string("expected a string, found ") + typeName(v));
  expect(!v.get_ref<const std::string &>().empty(), path + "/" + key, "must not be empty");
  return v.get<std::string>();
}

NamePattern pattern(const json &obj, const std::string &path, const char *key) {
  std::string text = str(obj, path, key);
  checkName(text, path + "/" + key);
  return NamePattern(text);
}

bool boolean(const json &obj, const std::string &path, const char *key, bool fallback) {
  if (!obj.contains(key)) return fallback;
  expect(obj.at(key).is_boolean(), path + "/" + key,
         std::string("expected true or false, found ") + typeName(obj.at(key)));
  return obj.at(key).get<bool>();
}

unsigned index(const json &obj, const std::string &path, const char *key, const char *what) {
  const json &v = obj.at(key);
  expect(v.is_number_unsigned() && v.get<uint64_t>() < 64, path + "/" + key,
         std::string("expected ") + what + " (0, 1, ...), found " +
             (v.is_number() ? "the number " + v.dump() : std::string(typeName(v))));
  return v.get<unsigned>();
}

const json &array(const json &doc, const std::string &key) {
  static const json empty = json::array();
  if (!doc.contains(key)) return empty;
  expect(doc.at(key).is_array(), "/" + key, std::string("expected an array, found ") + typeName(doc.at(key)));
  return doc.at(key);
}

// An array of objects: checks each is an object with only `allowed` keys, then calls `fn`.
template <class Fn>
void objects(const json &doc, const char *key, std::initializer_list<const char *> allowed, Fn fn) {
  const json &list = array(doc, key);
  for (size_t i = 0; i < list.size(); ++i) {
    std::string path = std::string("/") + key + "/" + std::to_string(i);
    expect(list[i].is_object(), path, std::string("expected an object, found ") + typeName(list[i]));
    onlyKeys(list[i], path, allowed);
    if (list[i].contains("note"))
      expect(list[i]["note"].is_string(), path + "/note", std::string("expected a string, found ") + typeName(list[i]["note"]));
    fn(list[i], path);
  }
}

// A top-level array of name patterns ("nonblocking", "invokes_callable", "handlers").
std::vector<NamePattern> patterns(const json &doc, const char *key) {
  std::vector<NamePattern> out;
  const json &list = array(doc, key);
  for (size_t i = 0; i < list.size(); ++i) {
    std::string path = std::string("/") + key + "/" + std::to_string(i);
    expect(list[i].is_string(), path, std::string("expected a name (string), found ") + typeName(list[i]));
    checkName(list[i].get<std::string>(), path);
    out.emplace_back(list[i].get<std::string>());
  }
  return out;
}

// Member function names of a lock type: plain identifiers.
std::vector<std::string> members(const json &obj, const std::string &path, const char *key) {
  std::vector<std::string> out;
  if (!obj.contains(key)) return out;
  const json &v = obj.at(key);
  expect(v.is_array(), path + "/" + key, std::string("expected an array of member names, found ") + typeName(v));
  for (size_t i = 0; i < v.size(); ++i) {
    std::string at = path + "/" + key + "/" + std::to_string(i);
    expect(v[i].is_string(), at, std::string("expected a member name (string), found ") + typeName(v[i]));
    const std::string &name = v[i].get_ref<const std::string &>();
    expect(!name.empty(), at, "must not be empty");
    expect(name.find_first_of(":*<( ") == std::string::npos, at,
           "'" + name + "': a member function name such as 'lock', not a qualified name or pattern");
    out.push_back(name);
  }
  return out;
}

// C identifiers as the headers spell them (enumerators, macros): "O_NONBLOCK".
std::vector<std::string> identifiers(const json &obj, const std::string &path, const char *key) {
  std::vector<std::string> out;
  if (!obj.contains(key)) return out;
  const json &v = obj.at(key);
  expect(v.is_array() && !v.empty(), path + "/" + key, std::string("expected a non-empty array of names, found ") + typeName(v));
  for (size_t i = 0; i < v.size(); ++i) {
    std::string at = path + "/" + key + "/" + std::to_string(i);
    expect(v[i].is_string(), at, std::string("expected a name (string), found ") + typeName(v[i]));
    const std::string &name = v[i].get_ref<const std::string &>();
    bool ident = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0])) &&
                 std::all_of(name.begin(), name.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
    expect(ident, at, "'" + name + "': an identifier as the headers spell it, such as 'O_NONBLOCK'");
    out.push_back(name);
  }
  return out;
}

// An optional argument index.
int optionalIndex(const json &obj, const std::string &path, const char *key, const char *what) {
  return obj.contains(key) ? static_cast<int>(index(obj, path, key, what)) : -1;
}

Category category(const json &obj, const std::string &path) {
  std::string text = str(obj, path, "category");
  Category c;
  if (!parseCategory(text, c))
    fail(path + "/category", "unknown category '" + text + "' (expected one of " + joined(kCategories) + ")");
  return c;
}

template <class T>
T choice(const json &obj, const std::string &path, const char *key, T fallback,
         std::initializer_list<std::pair<const char *, T>> options) {
  if (!obj.contains(key)) return fallback;
  std::string text = str(obj, path, key);
  for (const auto &[name, value] : options)
    if (text == name) return value;
  std::vector<const char *> names;
  for (const auto &option : options) names.push_back(option.first);
  fail(path + "/" + key, std::string("unknown ") + key + " '" + text + "' (expected one of " + joined(names) + ")");
}

// Pack errors name values by JSON pointer ("/blocking/3/category"), as the loader's own checks do.
std::string describe(const std::string &origin, const strict_json::Error &e) {
  std::string where = e.path.empty() ? std::string("/") : strict_json::pointer(e.path);
  switch (e.kind) {
  case strict_json::Error::NulByte:
    return strict_json::position(origin, e) + ": NUL byte in the file (a rule pack is UTF-8 text)";
  case strict_json::Error::Syntax: return strict_json::position(origin, e) + ": invalid JSON: " + e.what;
  case strict_json::Error::DuplicateKey:
    return origin + ": " + where + ": duplicate key (each key may appear once in an object)";
  case strict_json::Error::NulString:
    return origin + ": " + where + (e.inKey ? " (a key)" : "") + ": NUL character (\\u0000) in a string";
  case strict_json::Error::TooDeep: return origin + ": " + where + ": " + e.what;
  }
  return origin + ": " + e.what;
}

} // namespace

const char *categoryName(Category c) { return kCategories[static_cast<int>(c)]; }

bool parseCategory(const std::string &text, Category &out) {
  for (size_t i = 0; i < std::size(kCategories); ++i)
    if (text == kCategories[i]) {
      out = static_cast<Category>(i);
      return true;
    }
  return false;
}

bool RulePacks::loadPath(const std::string &path, std::string &error) {
  try {
    std::error_code ec;
    fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
      error = path + ": no such rule pack file or directory";
      return false;
    }
    std::vector<std::string> files;
    if (fs::is_directory(status)) {
      for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec))
        if (it->path().extension() == ".json" && it->is_regular_file()) files.push_back(it->path().string());
      if (ec) {
        error = path + ": cannot list the directory: " + ec.message();
        return false;
      }
      std::sort(files.begin(), files.end());
      if (files.empty()) {
        error = path + ": no *.json rule packs in this directory";
        return false;
      }
    } else {
      files.push_back(path);
    }
    for (const auto &file : files) {
      std::string text, why;
      if (!readBounded(file, kConfigFileLimit, text, why)) {
        error = file + ": cannot read the rule pack: " + why;
        return false;
      }
      if (!loadText(text, file, error)) return false;
    }
    return true;
  } catch (const std::exception &e) { // bad_alloc, filesystem_error: never out of the API
    error = path + ": " + e.what();
    return false;
  }
}

bool RulePacks::loadText(const std::string &text, const std::string &origin, std::string &error) {
  try {
    json doc;
    if (strict_json::Error e; !strict_json::parse(text, doc, e)) {
      error = describe(origin, e);
      return false;
    }

    // Build into a copy and swap it in at the end: a bad pack leaves nothing half-loaded.
    RulePacks staged = *this;
    try {
      expect(doc.is_object(), "", std::string("a rule pack is a JSON object, found ") + typeName(doc));
      // The version first: it says whether this is a pack at all, and which rules apply.
      expect(doc.contains("lockcheck_pack"), "", "missing 'lockcheck_pack' (the schema version: 1)");
      const json &version = doc["lockcheck_pack"];
      expect(version.is_number_integer(), "/lockcheck_pack",
             std::string("expected the schema version 1, found ") + typeName(version));
      expect(version.get<int64_t>() == kPackVersion, "/lockcheck_pack",
             "unsupported schema version " + std::to_string(version.get<int64_t>()) +
                 " (this lockcheck reads version " + std::to_string(kPackVersion) + ")");
      onlyKeys(doc, "", kTopKeys);
      PackInfo info{str(doc, "", "name"), origin, ""};
      if (doc.contains("description")) {
        expect(doc["description"].is_string(), "/description",
               std::string("expected a string, found ") + typeName(doc["description"]));
        info.description = doc["description"].get<std::string>();
      }
      for (const auto &p : packs_)
        expect(p.name != info.name, "/name", "a pack named '" + info.name + "' is already loaded from " + p.path);
      auto originOf = [&](const std::string &path) { return info.name + ": " + path; };

      objects(doc, "blocking", {"name", "category", "note"}, [&](const json &e, const std::string &path) {
        NamePattern name = pattern(e, path, "name");
        staged.blocking_.add(BlockingEntry{name, category(e, path), originOf(path)}, name);
      });
      objects(doc, "blocking_types", {"type", "category", "note"}, [&](const json &e, const std::string &path) {
        NamePattern type = pattern(e, path, "type");
        staged.blockingTypes_.add(BlockingTypeEntry{type, category(e, path), originOf(path)}, type);
      });
      for (const auto &p : patterns(doc, "nonblocking")) staged.nonblocking_.add(p);
      objects(doc, "waits", {"name", "releases_arg", "note"}, [&](const json &e, const std::string &path) {
        NamePattern name = pattern(e, path, "name");
        expect(e.contains("releases_arg"), path, "missing required key 'releases_arg'");
        unsigned arg = index(e, path, "releases_arg", "the index of the argument whose lock the wait releases");
        staged.waits_.add(WaitEntry{name, arg, originOf(path)}, name);
      });
      objects(doc, "lock_types",
              {"type", "acquire", "acquire_shared", "try_acquire", "try_acquire_shared", "release", "release_shared",
               "recursive", "note"},
              [&](const json &e, const std::string &path) {
                // Braced initialisers run left to right: problems are reported in key order.
                LockTypeEntry entry{pattern(e, path, "type"),         members(e, path, "acquire"),
                                    members(e, path, "acquire_shared"), members(e, path, "try_acquire"),
                                    members(e, path, "try_acquire_shared"), members(e, path, "release"),
                                    members(e, path, "release_shared"), boolean(e, path, "recursive", false),
                                    originOf(path)};
                expect(!entry.acquire.empty() || !entry.acquireShared.empty(), path,
                       "a lock type needs 'acquire' or 'acquire_shared'");
                expect(!entry.release.empty() || !entry.releaseShared.empty(), path,
                       "a lock type needs 'release' or 'release_shared'");
                NamePattern key = entry.type;
                staged.lockTypes_.add(std::move(entry), key);
              });
      objects(doc, "guard_types", {"type", "shared", "movable", "note"}, [&](const json &e, const std::string &path) {
        NamePattern type = pattern(e, path, "type");
        staged.guardTypes_.add(
            GuardTypeEntry{type, boolean(e, path, "shared", false), boolean(e, path, "movable", false), originOf(path)},
            type);
      });
      objects(doc, "lock_functions", {"name", "op", "arg", "success", "note"},
              [&](const json &e, const std::string &path) {
                NamePattern name = pattern(e, path, "name");
                expect(e.contains("op"), path, "missing required key 'op'");
                LockOp op = choice(e, path, "op", LockOp::Acquire,
                                  {{"acquire", LockOp::Acquire},
                                   {"acquire_shared", LockOp::AcquireShared},
                                   {"try_acquire", LockOp::TryAcquire},
                                   {"try_acquire_shared", LockOp::TryAcquireShared},
                                   {"release", LockOp::Release},
                                   {"release_shared", LockOp::ReleaseShared}});
                int arg = 0;
                if (e.contains("arg") && e["arg"].is_string()) {
                  expect(e["arg"] == "all", path + "/arg",
                         "expected an argument index (0, 1, ...) or \"all\", found '" + e["arg"].get<std::string>() + "'");
                  arg = -1;
                } else if (e.contains("arg")) {
                  arg = static_cast<int>(index(e, path, "arg", "an argument index or \"all\""));
                }
                TrySuccess success = choice(e, path, "success", TrySuccess::True,
                                       {{"true", TrySuccess::True},
                                        {"zero", TrySuccess::Zero},
                                        {"minus_one", TrySuccess::MinusOne}});
                expect(!e.contains("success") || (op != LockOp::Release && op != LockOp::ReleaseShared),
                       path + "/success", "'success' applies to acquire and try_acquire ops only");
                // On an acquire op it names the result that reports success: any other holds nothing.
                bool reportsFailure = e.contains("success") && (op == LockOp::Acquire || op == LockOp::AcquireShared);
                staged.lockFunctions_.add(LockFunctionEntry{name, op, arg, success, reportsFailure, originOf(path)}, name);
              });
      for (const auto &p : patterns(doc, "invokes_callable")) staged.invokesCallable_.add(p);
      for (const auto &p : patterns(doc, "handlers")) staged.handlers_.add(p);
      staged.loadReportingKeys(doc, info.name);
      staged.packs_.push_back(std::move(info));
      staged.sources_.push_back(text);
    } catch (const PackError &e) {
      error = origin + ": " + (e.path.empty() ? "/" : e.path) + ": " + e.problem;
      return false;
    }
    *this = std::move(staged);
    return true;
  } catch (const std::exception &e) { // e.g. invalid UTF-8 in a message, bad_alloc
    error = origin + ": " + e.what();
    return false;
  }
}

// The keys of docs/spec.md §3 "What is reported is what a maintainer would act on".
void RulePacks::loadReportingKeys(const json &doc, const std::string &packName) {
  RulePacks &staged = *this;
  auto originOf = [&](const std::string &path) { return packName + ": " + path; };
  for (const auto &p : patterns(doc, "console_streams")) staged.consoleStreams_.add(p);
  const json &fds = array(doc, "console_descriptors");
  for (size_t i = 0; i < fds.size(); ++i) {
    std::string path = "/console_descriptors/" + std::to_string(i);
    expect(fds[i].is_number_integer(), path, std::string("expected a descriptor number, found ") + typeName(fds[i]));
    staged.consoleDescriptors_.push_back(fds[i].get<long long>());
  }
  objects(doc, "stream_calls", {"name", "stream_arg", "quiet_on", "note"}, [&](const json &e, const std::string &path) {
    StreamCallEntry entry{.name = pattern(e, path, "name")};
    expect(e.contains("stream_arg"), path, "missing required key 'stream_arg'");
    if (e["stream_arg"].is_string()) {
      expect(e["stream_arg"] == "object", path + "/stream_arg",
             "expected an argument index (0, 1, ...) or \"object\", found '" + e["stream_arg"].get<std::string>() + "'");
      entry.streamArg = -1;
    } else {
      entry.streamArg = static_cast<int>(index(e, path, "stream_arg", "an argument index or \"object\""));
    }
    if (e.contains("quiet_on")) {
      const json &on = e["quiet_on"];
      expect(on.is_array() && !on.empty(), path + "/quiet_on", std::string("expected a non-empty array, found ") + typeName(on));
      entry.quietOnConsole = false;
      for (size_t i = 0; i < on.size(); ++i) {
        std::string at = path + "/quiet_on/" + std::to_string(i);
        expect(on[i] == "console" || on[i] == "nonblocking", at,
               "expected \"console\" or \"nonblocking\", found " + on[i].dump());
        (on[i] == "console" ? entry.quietOnConsole : entry.quietOnNonblocking) = true;
      }
    }
    entry.origin = originOf(path);
    NamePattern key = entry.name;
    staged.streamCalls_.add(std::move(entry), key);
  });
  objects(doc, "nonblocking_descriptors",
          {"name", "flags_arg", "flags", "fills_arg", "sets_arg", "command_arg", "commands", "note"},
          [&](const json &e, const std::string &path) {
            NonblockingDescriptorEntry entry{.name = pattern(e, path, "name")};
            expect(e.contains("flags_arg"), path, "missing required key 'flags_arg'");
            entry.flagsArg = index(e, path, "flags_arg", "the index of the flags argument");
            expect(e.contains("flags"), path, "missing required key 'flags'");
            entry.flags = identifiers(e, path, "flags");
            entry.fillsArg = optionalIndex(e, path, "fills_arg", "the index of the array argument it fills");
            entry.setsArg = optionalIndex(e, path, "sets_arg", "the index of the descriptor argument it changes");
            entry.commandArg = optionalIndex(e, path, "command_arg", "the index of the command argument");
            entry.commands = identifiers(e, path, "commands");
            expect(entry.fillsArg < 0 || entry.setsArg < 0, path, "'fills_arg' and 'sets_arg' exclude each other");
            expect((entry.commandArg < 0) == entry.commands.empty(), path, "'command_arg' and 'commands' go together");
            entry.origin = originOf(path);
            NamePattern key = entry.name;
            staged.nonblockingDescriptors_.add(std::move(entry), key);
          });
  for (const auto &p : patterns(doc, "success_tests")) staged.successTests_.add(p);
  for (const auto &p : patterns(doc, "failure_tests")) staged.failureTests_.add(p);
  for (const auto &p : patterns(doc, "failure_results")) staged.failureResults_.add(p);
}

bool RulePacks::consoleStream(const std::string &name) const { return consoleStreams_.contains(name); }
bool RulePacks::consoleDescriptor(long long value) const {
  return std::find(consoleDescriptors_.begin(), consoleDescriptors_.end(), value) != consoleDescriptors_.end();
}
const StreamCallEntry *RulePacks::streamCall(const std::string &name) const { return streamCalls_.find(name); }
const NonblockingDescriptorEntry *RulePacks::nonblockingDescriptor(const std::string &name) const {
  return nonblockingDescriptors_.find(name);
}
bool RulePacks::successTest(const std::string &name) const { return successTests_.contains(name); }
bool RulePacks::failureTest(const std::string &name) const { return failureTests_.contains(name); }
bool RulePacks::failureResult(const std::string &name) const { return failureResults_.contains(name); }

const BlockingEntry *RulePacks::blocking(const std::string &name) const {
  if (nonblocking_.contains(name)) return nullptr;
  return blocking_.find(name);
}
const BlockingTypeEntry *RulePacks::blockingType(const std::string &name) const { return blockingTypes_.find(name); }
bool RulePacks::nonblocking(const std::string &name) const { return nonblocking_.contains(name); }
const WaitEntry *RulePacks::wait(const std::string &name) const { return waits_.find(name); }
const LockTypeEntry *RulePacks::lockType(const std::string &name) const { return lockTypes_.find(name); }
const GuardTypeEntry *RulePacks::guardType(const std::string &name) const { return guardTypes_.find(name); }
const LockFunctionEntry *RulePacks::lockFunction(const std::string &name) const { return lockFunctions_.find(name); }
bool RulePacks::invokesCallable(const std::string &name) const { return invokesCallable_.contains(name); }
bool RulePacks::handler(const std::string &name) const { return handlers_.contains(name); }

void RulePacks::addHandlerPattern(const std::string &pattern) {
  handlers_.add(NamePattern(pattern));
  sources_.push_back("handler:" + pattern);
}

std::string RulePacks::fingerprint() const {
  uint64_t h = kFnvOffset;
  for (const auto &s : sources_) h = fnv1a(s, fnv1a(std::to_string(s.size()) + ':', h));
  return hex64(h);
}

} // namespace lockcheck
