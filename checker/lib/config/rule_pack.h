// Rule packs: what counts as blocking, as a lock, as a handler. Data from rules/*.json.
// Schema: docs/rule-packs.md. The loader names file, JSON path and problem on any error.
#pragma once

#include "config/name_pattern.h"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace lockcheck {

// Blocking categories of docs/spec.md §4.
enum class Category { Io, Sleep, Crypto, Db, Net, Sync, Process };
const char *categoryName(Category c);
bool parseCategory(const std::string &text, Category &out);

struct BlockingEntry {
  NamePattern name;
  Category category;
  std::string origin; // "pack std: blocking[3]" for --explain / errors
};

// A class whose every constructor, member and use as first argument of a free
// function blocks (std::basic_ifstream: opening, reading, getline on it).
struct BlockingTypeEntry {
  NamePattern type;
  Category category;
  std::string origin;
};

// A condition-variable-like wait: releases the lock managed by argument
// `releasesArg` (a guard or a raw mutex) while it waits.
struct WaitEntry {
  NamePattern name;
  unsigned releasesArg = 0;
  std::string origin;
};

// A mutex-like class and its member functions.
struct LockTypeEntry {
  NamePattern type;
  std::vector<std::string> acquire, acquireShared, tryAcquire, tryAcquireShared, release, releaseShared;
  bool recursive = false;
  std::string origin;
};

// An RAII guard class (lock_guard, unique_lock...).
struct GuardTypeEntry {
  NamePattern type;
  bool shared = false;  // shared_lock: holds the lock in shared mode
  bool movable = false; // unique_lock: may be moved, deferred, released
  std::string origin;
};

enum class LockOp { Acquire, AcquireShared, TryAcquire, TryAcquireShared, Release, ReleaseShared };
// For try_* free functions: which return value means "acquired".
enum class TrySuccess { True, Zero, MinusOne };

// A free function that locks or unlocks its argument(s) (pthread_mutex_lock, std::lock).
struct LockFunctionEntry {
  NamePattern name;
  LockOp op = LockOp::Acquire;
  int arg = 0; // index of the lock argument; -1 means every argument
  TrySuccess success = TrySuccess::True;
  bool reportsFailure = false; // an acquire whose result other than `success` means nothing was taken
  std::string origin;
};

// A function whose blocking depends on the stream or descriptor it is given (docs/spec.md §3
// "What is reported"): not blocking on the console (stdout/stderr) and, if
// `quietOnNonblocking`, on a descriptor the program made non-blocking.
struct StreamCallEntry {
  NamePattern name;
  int streamArg = 0; // argument index; -1 for the object of a member call
  bool quietOnConsole = true;
  bool quietOnNonblocking = false;
  std::string origin;
};

// A call that makes descriptors non-blocking when its flags argument names one of `flags`
// (an enumerator or a macro, spelled as in the headers: "EFD_NONBLOCK", "O_NONBLOCK"): its
// result (eventfd, socket), the array it fills (`fillsArg`: pipe2), or the descriptor it
// changes (`setsArg`: fcntl, when its `commandArg` names one of `commands`: F_SETFL).
struct NonblockingDescriptorEntry {
  NamePattern name;
  unsigned flagsArg = 0;
  std::vector<std::string> flags;
  int fillsArg = -1;
  int setsArg = -1;
  int commandArg = -1;
  std::vector<std::string> commands;
  std::string origin;
};

struct PackInfo {
  std::string name;
  std::string path;
  std::string description;
};

// All packs merged. Lookups are hashed on exact names first, then patterns.
class RulePacks {
public:
  // Loads every *.json in a directory (sorted) or one file. On error returns false and
  // fills `error` with "FILE: JSON-PATH: problem".
  bool loadPath(const std::string &path, std::string &error);
  // Loads one pack from text (tests, embedded data). `origin` names it in errors.
  bool loadText(const std::string &text, const std::string &origin, std::string &error);

  // Queries; `qualifiedName` is normalised (see NamePattern). blocking() is null for a
  // name that nonblocking() matches: the exception wins whichever is asked first.
  const BlockingEntry *blocking(const std::string &qualifiedName) const;
  const BlockingTypeEntry *blockingType(const std::string &qualifiedTypeName) const;
  bool nonblocking(const std::string &qualifiedName) const;
  const WaitEntry *wait(const std::string &qualifiedName) const;
  const LockTypeEntry *lockType(const std::string &qualifiedTypeName) const;
  const GuardTypeEntry *guardType(const std::string &qualifiedTypeName) const;
  const LockFunctionEntry *lockFunction(const std::string &qualifiedName) const;
  const std::vector<LockFunctionEntry> &lockFunctions() const { return lockFunctions_.entries; }
  bool invokesCallable(const std::string &qualifiedName) const;
  bool handler(const std::string &qualifiedName) const;
  // What a maintainer acts on (docs/spec.md §3): the console, non-blocking descriptors,
  // and the tests and results that tell an error path (extract/failure_paths.h).
  bool consoleStream(const std::string &qualifiedVariable) const;
  bool consoleDescriptor(long long value) const;
  const StreamCallEntry *streamCall(const std::string &qualifiedName) const;
  const NonblockingDescriptorEntry *nonblockingDescriptor(const std::string &qualifiedName) const;
  bool successTest(const std::string &qualifiedName) const;
  bool failureTest(const std::string &qualifiedName) const;
  bool failureResult(const std::string &qualifiedName) const;
  void addHandlerPattern(const std::string &pattern);

  const std::vector<PackInfo> &packs() const { return packs_; }
  // Content hash of everything loaded (cache keys).
  std::string fingerprint() const;

private:
  template <class T> struct Table {
    NameIndex index;
    std::vector<T> entries;
    void add(T entry, const NamePattern &key) {
      index.add(key);
      entries.push_back(std::move(entry));
    }
    const T *find(const std::string &name) const {
      size_t i = index.find(name);
      return i == NameIndex::npos ? nullptr : &entries[i];
    }
  };

  // The keys of docs/spec.md §3 "What is reported" (console, descriptors, error tests).
  void loadReportingKeys(const nlohmann::json &doc, const std::string &packName);

  std::vector<PackInfo> packs_;
  std::vector<std::string> sources_; // raw texts for fingerprint
  Table<BlockingEntry> blocking_;
  Table<BlockingTypeEntry> blockingTypes_;
  NameIndex nonblocking_;
  Table<WaitEntry> waits_;
  Table<LockTypeEntry> lockTypes_;
  Table<GuardTypeEntry> guardTypes_;
  Table<LockFunctionEntry> lockFunctions_;
  NameIndex invokesCallable_;
  NameIndex handlers_;
  NameIndex consoleStreams_;
  std::vector<long long> consoleDescriptors_;
  Table<StreamCallEntry> streamCalls_;
  Table<NonblockingDescriptorEntry> nonblockingDescriptors_;
  NameIndex successTests_, failureTests_, failureResults_;
};

} // namespace lockcheck
