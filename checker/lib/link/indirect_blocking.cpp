// ProgramLinker::callBlocks for calls with several possible targets: an indirect call
// (issues 19, 27) or a call to a key with several distinct definitions (link/definitions.cpp).
// Such a call blocks if a possible target blocks; the summary names a target that blocks
// (preferredTarget() says which), whether only some of the possible targets block somewhere
// down the chain (`maybe`: the finding is a warning, not an error), and, for an indirect
// call, whether they were matched by type. An indirect call's stream arguments decide each
// target's stream-dependent summary (atStream); a key's definitions keep theirs, decided at
// each call of the key as a callee's is.
#include "link/program_linker.h"
#include "link/target_choice.h"

#include <algorithm>

namespace lockcheck {
namespace {

struct TargetCandidate {
  const std::string *key;
  ProgramLinker::Blocking blocking;
  bool reaches; // its flow reaches this call (IndirectTargets::reaches)
};

// The blocking target a finding names (docs/rules/blocking-under-lock.md, "Which target is
// named"): one that blocks whatever the stream arguments before one that depends on them
// (the summary must not be quiet on the console while another target blocks there anyway),
// then one whose flow reaches the call before one that merely exists, then the best kind
// of explanation (one that surely blocks before one that may) and within a kind the one on
// the normal path (link/target_choice.h); among equals the first in key order.
size_t preferredTarget(const std::vector<TargetCandidate> &candidates) {
  auto better = [](const TargetCandidate &a, const TargetCandidate &b) {
    if (a.blocking.conditional != b.blocking.conditional) return !a.blocking.conditional;
    if (a.reaches != b.reaches) return a.reaches;
    int kindA = explanationKind(a.blocking), kindB = explanationKind(b.blocking);
    if (kindA != kindB) return kindA < kindB;
    return namesBetterTarget(a.blocking, b.blocking);
  };
  return static_cast<size_t>(std::min_element(candidates.begin(), candidates.end(), better) - candidates.begin());
}

std::string ofTargets(size_t blocking, size_t targets) {
  return std::to_string(blocking) + " of " + std::to_string(targets);
}

} // namespace

bool ProgramLinker::indirectBlocks(const CallEvent &call, Blocking &out) const {
  const IndirectResolution *found = indirect_.targets(call);
  return found && indirectBlocks(call, *found, found->targets, false, out);
}

bool ProgramLinker::indirectBlocks(const CallEvent &call, const IndirectResolution &r, const std::vector<std::string> &targets,
                                   bool allReach, Blocking &out) const {
  size_t blocking = 0;
  auto reaches = [&](const std::string &target) { return allReach || indirect_.reaches(call, r, target); };
  const std::string *chosen = someBlocks(targets, &call, reaches, out, blocking);
  if (!chosen) return false;
  out.maybe = out.maybe || r.byType;
  out.byType = out.byType || r.byType;
  out.via = nameOf(*chosen);
  std::string count = ofTargets(blocking, targets.size());
  stepInto(*chosen, call.where,
           r.byType ? "may run " + out.via + " (" + count + " functions converted to " + r.type +
                          " block: the flow into " + call.calleeName + " is not followed, its targets are matched by type)"
                    : "may run " + out.via + " (" + count + " possible target" + (targets.size() > 1 ? "s" : "") + " block)",
           out);
  return true;
}

bool ProgramLinker::definitionsBlock(const std::vector<std::string> &definitions, Blocking &out) const {
  size_t blocking = 0;
  const std::string *chosen = someBlocks(definitions, nullptr, [](const std::string &) { return true; }, out, blocking);
  if (!chosen) return false;
  // The definition's own location is the step's: it says which one.
  stepInto(*chosen, {},
           (out.maybe ? "may run this definition of " : "runs this definition of ") + nameOf(*chosen) + " (" +
               ofTargets(blocking, definitions.size()) + " definitions block)",
           out);
  return true;
}

const std::string *ProgramLinker::someBlocks(const std::vector<std::string> &targets, const CallEvent *call,
                                             const std::function<bool(const std::string &)> &reaches, Blocking &out,
                                             size_t &blocking) const {
  std::vector<TargetCandidate> candidates;
  // What the stream-dependent targets depend on: quiet only on what each is quiet on, and
  // taken as blocking whatever the arguments when they depend on different streams.
  int stream = 0;
  bool streams = false, oneStream = true, console = true, nonblocking = true;
  for (const auto &target : targets) {
    Blocking t = defines(target) ? this->blocking(target) : leafOf(target);
    if (call) t = atStream(*call, std::move(t));
    if (!t.blocks) continue;
    if (t.conditional) {
      oneStream = oneStream && (!streams || t.streamPosition == stream);
      streams = true;
      stream = t.streamPosition;
      console = console && t.quietOnConsole;
      nonblocking = nonblocking && t.quietOnNonblocking;
    }
    bool reached = reaches(target);
    candidates.push_back(TargetCandidate{&target, std::move(t), reached});
  }
  blocking = candidates.size();
  if (candidates.empty()) return nullptr;
  TargetCandidate &chosen = candidates[preferredTarget(candidates)];
  out = std::move(chosen.blocking);
  out.released.clear(); // a target's own entry locks mean nothing here
  out.maybe = out.maybe || blocking < targets.size();
  if (out.conditional) { // then every target that blocks is stream-dependent (preferredTarget())
    out.conditional = oneStream;
    out.quietOnConsole = console;
    out.quietOnNonblocking = nonblocking;
  }
  return chosen.key;
}

void ProgramLinker::stepInto(const std::string &target, const SourcePoint &fallback, std::string note, Blocking &out) const {
  const FunctionFacts *fn = definition(target);
  if (out.chain == kNoChain) note += " (" + out.category + ")";
  out.chain = prepend(TraceStep{fn ? fn->where : fallback, std::move(note)}, out.chain);
}

} // namespace lockcheck
