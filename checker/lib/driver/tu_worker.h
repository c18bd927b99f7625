// Crash isolation (issue 12): each translation unit is parsed in a worker process, so
// that one Clang cannot handle (a stack overflow on a huge expression, an assertion)
// is reported as failed and skipped while the others are analysed. A worker is the
// lockcheck binary itself with --internal-worker; it serves many TUs one after another
// over a socket on fd 3 and is restarted after a crash. Messages both ways are
// length-prefixed CBOR frames, so a file name may hold any byte (a newline included).
#pragma once

#include "driver/tu_runner.h"

#include <string>
#include <vector>

namespace lockcheck {

// The parent's end of one worker process.
class TUWorker {
public:
  // `argv`: the command that starts a worker (the parent's own, with --internal-worker).
  explicit TUWorker(std::vector<std::string> argv) : argv_(std::move(argv)) {}
  ~TUWorker();
  TUWorker(const TUWorker &) = delete;
  TUWorker &operator=(const TUWorker &) = delete;

  // The facts of `file` (absolute), parsed from `text` when given (an editor's buffer); on
  // a crash, a failed result that says so.
  TUResult analyse(const std::string &file, const std::string *text = nullptr);

private:
  bool start(std::string &error);
  void stop();
  std::string crashReason();
  std::vector<std::string> argv_;
  int pid_ = -1;
  int fd_ = -1;
};

// The worker's side: answers requests on `fd` until it is closed. Returns the exit status.
int serveWorker(int fd, const CompileSetup &setup, const RulePacks &packs);

} // namespace lockcheck
