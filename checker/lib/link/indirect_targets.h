// The possible targets of an indirect call (issue 19, docs/design.md "Indirect calls"),
// program-wide: a virtual call goes to the overrides in every analysed class derived from
// the receiver's static type; a call through a std::function / function pointer / pointer
// to member slot goes to the callables that flow into it. A set lockcheck cannot bound is
// no answer (the call stays unknown).
#pragma once

#include "config/rule_pack.h"
#include "facts/facts.h"

#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace lockcheck {

struct IndirectOptions {
  bool resolve = true;                 // .lockcheck.json "indirect_calls": "resolve" | "ignore"
  std::vector<NamePattern> exclude;    // "indirect_exclude": classes and targets left out
};

class IndirectTargets {
public:
  void setOptions(IndirectOptions options) { options_ = std::move(options); }
  // Takes one TU's class hierarchy and callable flows (first definition of a class wins).
  void add(TUFacts &facts);
  // After every add(): `qualified` gives a function key's normalised name (for exclude).
  void finish(const FunctionMap &functions, const std::unordered_map<InternedString, DeclFacts, InternedString::IdentityHash> &decls);

  // The possible targets of `call` (function keys, sorted); null when the call is not
  // indirect, or its set is unbounded or empty. `call` must stay where it is (memo).
  const std::vector<std::string> *targets(const CallEvent &call) const;

private:
  bool virtualTargets(const CallEvent &call, std::vector<std::string> &out) const;
  bool slotTargets(const std::string &slot, std::vector<std::string> &out) const;
  bool derivesFrom(const std::string &cls, const std::string &base) const;
  bool excluded(const std::string &key) const;

  IndirectOptions options_;
  std::map<std::string, ClassFacts> classes_;
  std::map<std::string, CallableSources> flows_;
  std::map<std::string, std::string> classOf_;              // virtual method key -> its class
  std::map<std::string, const VirtualMethod *> methods_;    // virtual method key -> facts
  std::map<std::string, std::vector<std::string>> overriders_; // method key -> direct overriders
  std::map<std::string, std::string> qualified_;            // function key -> normalised name
  mutable std::map<std::pair<std::string, std::string>, bool> derives_;
  // Memo: by the call (its facts stay put once linking starts) and by the virtual method
  // and receiver / slot it resolves, so one answer serves every call of the same kind.
  struct Resolved {
    bool bounded = false;
    std::vector<std::string> targets;
  };
  mutable std::unordered_map<const CallEvent *, const Resolved *> byCall_;
  mutable std::map<std::string, Resolved> resolved_;
};

} // namespace lockcheck
