#include "rules/lock_order_inversion.h"

#include "link/program_linker.h"
#include "link/strong_components.h"

#include <algorithm>
#include <deque>

namespace lockcheck {
namespace {

// "A is held when B is acquired here", with the trace that shows it.
struct OrderEdge {
  SourcePoint site;
  std::string function;
  std::string fromDisplay, toDisplay;
  std::vector<TraceStep> trace;
  bool maybe = false; // through a callee only some of whose definitions take the lock
};
using OrderEdges = std::map<std::pair<LockKey, LockKey>, std::vector<OrderEdge>>; // (from, to) order ids

OrderEdges orderEdges(ProgramLinker &program) {
  OrderEdges edges;
  auto addEdge = [&](const HeldLock &h, const LockRef &to, const SourcePoint &site, const std::string &function,
                     ProgramLinker::Chain path, bool maybe = false) {
    if (h.lock.order == to.order || h.lock.order.empty() || to.order.empty()) return;
    std::vector<TraceStep> trace{{h.acquired, quoted(h.lock.display) + " acquired here"}};
    program.appendChain(path, trace);
    edges[{h.lock.order, to.order}].push_back(
        OrderEdge{site, function, h.lock.display, to.display, std::move(trace), maybe});
  };
  for (const auto &[key, fn] : program.functions()) {
    for (const auto &a : fn.acquires)
      for (const auto &h : a.heldBefore)
        if (!(a.groupMember && h.acquired == a.where)) addEdge(h, a.lock, a.where, fn.name, ProgramLinker::kNoChain); // std::lock(a, b)
    for (const auto &call : fn.calls) {
      if (call.held.empty()) continue;
      for (const auto &acq : program.acquisitions(call.callee)) {
        LockRef to = acq.lock;
        if (!to.order.isDeclaration()) to.order = acq.lock.key.translate(call.thisArg, call.argLocks);
        for (const auto &h : call.held) addEdge(h, to, call.where, fn.name, acq.path, acq.maybe);
      }
    }
  }
  return edges;
}

// The shortest way back from `to` to `from` through edges of one component: with the edge
// from -> to it is the cycle a reader needs to see ({} if there is none).
std::vector<std::pair<LockKey, LockKey>> wayBack(const Graph<LockKey> &graph, const std::map<LockKey, int> &component,
                                                 const LockKey &from, const LockKey &to) {
  std::map<LockKey, LockKey> cameFrom{{to, to}};
  std::deque<LockKey> queue{to};
  while (!queue.empty() && !cameFrom.count(from)) {
    LockKey node = queue.front();
    queue.pop_front();
    auto out = graph.find(node);
    if (out == graph.end()) continue;
    for (const auto &next : out->second)
      if (component.at(next) == component.at(from) && cameFrom.emplace(next, node).second) queue.push_back(next);
  }
  std::vector<std::pair<LockKey, LockKey>> path;
  if (!cameFrom.count(from)) return path;
  for (LockKey node = from; node != to; node = cameFrom[node]) path.emplace_back(cameFrom[node], node);
  std::reverse(path.begin(), path.end());
  return path;
}

} // namespace

// Every edge inside a strongly connected component of the order graph closes a cycle.
void LockOrderInversionRule::link(ProgramLinker &program) {
  OrderEdges edges = orderEdges(program);
  Graph<LockKey> graph;
  for (const auto &[e, sites] : edges) graph[e.first].push_back(e.second);
  std::map<LockKey, int> component = strongComponents(graph);
  for (const auto &[e, sites] : edges) {
    if (component[e.first] != component[e.second]) continue;
    // The rest of the cycle, one acquisition per edge: the opposite order of a two-lock
    // cycle, or each step of a longer one (A -> B here, B -> C and C -> A elsewhere).
    auto back = wayBack(graph, component, e.first, e.second);
    for (const auto &site : sites) {
      std::vector<TraceStep> trace = site.trace;
      std::string order = quoted(site.toDisplay);
      for (const auto &step : back) {
        const OrderEdge &other = edges.at(step).front();
        trace.push_back({other.site, quoted(other.fromDisplay) + " is held when " + quoted(other.toDisplay) +
                                         " is acquired here"});
        order += " -> " + quoted(other.toDisplay);
      }
      std::string elsewhere = back.size() > 1 ? "elsewhere " + order + " closes a cycle"
                                              : "elsewhere they are taken in the opposite order";
      Finding &f = report(site.site,
                          quoted(site.toDisplay) + " is acquired while " + quoted(site.fromDisplay) + " is held, but " +
                              elsewhere + " (possible deadlock)",
                          site.toDisplay, site.function, std::move(trace));
      if (site.maybe) f.severity = Severity::Warning;
    }
  }
}

} // namespace lockcheck
