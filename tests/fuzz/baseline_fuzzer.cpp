// A baseline file (docs/baseline.md): applied, or refused with a message naming the file.
#include "config/baseline.h"
#include "fuzz_target.h"

using namespace lockcheck;

LOCKCHECK_FUZZ_TARGET(baseline) {
  std::string path = fuzz::scratchFile("baseline.json", {reinterpret_cast<const char *>(data), size});
  Finding f;
  f.rule = "blocking-under-lock";
  f.anchor = SourcePoint{"src/a.cpp", 12, 3};
  f.function = "Store::put";
  f.lock = "mu_";
  f.message = "usleep() blocks (sleep) while 'mu_' is held";
  std::vector<Finding> findings{f, f};
  std::string error;
  bool ok = applyBaseline(path, findings, error);
  FUZZ_CHECK(ok || error.rfind(path, 0) == 0);
  FUZZ_CHECK(findings.size() <= 2);
  return 0;
}
