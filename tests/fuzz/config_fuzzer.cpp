// A .lockcheck.json (docs/configuration.md), read from a file as lockcheck finds it: loaded,
// or refused with a message naming the file; what loads can be applied to findings.
#include "config/config.h"
#include "fuzz_target.h"

using namespace lockcheck;

LOCKCHECK_FUZZ_TARGET(config) {
  std::string path = fuzz::scratchFile(".lockcheck.json", {reinterpret_cast<const char *>(data), size});
  Config config;
  std::string error;
  bool ok = loadConfig(path, config, error);
  FUZZ_CHECK(ok || error.rfind(path, 0) == 0);
  if (!ok) return 0;
  Finding f;
  f.rule = "blocking-under-lock";
  f.anchor = SourcePoint{"src/a.cpp", 3, 5};
  std::vector<Finding> findings{f};
  applyConfig(config, findings);
  isExcluded(config, fuzz::scratchDirectory() + "/src/a.cpp");
  exitCodeFor(findings, config.failOn);
  return 0;
}
