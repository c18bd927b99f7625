// A strict JSON pull parser over one facts document, for the streaming reader
// (facts_stream.cpp): values are read in place, in the order the caller asks for them, and
// anything that is not strict JSON (or not what the caller expects) throws Reject.
#pragma once

#include "facts/hashing.h"
#include "support/interned_string.h"
#include "support/utf8.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lockcheck::facts_json {

struct Reject {};

class Parser {
public:
  Parser(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  void ws() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  char peek() {
    ws();
    if (p_ == end_) throw Reject{};
    return *p_;
  }
  void expect(char c) {
    if (peek() != c) throw Reject{};
    ++p_;
  }
  bool atEnd() {
    ws();
    return p_ == end_;
  }
  // Where the next value starts, to read it again from there (rewind).
  const char *position() {
    ws();
    return p_;
  }
  void rewind(const char *at) { p_ = at; }

  // Calls member(key) for each member of an object of the format's schema; member() reads
  // the value. A field given twice rejects (the reference decoder names it).
  template <class F> void object(F &&member) { members(member, true); }
  // The same for a map (functions or declarations by key), whose keys the caller checks.
  template <class F> void map(F &&member) { members(member, false); }
  template <class F> void array(F &&element) {
    expect('[');
    if (peek() == ']') {
      ++p_;
      return;
    }
    for (;;) {
      element();
      if (peek() == ',') {
        ++p_;
        continue;
      }
      expect(']');
      return;
    }
  }

  // Built once at its final size: a string grown by appends gets twice the capacity
  // it needs, and the merged program holds millions of them.
  void string(std::string &out) { out = std::string(stringView()); }
  void string(InternedString &out) { out = InternedString(stringView()); }
  // The decoded text, valid until the next string is read.
  std::string_view stringView() {
    expect('"');
    const char *start = p_;
    skipPlainRun();
    if (p_ != end_ && *p_ == '"') return std::string_view(start, static_cast<size_t>(p_++ - start));
    scratch_.assign(start, p_);
    for (;;) {
      if (p_ == end_) throw Reject{};
      unsigned char c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        return scratch_;
      }
      if (c < 0x20) throw Reject{};
      if (c == '\\') escape(scratch_);
      else utf8(scratch_);
      start = p_;
      skipPlainRun();
      scratch_.append(start, p_);
    }
  }
  bool boolean() {
    ws();
    if (literal("true")) return true;
    if (literal("false")) return false;
    throw Reject{};
  }
  // No number in a facts file is above 2^31 - 1 (facts/document_reader.h, kMaxNumber).
  unsigned unsignedNumber() {
    ws();
    long long v = integer();
    if (v < 0 || v > INT_MAX) throw Reject{};
    return static_cast<unsigned>(v);
  }
  int signedNumber(int min) {
    ws();
    long long v = integer();
    if (v < min || v > INT_MAX) throw Reject{};
    return static_cast<int>(v);
  }
  std::vector<std::string> strings() {
    std::vector<std::string> out;
    array([&] { string(out.emplace_back()); });
    return out;
  }

  // The text of one value, its syntax checked (for parts decoded by the reference decoder).
  std::string_view raw() {
    ws();
    const char *start = p_;
    skip();
    return std::string_view(start, static_cast<size_t>(p_ - start));
  }

  // Checks the JSON syntax of one value and steps over it, without decoding. Deeper than
  // the reference decoder's limit (strict_json::kMaxDepth) rejects, and that decoder says so.
  void skip() {
    // The containers entered, innermost last, one bit each (set: an object): skipping is
    // most of the reader's work, and a heap-allocated stack cost an allocation a value.
    static constexpr size_t kMaxDepth = 256;
    std::uint64_t objects[kMaxDepth / 64] = {};
    size_t depth = 0;
    auto inObject = [&] { return (objects[(depth - 1) / 64] >> ((depth - 1) % 64) & 1) != 0; };
    for (;;) {
      char c = peek();
      if (c == '{' || c == '[') {
        ++p_;
        if (depth == kMaxDepth) throw Reject{};
        std::uint64_t bit = std::uint64_t(1) << (depth % 64);
        if (c == '{') objects[depth / 64] |= bit;
        else objects[depth / 64] &= ~bit;
        ++depth;
        if (peek() == (c == '{' ? '}' : ']')) {
          ++p_;
          --depth;
        } else {
          if (c == '{') memberKey();
          continue;
        }
      } else if (c == '"') {
        skipString();
      } else if (c == 't' || c == 'f') {
        boolean();
      } else if (c == 'n') {
        if (!literal("null")) throw Reject{};
      } else {
        number();
      }
      // After a value: the next member or element, or close containers.
      for (;;) {
        if (depth == 0) return;
        char next = peek();
        ++p_;
        if (next == ',') {
          if (inObject()) memberKey();
          break;
        }
        if (next != (inObject() ? '}' : ']')) throw Reject{};
        --depth;
      }
    }
  }

private:
  // Field names of one schema object, as hashes: no object of the format has more than 16
  // (a collision only rejects, and the reference decoder decides).
  static constexpr size_t kMaxFields = 16;
  template <class F> void members(F &member, bool distinct) {
    expect('{');
    if (peek() == '}') {
      ++p_;
      return;
    }
    std::uint64_t seen[kMaxFields];
    size_t fields = 0;
    std::string unescaped; // a key with escapes: stringView()'s scratch is reused by the value
    for (;;) {
      std::string_view key = stringView();
      if (key.data() == scratch_.data()) key = unescaped = key;
      if (distinct) {
        std::uint64_t h = fnv1a(key);
        if (fields == kMaxFields || std::find(seen, seen + fields, h) != seen + fields) throw Reject{};
        seen[fields++] = h;
      }
      expect(':');
      member(key);
      if (peek() == ',') {
        ++p_;
        continue;
      }
      expect('}');
      return;
    }
  }

