// A value slot's identity: a field, global, local or parameter that holds a callable
// (std::function, function pointer, pointer to member, a container of these) or a pointer
// to a polymorphic object, program-wide (docs/design.md "Indirect calls"). Typed
// everywhere in the checker; its text exists only in the facts file:
//   "f:<Class>::<field>"             a field, shared by every object of the class
//   "g:<qualified name>"             a global or static variable
//   "l:<function key>#<name>@<line>" a local variable of one function
//   "p:<function key>#<N>"           parameter N of one function
// 16 bytes, like LockKey: the kind, a number (parameter index or line) and one interned text.
#pragma once

#include "support/interned_string.h"

#include <compare>
#include <cstddef>
#include <iosfwd>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace lockcheck {

struct SlotKey {
  enum class Kind : unsigned char { None, Field, Global, Local, Param };
  Kind kind = Kind::None;
  unsigned number = 0; // Param: the parameter's index; Local: the declaration's line
  InternedString path; // Field: "Class::field"; Global: the name; Local: "<function key>#<name>"; Param: the function key

  static SlotKey field(std::string_view qualifiedField);                                     // "f:C::x"
  static SlotKey global(std::string_view qualified);                                         // "g:x"
  static SlotKey local(std::string_view functionKey, std::string_view name, unsigned line);  // "l:fn#x@3"
  static SlotKey parameter(std::string_view functionKey, unsigned index);                    // "p:fn#0"

  // Nullopt for a text that is no slot key (and for "", which is none's text).
  static std::optional<SlotKey> parse(std::string_view text);
  // A key as the facts file holds it: as parse(), and "" for none.
  static std::optional<SlotKey> fromFacts(std::string_view text);
  std::string toString() const;

  bool empty() const { return kind == Kind::None; }
  // The function a local or parameter belongs to ("" for fields and globals).
  std::string_view function() const;
  // Parameter `index` of the function `functionKey`'s own parameter slot.
  bool isParameterOf(std::string_view functionKey) const { return kind == Kind::Param && path == functionKey; }

  friend bool operator==(const SlotKey &, const SlotKey &) = default;
  // By kind, text and number: deterministic (texts compare by content), not the texts' order.
  friend std::strong_ordering operator<=>(const SlotKey &a, const SlotKey &b) noexcept;
  friend std::ostream &operator<<(std::ostream &out, const SlotKey &key);
  std::size_t hash() const noexcept;
};

// nlohmann::json conversions (the facts file), found by argument-dependent lookup.
template <class Json> void to_json(Json &j, const SlotKey &key) { j = key.toString(); }
template <class Json> void from_json(const Json &j, SlotKey &key) {
  const std::string &text = j.template get_ref<const std::string &>();
  auto parsed = SlotKey::fromFacts(text);
  if (!parsed) throw std::invalid_argument("not a callable slot key: \"" + text + "\"");
  key = *parsed;
}

} // namespace lockcheck

template <> struct std::hash<lockcheck::SlotKey> {
  std::size_t operator()(const lockcheck::SlotKey &key) const noexcept { return key.hash(); }
};
