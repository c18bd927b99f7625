// UTF-8 well-formedness (RFC 3629), shared by the readers that must refuse what JSON
// output could not write back: the streaming facts parser and the CBOR reader.
#pragma once

#include <cstddef>
#include <string_view>

namespace lockcheck {

// The length (1 to 4) of the well-formed UTF-8 sequence that starts at `p`, reading no
// byte at or past `end`; 0 when there is none: a stray continuation byte, an overlong
// form, a surrogate, a code point past U+10FFFF, or a sequence cut short.
inline size_t utf8SequenceLength(const char *p, const char *end) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(p[i]); };
  auto cont = [&](size_t i, unsigned lo = 0x80, unsigned hi = 0xBF) {
    return p + i < end && byte(i) >= lo && byte(i) <= hi;
  };
  if (p >= end) return 0;
  unsigned char c = byte(0);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(1) && cont(2) ? 3 : 0;
  if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
  if (c == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

inline bool wellFormedUtf8(std::string_view s) {
  const char *end = s.data() + s.size();
  for (const char *p = s.data(); p < end;) {
    size_t n = utf8SequenceLength(p, end);
    if (n == 0) return false;
    p += n;
  }
  return true;
}

} // namespace lockcheck
