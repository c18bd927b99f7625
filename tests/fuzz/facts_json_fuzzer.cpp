// A facts file (docs/facts-format.md), as `lockcheck link` reads it: the streaming reader
// and the reference decoder must agree on every input (the same facts, or the same error),
// and what they accept must read back the same once written.
#include "facts/facts.h"
#include "facts/facts_stream.h"
#include "fuzz_target.h"

using namespace lockcheck;

LOCKCHECK_FUZZ_TARGET(facts_json) {
  std::string text(reinterpret_cast<const char *>(data), size);
  StreamedFacts fast;
  TUFacts reference;
  std::string fastError, referenceError;
  bool fastOk = readFacts(text, nullptr, fast, fastError);
  bool referenceOk = factsFromJson(text, reference, referenceError);
  FUZZ_CHECK(fastOk == referenceOk);
  if (!fastOk || !referenceOk) {
    FUZZ_CHECK(fastError == referenceError);
    FUZZ_CHECK(!referenceError.empty());
    return 0;
  }
  std::string written = factsToJson(reference);
  FUZZ_CHECK(factsToJson(fast.facts) == written);
  TUFacts again;
  std::string error;
  FUZZ_CHECK(factsFromJson(written, again, error));
  FUZZ_CHECK(factsToJson(again) == written);
  // A reader that met every key in an earlier file skips them all, and still accepts it.
  SeenKeys seen;
  StreamedFacts first, second;
  FUZZ_CHECK(readFacts(text, &seen, first, error));
  FUZZ_CHECK(readFacts(text, &seen, second, error));
  FUZZ_CHECK(second.facts.functions.empty() && second.facts.decls.empty());
  FUZZ_CHECK(second.skippedFunctions.size() == first.facts.functions.size());
  FUZZ_CHECK(second.skippedDecls.size() == first.facts.decls.size());
  return 0;
}
