// Fast reading of `.lcfacts` for `lockcheck link` over many files (issue 17): decodes the
// JSON text straight into TUFacts with no DOM, and skips, without decoding, the value of
// every function or declaration whose key this reader already met in an earlier file —
// the header functions that every TU repeats, most of the bytes of a typical TU.
// A document the fast path does not accept is decoded again by factsFromJson, so results
// and error messages are exactly those of the reference decoder.
#pragma once

#include "facts/facts.h"
#include "facts/hashing.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lockcheck {

// The keys one reader has met. Kept as 64-bit hashes (a few bytes a key); a collision can
// only make the reader skip a key it never decoded, which the caller detects (the skipped
// key is not merged yet) and answers by decoding that file in full.
class SeenKeys {
public:
  // True if `key` was met before; records it otherwise.
  bool functionSeen(std::string_view key) { return !functions_.insert(fnv1a(key)); }
  bool declSeen(std::string_view key) { return !decls_.insert(fnv1a(key)); }

private:
  // Open addressing, at most half full: 8-16 bytes a key (a node set takes ~40).
  class Table {
  public:
    bool insert(std::uint64_t hash); // true if it was not there
  private:
    void grow();
    std::vector<std::uint64_t> slots_;
    size_t used_ = 0;
  };
  Table functions_, decls_;
};

struct StreamedFacts {
  TUFacts facts;
  std::vector<InternedString> skippedFunctions; // keys left out because `seen` had them
  std::vector<InternedString> skippedDecls;
};

// Decodes `text` into `out`, leaving out the functions and declarations `seen` already has
// (nullptr: decode all). False with `error` (factsFromJson's message) on a bad document.
bool readFacts(std::string_view text, SeenKeys *seen, StreamedFacts &out, std::string &error);

} // namespace lockcheck
