// `lockcheck compare STATIC.json RUNTIME.json` (docs/runtime.md): what liblockcheck-runtime.so
// observed that the static report does not cover (static misses), and static findings the run
// never reached.
#pragma once

#include "findings/finding.h"

#include <iosfwd>
#include <string>
#include <vector>

namespace lockcheck {

// One blocking-under-lock finding of a report, with the source points it can be matched by:
// static — its anchor and trace steps but the lock's acquisition; observed — every frame of
// its call stack.
struct ComparedSite {
  SourcePoint anchor;
  std::string message;
  std::vector<SourcePoint> points;
};

// Reads a lockcheck JSON report (docs/spec.md §6, or the runtime's). False with `error` naming the file
// and the problem when it is unreadable or not a report.
bool readComparedSites(const std::string &path, std::vector<ComparedSite> &sites, std::string &error);

// Two paths name the same file when equal or when one ends with the other at a '/': the static
// report is relative to where lockcheck ran, the runtime's to where the program ran.
bool sameSourceFile(const std::string &a, const std::string &b);

struct Comparison {
  std::vector<size_t> staticMisses;  // indices of observed sites no static finding matches
  std::vector<size_t> neverObserved; // indices of static findings no observed site matches
};
Comparison compareSites(const std::vector<ComparedSite> &staticSites, const std::vector<ComparedSite> &observed);

// The subcommand; args are what follows "compare". Exit: 1 static misses, 0 none, 2 bad input.
int runCompare(const std::vector<std::string> &args, std::ostream &out, std::ostream &err);

} // namespace lockcheck
