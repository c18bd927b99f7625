#include "facts/slot_key.h"

#include <charconv>
#include <ostream>

namespace lockcheck {

static_assert(sizeof(SlotKey) <= 16, "a SlotKey is in every call through a slot: keep it small");

namespace {

SlotKey make(SlotKey::Kind kind, std::string_view path, unsigned number = 0) {
  return SlotKey{.kind = kind, .number = number, .path = InternedString(path)};
}

// A number in canonical decimal (no sign, no leading zero), so toString() gives the text back.
std::optional<unsigned> canonicalNumber(std::string_view text) {
  if (text.empty() || text.size() > 9 || (text[0] == '0' && text.size() > 1)) return std::nullopt;
  unsigned n = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return n;
}

// "<head><sep><number>" split at the last `sep`; nullopt unless both parts are well formed.
std::optional<std::pair<std::string_view, unsigned>> splitNumber(std::string_view text, char sep) {
  size_t at = text.rfind(sep);
  if (at == std::string_view::npos || at == 0) return std::nullopt;
  auto n = canonicalNumber(text.substr(at + 1));
  if (!n) return std::nullopt;
  return std::pair{text.substr(0, at), *n};
}

} // namespace

SlotKey SlotKey::field(std::string_view qualifiedField) { return make(Kind::Field, qualifiedField); }
SlotKey SlotKey::global(std::string_view qualified) { return make(Kind::Global, qualified); }
SlotKey SlotKey::local(std::string_view functionKey, std::string_view name, unsigned line) {
  return make(Kind::Local, std::string(functionKey) + "#" + std::string(name), line);
}
SlotKey SlotKey::parameter(std::string_view functionKey, unsigned index) { return make(Kind::Param, functionKey, index); }

std::optional<SlotKey> SlotKey::parse(std::string_view text) {
  if (text.size() < 3 || text[1] != ':') return std::nullopt;
  std::string_view rest = text.substr(2);
  switch (text[0]) {
  case 'f': return make(Kind::Field, rest);
  case 'g': return make(Kind::Global, rest);
  case 'l': {
    auto line = splitNumber(rest, '@');
    if (!line) return std::nullopt;
    size_t hash = line->first.rfind('#');
    // A function key and a name, neither empty (the name holds no '#').
    if (hash == std::string_view::npos || hash == 0 || hash + 1 == line->first.size()) return std::nullopt;
    return make(Kind::Local, line->first, line->second);
  }
  case 'p': {
    auto index = splitNumber(rest, '#');
    if (!index) return std::nullopt;
    return make(Kind::Param, index->first, index->second);
  }
  default: return std::nullopt;
  }
}

std::optional<SlotKey> SlotKey::fromFacts(std::string_view text) {
  if (text.empty()) return SlotKey{};
  return parse(text);
}

std::string SlotKey::toString() const {
  switch (kind) {
  case Kind::None: return {};
  case Kind::Field: return "f:" + path;
  case Kind::Global: return "g:" + path;
  case Kind::Local: return "l:" + path + "@" + std::to_string(number);
  case Kind::Param: return "p:" + path + "#" + std::to_string(number);
  }
  return {};
}

std::string_view SlotKey::function() const {
  std::string_view p = path;
  if (kind == Kind::Param) return p;
  if (kind == Kind::Local) return p.substr(0, p.rfind('#'));
  return {};
}

std::strong_ordering operator<=>(const SlotKey &a, const SlotKey &b) noexcept {
  if (a.kind != b.kind) return a.kind <=> b.kind;
  if (auto c = a.path <=> b.path; c != 0) return c;
  return a.number <=> b.number;
}

std::ostream &operator<<(std::ostream &out, const SlotKey &key) { return out << key.toString(); }

std::size_t SlotKey::hash() const noexcept {
  std::size_t kindAndNumber = (static_cast<std::size_t>(kind) << 32) ^ number;
  return path.hash() ^ (kindAndNumber + 0x9e3779b97f4a7c15ULL + (path.hash() << 6) + (path.hash() >> 2));
}

} // namespace lockcheck
