// Per-file cache of phase-one facts (issue 8). An entry is keyed by the file and its
// compile command, and is valid while lockcheck's version, the rule packs and every
// file the TU read (by size+mtime, then by content hash) are unchanged. A corrupted
// or stale entry is a miss and is rewritten, never trusted.
#pragma once

#include "facts/facts.h"

#include <string>
#include <vector>

namespace lockcheck {

std::string contentHash(const std::string &bytes);

class FactsCache {
public:
  // `salt`: what else the facts depend on (lockcheck version, packs fingerprint).
  FactsCache(std::string dir, std::string salt) : dir_(std::move(dir)), salt_(std::move(salt)) {}

  bool lookup(const std::string &file, const std::string &command, TUFacts &out) const;
  void store(const std::string &file, const std::string &command, const TUFacts &facts,
             const std::vector<std::string> &deps) const;
  const std::string &dir() const { return dir_; }

private:
  std::string entryPath(const std::string &file, const std::string &command) const;
  std::string dir_;
  std::string salt_;
};

} // namespace lockcheck
