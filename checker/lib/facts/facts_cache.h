// Per-file cache of phase-one facts (issue 8). An entry is keyed by the file and its
// compile command, and is valid while lockcheck's version, the rule packs and every
// file the TU read are unchanged since before its analysis started, and no file has
// appeared that would shadow one of them on the include path (issue 12). A corrupted,
// altered (payload checksum) or stale entry is a miss and is rewritten, never trusted.
#pragma once

#include "facts/facts.h"

#include <atomic>
#include <string>
#include <string_view>
#include <vector>

namespace lockcheck {

std::string contentHash(std::string_view bytes);

class FactsCache {
public:
  // `salt`: what else the facts depend on (lockcheck version, packs fingerprint).
  FactsCache(std::string dir, std::string salt) : dir_(std::move(dir)), salt_(std::move(salt)) {}

  // Creates the directory and writes a probe file; false with `why` when entries cannot be stored.
  bool writable(std::string &why) const;
  bool lookup(const std::string &file, const std::string &command, TUFacts &out) const;
  // Whether lookup() also gives the entry's inputs and absent paths (--changed-since asks
  // which TUs read a changed file); off, a warm run does not build those lists.
  void keepInputs(bool keep) { keepInputs_ = keep; }
  // Stores nothing when an input's bytes now differ from the hash taken while parsing, or
  // a recorded absent path exists: the facts would not describe the files on disk. An entry
  // that cannot be written (a full disk) is removed, and said once per cache on stderr.
  void store(const std::string &file, const std::string &command, const TUFacts &facts) const;
  const std::string &dir() const { return dir_; }
  // Where the entry of `file` compiled by `command` lives (its name hashes both).
  std::string entryPath(const std::string &file, const std::string &command) const;

private:
  std::string dir_;
  std::string salt_;
  bool keepInputs_ = false;
  mutable std::atomic<bool> warned_{false};
};

} // namespace lockcheck
