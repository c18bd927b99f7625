// A lock's identity relative to the function it appears in (the grammar is documented at
// LockRef in facts.h). Typed everywhere in the checker; its text ("g:store.mu", "t:mu_",
// "p0:") exists only in the facts file and in debugging output. 16 bytes: the base, the
// parameter number and the interned path, so the millions of keys a program link holds
// cost no heap each, and compare as fast as the path's pointer.
#pragma once

#include "support/interned_string.h"

#include <compare>
#include <cstddef>
#include <iosfwd>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace lockcheck {

struct LockKey {
  enum class Base : unsigned char {
    None,     // "": no key (unknown object, not a lock)
    Global,   // "g:<qualified global>[@<tu>][.field...]"
    Field,    // "f:<Class>::<field>" (order ids only)
    This,     // "t:<field>[.field...]"
    Param,    // "p<N>:<path>"
    Local,    // "l:<name>[@<line>][.field...]"
    Spelling, // "x:<text>"
  };
  Base base = Base::None;
  unsigned param = 0;  // for Param; 0 otherwise
  InternedString rest; // everything after the base's ':'

  // The named forms, so no code spells a key's text.
  static LockKey global(std::string_view qualified, std::string_view unit = {}); // "g:q", "g:q@unit"
  static LockKey field(std::string_view cls, std::string_view name);             // "f:cls::name"
  static LockKey thisObject() { return thisMember({}); }                         // "t:"
  static LockKey thisMember(std::string_view path);                              // "t:path"
  static LockKey parameter(unsigned index, std::string_view path = {});          // "p<index>:path"
  static LockKey local(std::string_view name);                                   // "l:name"
  static LockKey local(std::string_view name, unsigned line);                    // "l:name@line"
  static LockKey spelling(std::string_view text);                                // "x:text"

  // Nullopt for a string that is no key (and for "", which is none's text).
  static std::optional<LockKey> parse(std::string_view text);
  // A key as the facts file holds it: as parse(), and "" for none.
  static std::optional<LockKey> fromFacts(std::string_view text);
  // The text: "g:ns::store.mu", "p3:", "" for none.
  std::string toString() const;

  bool empty() const { return base == Base::None; }
  // The same in every function: a global, or a member by class and field (order ids).
  bool isDeclaration() const { return base == Base::Global || base == Base::Field; }
  // "p<N>:": the parameter itself, not an object reached from it.
  bool isWholeParam() const { return base == Base::Param && rest.empty(); }

  // A member reached from this key: thisObject().join("mu") is "t:mu", and the join of
  // "g:s" and "mu" is "g:s.mu". None stays none.
  LockKey join(std::string_view member) const;
  // This key, relative to a callee, in the caller's terms, given the caller's key for the
  // callee's `this` and for each argument. None when it does not translate (the callee's
  // locals, unknown objects).
  LockKey translate(const LockKey &thisArg, std::span<const LockKey> args) const;

  friend bool operator==(const LockKey &, const LockKey &) = default;
  // The order of the texts, exactly: maps and sets keyed on keys iterate as they did when
  // keys were strings, so findings and reports keep their order.
  friend std::strong_ordering operator<=>(const LockKey &a, const LockKey &b) noexcept;
  friend std::ostream &operator<<(std::ostream &out, const LockKey &key);

  std::size_t hash() const noexcept;
};

// nlohmann::json conversions (the facts file), found by argument-dependent lookup.
template <class Json> void to_json(Json &j, const LockKey &key) { j = key.toString(); }
template <class Json> void from_json(const Json &j, LockKey &key) {
  const std::string &text = j.template get_ref<const std::string &>();
  auto parsed = LockKey::fromFacts(text);
  if (!parsed) throw std::invalid_argument("not a lock key: \"" + text + "\"");
  key = *parsed;
}

} // namespace lockcheck

template <> struct std::hash<lockcheck::LockKey> {
  std::size_t operator()(const lockcheck::LockKey &key) const noexcept { return key.hash(); }
};
