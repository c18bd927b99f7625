#include "link/strong_components.h"

#include <algorithm>
#include <functional>
#include <set>

namespace lockcheck {

std::map<std::string, int> strongComponents(const Digraph &graph) {
  static const std::vector<std::string> noSuccessors;
  std::map<std::string, int> index, low, component;
  std::vector<std::string> stack;
  std::set<std::string> onStack;
  int counter = 0, components = 0;
  std::function<void(const std::string &)> visit = [&](const std::string &v) {
    index[v] = low[v] = counter++;
    stack.push_back(v);
    onStack.insert(v);
    auto succ = graph.find(v);
    for (const auto &w : succ == graph.end() ? noSuccessors : succ->second) {
      if (!index.count(w)) {
        visit(w);
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
    if (!index.count(v)) visit(v);
  return component;
}

} // namespace lockcheck
