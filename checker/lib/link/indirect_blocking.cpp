// ProgramLinker::callBlocks for indirect calls (issue 19): a call blocks if a possible
// target blocks; the summary names that target (`via`) and whether only some of the
// possible targets block (`maybe`: the finding is a warning, not an error).
#include "link/program_linker.h"
#include "link/target_choice.h"

namespace lockcheck {

bool ProgramLinker::indirectBlocks(const CallEvent &call, Blocking &out) const {
  const std::vector<std::string> *found = indirect_.targets(call);
  if (!found) return false;
  const std::vector<std::string> &targets = *found;
  size_t blocking = 0;
  const std::string *chosen = nullptr;
  Blocking first;
  for (const auto &target : targets) {
    bool defined = defines(target);
    Blocking t = atStream(call, defined ? this->blocking(target) : leafOf(target));
    if (!t.blocks) continue;
    ++blocking;
    // The first of the best kind (one that surely blocks), on the normal path if one is.
    int kind = explanationKind(t), chosenKind = chosen ? explanationKind(first) : 0;
    if (!chosen || kind < chosenKind || (kind == chosenKind && namesBetterTarget(t, first))) {
      first = t;
      chosen = &target;
    }
  }
  if (!chosen) return false;
  out = std::move(first);
  out.released.clear(); // a target's own entry locks mean nothing here
  out.maybe = out.maybe || blocking < targets.size();
  out.via = nameOf(*chosen);
  const FunctionFacts *fn = definition(*chosen);
  std::string note = "may run " + out.via + " (" + std::to_string(blocking) + " of " + std::to_string(targets.size()) +
                     " possible target" + (targets.size() > 1 ? "s" : "") + " block)";
  if (out.chain == kNoChain) note += " (" + out.category + ")";
  out.chain = prepend(TraceStep{fn ? fn->where : call.where, note}, out.chain);
  return true;
}

} // namespace lockcheck
