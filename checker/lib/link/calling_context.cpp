// One level of calling context (issue 27, docs/design.md "Indirect calls"): a function that
// makes virtual calls on its own parameter (`WriteBatch::Iterate(Handler *h)` calling
// `h->Put()`) is judged at each call site with the classes passed there, so that
// `Iterate(&inserter)` runs MemTableInserter's overrides only. Such a function keeps two
// summaries: its context-free one, and one without those calls (`besides_`); a call site
// that passes known classes combines the second with the narrowed calls. Where a call site
// passes nothing known, the context-free summary stands.
#include "link/program_linker.h"
#include "link/target_choice.h"

namespace lockcheck {

void ProgramLinker::findContextCalls() {
  contextCalls_.clear();
  besides_.clear();
  for (size_t id = 0; id < byId_.size(); ++id) {
    const FunctionFacts &fn = *byId_[id];
    for (unsigned i = 0; i < fn.calls.size(); ++i) {
      const CallEvent &call = fn.calls[i];
      if (!call.unresolved || !call.through.isParameterOf(fn.key.str())) continue;
      ContextCalls &c = contextCalls_[static_cast<Id>(id)];
      c.calls.push_back(i);
      c.params.push_back(call.through.number);
    }
  }
}

const ProgramLinker::ContextCalls *ProgramLinker::contextCallsOf(Id id) const {
  if (contextCalls_.empty() || id == kNoId) return nullptr;
  auto it = contextCalls_.find(id);
  return it == contextCalls_.end() ? nullptr : &it->second;
}

bool ProgramLinker::argumentClasses(const CallEvent &call, unsigned param, std::vector<std::string> &out) const {
  for (const auto &ca : call.callables) {
    if (ca.index != param) continue;
    if (!ca.classes.empty()) {
      out = ca.classes;
      return true;
    }
    return !ca.slot.empty() && indirect_.slotClasses(ca.slot, out) && !out.empty();
  }
  return false;
}

const std::vector<std::string> &ProgramLinker::callablesPassed(const CallableArg &arg) const {
  static const std::vector<std::string> none;
  if (!arg.targets.empty() || arg.slot.empty()) return arg.targets;
  const std::vector<std::string> *stored = indirect_.slotCallables(arg.slot);
  return stored ? *stored : none;
}

ProgramLinker::Blocking ProgramLinker::calleeBlocking(const CallEvent &call) const {
  Id callee = idOf(call.callee);
  const ContextCalls *context = contextCallsOf(callee);
  if (!context || call.callables.empty()) return blocking(callee);
  const FunctionFacts &fn = *byId_[static_cast<size_t>(callee)];
  // Entry locks released on the way are a context-free bookkeeping: keep it simple there.
  if (!fn.entryLocks.empty()) return blocking(callee);
  std::vector<std::vector<std::string>> passed(context->calls.size());
  bool any = false;
  for (size_t i = 0; i < context->calls.size(); ++i) any |= argumentClasses(call, context->params[i], passed[i]);
  if (!any) return blocking(callee);

  static const Blocking none;
  auto own = besides_.find(callee);
  Blocking best = own == besides_.end() ? none : own->second;
  for (size_t i = 0; i < context->calls.size() && !(best.blocks && explanationKind(best) == 0 && !best.offPath); ++i) {
    const CallEvent &inner = fn.calls[context->calls[i]];
    if (inner.path == CallPath::Dying) continue; // the process is ending (callBlocks())
    Blocking b;
    const std::vector<std::string> *narrowed = passed[i].empty() ? nullptr : indirect_.narrowed(inner, passed[i]);
    if (narrowed) {
      if (!indirectBlocks(inner, *indirect_.targets(inner), *narrowed, true, b)) continue;
    } else {
      b = callBlocks(inner); // nothing known passed for this parameter: the context-free targets
      if (!b.blocks) continue;
    }
    // Chosen as foldCalls() chooses the call that explains a summary (link/target_choice.h).
    b.offPath = b.offPath || inner.path == CallPath::Error;
    if (best.blocks) {
      if (best.conditional && b.conditional && b.streamPosition != best.streamPosition) b.conditional = false;
      int kind = explanationKind(b), bestKind = explanationKind(best);
      if (kind == bestKind && b.conditional) { // quiet only on what both are quiet on
        best.quietOnConsole = b.quietOnConsole = best.quietOnConsole && b.quietOnConsole;
        best.quietOnNonblocking = b.quietOnNonblocking = best.quietOnNonblocking && b.quietOnNonblocking;
      }
      if (kind > bestKind || (kind == bestKind && !namesBetterTarget(b, best))) continue;
    }
    b.chain = callStep(inner, b);
    best = std::move(b);
  }
  best.released.clear();
  return best;
}

} // namespace lockcheck
