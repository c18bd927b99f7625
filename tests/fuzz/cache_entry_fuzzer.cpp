// A facts cache entry (facts/facts_cache.h): the input is the CBOR payload, stored with a
// valid checksum (the checksum only tells an accident from an entry as written, so a
// hostile entry passes it). A lookup is a hit or a miss, never a crash, and a hit's facts
// are facts the decoder reads back.
#include "facts/facts_cache.h"
#include "facts/hashing.h"
#include "fuzz_target.h"

using namespace lockcheck;

LOCKCHECK_FUZZ_TARGET(cache_entry) {
  std::string_view payload(reinterpret_cast<const char *>(data), size);
  // The salt, file and command the seed entries were stored with (make_cache_seeds.cpp).
  static const FactsCache cache(fuzz::scratchDirectory(), "fuzz-salt");
  std::string path = cache.entryPath("/fuzz/a.cpp", "fuzz-command");
  std::string entry = contentHash(payload) + std::string(payload);
  fuzz::scratchFile(path.substr(path.rfind('/') + 1).c_str(), entry);
  TUFacts facts;
  if (!cache.lookup("/fuzz/a.cpp", "fuzz-command", facts)) return 0;
  TUFacts again;
  std::string error;
  FUZZ_CHECK(factsFromJson(factsToJson(facts), again, error));
  FUZZ_CHECK(factsToJson(again) == factsToJson(facts));
  return 0;
}
