// A string stored once per process and passed around as one pointer. The facts repeat a
// few texts millions of times at link scale (file paths, function keys and names, lock
// key paths: docs/performance.md); an interned copy costs 8 bytes where a std::string
// costs 32 plus its heap block. Equal texts are the same object, so equality is a pointer
// compare; order is by text, so maps and reports sort exactly as with std::string.
// Interning is thread-safe (the link decodes on several threads); texts are never freed.
#pragma once

#include <compare>
#include <cstddef>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>

namespace lockcheck {

class InternedString {
public:
  struct Entry {
    std::string text;
    std::size_t hash;
  };

  InternedString() noexcept;
  InternedString(std::string_view text); // implicit: a drop-in for std::string fields
  InternedString(const std::string &text) : InternedString(std::string_view(text)) {}
  InternedString(const char *text) : InternedString(std::string_view(text)) {}

  const std::string &str() const noexcept { return text_->text; }
  operator const std::string &() const noexcept { return text_->text; }
  operator std::string_view() const noexcept { return text_->text; }
  bool empty() const noexcept { return text_->text.empty(); }
  std::size_t size() const noexcept { return text_->text.size(); }
  const char *c_str() const noexcept { return text_->text.c_str(); }

  friend bool operator==(const InternedString &a, const InternedString &b) noexcept { return a.text_ == b.text_; }
  friend std::strong_ordering operator<=>(const InternedString &a, const InternedString &b) noexcept {
    return a.text_ == b.text_ ? std::strong_ordering::equal : a.text_->text.compare(b.text_->text) <=> 0;
  }
  friend bool operator==(const InternedString &a, const std::string &b) noexcept { return a.text_->text == b; }
  friend bool operator==(const InternedString &a, const char *b) noexcept { return a.text_->text == b; }
  friend bool operator==(const InternedString &a, std::string_view b) noexcept { return a.text_->text == b; }
  friend std::strong_ordering operator<=>(const InternedString &a, const std::string &b) noexcept {
    return a.text_->text.compare(b) <=> 0;
  }
  friend std::strong_ordering operator<=>(const InternedString &a, std::string_view b) noexcept {
    return std::string_view(a.text_->text).compare(b) <=> 0;
  }

  friend std::string operator+(const InternedString &a, const std::string &b) { return a.text_->text + b; }
  friend std::string operator+(const std::string &a, const InternedString &b) { return a + b.text_->text; }
  friend std::string operator+(const InternedString &a, const char *b) { return a.text_->text + b; }
  friend std::string operator+(const char *a, const InternedString &b) { return a + b.text_->text; }
  friend std::ostream &operator<<(std::ostream &out, const InternedString &s);

  // The text's hash, kept with it: the same in every run (a pointer's would not be, and
  // hashed containers would iterate in a different order each time).
  std::size_t hash() const noexcept { return text_->hash; }
  // For lookup tables that are never iterated into output: hashes the identity, so a
  // lookup reads neither the text nor its stored hash (one cache miss fewer).
  struct IdentityHash {
    std::size_t operator()(const InternedString &s) const noexcept { return std::hash<const void *>{}(s.text_); }
  };

private:
  const Entry *text_;
};

// nlohmann::json conversions, found by argument-dependent lookup for json and ordered_json.
template <class Json> void to_json(Json &j, const InternedString &s) { j = s.str(); }
template <class Json> void from_json(const Json &j, InternedString &s) {
  s = InternedString(j.template get_ref<const std::string &>());
}

} // namespace lockcheck

template <> struct std::hash<lockcheck::InternedString> {
  std::size_t operator()(const lockcheck::InternedString &s) const noexcept { return s.hash(); }
};
