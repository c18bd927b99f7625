// Strict reading of a facts document's values (docs/facts-format.md), for the reference
// decoder (facts.cpp) and the indirect-call facts (indirect_facts.cpp): each object holds
// only its documented fields, each value has its documented type and range, and an error
// names where it is ("functions["c:@F@f#"].calls[2].where[1]: ..."). A facts file comes
// from another machine or a build cache: nothing in it is trusted to be what lockcheck wrote.
#pragma once

#include "facts/lock_key.h"
#include "facts/slot_key.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace lockcheck::facts_doc {

using nlohmann::json;

// Lines and columns (and any count or index in the file) above this are not Clang's: it
// takes no `#line` beyond 2^31 - 1 and no file larger than 2 GiB.
inline constexpr long long kMaxNumber = 2147483647;

// Where a value is: a chain of members and elements on the stack, printed only on error.
struct At {
  const At *parent = nullptr;
  std::string_view key;     // a member's name
  size_t index = SIZE_MAX;  // or an element's index
  At field(std::string_view name) const { return At{this, name}; }
  At element(size_t i) const { return At{this, {}, i}; }
  std::string text() const;
};

// Thrown by the readers below; the decoder turns it into "malformed facts: WHERE: WHAT".
struct Malformed : std::runtime_error {
  using std::runtime_error::runtime_error;
};
[[noreturn]] void malformed(const At &at, std::string_view what);

// `v` itself, checked to be an object holding no field but `fields`.
const json &object(const json &v, const At &at, std::initializer_list<std::string_view> fields);
const json &array(const json &v, const At &at);
// A member that must be there, or null when it may be left out (its default).
const json &required(const json &obj, const char *key, const At &at);
const json *optional(const json &obj, const char *key);

std::string string(const json &v, const At &at);
bool boolean(const json &v, const At &at);
long long integer(const json &v, const At &at, long long min, long long max = kMaxNumber);
std::vector<std::string> strings(const json &v, const At &at);
LockKey lockKey(const json &v, const At &at);
std::vector<LockKey> lockKeys(const json &v, const At &at);
SlotKey slotKey(const json &v, const At &at);
std::vector<SlotKey> slotKeys(const json &v, const At &at);

// A member left out takes its type's default (format 2 writes no default).
inline std::string optString(const json &obj, const char *key, const At &at) {
  const json *v = optional(obj, key);
  return v ? string(*v, at.field(key)) : std::string();
}
inline bool optBoolean(const json &obj, const char *key, const At &at) {
  const json *v = optional(obj, key);
  return v && boolean(*v, at.field(key));
}
inline std::vector<std::string> optStrings(const json &obj, const char *key, const At &at) {
  const json *v = optional(obj, key);
  return v ? strings(*v, at.field(key)) : std::vector<std::string>{};
}
inline LockKey optLockKey(const json &obj, const char *key, const At &at) {
  const json *v = optional(obj, key);
  return v ? lockKey(*v, at.field(key)) : LockKey{};
}
inline std::vector<LockKey> optLockKeys(const json &obj, const char *key, const At &at) {
  const json *v = optional(obj, key);
  return v ? lockKeys(*v, at.field(key)) : std::vector<LockKey>{};
}

inline SlotKey optSlotKey(const json &obj, const char *key, const At &at) {
  const json *v = optional(obj, key);
  return v ? slotKey(*v, at.field(key)) : SlotKey{};
}

inline std::vector<SlotKey> optSlotKeys(const json &obj, const char *key, const At &at) {
  const json *v = optional(obj, key);
  return v ? slotKeys(*v, at.field(key)) : std::vector<SlotKey>{};
}

// Calls `each(name, value, where)` for each member of the optional map `key` of `obj` (a
// map keyed by class name or slot key: the values are checked by `each`, the keys are data).
template <class F> void eachEntry(const json &obj, const char *key, const At &parent, F &&each) {
  const json *map = optional(obj, key);
  if (!map) return;
  At at = parent.field(key);
  if (!map->is_object()) malformed(at, "expected an object");
  for (const auto &[name, value] : map->items()) each(name, value, at.field(name));
}

} // namespace lockcheck::facts_doc
