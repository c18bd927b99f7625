// A rule pack (docs/rule-packs.md): loaded, or refused with a message naming the file; a
// refused pack leaves nothing half-loaded, and queries on what was loaded are safe.
#include "config/rule_pack.h"
#include "fuzz_target.h"

using namespace lockcheck;

LOCKCHECK_FUZZ_TARGET(rule_pack) {
  std::string text(reinterpret_cast<const char *>(data), size);
  RulePacks packs;
  std::string before = packs.fingerprint(), error;
  bool ok = packs.loadText(text, "fuzz.json", error);
  FUZZ_CHECK(ok || error.rfind("fuzz.json", 0) == 0);
  FUZZ_CHECK(ok || packs.fingerprint() == before);
  packs.blocking("crypt_r");
  packs.blocking("ns::fast");
  return 0;
}
