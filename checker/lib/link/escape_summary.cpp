#include "link/escape_summary.h"

#include <algorithm>
#include <deque>

namespace lockcheck {
namespace {

// The position the caller's own root `root` (-1 `this`, N parameter N, or a local object's
// key) is handed over at: -1 for the callee's `this`, else the argument index. Only whole
// objects count: a member passed on is not the object (docs/design.md "Objects not yet shared").
template <class Fn> void eachHandover(const CallEvent &call, const LockKey &root, Fn &&fn) {
  if (call.thisArg == root) fn(-1);
  for (size_t i = 0; i < call.argLocks.size(); ++i)
    if (call.argLocks[i] == root) fn(static_cast<int>(i));
}

} // namespace

bool EscapeSummary::escapes(const InternedString &fn, int position) const {
  auto it = escapes_.find(fn);
  return it != escapes_.end() && it->second.count(position) > 0;
}

bool EscapeSummary::publishes(const CallEvent &call, int position) {
  if (!solved_) solve();
  if (call.unresolved) {
    const IndirectResolution *r = indirect_.targets(call);
    if (!r) return true; // unbounded: anything may run
    return std::any_of(r->targets.begin(), r->targets.end(), [&](const std::string &t) {
      InternedString key(t);
      if (functions_.count(key)) return escapes(key, position);
      auto d = decls_.find(key);
      return d == decls_.end() || !d->second.system;
    });
  }
  if (call.callee.empty()) return true;
  if (functions_.count(call.callee)) return escapes(call.callee, position);
  auto d = decls_.find(call.callee);
  return d == decls_.end() || !d->second.system; // a library call was judged at extract
}

// Monotone: a position only starts escaping, so a worklist over callers ends.
void EscapeSummary::solve() {
  solved_ = true;
  for (const auto &[key, fn] : functions_)
    if (!fn.escapes.empty()) escapes_[key].insert(fn.escapes.begin(), fn.escapes.end());
  // Virtual call sites by each possible target, so a target's change reaches them.
  std::unordered_map<InternedString, std::vector<const FunctionFacts *>, InternedString::IdentityHash> virtualCallers;
  for (const auto &[key, fn] : functions_)
    for (const auto &call : fn.calls)
      if (call.unresolved)
        if (const auto *r = indirect_.targets(call))
          for (const auto &t : r->targets) virtualCallers[InternedString(t)].push_back(&fn);
  std::deque<const FunctionFacts *> todo;
  for (const auto &[key, fn] : functions_) todo.push_back(&fn);
  while (!todo.empty()) {
    const FunctionFacts &fn = *todo.front();
    todo.pop_front();
    bool grew = false;
    for (const auto &call : fn.calls) {
      auto consider = [&](const LockKey &handed, int position) {
        int root = handed == LockKey::thisObject() ? -1 : handed.isWholeParam() ? static_cast<int>(handed.param) : -2;
        if (root == -2 || escapes(fn.key, root) || !publishes(call, position)) return;
        escapes_[fn.key].insert(root);
        grew = true;
      };
      consider(call.thisArg, -1);
      for (size_t i = 0; i < call.argLocks.size(); ++i) consider(call.argLocks[i], static_cast<int>(i));
    }
    if (!grew) continue;
    for (const auto &site : calls_.callers(fn.key)) todo.push_back(site.caller);
    if (auto it = virtualCallers.find(fn.key); it != virtualCallers.end())
      for (const FunctionFacts *caller : it->second) todo.push_back(caller);
  }
}

// Whether one of the calls that may hand `object` over before this call publishes it.
bool EscapeSummary::handedPublishes(const FunctionFacts &fn, const CallEvent &call, const LockKey &object) {
  auto it = std::find_if(call.unshared.begin(), call.unshared.end(), [&](const UnsharedObject &u) { return u.object == object; });
  if (it == call.unshared.end()) return true; // published (or not fresh) before this call
  for (unsigned index : it->after) {
    if (index >= fn.calls.size()) return true;
    bool published = false;
    eachHandover(fn.calls[index], object, [&](int position) { published = published || publishes(fn.calls[index], position); });
    if (published) return true;
  }
  return false;
}

bool EscapeSummary::unshared(const FunctionFacts &fn, const CallEvent &call, const LockKey &lock) {
  if (lock.base == LockKey::Base::Local) {
    std::string rest = lock.rest;
    auto object = LockKey::parse("l:" + rest.substr(0, rest.find('.')));
    return object && !handedPublishes(fn, call, *object);
  }
  if (std::find(fn.entryLocks.begin(), fn.entryLocks.end(), lock) != fn.entryLocks.end()) return entryUnshared(fn, lock);
  return false;
}

// A lock the function requires on entry, held by every caller on an object not yet shared
// there (DB::Open locks a fresh DBImpl and calls Recover(), which requires its mutex).
// Recursion gives no: a least fixpoint.
bool EscapeSummary::entryUnshared(const FunctionFacts &fn, const LockKey &lock) {
  auto [memo, added] = entryMemo_.try_emplace({fn.key, lock}, 0);
  if (!added) return memo->second == 2;
  const auto &sites = calls_.callers(fn.key);
  bool result = !sites.empty() && !calls_.opaque(fn.key);
  for (const auto &site : sites) {
    if (!result) break;
    LockKey mine = lock.translate(site.call->thisArg, site.call->argLocks);
    bool held = !mine.empty() && std::any_of(site.call->held.begin(), site.call->held.end(),
                                             [&](const HeldLock &h) { return h.lock.key == mine; });
    result = held && unshared(*site.caller, *site.call, mine);
  }
  entryMemo_[{fn.key, lock}] = result ? 2 : 1;
  return result;
}

} // namespace lockcheck
