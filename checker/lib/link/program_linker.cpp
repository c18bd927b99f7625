#include "link/program_linker.h"

#include "facts/lock_key.h"
#include "rules/registry.h"

#include <algorithm>
#include <functional>
#include <iterator>
#include <pthread.h>

namespace lockcheck {

void ProgramLinker::add(TUFacts facts) {
  indirect_.add(facts);
  for (auto &[key, fn] : facts.functions) functions_.emplace(key, std::move(fn)); // first definition wins
  for (auto &[key, d] : facts.decls) decls_.emplace(key, std::move(d));
  for (auto &f : facts.findings) local_.push_back(std::move(f));
}

ProgramLinker::Chain ProgramLinker::prepend(TraceStep step, Chain rest) const {
  steps_.push_back(ChainStep{std::move(step), rest});
  return static_cast<Chain>(steps_.size() - 1);
}

void ProgramLinker::appendChain(Chain chain, std::vector<TraceStep> &out) const {
  for (; chain != kNoChain; chain = steps_[static_cast<size_t>(chain)].next) out.push_back(steps_[static_cast<size_t>(chain)].step);
}

std::string ProgramLinker::nameOf(const std::string &key) const {
  if (auto it = functions_.find(key); it != functions_.end()) return it->second.name;
  if (auto it = decls_.find(key); it != decls_.end()) return it->second.name;
  return key;
}

ProgramLinker::Blocking ProgramLinker::leaf(const std::string &key) const {
  // Asked again in every sweep of the solver, for every call to a library function.
  if (auto it = leaves_.find(key); it != leaves_.end()) return it->second;
  Blocking b = packLeaf(key);
  leaves_.emplace(key, b);
  return b;
}

ProgramLinker::Blocking ProgramLinker::packLeaf(const std::string &key) const {
  Blocking b;
  std::string qualified;
  bool annotatedBlocking = false, annotatedNonblocking = false;
  if (auto it = functions_.find(key); it != functions_.end()) {
    qualified = it->second.qualified;
    annotatedBlocking = it->second.annotatedBlocking;
    annotatedNonblocking = it->second.annotatedNonblocking;
  }
  if (auto it = decls_.find(key); it != decls_.end()) {
    if (qualified.empty()) qualified = it->second.qualified;
    annotatedBlocking |= it->second.annotatedBlocking;
    annotatedNonblocking |= it->second.annotatedNonblocking;
  }
  if (annotatedNonblocking || packs_.nonblocking(qualified)) return b;
  if (annotatedBlocking) {
    b.blocks = true;
    b.category = "annotated";
    b.leaf = nameOf(key);
  } else if (const BlockingEntry *e = packs_.blocking(qualified)) {
    b.blocks = true;
    b.category = categoryName(e->category);
    b.leaf = nameOf(key);
  }
  return b;
}

const ProgramLinker::Blocking &ProgramLinker::blocking(const std::string &key) const {
  static const Blocking none;
  auto it = blocking_.find(key);
  return it == blocking_.end() ? none : it->second;
}

bool ProgramLinker::runsCallables(const CallEvent &call, unsigned index) const {
  auto fn = functions_.find(call.callee);
  if (fn == functions_.end()) {
    auto d = decls_.find(call.callee);
    return d != decls_.end() && packs_.invokesCallable(d->second.qualified);
  }
  auto inv = invocations_.find(call.callee);
  return inv != invocations_.end() && inv->second.count(index);
}

ProgramLinker::Blocking ProgramLinker::callBlocks(const CallEvent &call) const {
  Blocking b;
  if (call.isWait) {
    if (call.waitsOnAdopted) return b;
    b.blocks = true;
    b.category = "sync";
    b.leaf = call.calleeName;
    return b;
  }
  if (indirectBlocks(call, b)) return b;
  Blocking callee = call.unresolved ? leaf(call.callee) : blocking(call.callee);
  if (!callee.blocks && !call.unresolved && !functions_.count(call.callee)) callee = leaf(call.callee);
  if (callee.blocks) {
    std::set<std::string> released;
    for (const auto &k : callee.released)
      if (std::string mine = translateKey(k, call.thisArg, call.argLocks); !mine.empty()) released.insert(mine);
    callee.released = std::move(released);
    return callee;
  }
  // Pack "not blocking" names win over the receiver's type (std::thread::thread, istringstream).
  std::string qualified;
  if (auto d = decls_.find(call.callee); d != decls_.end()) qualified = d->second.qualified;
  if (!packs_.nonblocking(qualified) && !call.receiverType.empty())
    if (const BlockingTypeEntry *t = packs_.blockingType(call.receiverType)) {
      b.blocks = true;
      b.category = categoryName(t->category);
      b.leaf = call.calleeName;
      return b;
    }
  for (const auto &ca : call.callables) {
    if (!runsCallables(call, ca.index)) continue;
    for (const auto &target : ca.targets) {
      const Blocking &t = blocking(target);
      if (!t.blocks) continue;
      b = t;
      b.released.clear(); // the callable's own entry locks mean nothing to this caller
      b.chain = prepend(TraceStep{functions_.count(target) ? functions_.at(target).where : SourcePoint{},
                                  "runs " + nameOf(target) + ", passed to " + call.calleeName},
                        b.chain);
      return b;
    }
  }
  return b;
}

std::set<std::string> ProgramLinker::releasedAt(const FunctionFacts &fn, const CallEvent &call, const Blocking &b) {
  std::set<std::string> released;
  for (const auto &e : fn.entryLocks) {
    bool held = std::any_of(call.held.begin(), call.held.end(), [&](const HeldLock &h) { return h.lock.key == e; });
    if (!held || b.released.count(e) || (call.isWait && call.waitReleases == e)) released.insert(e);
  }
  return released;
}

bool ProgramLinker::updateBlocking(const std::string &key, const FunctionFacts &fn) {
  Blocking &mine = blocking_[key];
  if (fn.annotatedNonblocking || packs_.nonblocking(fn.qualified)) return false;
  if (mine.blocks && !mine.maybe && (mine.chain == kNoChain || mine.released.empty())) return false; // a leaf, or final
  bool changed = false;
  for (const auto &call : fn.calls) {
    Blocking b = callBlocks(call);
    if (!b.blocks) continue;
    std::set<std::string> released = releasedAt(fn, call, b);
    if (mine.blocks && mine.maybe != b.maybe) {
      if (b.maybe) continue; // a call that surely blocks explains it better than one that may
    } else if (mine.blocks) {
      std::set<std::string> both;
      std::set_intersection(mine.released.begin(), mine.released.end(), released.begin(), released.end(),
                            std::inserter(both, both.end()));
      if (both == mine.released) continue;
      changed = true;
      if (both != released) { // the summary shrinks, but this call does not explain it alone
        mine.released = std::move(both);
        continue;
      }
    }
    std::string step = "calls " + call.calleeName;
    if (b.chain == kNoChain) step += " (" + b.category + ")";
    b.chain = prepend(TraceStep{call.where, step}, b.chain);
    mine = std::move(b);
    mine.released = std::move(released);
    changed = true;
  }
  return changed;
}

// A monotone fixpoint: `blocks` only turns on and `released` only shrinks, so it ends.
// The chain shown is that of a blocking call with the fewest entry locks released.
// Sweeps in key order as a full re-scan would, but visits only functions whose callees
// (or own summary) changed since they were last looked at: linear in calls, not
// depth x functions.
void ProgramLinker::solveBlocking() {
  std::map<std::string, std::set<std::string>> callers; // whose summary reads whose
  for (const auto &[key, fn] : functions_) {
    blocking_[key] = leaf(key);
    for (const auto &call : fn.calls) {
      callers[call.callee].insert(key);
      if (const auto *targets = indirect_.targets(call))
        for (const auto &target : *targets) callers[target].insert(key);
      for (const auto &ca : call.callables)
        for (const auto &target : ca.targets) callers[target].insert(key);
    }
  }
  std::set<std::string> dirty;
  for (const auto &[key, fn] : functions_) dirty.insert(dirty.end(), key);
  while (!dirty.empty()) {
    for (auto it = dirty.begin(); it != dirty.end();) {
      std::string key = *it;
      it = dirty.erase(it);
      if (!updateBlocking(key, functions_.at(key))) continue;
      dirty.insert(key); // looked at again in the next sweep, as a re-scan would
      if (auto c = callers.find(key); c != callers.end())
        for (const auto &caller : c->second) dirty.insert(caller);
    }
  }
}

const std::map<unsigned, std::vector<ProgramLinker::Invocation>> &
ProgramLinker::invocations(const std::string &key) {
  static const std::map<unsigned, std::vector<Invocation>> none;
  if (auto it = invocations_.find(key); it != invocations_.end()) return it->second;
  auto fn = functions_.find(key);
  if (fn == functions_.end() || !invocationsInProgress_.insert(key).second) return none;
  std::map<unsigned, std::vector<Invocation>> result;
  for (const auto &inv : fn->second.invokes)
    result[inv.param].push_back(Invocation{inv.held, prepend({inv.where, "the callable is invoked here"}, kNoChain)});
  // A callable parameter passed on to a helper that runs it.
  for (const auto &call : fn->second.calls)
    for (const auto &ca : call.callables) {
      if (ca.forwardsParam < 0) continue;
      const auto &inner = invocations(call.callee);
      auto it = inner.find(ca.index);
      if (it == inner.end()) continue;
      for (const auto &sub : it->second) {
        Invocation inv;
        inv.held = call.held;
        for (const auto &h : sub.held) {
          HeldLock t = h;
          t.lock.key = translateKey(h.lock.key, call.thisArg, call.argLocks);
          if (!t.lock.key.empty()) inv.held.push_back(t);
        }
        inv.path = prepend({call.where, "passed on to " + call.calleeName}, sub.path);
        result[static_cast<unsigned>(ca.forwardsParam)].push_back(std::move(inv));
      }
    }
  invocationsInProgress_.erase(key);
  return invocations_[key] = std::move(result);
}

const std::vector<ProgramLinker::Acquisition> &ProgramLinker::acquisitions(const std::string &key) {
  static const std::vector<Acquisition> none;
  if (auto it = acquisitions_.find(key); it != acquisitions_.end()) return it->second;
  auto fn = functions_.find(key);
  if (fn == functions_.end() || !acquisitionsInProgress_.insert(key).second) return none;
  std::vector<Acquisition> result;
  for (const auto &a : fn->second.acquires)
    result.push_back(Acquisition{a.lock, a.bounded, a.reacquire, prepend({a.where, quoted(a.lock.display) + " acquired here"}, kNoChain)});
  for (const auto &call : fn->second.calls) {
    for (const auto &sub : acquisitions(call.callee)) {
      Acquisition t = sub;
      t.lock.key = translateKey(sub.lock.key, call.thisArg, call.argLocks);
      if (t.lock.key.empty()) continue;
      if (!isDeclarationOrder(t.lock.order)) t.lock.order = t.lock.key;
      // A lock this function holds on entry can only be taken again after it let go of it.
      if (std::find(fn->second.entryLocks.begin(), fn->second.entryLocks.end(), t.lock.key) != fn->second.entryLocks.end())
        t.reacquire = true;
      t.path = prepend(TraceStep{call.where, "calls " + call.calleeName}, sub.path);
      if (result.size() < 64) result.push_back(std::move(t));
    }
  }
  acquisitionsInProgress_.erase(key);
  return acquisitions_[key] = std::move(result);
}

bool ProgramLinker::waitsOnCallersLock(const std::string &key) const {
  auto fn = functions_.find(key);
  if (fn == functions_.end()) return false;
  return std::any_of(fn->second.calls.begin(), fn->second.calls.end(),
                     [](const CallEvent &c) { return c.isWait && c.waitsOnAdopted; });
}

namespace {

// acquisitions() and invocations() recurse along call chains: one 10^5 calls deep needs
// more than the default 8 MiB stack. The stack is reserved address space; only the
// pages a deep chain touches are backed by memory.
constexpr size_t kLinkStackBytes = size_t(1) << 30;

void runWithLargeStack(const std::function<void()> &work) {
  pthread_attr_t attr;
  pthread_t thread;
  auto body = [](void *arg) -> void * {
    (*static_cast<const std::function<void()> *>(arg))();
    return nullptr;
  };
  bool started = pthread_attr_init(&attr) == 0 && pthread_attr_setstacksize(&attr, kLinkStackBytes) == 0 &&
                 pthread_create(&thread, &attr, body, const_cast<std::function<void()> *>(&work)) == 0;
  pthread_attr_destroy(&attr);
  if (started) pthread_join(thread, nullptr);
  else work(); // no room for the big stack: try on this one
}

} // namespace

std::vector<Finding> ProgramLinker::link() {
  std::vector<Finding> out;
  runWithLargeStack([&] { out = linkFindings(); });
  return out;
}

std::vector<Finding> ProgramLinker::linkFindings() {
  indirect_.finish(functions_, decls_);
  for (const auto &[key, fn] : functions_) invocations(key); // callBlocks needs them
  solveBlocking();
  std::vector<Finding> out = local_;
  RuleSet(out).link(*this);
  // One finding per anchor line and rule (docs/spec.md §2: the anchor is a line): the first,
  // leftmost explanation wins.
  sortFindings(out);
  std::set<std::tuple<std::string, unsigned, std::string>> seen;
  std::erase_if(out, [&](const Finding &f) { return !seen.insert({f.anchor.file, f.anchor.line, f.rule}).second; });
  return out;
}

} // namespace lockcheck
