// Objects not yet shared (docs/spec.md §3), program-wide: whether a function may publish its
// `this` or a parameter — what its body publishes itself (FunctionFacts::escapes, from
// extract/escape_analysis.h) or hands, whole, to a function that may (a call's this_arg /
// arg_locks naming it), to a fixpoint over the call graph, virtual calls through all their
// possible targets — and with that, whether a lock held at a call belongs to an object no
// other thread can reach yet: a fresh object of the caller that no earlier handover
// published, or, for a lock the function requires on entry, one that every caller holds on
// such an object.
#pragma once

#include "facts/facts.h"
#include "link/call_index.h"
#include "link/indirect_targets.h"

#include <map>
#include <set>
#include <unordered_map>
#include <utility>

namespace lockcheck {

class EscapeSummary {
public:
  using Decls = std::unordered_map<InternedString, DeclFacts, InternedString::IdentityHash>;
  EscapeSummary(const FunctionMap &functions, const Decls &decls, const IndirectTargets &indirect, const CallIndex &calls)
      : functions_(functions), decls_(decls), indirect_(indirect), calls_(calls) {}

  // Whether `call` may publish what it is given at `position` (-1: the callee's `this`).
  bool publishes(const CallEvent &call, int position);
  // Whether `lock`, held at `call` in `fn`, belongs to an object not yet shared there.
  bool unshared(const FunctionFacts &fn, const CallEvent &call, const LockKey &lock);

private:
  void solve();
  bool escapes(const InternedString &fn, int position) const;
  bool handedPublishes(const FunctionFacts &fn, const CallEvent &call, const LockKey &object);
  bool entryUnshared(const FunctionFacts &fn, const LockKey &lock);

  const FunctionMap &functions_;
  const Decls &decls_;
  const IndirectTargets &indirect_;
  const CallIndex &calls_;
  bool solved_ = false;
  std::unordered_map<InternedString, std::set<int>, InternedString::IdentityHash> escapes_;
  std::map<std::pair<InternedString, LockKey>, char> entryMemo_; // 0 in progress, 1 no, 2 yes
};

} // namespace lockcheck
