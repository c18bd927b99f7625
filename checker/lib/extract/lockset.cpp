#include "extract/lockset.h"

#include <algorithm>

namespace lockcheck {

const LockFact *LockSet::find(const std::string &key, bool definiteOnly) const {
  for (const auto &f : facts)
    if (f.lock.key == key && (!definiteOnly || !f.maybe)) return &f;
  return nullptr;
}

std::vector<HeldLock> LockSet::definite() const {
  std::vector<HeldLock> out;
  for (const auto &f : facts)
    if (!f.maybe) out.push_back(HeldLock{f.lock, f.acquired});
  return out;
}

const GuardBinding *LockSet::binding(const clang::VarDecl *guard) const {
  for (const auto &b : bindings)
    if (b.guard == guard) return &b;
  return nullptr;
}

void LockSet::bind(GuardBinding b) {
  unbind(b.guard);
  bindings.push_back(std::move(b));
}

void LockSet::unbind(const clang::VarDecl *guard) {
  std::erase_if(bindings, [&](const GuardBinding &b) { return b.guard == guard; });
}

size_t LockSet::dropOwnedBy(const clang::VarDecl *guard) {
  return std::erase_if(facts, [&](const LockFact &f) { return f.guard == guard; });
}

void LockSet::transfer(const clang::VarDecl *from, const clang::VarDecl *to) {
  for (auto &f : facts)
    if (f.guard == from) f.guard = to;
  if (const GuardBinding *b = binding(from)) {
    GuardBinding moved = *b;
    moved.guard = to;
    unbind(from);
    bind(std::move(moved));
  }
}

static bool sameFact(const LockFact &a, const LockFact &b) {
  return a.lock.key == b.lock.key && a.guard == b.guard;
}

LockSet LockSet::merge(const LockSet &a, const LockSet &b) {
  if (!a.reachable) return b;
  if (!b.reachable) return a;
  LockSet out;
  out.reachable = true;
  for (const auto &fa : a.facts) {
    LockFact f = fa;
    auto it = std::find_if(b.facts.begin(), b.facts.end(), [&](const LockFact &fb) { return sameFact(fa, fb); });
    if (it == b.facts.end()) f.maybe = true;
    else f.maybe = fa.maybe || it->maybe;
    out.facts.push_back(f);
  }
  for (const auto &fb : b.facts)
    if (std::none_of(a.facts.begin(), a.facts.end(), [&](const LockFact &fa) { return sameFact(fa, fb); })) {
      LockFact f = fb;
      f.maybe = true;
      out.facts.push_back(f);
    }
  out.bindings = a.bindings;
  for (const auto &gb : b.bindings)
    if (!out.binding(gb.guard)) out.bindings.push_back(gb);
  return out;
}

bool LockSet::operator==(const LockSet &o) const {
  if (reachable != o.reachable || facts.size() != o.facts.size() || bindings.size() != o.bindings.size())
    return false;
  for (size_t i = 0; i < facts.size(); ++i)
    if (!sameFact(facts[i], o.facts[i]) || facts[i].maybe != o.facts[i].maybe) return false;
  for (size_t i = 0; i < bindings.size(); ++i)
    if (bindings[i].guard != o.bindings[i].guard || bindings[i].locks.size() != o.bindings[i].locks.size())
      return false;
  return true;
}

} // namespace lockcheck
