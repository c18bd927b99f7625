// Fast reading of `.lcfacts` for `lockcheck link` over many files (issue 17): decodes the
// JSON text straight into TUFacts with no DOM, and skips, without decoding, the value of
// every definition this reader already met in an earlier file — the same key at the same
// position (issue 24: a same-named function elsewhere is another definition) — and of
// every declaration whose key it met: the header functions that every TU repeats, most
// of the bytes of a typical TU.
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
  // True if the definition of `key` at `where` was met before; records it otherwise.
  bool functionSeen(std::string_view key, const SourcePoint &where) { return functionSeen(fnv1a(key), where); }
  bool declSeen(std::string_view key) { return declSeen(fnv1a(key)); }
  // The same by the key's fnv1a, which the reader has computed already.
  bool functionSeen(std::uint64_t keyHash, const SourcePoint &where) {
    std::uint64_t h = keyHash ^ (where.file.hash() * 0x9E3779B97F4A7C15ull);
    return !functions_.insert(h ^ ((std::uint64_t(where.line) << 32 | where.column) * 0xC2B2AE3D27D4EB4Full));
  }
  bool declSeen(std::uint64_t keyHash) { return !decls_.insert(keyHash); }
  // True if some definition of the key was met before; records it otherwise. Only a key
  // met before can be skipped, so the reader looks for the position of no other.
  bool keySeen(std::uint64_t keyHash) { return !keys_.insert(keyHash); }

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
  Table functions_, decls_, keys_;
};

struct SkippedDefinition {
  InternedString key;
  SourcePoint where;
  bool operator==(const SkippedDefinition &) const = default;
};

struct StreamedFacts {
  TUFacts facts;
  std::vector<SkippedDefinition> skippedFunctions; // definitions left out because `seen` had them
  std::vector<InternedString> skippedDecls;
};

// Decodes `text` into `out`, leaving out the definitions and declarations `seen` already has
// (nullptr: decode all). False with `error` (factsFromJson's message) on a bad document.
bool readFacts(std::string_view text, SeenKeys *seen, StreamedFacts &out, std::string &error);

} // namespace lockcheck
