// ProgramLinker::callBlocks for indirect calls (issues 19, 27): a call blocks if a possible
// target blocks; the summary names a target that blocks (`via`: preferredTarget() says
// which), whether only some of the possible targets block somewhere down the chain
// (`maybe`: the finding is a warning, not an error), and whether they were matched by type.
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

} // namespace

bool ProgramLinker::indirectBlocks(const CallEvent &call, Blocking &out) const {
  const IndirectResolution *found = indirect_.targets(call);
  return found && indirectBlocks(call, *found, found->targets, false, out);
}

bool ProgramLinker::indirectBlocks(const CallEvent &call, const IndirectResolution &r, const std::vector<std::string> &targets,
                                   bool allReach, Blocking &out) const {
  std::vector<TargetCandidate> blocking;
  for (const auto &target : targets) {
    bool defined = defines(target);
    const Blocking &t = defined ? this->blocking(target) : leafOf(target);
    if (t.blocks) blocking.push_back(TargetCandidate{&target, t, allReach || indirect_.reaches(call, r, target)});
  }
  if (blocking.empty()) return false;
  const TargetCandidate &chosen = blocking[preferredTarget(blocking)];
  out = chosen.blocking;
  out.released.clear(); // a target's own entry locks mean nothing here
  out.maybe = out.maybe || r.byType || blocking.size() < targets.size();
  out.byType = out.byType || r.byType;
  out.via = nameOf(*chosen.key);
  const FunctionFacts *fn = definition(*chosen.key);
  std::string count = std::to_string(blocking.size()) + " of " + std::to_string(targets.size());
  std::string note = r.byType ? "may run " + out.via + " (" + count + " functions converted to " + r.type +
                                    " block: the flow into " + call.calleeName + " is not followed, its targets are matched by type)"
                              : "may run " + out.via + " (" + count + " possible target" + (targets.size() > 1 ? "s" : "") + " block)";
  if (out.chain == kNoChain) note += " (" + out.category + ")";
  out.chain = prepend(TraceStep{fn ? fn->where : call.where, note}, out.chain);
  return true;
}

} // namespace lockcheck
