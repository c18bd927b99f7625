// Who calls each function, over the whole program, and which functions are also called in
// ways the facts do not show (a virtual method called through a base, a function whose
// address is stored or passed as a callable): what stream values (stream_values.h) and
// escape summaries (escape_summary.h) read a parameter's arguments from.
#pragma once

#include "facts/facts.h"

#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace lockcheck {

class CallIndex {
public:
  // Before IndirectTargets::add, which takes the classes out of `facts`.
  void add(const TUFacts &facts);
  // After every add(), once the functions stay where they are.
  void finish(const FunctionMap &functions);
  // After finish(), for a key with several definitions kept under `aliases`
  // (link/definitions.cpp): a call still made to `key` may reach each definition, and a slot
  // of `key` itself ("p:KEY#N" in stream flows) may receive what a call bound to any of them
  // passes; an alias is called in unseen ways when `key` is.
  void addDefinitions(const InternedString &key, const std::vector<std::string> &aliases);

  struct Site {
    const FunctionFacts *caller;
    const CallEvent *call;
  };
  // The direct calls of `callee` (by key), in key order of their callers.
  const std::vector<Site> &callers(const InternedString &callee) const;
  // Called in ways the facts do not show, so its parameters may receive anything.
  bool opaque(const std::string &key) const { return opaque_.count(key) > 0; }

private:
  std::set<std::string> opaque_;
  std::unordered_map<InternedString, std::vector<Site>, InternedString::IdentityHash> callers_;
};

} // namespace lockcheck
