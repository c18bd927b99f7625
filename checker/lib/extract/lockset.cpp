#include "extract/lockset.h"

#include <algorithm>

namespace lockcheck {

const LockFact *LockSet::find(const LockKey &key, Certainty certainty) const {
  for (const auto &f : facts)
    if (f.lock.key == key && (certainty == Certainty::AnyPath || !f.maybe)) return &f;
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

static bool contains(const std::vector<BranchFact> &facts, const BranchFact &f) {
  return std::find(facts.begin(), facts.end(), f) != facts.end();
}

void LockSet::assume(const clang::VarDecl *var, bool value) {
  std::erase_if(assumptions, [&](const BranchFact &f) { return f.var == var; });
  assumptions.push_back(BranchFact{var, value});
  std::erase_if(facts, [&](const LockFact &f) { return f.maybe && contains(f.onlyIf, BranchFact{var, !value}); });
  for (auto &f : facts)
    if (f.maybe && contains(f.onlyIf, BranchFact{var, value})) {
      f.maybe = false;
      f.onlyIf.clear();
    }
}

void LockSet::forget(const clang::VarDecl *var) {
  auto about = [&](const BranchFact &f) { return f.var == var; };
  std::erase_if(assumptions, about);
  for (auto &f : facts) std::erase_if(f.onlyIf, about);
}

// The branch facts t with "the fact is held <=> t" on every path of `side`.
static std::vector<BranchFact> heldExactlyIf(const LockFact *fact, const LockSet &side) {
  if (fact) return fact->maybe ? fact->onlyIf : side.assumptions;
  std::vector<BranchFact> out; // absent on every path: the negation of whatever the side knows
  for (const auto &t : side.assumptions) out.push_back(BranchFact{t.var, !t.value});
  return out;
}

static LockFact joinFact(const LockFact &f, const LockFact *inA, const LockSet &a, const LockFact *inB,
                         const LockSet &b) {
  LockFact out = f;
  out.maybe = !inA || !inB || inA->maybe || inB->maybe;
  out.onlyIf.clear();
  if (!out.maybe) return out;
  auto fromA = heldExactlyIf(inA, a), fromB = heldExactlyIf(inB, b);
  for (const auto &t : fromA)
    if (contains(fromB, t)) out.onlyIf.push_back(t);
  return out;
}

LockSet LockSet::merge(const LockSet &a, const LockSet &b) {
  if (!a.reachable) return b;
  if (!b.reachable) return a;
  LockSet out;
  out.reachable = true;
  auto findIn = [](const LockSet &s, const LockFact &f) -> const LockFact * {
    auto it = std::find_if(s.facts.begin(), s.facts.end(), [&](const LockFact &o) { return sameFact(f, o); });
    return it == s.facts.end() ? nullptr : &*it;
  };
  for (const auto &fa : a.facts) out.facts.push_back(joinFact(fa, &fa, a, findIn(b, fa), b));
  for (const auto &fb : b.facts)
    if (!findIn(a, fb)) out.facts.push_back(joinFact(fb, nullptr, a, &fb, b));
  out.bindings = a.bindings;
  for (const auto &gb : b.bindings)
    if (!out.binding(gb.guard)) out.bindings.push_back(gb);
  for (const auto &t : a.assumptions)
    if (contains(b.assumptions, t)) out.assumptions.push_back(t);
  return out;
}

bool LockSet::operator==(const LockSet &o) const {
  if (reachable != o.reachable || facts.size() != o.facts.size() || bindings.size() != o.bindings.size() ||
      assumptions != o.assumptions)
    return false;
  for (size_t i = 0; i < facts.size(); ++i)
    if (!sameFact(facts[i], o.facts[i]) || facts[i].maybe != o.facts[i].maybe || facts[i].onlyIf != o.facts[i].onlyIf)
      return false;
  for (size_t i = 0; i < bindings.size(); ++i)
    if (bindings[i].guard != o.bindings[i].guard || bindings[i].locks.size() != o.bindings[i].locks.size())
      return false;
  return true;
}

} // namespace lockcheck
