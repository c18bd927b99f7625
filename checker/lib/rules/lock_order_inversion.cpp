#include "rules/lock_order_inversion.h"

#include "facts/lock_key.h"
#include "link/program_linker.h"
#include "link/strong_components.h"

namespace lockcheck {
namespace {

// "A is held when B is acquired here", with the trace that shows it.
struct OrderEdge {
  SourcePoint site;
  std::string function;
  std::string fromDisplay, toDisplay;
  std::vector<TraceStep> trace;
};
using OrderEdges = std::map<std::pair<std::string, std::string>, std::vector<OrderEdge>>; // (from, to) order ids

OrderEdges orderEdges(ProgramLinker &program) {
  OrderEdges edges;
  auto addEdge = [&](const HeldLock &h, const LockRef &to, const SourcePoint &site, const std::string &function,
                     ProgramLinker::Chain path) {
    if (h.lock.order == to.order || h.lock.order.empty() || to.order.empty()) return;
    std::vector<TraceStep> trace{{h.acquired, quoted(h.lock.display) + " acquired here"}};
    program.appendChain(path, trace);
    edges[{h.lock.order, to.order}].push_back(OrderEdge{site, function, h.lock.display, to.display, std::move(trace)});
  };
  for (const auto &[key, fn] : program.functions()) {
    for (const auto &a : fn.acquires)
      for (const auto &h : a.heldBefore)
        if (!(a.groupMember && h.acquired == a.where)) addEdge(h, a.lock, a.where, fn.name, ProgramLinker::kNoChain); // std::lock(a, b)
    for (const auto &call : fn.calls) {
      if (call.held.empty()) continue;
      for (const auto &acq : program.acquisitions(call.callee)) {
        LockRef to = acq.lock;
        if (!isDeclarationOrder(to.order)) to.order = translateKey(acq.lock.key, call.thisArg, call.argLocks);
        for (const auto &h : call.held) addEdge(h, to, call.where, fn.name, acq.path);
      }
    }
  }
  return edges;
}

} // namespace

// Every edge inside a strongly connected component of the order graph closes a cycle.
void LockOrderInversionRule::link(ProgramLinker &program) {
  OrderEdges edges = orderEdges(program);
  Digraph graph;
  for (const auto &[e, sites] : edges) graph[e.first].push_back(e.second);
  std::map<std::string, int> component = strongComponents(graph);
  for (const auto &[e, sites] : edges) {
    if (component[e.first] != component[e.second]) continue;
    // Point at one acquisition of the opposite order, when it is a direct two-lock cycle.
    auto reverse = edges.find({e.second, e.first});
    for (const auto &site : sites) {
      std::vector<TraceStep> trace = site.trace;
      if (reverse != edges.end() && !reverse->second.empty())
        trace.push_back({reverse->second.front().site, quoted(site.toDisplay) + " is held when " +
                                                            quoted(site.fromDisplay) + " is acquired here"});
      report(site.site,
             quoted(site.toDisplay) + " is acquired while " + quoted(site.fromDisplay) +
                 " is held, but elsewhere they are taken in the opposite order (possible deadlock)",
             site.toDisplay, site.function, std::move(trace));
    }
  }
}

} // namespace lockcheck
