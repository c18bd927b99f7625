// Strongly connected components of a directed graph (Tarjan): the lock order graph's
// cycles are the edges inside one component. Nodes are any ordered value (lock keys).
#pragma once

#include <algorithm>
#include <map>
#include <set>
#include <vector>

namespace lockcheck {

template <class Node> using Graph = std::map<Node, std::vector<Node>>; // node -> successors

// A component number for every node (sources and successors); two nodes share a number
// exactly when each reaches the other. Tarjan's algorithm on an explicit stack (a lock
// order graph can hold a cycle through 10^5 locks, deeper than the thread's stack allows
// recursion).
template <class Node> std::map<Node, int> strongComponents(const Graph<Node> &graph) {
  static const std::vector<Node> noSuccessors;
  std::map<Node, int> index, low, component;
  std::vector<Node> stack;
  std::set<Node> onStack;
  int counter = 0, components = 0;
  struct Frame {
    const Node *node;
    const std::vector<Node> *successors;
    size_t next = 0;
  };
  auto successorsOf = [&](const Node &v) {
    auto succ = graph.find(v);
    return succ == graph.end() ? &noSuccessors : &succ->second;
  };
  std::vector<Frame> path;
  auto enter = [&](const Node &v) {
    index[v] = low[v] = counter++;
    stack.push_back(v);
    onStack.insert(v);
    path.push_back(Frame{&v, successorsOf(v)});
  };
  for (const auto &[root, rootSucc] : graph) {
    if (index.count(root)) continue;
    enter(root);
    while (!path.empty()) {
      Frame &f = path.back();
      const Node &v = *f.node;
      if (f.next < f.successors->size()) {
        const Node &w = (*f.successors)[f.next++];
        if (!index.count(w)) enter(w);
        else if (onStack.count(w)) low[v] = std::min(low[v], index[w]);
        continue;
      }
      if (low[v] == index[v]) {
        Node w;
        do {
          w = stack.back();
          stack.pop_back();
          onStack.erase(w);
          component[w] = components;
        } while (w != v);
        ++components;
      }
      int lowV = low[v];
      path.pop_back();
      if (!path.empty()) low[*path.back().node] = std::min(low[*path.back().node], lowV);
    }
  }
  return component;
}

} // namespace lockcheck
