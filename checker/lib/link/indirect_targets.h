// The possible targets of an indirect call (issues 19 and 27, docs/design.md "Indirect
// calls"), program-wide: a virtual call goes to the overrides in every analysed class
// derived from the receiver's static type; a call through a std::function / function
// pointer / pointer to member slot goes to the callables that flow into it, or, when that
// flow is lost, to the functions the program converts to the slot's type. A set lockcheck
// cannot bound is no answer (the call stays unknown). Also which targets a call's flow
// reaches (the one a finding names) and the targets of a virtual call on an object of
// known class (one level of calling context).
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
  bool resolve = true;              // .lockcheck.json "indirect_calls": "resolve" | "flows" | "ignore"
  bool matchByType = true;          // a lost flow falls back to the functions converted to its type ("flows": no)
  std::vector<NamePattern> exclude; // "indirect_exclude": classes and targets left out
};

// What an indirect call may run.
struct IndirectResolution {
  std::vector<std::string> targets; // function keys, sorted
  // The flow into the slot was lost: `targets` are the functions converted to its type
  // somewhere in the program, and `reaching` those of them seen flowing into it.
  bool byType = false;
  std::string type;
  std::vector<std::string> reaching;
};

class IndirectTargets {
public:
  void setOptions(IndirectOptions options) { options_ = std::move(options); }
  // Takes one TU's class hierarchy and flows (first definition of a class wins).
  void add(TUFacts &facts);
  // After every add(): `qualified` gives a function key's normalised name (for exclude).
  void finish(const FunctionMap &functions, const std::unordered_map<InternedString, DeclFacts, InternedString::IdentityHash> &decls);

  // The possible targets of `call`; null when the call is not indirect, or its set is
  // unbounded or empty. `call` must stay where it is (memo).
  const IndirectResolution *targets(const CallEvent &call) const;
  // The targets of virtual call `call` when its receiver is an object of exactly one of
  // `classes` (each class's final overrider); null when a class gives none.
  const std::vector<std::string> *narrowed(const CallEvent &call, const std::vector<std::string> &classes) const;
  // The callables that flow into `slot`; null when that flow is unbounded.
  const std::vector<std::string> *slotCallables(const SlotKey &slot) const;
  // The classes whose objects flow into `slot`; false when some flow into it is not followed.
  bool slotClasses(const SlotKey &slot, std::vector<std::string> &out) const;
  // Whether the flow of target `target` of `call` (resolved as `r`) reaches the call:
  // a type-matched target seen flowing into the slot, an override of a class whose objects
  // may be in the receiver's slot; every target of any other call.
  bool reaches(const CallEvent &call, const IndirectResolution &r, const std::string &target) const;

private:
  bool virtualTargets(const CallEvent &call, std::vector<std::string> &out) const;
  // Every value that flows into `slot`, through other slots; false when anything that flows
  // in is unknown or a slot on the way receives nothing lockcheck saw (`out` still gets
  // what was seen).
  bool slotValues(const SlotKey &slot, std::vector<std::string> &out) const;
  bool derivesFrom(const std::string &cls, const std::string &base) const;
  bool excluded(const std::string &key) const;
  // A class on the line (an ancestor or descendant) of a class whose objects escape.
  bool escapeLineHas(const std::string &cls) const;

  IndirectOptions options_;
  std::map<std::string, ClassFacts> classes_;
  std::map<SlotKey, CallableSources> flows_;
  std::map<std::string, std::vector<std::string>> conversions_; // callable type -> functions converted to it
  std::set<std::string> escaping_;
  std::map<std::string, std::string> classOf_;              // virtual method key -> its class
  std::map<std::string, const VirtualMethod *> methods_;    // virtual method key -> facts
  std::map<std::string, std::vector<std::string>> overriders_; // method key -> direct overriders
  std::map<std::string, std::string> qualified_;            // function key -> normalised name
  mutable std::map<std::pair<std::string, std::string>, bool> derives_;
  mutable std::set<std::string> escapeLine_;
  mutable bool escapeLineBuilt_ = false;
  // Memo: by the call (its facts stay put once linking starts) and by the virtual method
  // and receiver / slot it resolves, so one answer serves every call of the same kind.
  struct Resolved {
    bool bounded = false;
    IndirectResolution r;
  };
  struct SlotValues {
    bool bounded = false;
    std::vector<std::string> values;
  };
  const SlotValues &valuesOf(const SlotKey &slot) const;
  mutable std::unordered_map<const CallEvent *, const Resolved *> byCall_;
  mutable std::map<std::string, Resolved> resolved_;
  mutable std::map<SlotKey, SlotValues> slotValues_;
  mutable std::map<std::pair<const CallEvent *, std::vector<std::string>>, SlotValues> narrowed_;
};

} // namespace lockcheck
