// Strongly connected components of a directed graph over string nodes (Tarjan): the lock
// order graph's cycles are the edges inside one component.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace lockcheck {

using Digraph = std::map<std::string, std::vector<std::string>>; // node -> successors

// A component number for every node (sources and successors); two nodes share a number
// exactly when each reaches the other.
std::map<std::string, int> strongComponents(const Digraph &graph);

} // namespace lockcheck
