#include "link/indirect_targets.h"

#include <algorithm>

namespace lockcheck {

namespace {
// More functions than this converted to one type (std::function<void()> where closures are
// posted everywhere) say nothing about what a slot of that type holds; it also keeps a lost
// slot's cost bounded (docs/rules/blocking-under-lock.md, "Targets matched by type").
constexpr size_t kMaxTypeMatches = 32;

template <class T> void sortUnique(std::vector<T> &v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}
} // namespace

void IndirectTargets::add(TUFacts &facts) {
  for (auto &[name, c] : facts.classes) classes_.try_emplace(name, std::move(c));
  for (const auto &[slot, s] : facts.callableFlows) {
    CallableSources &into = flows_[slot];
    into.targets.insert(into.targets.end(), s.targets.begin(), s.targets.end());
    into.slots.insert(into.slots.end(), s.slots.begin(), s.slots.end());
    into.unknown |= s.unknown;
    if (!s.type.empty() && (into.type.empty() || s.type < into.type)) into.type = s.type;
  }
  for (const auto &[type, fns] : facts.callableTypes) {
    auto &into = conversions_[type];
    into.insert(into.end(), fns.begin(), fns.end());
  }
  escaping_.insert(facts.escapingClasses.begin(), facts.escapingClasses.end());
}

void IndirectTargets::finish(const FunctionMap &functions,
                             const std::unordered_map<InternedString, DeclFacts, InternedString::IdentityHash> &decls) {
  for (auto &[slot, s] : flows_) { // a header's flows come once from every TU that includes it
    sortUnique(s.targets);
    sortUnique(s.slots);
  }
  for (auto &[type, fns] : conversions_) sortUnique(fns);
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

// A slot whose every write lockcheck saw holds something; one with no entry, or an entry
// that received nothing (only called, or only ever set to null), is not followed.
bool IndirectTargets::slotValues(const SlotKey &slot, std::vector<std::string> &out) const {
  std::vector<SlotKey> todo{slot};
  std::set<SlotKey> seen{slot};
  bool bounded = true;
  while (!todo.empty()) {
    SlotKey s = todo.back();
    todo.pop_back();
    auto it = flows_.find(s);
    if (it == flows_.end() || it->second.unknown || (it->second.targets.empty() && it->second.slots.empty())) {
      bounded = false;
      if (it == flows_.end()) continue;
    }
    out.insert(out.end(), it->second.targets.begin(), it->second.targets.end());
    for (const auto &next : it->second.slots)
      if (seen.insert(next).second) todo.push_back(next);
  }
  sortUnique(out);
  return bounded;
}

const IndirectTargets::SlotValues &IndirectTargets::valuesOf(const SlotKey &slot) const {
  auto it = slotValues_.find(slot);
  if (it == slotValues_.end()) {
    SlotValues v;
    v.bounded = slotValues(slot, v.values);
    it = slotValues_.emplace(slot, std::move(v)).first;
  }
  return it->second;
}

const IndirectResolution *IndirectTargets::targets(const CallEvent &call) const {
  if (!options_.resolve || (!call.unresolved && call.through.empty())) return nullptr;
  const Resolved *&known = byCall_[&call];
  if (!known) {
    std::string id = call.unresolved ? "v:" + call.callee + "|" + call.receiverType : call.through.toString();
    auto memo = resolved_.find(id);
    if (memo == resolved_.end()) {
      Resolved r;
      if (call.unresolved) {
        r.bounded = virtualTargets(call, r.r.targets);
        sortUnique(r.r.targets);
      } else {
        const SlotValues &v = valuesOf(call.through);
        r.bounded = v.bounded;
        r.r.targets = v.values;
        auto slot = flows_.find(call.through);
        // A lost flow: the functions converted to the slot's type, those seen flowing in first.
        if (!r.bounded && options_.matchByType && slot != flows_.end() && !slot->second.type.empty())
          if (auto conv = conversions_.find(slot->second.type);
              conv != conversions_.end() && conv->second.size() <= kMaxTypeMatches) {
            r.r.reaching = std::move(r.r.targets);
            r.r.targets = conv->second;
            r.r.byType = true;
            r.r.type = slot->second.type;
            r.bounded = true;
          }
      }
      std::erase_if(r.r.targets, [&](const std::string &k) { return excluded(k); });
      r.bounded = r.bounded && !r.r.targets.empty();
      memo = resolved_.emplace(id, std::move(r)).first;
    }
    known = &memo->second;
  }
  return known->bounded ? &known->r : nullptr;
}

const std::vector<std::string> *IndirectTargets::slotCallables(const SlotKey &slot) const {
  if (!options_.resolve || slot.empty()) return nullptr;
  const SlotValues &v = valuesOf(slot);
  return v.bounded && !v.values.empty() ? &v.values : nullptr;
}

bool IndirectTargets::slotClasses(const SlotKey &slot, std::vector<std::string> &out) const {
  const SlotValues &v = valuesOf(slot);
  out = v.values;
  return v.bounded;
}

// Each class's final overrider among the call's targets: the target of the most derived
// class the object's class derives from.
const std::vector<std::string> *IndirectTargets::narrowed(const CallEvent &call, const std::vector<std::string> &classes) const {
  const IndirectResolution *all = targets(call);
  if (!all || !call.unresolved || classes.empty()) return nullptr;
  auto [it, added] = narrowed_.try_emplace({&call, classes});
  SlotValues &n = it->second;
  if (!added) return n.bounded ? &n.values : nullptr;
  n.bounded = true;
  for (const auto &cls : classes) {
    const std::string *best = nullptr, *bestClass = nullptr;
    for (const auto &t : all->targets) {
      auto owner = classOf_.find(t);
      if (owner == classOf_.end() || !derivesFrom(cls, owner->second)) continue;
      if (!best || derivesFrom(owner->second, *bestClass)) best = &t, bestClass = &owner->second;
    }
    if (!best) {
      n.bounded = false; // a class lockcheck did not record, or one that runs an excluded target
      break;
    }
    n.values.push_back(*best);
  }
  sortUnique(n.values);
  return n.bounded ? &n.values : nullptr;
}

bool IndirectTargets::escapeLineHas(const std::string &cls) const {
  if (!escapeLineBuilt_) {
    escapeLineBuilt_ = true;
    std::map<std::string, std::vector<std::string>> children;
    for (const auto &[name, c] : classes_)
      for (const auto &b : c.bases) children[b].push_back(name);
    std::set<std::string> up, down; // visited going to the bases / to the derived classes
    for (const auto &e : escaping_) {
      for (std::vector<std::string> todo{e}; !todo.empty();) {
        std::string c = todo.back();
        todo.pop_back();
        if (!up.insert(c).second) continue;
        if (auto it = classes_.find(c); it != classes_.end()) todo.insert(todo.end(), it->second.bases.begin(), it->second.bases.end());
      }
      for (std::vector<std::string> todo{e}; !todo.empty();) {
        std::string c = todo.back();
        todo.pop_back();
        if (!down.insert(c).second) continue;
        if (auto it = children.find(c); it != children.end()) todo.insert(todo.end(), it->second.begin(), it->second.end());
      }
    }
    escapeLine_ = std::move(up);
    escapeLine_.insert(down.begin(), down.end());
  }
  return escapeLine_.count(cls) > 0;
}

bool IndirectTargets::reaches(const CallEvent &call, const IndirectResolution &r, const std::string &target) const {
  if (r.byType) return std::binary_search(r.reaching.begin(), r.reaching.end(), target);
  if (!call.unresolved || call.through.empty()) return true;
  auto owner = classOf_.find(target);
  if (owner == classOf_.end()) return true;
  const std::string &cls = owner->second;
  const SlotValues &v = valuesOf(call.through);
  // An object of class c runs the overrides of its own class and its bases.
  bool seen = std::any_of(v.values.begin(), v.values.end(), [&](const std::string &c) { return derivesFrom(c, cls); });
  return seen || (!v.bounded && escapeLineHas(cls));
}

} // namespace lockcheck
