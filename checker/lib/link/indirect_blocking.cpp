// ProgramLinker::callBlocks for calls with several possible targets: an indirect call
// (issue 19) or a call to a key with several distinct definitions (link/definitions.cpp).
// Such a call blocks if a possible target blocks; the summary names that target and whether
// only some of the possible targets block (`maybe`: the finding is a warning, not an error).
#include "link/program_linker.h"
#include "link/target_choice.h"

namespace lockcheck {

bool ProgramLinker::indirectBlocks(const CallEvent &call, Blocking &out) const {
  const std::vector<std::string> *found = indirect_.targets(call);
  return found && someBlocks(*found, &call, out);
}

bool ProgramLinker::someBlocks(const std::vector<std::string> &targets, const CallEvent *call, Blocking &out) const {
  size_t blocking = 0;
  const std::string *chosen = nullptr;
  Blocking first;
  // What the stream-dependent targets depend on: quiet only on what each is quiet on, and
  // taken as blocking whatever the arguments when they depend on different streams.
  int stream = 0;
  bool streams = false, oneStream = true, console = true, nonblocking = true;
  for (const auto &target : targets) {
    Blocking t = defines(target) ? this->blocking(target) : leafOf(target);
    if (call) t = atStream(*call, std::move(t));
    if (!t.blocks) continue;
    ++blocking;
    if (t.conditional) {
      oneStream = oneStream && (!streams || t.streamPosition == stream);
      streams = true;
      stream = t.streamPosition;
      console = console && t.quietOnConsole;
      nonblocking = nonblocking && t.quietOnNonblocking;
    }
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
  if (out.conditional) { // then every target that blocks is stream-dependent (target_choice.h)
    out.conditional = oneStream;
    out.quietOnConsole = console;
    out.quietOnNonblocking = nonblocking;
  }
  std::string name = nameOf(*chosen), counts = std::to_string(blocking) + " of " + std::to_string(targets.size());
  std::string note;
  if (!call) {
    // The definition's own location is the step's: it says which one.
    note = (out.maybe ? "may run this definition of " : "runs this definition of ") + name + " (" + counts +
           " definitions block)";
  } else {
    out.via = name;
    note = "may run " + name + " (" + counts + " possible target" + (targets.size() > 1 ? "s" : "") + " block)";
  }
  const FunctionFacts *fn = definition(*chosen);
  if (out.chain == kNoChain) note += " (" + out.category + ")";
  out.chain = prepend(TraceStep{fn ? fn->where : call ? call->where : SourcePoint{}, note}, out.chain);
  return true;
}

} // namespace lockcheck
