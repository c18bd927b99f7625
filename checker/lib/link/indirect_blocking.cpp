// ProgramLinker::callBlocks for calls with several possible targets: an indirect call
// (issues 19, 27) or a call to a key with several distinct definitions (link/definitions.cpp).
// Such a call blocks if a possible target blocks; the summary names a target that blocks
// (preferredTarget() says which), whether only some of the possible targets block somewhere
// down the chain (`maybe`: the finding is a warning, not an error), and, for an indirect
// call, whether they were matched by type.
#include "link/program_linker.h"

#include <algorithm>
#include <tuple>

namespace lockcheck {
namespace {

struct TargetCandidate {
  const std::string *key;
  ProgramLinker::Blocking blocking;
  bool reaches; // its flow reaches this call (IndirectTargets::reaches)
};

// The blocking target a finding names (docs/rules/blocking-under-lock.md, "Which target is
// named"): one whose flow reaches the call before one that merely exists, then one that
// surely blocks before one that may; among equals the first in key order. Each rule is one
// term of the rank, so that another preference composes by adding its own.
size_t preferredTarget(const std::vector<TargetCandidate> &candidates) {
  auto rank = [](const TargetCandidate &c) { return std::tuple{!c.reaches, c.blocking.maybe}; };
  auto best = std::min_element(candidates.begin(), candidates.end(),
                               [&](const TargetCandidate &a, const TargetCandidate &b) { return rank(a) < rank(b); });
  return static_cast<size_t>(best - candidates.begin());
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
  const std::string *chosen = someBlocks(targets, reaches, out, blocking);
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
  const std::string *chosen = someBlocks(definitions, [](const std::string &) { return true; }, out, blocking);
  if (!chosen) return false;
  // The definition's own location is the step's: it says which one.
  stepInto(*chosen, {},
           (out.maybe ? "may run this definition of " : "runs this definition of ") + nameOf(*chosen) + " (" +
               ofTargets(blocking, definitions.size()) + " definitions block)",
           out);
  return true;
}

const std::string *ProgramLinker::someBlocks(const std::vector<std::string> &targets,
                                             const std::function<bool(const std::string &)> &reaches, Blocking &out,
                                             size_t &blocking) const {
  std::vector<TargetCandidate> candidates;
  for (const auto &target : targets) {
    bool defined = defines(target);
    const Blocking &t = defined ? this->blocking(target) : leafOf(target);
    if (t.blocks) candidates.push_back(TargetCandidate{&target, t, reaches(target)});
  }
  blocking = candidates.size();
  if (candidates.empty()) return nullptr;
  TargetCandidate &chosen = candidates[preferredTarget(candidates)];
  out = std::move(chosen.blocking);
  out.released.clear(); // a target's own entry locks mean nothing here
  out.maybe = out.maybe || blocking < targets.size();
  return chosen.key;
}

void ProgramLinker::stepInto(const std::string &target, const SourcePoint &fallback, std::string note, Blocking &out) const {
  const FunctionFacts *fn = definition(target);
  if (out.chain == kNoChain) note += " (" + out.category + ")";
  out.chain = prepend(TraceStep{fn ? fn->where : fallback, std::move(note)}, out.chain);
}

} // namespace lockcheck