  bool literal(std::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) return false;
    p_ += word.size();
    return true;
  }
  void memberKey() {
    skipString();
    expect(':');
  }
  // A string's syntax, checked as stringView() checks it, without building its text.
  void skipString() {
    expect('"');
    for (;;) {
      skipPlainRun();
      if (p_ == end_) throw Reject{};
      unsigned char c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        return;
      }
      if (c < 0x20) throw Reject{};
      if (c == '\\') escape(scratch_), scratch_.clear(); // checked, not kept
      else p_ += checkedUtf8Length();
    }
  }
  // Characters that stand for themselves in a JSON string: ASCII, not '"', '\\' or a control.
  void skipPlainRun() {
    while (p_ != end_ && *p_ != '"' && *p_ != '\\' && static_cast<unsigned char>(*p_) >= 0x20 &&
           static_cast<unsigned char>(*p_) < 0x80)
      ++p_;
  }
  // A JSON integer (no fraction or exponent: those go to the reference decoder).
  long long integer() {
    bool negative = p_ != end_ && *p_ == '-';
    if (negative) ++p_;
    if (p_ == end_ || *p_ < '0' || *p_ > '9') throw Reject{};
    if (*p_ == '0' && p_ + 1 != end_ && p_[1] >= '0' && p_[1] <= '9') throw Reject{};
    long long v = 0;
    int digits = 0;
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9') {
      v = v * 10 + (*p_++ - '0');
      if (++digits > 12) throw Reject{};
    }
    if (p_ != end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E')) throw Reject{};
    return negative ? -v : v;
  }
  void number() {
    if (p_ != end_ && *p_ == '-') ++p_;
    auto digits = [&] {
      const char *start = p_;
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
      if (p_ == start) throw Reject{};
      return p_ - start;
    };
    const char *first = p_;
    if (digits() > 1 && *first == '0') throw Reject{};
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      digits();
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      digits();
    }
  }
  unsigned hex4() {
    if (end_ - p_ < 4) throw Reject{};
    unsigned v = 0;
    for (int i = 0; i < 4; ++i, ++p_) {
      char c = *p_;
      v <<= 4;
      if (c >= '0' && c <= '9') v |= unsigned(c - '0');
      else if (c >= 'a' && c <= 'f') v |= unsigned(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= unsigned(c - 'A' + 10);
      else throw Reject{};
    }
    return v;
  }
  void escape(std::string &out) {
    ++p_; // the backslash
    if (p_ == end_) throw Reject{};
    char c = *p_++;
    switch (c) {
    case '"': out += '"'; return;
    case '\\': out += '\\'; return;
    case '/': out += '/'; return;
    case 'b': out += '\b'; return;
    case 'f': out += '\f'; return;
    case 'n': out += '\n'; return;
    case 'r': out += '\r'; return;
    case 't': out += '\t'; return;
    case 'u': break;
    default: throw Reject{};
    }
    unsigned cp = hex4();
    if (cp >= 0xDC00 && cp <= 0xDFFF) throw Reject{};
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') throw Reject{};
      p_ += 2;
      unsigned low = hex4();
      if (low < 0xDC00 || low > 0xDFFF) throw Reject{};
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    if (cp < 0x80) {
      out += char(cp);
    } else if (cp < 0x800) {
      out += char(0xC0 | (cp >> 6));
      out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += char(0xE0 | (cp >> 12));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    } else {
      out += char(0xF0 | (cp >> 18));
      out += char(0x80 | ((cp >> 12) & 0x3F));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    }
  }
  // One well-formed UTF-8 sequence (RFC 3629), copied; anything else is rejected as the
  // reference decoder rejects it.
  void utf8(std::string &out) {
    size_t n = checkedUtf8Length();
    out.append(p_, n);
    p_ += n;
  }
  size_t checkedUtf8Length() const {
    size_t n = utf8SequenceLength(p_, end_);
    if (n == 0) throw Reject{};
    return n;
  }

  const char *p_, *end_;
  std::string scratch_;
};

// The decoders below mirror facts.cpp field by field; a missing required field rejects.

} // namespace lockcheck::facts_json
