#include "link/call_index.h"

namespace lockcheck {

void CallIndex::add(const TUFacts &facts) {
  for (const auto &[name, c] : facts.classes)
    for (const auto &m : c.methods) opaque_.insert(m.key);
  for (const auto &[slot, s] : facts.callableFlows) opaque_.insert(s.targets.begin(), s.targets.end());
  // Converted to a callable type (issue 27): a type-matched call may run them.
  for (const auto &[type, keys] : facts.callableTypes) opaque_.insert(keys.begin(), keys.end());
  for (const auto &[key, fn] : facts.functions)
    for (const auto &call : fn.calls)
      for (const auto &ca : call.callables) opaque_.insert(ca.targets.begin(), ca.targets.end());
}

void CallIndex::finish(const FunctionMap &functions) {
  callers_.clear();
  for (const auto &[key, fn] : functions)
    for (const auto &call : fn.calls)
      if (!call.callee.empty()) callers_[call.callee].push_back(Site{&fn, &call});
}

void CallIndex::addDefinitions(const InternedString &key, const std::vector<std::string> &aliases) {
  std::vector<Site> shared = callers(key), bound; // copies: the insertions below may rehash
  for (const auto &alias : aliases) {
    if (opaque(key.str())) opaque_.insert(alias);
    const auto &own = callers(InternedString(alias));
    bound.insert(bound.end(), own.begin(), own.end());
    if (!shared.empty()) {
      std::vector<Site> &mine = callers_[InternedString(alias)];
      mine.insert(mine.end(), shared.begin(), shared.end());
    }
  }
  if (!bound.empty()) {
    std::vector<Site> &all = callers_[key];
    all.insert(all.end(), bound.begin(), bound.end());
  }
}

const std::vector<CallIndex::Site> &CallIndex::callers(const InternedString &callee) const {
  static const std::vector<Site> none;
  auto it = callers_.find(callee);
  return it == callers_.end() ? none : it->second;
}

} // namespace lockcheck
