#include "rules/blocking_under_lock.h"

#include "link/program_linker.h"

#include <algorithm>

namespace lockcheck {
namespace {

std::string heldText(const std::vector<HeldLock> &held) {
  std::string out;
  for (size_t i = 0; i < held.size(); ++i) out += (i ? ", " : "") + quoted(held[i].lock.display);
  return out + (held.size() > 1 ? " are held" : " is held");
}

void addAcquiredNotes(const std::vector<HeldLock> &held, std::vector<TraceStep> &trace) {
  for (const auto &h : held) trace.push_back({h.acquired, quoted(h.lock.display) + " acquired here"});
}

// "io", or "io: write" when the blocking function is further down the chain than the call,
// "io: write via FileSink::put" when an indirect call on the way may run FileSink::put, and
// "..., targets matched by type" when that call's flow was lost (docs/rules/blocking-under-lock.md).
std::string blockingWhat(const ProgramLinker::Blocking &b, const CallEvent &call) {
  std::string what = b.chain == ProgramLinker::kNoChain || b.leaf == call.calleeName || b.leaf == b.via
                         ? b.category
                         : b.category + ": " + b.leaf;
  if (b.via.empty()) return what;
  return what + " via " + b.via + (b.byType ? ", targets matched by type" : "");
}

// The lock names for a fix hint: "'mu' is held, release it" / "'a', 'b' are held, release them".
std::string heldAndRelease(const std::vector<HeldLock> &held) {
  return heldText(held) + (held.size() > 1 ? ", release them" : ", release it");
}

// What to move out of the lock, from the finding's own data: the blocking function at the
// end of the chain needs its inputs copied under the lock; the call itself goes after it.
std::string fixForCall(const ProgramLinker::Blocking &b, const CallEvent &call, const std::vector<HeldLock> &held) {
  std::string leaf = b.leaf.empty() ? call.calleeName.str() : b.leaf;
  return "copy what " + leaf + " needs while " + heldAndRelease(held) + ", then call " + call.calleeName + "()";
}

// "blocks", or "may block" (a warning) when only some possible targets of an indirect call do.
const char *blocksVerb(const ProgramLinker::Blocking &b) { return b.maybe ? "() may block (" : "() blocks ("; }

// What blocks runs only when something failed: still reported (docs/spec.md §3), and said so.
void noteErrorPath(const ProgramLinker::Blocking &b, Finding &f) {
  if (b.offPath) f.judgements.push_back("error-path");
}

} // namespace

void BlockingUnderLockRule::link(ProgramLinker &program) {
  callsUnderLock(program);
  callablesUnderLock(program);
}

void BlockingUnderLockRule::callsUnderLock(ProgramLinker &program) {
  for (const auto &[key, fn] : program.functions()) {
    for (const auto &call : fn.calls) {
      std::vector<HeldLock> held;
      for (const auto &h : call.held)
        if (!call.isWait || h.lock.key != call.waitReleases) held.push_back(h);
      // A CondVar::Wait()-style wrapper releases the caller's lock it adopted — taken to
      // be the innermost one held — and waits while the others stay held.
      bool wrapperWait = !call.isWait && !held.empty() && program.waitsOnCallersLock(call.callee);
      if (wrapperWait) held.pop_back();
      if (held.empty()) continue;
      ProgramLinker::Blocking b = program.callBlocks(call);
      // The callee lets go of these (its required locks) before it blocks.
      std::erase_if(held, [&](const HeldLock &h) { return b.released.count(h.lock.key) > 0; });
      if (held.empty()) continue;
      if (wrapperWait && !b.blocks) {
        b.blocks = true;
        b.category = "sync";
        b.leaf = call.calleeName;
      }
      if (!b.blocks) continue;
      b.offPath = b.offPath || call.path == CallPath::Error; // the call itself is on an error path
      // A stream parameter of fn's that every caller gives the console or a non-blocking descriptor.
      if (b.conditional && program.quietInEveryCall(fn, b)) continue;
      // Locks of objects no other thread can reach yet give a note (docs/spec.md §3); with
      // other locks held too, the finding is about those.
      std::vector<HeldLock> shared;
      for (const auto &h : held)
        if (!program.unshared(fn, call, h.lock.key)) shared.push_back(h);
      bool notYetShared = shared.empty();
      if (!notYetShared) held = std::move(shared);
      std::vector<TraceStep> trace;
      addAcquiredNotes(held, trace);
      program.appendChain(b.chain, trace);
      Finding &f = report(call.where,
                          call.calleeName + blocksVerb(b) + blockingWhat(b, call) + ") while " + heldText(held) +
                              (notYetShared ? " (not yet shared)" : ""),
                          held.back().lock.display, fn.name, std::move(trace));
      f.fix = fixForCall(b, call, held);
      if (b.maybe) f.severity = Severity::Warning;
      if (notYetShared) {
        f.severity = Severity::Note;
        f.judgements.push_back("not-yet-shared");
      }
      noteErrorPath(b, f);
    }
  }
}

// Anchored inside the callable's body, at the call that blocks (docs/spec.md §2).
void BlockingUnderLockRule::callablesUnderLock(ProgramLinker &program) {
  for (const auto &[key, fn] : program.functions()) {
    for (const auto &call : fn.calls) {
      for (const auto &ca : call.callables) {
        const auto &invs = program.invocations(call.callee);
        auto it = invs.find(ca.index);
        if (it == invs.end()) continue;
        for (const auto &inv : it->second) {
          if (inv.held.empty()) continue;
          for (const auto &target : program.callablesPassed(ca)) {
            // A named function with several definitions: each body, and a warning (only
            // some programs pass that one).
            std::vector<const FunctionFacts *> bodies = program.definitionsOf(target);
            for (const FunctionFacts *body : bodies) {
              for (const auto &inner : body->calls) {
                ProgramLinker::Blocking b = program.callBlocks(inner);
                if (!b.blocks || (b.conditional && program.quietInEveryCall(*body, b))) continue;
                std::vector<TraceStep> trace;
                trace.push_back({call.where, "the callable is passed to " + call.calleeName + " here"});
                addAcquiredNotes(inv.held, trace);
                program.appendChain(inv.path, trace);
                program.appendChain(b.chain, trace);
                Finding &f = report(inner.where,
                                    inner.calleeName + blocksVerb(b) + blockingWhat(b, inner) + ") while " +
                                        heldText(inv.held) + " by " + call.calleeName + ", which runs this callable under it",
                                    inv.held.back().lock.display, body->name, std::move(trace));
                f.fix = "have " + call.calleeName + " run only the part that needs " + quoted(inv.held.back().lock.display) +
                        " under it, and call " + inner.calleeName + "() after it returns";
                if (b.maybe || bodies.size() > 1) f.severity = Severity::Warning;
                noteErrorPath(b, f);
              }
            }
          }
        }
      }
    }
  }
}

} // namespace lockcheck
