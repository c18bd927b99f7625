#include "link/indirect_targets.h"

#include <algorithm>

namespace lockcheck {

void IndirectTargets::add(TUFacts &facts) {
  for (auto &[name, c] : facts.classes) classes_.try_emplace(name, std::move(c));
  for (const auto &[slot, s] : facts.callableFlows) {
    CallableSources &into = flows_[slot];
    into.targets.insert(into.targets.end(), s.targets.begin(), s.targets.end());
    into.slots.insert(into.slots.end(), s.slots.begin(), s.slots.end());
    into.unknown |= s.unknown;
  }
}

void IndirectTargets::finish(const FunctionMap &functions,
                             const std::unordered_map<InternedString, DeclFacts, InternedString::IdentityHash> &decls) {
  for (auto &[slot, s] : flows_) { // a header's flows come once from every TU that includes it
    std::sort(s.targets.begin(), s.targets.end());
    s.targets.erase(std::unique(s.targets.begin(), s.targets.end()), s.targets.end());
    std::sort(s.slots.begin(), s.slots.end());
    s.slots.erase(std::unique(s.slots.begin(), s.slots.end()), s.slots.end());
  }
  for (const auto &[name, c] : classes_)
    for (const auto &m : c.methods) {
      classOf_.emplace(m.key, name);
      methods_.emplace(m.key, &m);
      for (const auto &o : m.overrides) overriders_[o].push_back(m.key);
    }
  if (options_.exclude.empty()) return;
  for (const auto &[key, fn] : functions) qualified_.emplace(key, fn.qualified);
  for (const auto &[key, d] : decls) qualified_.emplace(key, d.qualified);
}

bool IndirectTargets::derivesFrom(const std::string &cls, const std::string &base) const {
  if (cls == base) return true;
  auto memo = derives_.find({cls, base});
  if (memo != derives_.end()) return memo->second;
  derives_[{cls, base}] = false; // a cycle (malformed facts) ends here
  bool result = false;
  if (auto it = classes_.find(cls); it != classes_.end())
    for (const auto &b : it->second.bases)
      if (derivesFrom(b, base)) {
        result = true;
        break;
      }
  return derives_[{cls, base}] = result;
}

bool IndirectTargets::excluded(const std::string &key) const {
  if (options_.exclude.empty()) return false;
  auto q = qualified_.find(key);
  std::string name = q == qualified_.end() ? std::string() : q->second;
  std::string cls;
  if (auto c = classOf_.find(key); c != classOf_.end()) cls = c->second;
  else if (size_t sep = name.rfind("::"); sep != std::string::npos) cls = name.substr(0, sep);
  return std::any_of(options_.exclude.begin(), options_.exclude.end(), [&](const NamePattern &p) {
    return (!name.empty() && p.matches(name)) || (!cls.empty() && p.matches(cls));
  });
}

// The static method, if its class may be the dynamic one, and every override below it in
// a class derived from the receiver's static type; `final` stops the walk.
bool IndirectTargets::virtualTargets(const CallEvent &call, std::vector<std::string> &out) const {
  auto root = methods_.find(call.callee);
  if (root == methods_.end()) return false; // a class lockcheck did not see (system, unanalysed)
  const std::string &receiver = call.receiverType;
  std::vector<std::string> todo{call.callee};
  std::set<std::string> seen{call.callee};
  while (!todo.empty()) {
    std::string key = todo.back();
    todo.pop_back();
    const VirtualMethod *m = methods_.at(key);
    const std::string &cls = classOf_.at(key);
    // The receiver's class or one derived from it (the static method itself always counts:
    // a class derived from the receiver that does not override it runs it).
    if (!m->pure && (key == call.callee || receiver.empty() || derivesFrom(cls, receiver))) out.push_back(key);
    if (m->final) continue;
    if (auto it = overriders_.find(key); it != overriders_.end())
      for (const auto &o : it->second)
        if (seen.insert(o).second) todo.push_back(o);
  }
  return true;
}

// Every callable that flows into `slot`, through other slots; false when anything that
// flows in is unknown or a slot on the way receives nothing lockcheck saw.
bool IndirectTargets::slotTargets(const std::string &slot, std::vector<std::string> &out) const {
  std::vector<std::string> todo{slot};
  std::set<std::string> seen{slot};
  while (!todo.empty()) {
    std::string s = todo.back();
    todo.pop_back();
    auto it = flows_.find(s);
    if (it == flows_.end() || it->second.unknown) return false;
    out.insert(out.end(), it->second.targets.begin(), it->second.targets.end());
    for (const auto &next : it->second.slots)
      if (seen.insert(next).second) todo.push_back(next);
  }
  return true;
}

const std::vector<std::string> *IndirectTargets::targets(const CallEvent &call) const {
  if (!options_.resolve || (!call.unresolved && call.through.empty())) return nullptr;
  const Resolved *&known = byCall_[&call];
  if (!known) {
    std::string id = call.through.empty() ? "v:" + call.callee + "|" + call.receiverType : call.through.str();
    auto memo = resolved_.find(id);
    if (memo == resolved_.end()) {
      Resolved r;
      r.bounded = call.through.empty() ? virtualTargets(call, r.targets) : slotTargets(call.through, r.targets);
      std::sort(r.targets.begin(), r.targets.end());
      r.targets.erase(std::unique(r.targets.begin(), r.targets.end()), r.targets.end());
      std::erase_if(r.targets, [&](const std::string &k) { return excluded(k); });
      r.bounded = r.bounded && !r.targets.empty();
      memo = resolved_.emplace(id, std::move(r)).first;
    }
    known = &memo->second;
  }
  return known->bounded ? &known->targets : nullptr;
}

} // namespace lockcheck
