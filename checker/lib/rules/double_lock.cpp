#include "rules/double_lock.h"

#include "link/program_linker.h"

namespace lockcheck {

void DoubleLockRule::acquiredWhileHeld(const FlowSite &site, const LockRef &lock, const HeldLock &held) {
  report(site.at, quoted(lock.display) + " is acquired while it is already held", lock.display, site.function,
         {{held.acquired, quoted(held.lock.display) + " first acquired here"}});
}

// A call made while holding a lock that the callee (or a function it calls) takes again.
void DoubleLockRule::link(ProgramLinker &program) {
  for (const auto &[key, fn] : program.functions()) {
    for (const auto &call : fn.calls) {
      if (call.held.empty()) continue;
      for (const auto &acq : program.acquisitions(call.callee)) {
        if (acq.bounded || acq.reacquire || acq.lock.recursive) continue;
        LockKey translated = acq.lock.key.translate(call.thisArg, call.argLocks);
        for (const auto &h : call.held) {
          if (h.lock.key != translated || h.lock.recursive || (h.lock.shared && acq.lock.shared)) continue;
          std::vector<TraceStep> trace{{h.acquired, quoted(h.lock.display) + " acquired here"}};
          program.appendChain(acq.path, trace);
          Finding &f = report(call.where,
                              call.calleeName + "() acquires " + quoted(h.lock.display) + ", which is already held here",
                              h.lock.display, fn.name, std::move(trace));
          if (acq.maybe) f.severity = Severity::Warning; // only some definitions of the callee take it

        }
      }
    }
  }
}

} // namespace lockcheck
