#include "link/program_linker.h"

#include "extract/lock_identity.h"

#include <algorithm>
#include <functional>
#include <iterator>

namespace lockcheck {

namespace {

std::string quoted(const std::string &s) { return "'" + s + "'"; }

std::string heldText(const std::vector<HeldLock> &held) {
  std::string out;
  for (size_t i = 0; i < held.size(); ++i) out += (i ? ", " : "") + quoted(held[i].lock.display);
  return out + (held.size() > 1 ? " are held" : " is held");
}

void addAcquiredNotes(const std::vector<HeldLock> &held, std::vector<TraceStep> &trace) {
  for (const auto &h : held) trace.push_back({h.acquired, quoted(h.lock.display) + " acquired here"});
}

Finding make(const char *rule, Severity sev, const SourcePoint &at, std::string message, const std::string &lock,
             const std::string &function, std::vector<TraceStep> trace) {
  Finding f;
  f.rule = rule;
  f.severity = sev;
  f.anchor = at;
  f.message = std::move(message);
  f.lock = lock;
  f.function = function;
  f.trace = std::move(trace);
  return f;
}

} // namespace

void ProgramLinker::add(TUFacts facts) {
  for (auto &[key, fn] : facts.functions) functions_.emplace(key, std::move(fn)); // first definition wins
  for (auto &[key, d] : facts.decls) decls_.emplace(key, std::move(d));
  for (auto &f : facts.findings) local_.push_back(std::move(f));
}

std::string ProgramLinker::nameOf(const std::string &key) const {
  if (auto it = functions_.find(key); it != functions_.end()) return it->second.name;
  if (auto it = decls_.find(key); it != decls_.end()) return it->second.name;
  return key;
}

ProgramLinker::Blocking ProgramLinker::leaf(const std::string &key) const {
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
      b.chain.insert(b.chain.begin(), TraceStep{functions_.count(target) ? functions_.at(target).where : SourcePoint{},
                                                 "runs " + nameOf(target) + ", passed to " + call.calleeName});
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

// A monotone fixpoint: `blocks` only turns on and `released` only shrinks, so it ends.
// The chain shown is that of a blocking call with the fewest entry locks released.
void ProgramLinker::solveBlocking() {
  for (const auto &[key, fn] : functions_) blocking_[key] = leaf(key);
  for (bool changed = true; changed;) {
    changed = false;
    for (const auto &[key, fn] : functions_) {
      Blocking &mine = blocking_[key];
      if (fn.annotatedNonblocking || packs_.nonblocking(fn.qualified)) continue;
      if (mine.blocks && (mine.chain.empty() || mine.released.empty())) continue; // a leaf, or final
      for (const auto &call : fn.calls) {
        Blocking b = callBlocks(call);
        if (!b.blocks) continue;
        std::set<std::string> released = releasedAt(fn, call, b);
        if (mine.blocks) {
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
        if (b.chain.empty()) step += " (" + b.category + ")";
        b.chain.insert(b.chain.begin(), TraceStep{call.where, step});
        mine = std::move(b);
        mine.released = std::move(released);
        changed = true;
      }
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
    result[inv.param].push_back(Invocation{inv.held, {{inv.where, "the callable is invoked here"}}});
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
        inv.path.push_back({call.where, "passed on to " + call.calleeName});
        inv.path.insert(inv.path.end(), sub.path.begin(), sub.path.end());
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
    result.push_back(Acquisition{a.lock, a.bounded, a.reacquire, {{a.where, quoted(a.lock.display) + " acquired here"}}});
  for (const auto &call : fn->second.calls) {
    for (const auto &sub : acquisitions(call.callee)) {
      Acquisition t = sub;
      t.lock.key = translateKey(sub.lock.key, call.thisArg, call.argLocks);
      if (t.lock.key.empty()) continue;
      if (t.lock.order.rfind("f:", 0) != 0 && t.lock.order.rfind("g:", 0) != 0) t.lock.order = t.lock.key;
      // A lock this function holds on entry can only be taken again after it let go of it.
      if (std::find(fn->second.entryLocks.begin(), fn->second.entryLocks.end(), t.lock.key) != fn->second.entryLocks.end())
        t.reacquire = true;
      t.path.insert(t.path.begin(), TraceStep{call.where, "calls " + call.calleeName});
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

void ProgramLinker::blockingUnderLock(std::vector<Finding> &out) {
  for (const auto &[key, fn] : functions_) {
    for (const auto &call : fn.calls) {
      std::vector<HeldLock> held;
      for (const auto &h : call.held)
        if (!call.isWait || h.lock.key != call.waitReleases) held.push_back(h);
      // A CondVar::Wait()-style wrapper releases the caller's lock it adopted — taken to
      // be the innermost one held — and waits while the others stay held.
      bool wrapperWait = !call.isWait && !held.empty() && waitsOnCallersLock(call.callee);
      if (wrapperWait) held.pop_back();
      if (held.empty()) continue;
      Blocking b = callBlocks(call);
      // The callee lets go of these (its required locks) before it blocks.
      std::erase_if(held, [&](const HeldLock &h) { return b.released.count(h.lock.key) > 0; });
      if (held.empty()) continue;
      if (wrapperWait && !b.blocks) {
        b.blocks = true;
        b.category = "sync";
        b.leaf = call.calleeName;
      }
      if (!b.blocks) continue;
      std::string what = b.chain.empty() || b.leaf == call.calleeName ? b.category : b.category + ": " + b.leaf;
      std::vector<TraceStep> trace;
      addAcquiredNotes(held, trace);
      trace.insert(trace.end(), b.chain.begin(), b.chain.end());
      out.push_back(make("blocking-under-lock", Severity::Error, call.where,
                         call.calleeName + "() blocks (" + what + ") while " + heldText(held),
                         held.back().lock.display, fn.name, std::move(trace)));
    }
  }
}

void ProgramLinker::callablesUnderLock(std::vector<Finding> &out) {
  for (const auto &[key, fn] : functions_) {
    for (const auto &call : fn.calls) {
      for (const auto &ca : call.callables) {
        const auto &invs = invocations(call.callee);
        auto it = invs.find(ca.index);
        if (it == invs.end()) continue;
        for (const auto &inv : it->second) {
          if (inv.held.empty()) continue;
          for (const auto &target : ca.targets) {
            auto body = functions_.find(target);
            if (body == functions_.end()) continue;
            for (const auto &inner : body->second.calls) {
              Blocking b = callBlocks(inner);
              if (!b.blocks) continue;
              std::string what = b.chain.empty() || b.leaf == inner.calleeName ? b.category : b.category + ": " + b.leaf;
              std::vector<TraceStep> trace;
              trace.push_back({call.where, "the callable is passed to " + call.calleeName + " here"});
              addAcquiredNotes(inv.held, trace);
              trace.insert(trace.end(), inv.path.begin(), inv.path.end());
              trace.insert(trace.end(), b.chain.begin(), b.chain.end());
              out.push_back(make("blocking-under-lock", Severity::Error, inner.where,
                                 inner.calleeName + "() blocks (" + what + ") while " + heldText(inv.held) + " by " +
                                     call.calleeName + ", which runs this callable under it",
                                 inv.held.back().lock.display, body->second.name, std::move(trace)));
            }
          }
        }
      }
    }
  }
}

void ProgramLinker::doubleLockThroughCalls(std::vector<Finding> &out) {
  for (const auto &[key, fn] : functions_) {
    for (const auto &call : fn.calls) {
      if (call.held.empty()) continue;
      for (const auto &acq : acquisitions(call.callee)) {
        if (acq.bounded || acq.reacquire || acq.lock.recursive) continue;
        std::string translated = translateKey(acq.lock.key, call.thisArg, call.argLocks);
        for (const auto &h : call.held) {
          if (h.lock.key != translated || h.lock.recursive || (h.lock.shared && acq.lock.shared)) continue;
          std::vector<TraceStep> trace{{h.acquired, quoted(h.lock.display) + " acquired here"}};
          trace.insert(trace.end(), acq.path.begin(), acq.path.end());
          out.push_back(make("double-lock", Severity::Error, call.where,
                             call.calleeName + "() acquires " + quoted(h.lock.display) + ", which is already held here",
                             h.lock.display, fn.name, std::move(trace)));
        }
      }
    }
  }
}

void ProgramLinker::lockOrder(std::vector<Finding> &out) {
  struct Edge {
    SourcePoint site;
    std::string function;
    std::string fromDisplay, toDisplay;
    std::vector<TraceStep> trace;
  };
  std::map<std::pair<std::string, std::string>, std::vector<Edge>> edges;
  auto addEdge = [&](const HeldLock &h, const LockRef &to, const SourcePoint &site, const std::string &function,
                     std::vector<TraceStep> path) {
    if (h.lock.order == to.order || h.lock.order.empty() || to.order.empty()) return;
    std::vector<TraceStep> trace{{h.acquired, quoted(h.lock.display) + " acquired here"}};
    trace.insert(trace.end(), path.begin(), path.end());
    edges[{h.lock.order, to.order}].push_back(Edge{site, function, h.lock.display, to.display, std::move(trace)});
  };
  for (const auto &[key, fn] : functions_) {
    for (const auto &a : fn.acquires)
      for (const auto &h : a.heldBefore)
        if (!(a.groupMember && h.acquired == a.where)) addEdge(h, a.lock, a.where, fn.name, {});
    for (const auto &call : fn.calls) {
      if (call.held.empty()) continue;
      for (const auto &acq : acquisitions(call.callee)) {
        LockRef to = acq.lock;
        std::string translated = translateKey(acq.lock.key, call.thisArg, call.argLocks);
        if (to.order.rfind("f:", 0) != 0 && to.order.rfind("g:", 0) != 0) to.order = translated;
        for (const auto &h : call.held) addEdge(h, to, call.where, fn.name, acq.path);
      }
    }
  }
  // Strongly connected components of the order graph: any edge inside one is an inversion.
  std::map<std::string, std::vector<std::string>> graph;
  for (const auto &[e, sites] : edges) graph[e.first].push_back(e.second);
  std::map<std::string, int> index, low, component;
  std::vector<std::string> stack;
  std::set<std::string> onStack;
  int counter = 0, components = 0;
  std::function<void(const std::string &)> strong = [&](const std::string &v) {
    index[v] = low[v] = counter++;
    stack.push_back(v);
    onStack.insert(v);
    for (const auto &w : graph[v]) {
      if (!index.count(w)) {
        strong(w);
        low[v] = std::min(low[v], low[w]);
      } else if (onStack.count(w)) {
        low[v] = std::min(low[v], index[w]);
      }
    }
    if (low[v] == index[v]) {
      std::string w;
      do {
        w = stack.back();
        stack.pop_back();
        onStack.erase(w);
        component[w] = components;
      } while (w != v);
      ++components;
    }
  };
  for (const auto &[v, succ] : graph)
    if (!index.count(v)) strong(v);
  for (const auto &[e, sites] : edges) {
    if (component[e.first] != component[e.second]) continue;
    // Point at one acquisition of the opposite order, when it is a direct two-lock cycle.
    auto reverse = edges.find({e.second, e.first});
    for (const auto &site : sites) {
      std::vector<TraceStep> trace = site.trace;
      if (reverse != edges.end() && !reverse->second.empty())
        trace.push_back({reverse->second.front().site, quoted(site.toDisplay) + " is held when " +
                                                            quoted(site.fromDisplay) + " is acquired here"});
      out.push_back(make("lock-order-inversion", Severity::Error, site.site,
                         quoted(site.toDisplay) + " is acquired while " + quoted(site.fromDisplay) +
                             " is held, but elsewhere they are taken in the opposite order (possible deadlock)",
                         site.toDisplay, site.function, std::move(trace)));
    }
  }
}

void ProgramLinker::unboundedInHandlers(std::vector<Finding> &out) {
  for (const auto &[key, fn] : functions_) {
    if (!fn.annotatedHandler && !packs_.handler(fn.qualified)) continue;
    auto message = [&](const std::string &lock) {
      return quoted(lock) + " may be waited for forever in request handler " + fn.name +
             "(); use a bounded acquisition (try_lock_for) and answer 503 on timeout";
    };
    for (const auto &a : fn.acquires)
      if (!a.bounded) out.push_back(make("unbounded-lock-wait", Severity::Warning, a.where, message(a.lock.display),
                                         a.lock.display, fn.name, {}));
    for (const auto &call : fn.calls)
      for (const auto &acq : acquisitions(call.callee)) {
        if (acq.bounded) continue;
        out.push_back(make("unbounded-lock-wait", Severity::Warning, call.where, message(acq.lock.display),
                           acq.lock.display, fn.name, acq.path));
        break;
      }
  }
}

std::vector<Finding> ProgramLinker::link() {
  for (const auto &[key, fn] : functions_) invocations(key); // callBlocks needs them
  solveBlocking();
  std::vector<Finding> out = local_;
  blockingUnderLock(out);
  callablesUnderLock(out);
  doubleLockThroughCalls(out);
  lockOrder(out);
  unboundedInHandlers(out);
  // One finding per anchor line and rule (SPEC §2: the anchor is a line): the first,
  // leftmost explanation wins.
  sortFindings(out);
  std::set<std::tuple<std::string, unsigned, std::string>> seen;
  std::erase_if(out, [&](const Finding &f) { return !seen.insert({f.anchor.file, f.anchor.line, f.rule}).second; });
  return out;
}

} // namespace lockcheck
