// The parts of a lock key (the grammar is documented at LockRef in facts.h). Keys stay
// strings in FunctionFacts and in the facts file; code that needs to know what a key
// stands for parses it here, once, instead of testing prefixes by hand.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace lockcheck {

struct LockKey {
  enum class Base {
    Global,   // "g:<qualified global>[.field...]"
    Field,    // "f:<Class>::<field>" (order ids only)
    This,     // "t:<field>[.field...]"
    Param,    // "p<N>:<path>"
    Local,    // "l:<name>@<line>[.field...]"
    Spelling, // "x:<text>"
  };
  Base base = Base::Spelling;
  unsigned param = 0; // for Param
  std::string rest;   // everything after the base's ':'

  // Nullopt for a string that is no key.
  static std::optional<LockKey> parse(const std::string &key);

  // The same in every function: a global, or a member by class and field (order ids).
  bool isDeclaration() const { return base == Base::Global || base == Base::Field; }
  // "p<N>:": the parameter itself, not an object reached from it.
  bool isWholeParam() const { return base == Base::Param && rest.empty(); }
};

// The key of the function's own object, `this`.
inline const std::string kThisKey = "t:";

// Appends a member path to a key: join("t:", "mu") == "t:mu", join("g:s", "mu") == "g:s.mu".
std::string joinKey(const std::string &base, const std::string &member);

// True when a lock-order identity names a declaration ("f:Class::field", "g:global"),
// which is the same in every function; any other order id is a key relative to its
// function and is translated through calls like one.
bool isDeclarationOrder(const std::string &order);

// Rewrites a key relative to a callee into the caller's terms, given the caller's key
// for the callee's `this` and for each argument. Empty when it does not translate
// (the callee's locals, unknown objects).
std::string translateKey(const std::string &calleeKey, const std::string &thisArg,
                         const std::vector<std::string> &argKeys);

} // namespace lockcheck
