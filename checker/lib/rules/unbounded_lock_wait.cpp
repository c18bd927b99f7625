#include "rules/unbounded_lock_wait.h"

#include "link/program_linker.h"

namespace lockcheck {

// Handlers are functions annotated lockcheck::handler or matching a pack's `handlers`
// pattern (docs/spec.md §5); one finding per call, at its first unbounded acquisition.
void UnboundedLockWaitRule::link(ProgramLinker &program) {
  for (const auto &[key, fn] : program.functions()) {
    if (!fn.annotatedHandler && !program.packs().handler(fn.qualified)) continue;
    auto message = [&](const std::string &lock) {
      return quoted(lock) + " may be waited for forever in request handler " + fn.name +
             "(); use a bounded acquisition (try_lock_for) and answer 503 on timeout";
    };
    for (const auto &a : fn.acquires)
      if (!a.bounded) report(a.where, message(a.lock.display), a.lock.display, fn.name);
    for (const auto &call : fn.calls)
      for (const auto &acq : program.acquisitions(call.callee)) {
        if (acq.bounded) continue;
        std::vector<TraceStep> trace;
        program.appendChain(acq.path, trace);
        Finding &f = report(call.where, message(acq.lock.display), acq.lock.display, fn.name, std::move(trace));
        if (acq.maybe) f.severity = Severity::Warning; // only some definitions of the callee take it
        break;
      }
  }
}

} // namespace lockcheck
