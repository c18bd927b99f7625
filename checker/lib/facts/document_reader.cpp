#include "facts/document_reader.h"

#include <algorithm>

namespace lockcheck::facts_doc {

namespace {

// Plain names as they are; anything else (a function key, a slot) quoted.
bool plainName(std::string_view key) {
  return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
}

const char *typeName(const json &v) {
  return v.is_object() ? "an object" : v.is_array() ? "an array" : v.is_string() ? "a string" : v.is_boolean() ? "a boolean"
       : v.is_number() ? "a number" : v.is_null() ? "null" : "binary data";
}

std::string expected(const char *what, const json &v) { return std::string("expected ") + what + ", found " + typeName(v); }

} // namespace

std::string At::text() const {
  std::vector<const At *> chain;
  for (const At *a = this; a; a = a->parent) chain.push_back(a);
  std::string out;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const At &a = **it;
    if (a.index != SIZE_MAX) out += "[" + std::to_string(a.index) + "]";
    else if (plainName(a.key)) out += (out.empty() ? "" : ".") + std::string(a.key);
    else if (!a.key.empty() || a.parent) out += "[" + json(std::string(a.key)).dump(-1, ' ', false, json::error_handler_t::replace) + "]";
  }
  return out.empty() ? "(top level)" : out;
}

void malformed(const At &at, std::string_view what) { throw Malformed(at.text() + ": " + std::string(what)); }

const json &object(const json &v, const At &at, std::initializer_list<std::string_view> fields) {
  if (!v.is_object()) malformed(at, expected("an object", v));
  for (const auto &[key, value] : v.items())
    if (std::find(fields.begin(), fields.end(), key) == fields.end()) malformed(at.field(key), "unknown field");
  return v;
}

const json &array(const json &v, const At &at) {
  if (!v.is_array()) malformed(at, expected("an array", v));
  return v;
}

const json &required(const json &obj, const char *key, const At &at) {
  auto it = obj.find(key);
  if (it == obj.end()) malformed(at, std::string("missing field '") + key + "'");
  return *it;
}

const json *optional(const json &obj, const char *key) {
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

std::string string(const json &v, const At &at) {
  if (!v.is_string()) malformed(at, expected("a string", v));
  return v.get<std::string>();
}

bool boolean(const json &v, const At &at) {
  if (!v.is_boolean()) malformed(at, expected("true or false", v));
  return v.get<bool>();
}

long long integer(const json &v, const At &at, long long min, long long max) {
  if (!v.is_number_integer()) malformed(at, expected("an integer", v));
  bool inRange = v.is_number_unsigned() ? v.get<unsigned long long>() <= static_cast<unsigned long long>(max)
                                        : v.get<long long>() >= min && v.get<long long>() <= max;
  if (!inRange)
    malformed(at, v.dump() + " is out of range (" + std::to_string(min) + " to " + std::to_string(max) + ")");
  return v.get<long long>();
}

std::vector<std::string> strings(const json &v, const At &at) {
  std::vector<std::string> out;
  for (size_t i = 0; i < array(v, at).size(); ++i) out.push_back(string(v[i], at.element(i)));
  return out;
}

LockKey lockKey(const json &v, const At &at) {
  std::string text = string(v, at);
  auto key = LockKey::fromFacts(text);
  if (!key) malformed(at, "not a lock key: " + json(text).dump(-1, ' ', false, json::error_handler_t::replace));
  return *key;
}

std::vector<LockKey> lockKeys(const json &v, const At &at) {
  std::vector<LockKey> out;
  for (size_t i = 0; i < array(v, at).size(); ++i) out.push_back(lockKey(v[i], at.element(i)));
  return out;
}

SlotKey slotKey(const json &v, const At &at) {
  std::string text = string(v, at);
  auto key = SlotKey::fromFacts(text);
  if (!key) malformed(at, "not a callable slot key: " + json(text).dump(-1, ' ', false, json::error_handler_t::replace));
  return *key;
}

std::vector<SlotKey> slotKeys(const json &v, const At &at) {
  std::vector<SlotKey> out;
  for (size_t i = 0; i < array(v, at).size(); ++i) out.push_back(slotKey(v[i], at.element(i)));
  return out;
}

} // namespace lockcheck::facts_doc
