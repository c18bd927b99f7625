// Writes a SARIF report with every kind of content (trace, column 0, notes, an input error)
// straight from writeReport, so the schema test can check the writer before the CLI exists.
#include "report/report.h"

#include <iostream>

int main() {
  using namespace lockcheck;
  Finding blocking;
  blocking.rule = "blocking-under-lock";
  blocking.anchor = {"src/auth.cpp", 42, 12};
  blocking.message = "verify_password() blocks (crypto: crypt_r) while 'store.mu' is held";
  blocking.lock = "store.mu";
  blocking.function = "Auth::login";
  blocking.trace = {{{"src/auth.cpp", 40, 3}, "'store.mu' acquired here"},
                    {{"src/crypto.cpp", 17, 0}, "calls crypt_r (crypto)"}};
  Finding wait;
  wait.rule = "unbounded-lock-wait";
  wait.severity = Severity::Warning;
  wait.anchor = {"src/handler dir/h.cpp", 7, 0};
  wait.message = "'mu' may be waited for forever in request handler handle()";
  wait.lock = "mu";
  Finding note;
  note.rule = "manual-lock";
  note.severity = Severity::Note;
  note.anchor = {"/abs/outside.cpp", 3, 5};
  note.message = "'mu' is locked by hand";
  RunSummary summary;
  summary.files = 3;
  summary.seconds = 0.25;
  summary.errors.push_back({"src/broken.cpp", "does not parse"});
  writeReport(OutputFormat::Sarif, {blocking, wait, note}, summary, std::cout);
  return 0;
}
