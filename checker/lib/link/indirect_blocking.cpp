// ProgramLinker::callBlocks for calls with several possible targets: an indirect call
// (issue 19) or a call to a key with several distinct definitions (link/definitions.cpp).
// Such a call blocks if a possible target blocks; the summary names that target and whether
// only some of the possible targets block (`maybe`: the finding is a warning, not an error).
#include "link/program_linker.h"

namespace lockcheck {

bool ProgramLinker::indirectBlocks(const CallEvent &call, Blocking &out) const {
  const std::vector<std::string> *found = indirect_.targets(call);
  return found && someBlocks(*found, false, call.where, out);
}

bool ProgramLinker::someBlocks(const std::vector<std::string> &targets, bool definitions, const SourcePoint &fallback,
                               Blocking &out) const {
  size_t blocking = 0;
  const std::string *chosen = nullptr;
  Blocking first;
  for (const auto &target : targets) {
    bool defined = defines(target);
    Blocking undefined = defined ? Blocking{} : leafOf(target);
    const Blocking &t = defined ? this->blocking(target) : undefined;
    if (!t.blocks) continue;
    ++blocking;
    if (!chosen || (first.maybe && !t.maybe)) { // the first that surely blocks
      first = t;
      chosen = &target;
    }
  }
  if (!chosen) return false;
  out = std::move(first);
  out.released.clear(); // a target's own entry locks mean nothing here
  out.maybe = out.maybe || blocking < targets.size();
  std::string name = nameOf(*chosen), counts = std::to_string(blocking) + " of " + std::to_string(targets.size());
  std::string note;
  if (definitions) {
    // The definition's own location is the step's: it says which one.
    note = (out.maybe ? "may run this definition of " : "runs this definition of ") + name + " (" + counts +
           " definitions block)";
  } else {
    out.via = name;
    note = "may run " + name + " (" + counts + " possible target" + (targets.size() > 1 ? "s" : "") + " block)";
  }
  const FunctionFacts *fn = definition(*chosen);
  if (out.chain == kNoChain) note += " (" + out.category + ")";
  out.chain = prepend(TraceStep{fn ? fn->where : fallback, note}, out.chain);
  return true;
}

} // namespace lockcheck
