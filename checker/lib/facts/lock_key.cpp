#include "facts/lock_key.h"

#include <charconv>
#include <ostream>

namespace lockcheck {

static_assert(sizeof(LockKey) <= 16, "a LockKey is in every held lock of every call: keep it small");

namespace {

constexpr char letterOf(LockKey::Base base) {
  switch (base) {
  case LockKey::Base::None: return 0;
  case LockKey::Base::Global: return 'g';
  case LockKey::Base::Field: return 'f';
  case LockKey::Base::This: return 't';
  case LockKey::Base::Param: return 'p';
  case LockKey::Base::Local: return 'l';
  case LockKey::Base::Spelling: return 'x';
  }
  return 0;
}

// The text before the path: "", "g:", "p12:".
struct Prefix {
  char text[16];
  std::size_t size = 0;
  explicit Prefix(const LockKey &key) {
    if (key.base == LockKey::Base::None) return;
    text[size++] = letterOf(key.base);
    if (key.base == LockKey::Base::Param) size = std::to_chars(text + 1, text + sizeof text - 1, key.param).ptr - text;
    text[size++] = ':';
  }
  std::string_view view() const { return {text, size}; }
};

LockKey make(LockKey::Base base, std::string_view rest, unsigned param = 0) {
  return LockKey{.base = base, .param = param, .rest = InternedString(rest)};
}

} // namespace

LockKey LockKey::global(std::string_view qualified, std::string_view unit) {
  if (unit.empty()) return make(Base::Global, qualified);
  return make(Base::Global, std::string(qualified) + "@" + std::string(unit));
}
LockKey LockKey::field(std::string_view cls, std::string_view name) {
  return make(Base::Field, std::string(cls) + "::" + std::string(name));
}
LockKey LockKey::thisMember(std::string_view path) { return make(Base::This, path); }
LockKey LockKey::parameter(unsigned index, std::string_view path) { return make(Base::Param, path, index); }
LockKey LockKey::local(std::string_view name) { return make(Base::Local, name); }
LockKey LockKey::local(std::string_view name, unsigned line) {
  return make(Base::Local, std::string(name) + "@" + std::to_string(line));
}
LockKey LockKey::spelling(std::string_view text) { return make(Base::Spelling, text); }

std::optional<LockKey> LockKey::parse(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  std::string_view base = text.substr(0, colon), rest = text.substr(colon + 1);
  if (base.size() == 1)
    for (Base b : {Base::Global, Base::Field, Base::This, Base::Local, Base::Spelling})
      if (base[0] == letterOf(b)) return make(b, rest);
  // "p<N>:" with N in canonical decimal (no leading zero), so toString() gives the text back.
  if (base[0] != 'p' || base.size() < 2 || base.size() > 9 || (base[1] == '0' && base.size() > 2)) return std::nullopt;
  unsigned index = 0;
  auto [end, error] = std::from_chars(base.data() + 1, base.data() + base.size(), index);
  if (error != std::errc() || end != base.data() + base.size()) return std::nullopt;
  return make(Base::Param, rest, index);
}

std::optional<LockKey> LockKey::fromFacts(std::string_view text) {
  if (text.empty()) return LockKey{};
  return parse(text);
}

std::string LockKey::toString() const {
  Prefix prefix(*this);
  std::string out;
  out.reserve(prefix.size + rest.size());
  out.append(prefix.view());
  out.append(rest.str());
  return out;
}

LockKey LockKey::join(std::string_view member) const {
  if (member.empty() || empty()) return *this;
  LockKey out = *this;
  out.rest = rest.empty() ? InternedString(member) : InternedString(rest.str() + "." + std::string(member));
  return out;
}

LockKey LockKey::translate(const LockKey &thisArg, std::span<const LockKey> args) const {
  switch (base) {
  case Base::Global:
  case Base::Field: return *this;
  case Base::This: return thisArg.join(rest.str());
  case Base::Param: return param < args.size() ? args[param].join(rest.str()) : LockKey{};
  case Base::None:
  case Base::Local:
  case Base::Spelling: return {};
  }
  return {};
}

// Two different prefixes differ within the shorter one (each holds one ':', at its end),
// so they alone decide the order of the texts; equal prefixes leave it to the paths.
std::strong_ordering operator<=>(const LockKey &a, const LockKey &b) noexcept {
  if (a.base == b.base && a.param == b.param) return a.rest <=> b.rest;
  return Prefix(a).view().compare(Prefix(b).view()) <=> 0;
}

std::ostream &operator<<(std::ostream &out, const LockKey &key) { return out << key.toString(); }

std::size_t LockKey::hash() const noexcept {
  std::size_t kind = (static_cast<std::size_t>(base) << 32) ^ param;
  return rest.hash() ^ (kind + 0x9e3779b97f4a7c15ULL + (rest.hash() << 6) + (rest.hash() >> 2));
}

} // namespace lockcheck
