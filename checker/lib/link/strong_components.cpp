#include "link/strong_components.h"

#include <algorithm>
#include <set>

namespace lockcheck {

// Tarjan's algorithm on an explicit stack (a lock order graph can hold a cycle through
// 10^5 locks, deeper than the thread's stack allows recursion).
std::map<std::string, int> strongComponents(const Digraph &graph) {
  static const std::vector<std::string> noSuccessors;
  std::map<std::string, int> index, low, component;
  std::vector<std::string> stack;
  std::set<std::string> onStack;
  int counter = 0, components = 0;
  struct Frame {
    const std::string *node;
    const std::vector<std::string> *successors;
    size_t next = 0;
  };
  auto successorsOf = [&](const std::string &v) {
    auto succ = graph.find(v);
    return succ == graph.end() ? &noSuccessors : &succ->second;
  };
  std::vector<Frame> path;
  auto enter = [&](const std::string &v) {
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
      const std::string &v = *f.node;
      if (f.next < f.successors->size()) {
        const std::string &w = (*f.successors)[f.next++];
        if (!index.count(w)) enter(w);
        else if (onStack.count(w)) low[v] = std::min(low[v], index[w]);
        continue;
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
      int lowV = low[v];
      path.pop_back();
      if (!path.empty()) low[*path.back().node] = std::min(low[*path.back().node], lowV);
    }
  }
  return component;
}

} // namespace lockcheck
