// A hand-written reader for the facts format (docs/facts-format.md): one pass over the
// text, no DOM. It accepts only what the reference decoder (facts.cpp) accepts with the
// same meaning — strict JSON (UTF-8 checked, no trailing bytes), the same required fields,
// last duplicate field wins — and gives up (Reject) on anything else, including inputs the
// reference decoder would take another way (floats for integers, extra point elements);
// readFacts() then runs the reference decoder, so the two never disagree.
#include "facts/facts_stream.h"

#include "facts/hashing.h"
#include "facts/indirect_facts.h"

#include <algorithm>
#include <climits>

namespace lockcheck {

bool SeenKeys::Table::insert(std::uint64_t h) {
  if (h == 0) h = 1; // 0 marks a free slot
  if (2 * (used_ + 1) > slots_.size()) grow();
  size_t mask = slots_.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    if (slots_[i] == h) return false;
    if (slots_[i] == 0) {
      slots_[i] = h;
      ++used_;
      return true;
    }
  }
}

void SeenKeys::Table::grow() {
  std::vector<std::uint64_t> old(slots_.empty() ? 1024 : 2 * slots_.size(), 0);
  old.swap(slots_);
  used_ = 0;
  for (std::uint64_t h : old)
    if (h != 0) insert(h);
}

namespace {

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

  // Calls member(key) for each member; member() reads the value.
  template <class F> void object(F &&member) {
    expect('{');
    if (peek() == '}') {
      ++p_;
      return;
    }
    for (std::string key;;) {
      string(key);
      expect(':');
      member(std::string_view(key));
      if (peek() == ',') {
        ++p_;
        continue;
      }
      expect('}');
      return;
    }
  }
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
    while (p_ != end_ && *p_ != '"' && *p_ != '\\' && static_cast<unsigned char>(*p_) >= 0x20 &&
           static_cast<unsigned char>(*p_) < 0x80)
      ++p_;
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
      while (p_ != end_ && *p_ != '"' && *p_ != '\\' && static_cast<unsigned char>(*p_) >= 0x20 &&
             static_cast<unsigned char>(*p_) < 0x80)
        ++p_;
      scratch_.append(start, p_);
    }
  }
  bool boolean() {
    ws();
    if (literal("true")) return true;
    if (literal("false")) return false;
    throw Reject{};
  }
  unsigned unsignedNumber() {
    ws();
    long long v = integer();
    if (v < 0 || v > UINT_MAX) throw Reject{};
    return static_cast<unsigned>(v);
  }
  int signedNumber() {
    ws();
    long long v = integer();
    if (v < INT_MIN || v > INT_MAX) throw Reject{};
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

  // Checks the JSON syntax of one value and steps over it, without decoding.
  void skip() {
    std::vector<char> open; // the containers entered, innermost last
    std::string scratch;
    for (;;) {
      char c = peek();
      if (c == '{' || c == '[') {
        ++p_;
        open.push_back(c);
        if (peek() == (c == '{' ? '}' : ']')) {
          ++p_;
          open.pop_back();
        } else {
          if (c == '{') memberKey(scratch);
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
        if (open.empty()) return;
        char next = peek();
        ++p_;
        if (next == ',') {
          if (open.back() == '{') memberKey(scratch);
          break;
        }
        if (next != (open.back() == '{' ? '}' : ']')) throw Reject{};
        open.pop_back();
      }
    }
  }

private:
  bool literal(std::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) return false;
    p_ += word.size();
    return true;
  }
  void memberKey(std::string &scratch) {
    string(scratch);
    expect(':');
  }
  void skipString() {
    ++p_;
    std::string scratch;
    for (;;) {
      while (p_ != end_ && *p_ != '"' && *p_ != '\\' && static_cast<unsigned char>(*p_) >= 0x20 &&
             static_cast<unsigned char>(*p_) < 0x80)
        ++p_;
      if (p_ == end_) throw Reject{};
      unsigned char c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        return;
      }
      if (c < 0x20) throw Reject{};
      scratch.clear();
      if (c == '\\') escape(scratch);
      else utf8(scratch);
    }
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
    auto byte = [&](size_t i) { return static_cast<unsigned char>(p_[i]); };
    auto cont = [&](size_t i, unsigned lo = 0x80, unsigned hi = 0xBF) {
      return p_ + i < end_ && byte(i) >= lo && byte(i) <= hi;
    };
    unsigned char c = byte(0);
    size_t n = 0;
    if (c >= 0xC2 && c <= 0xDF) n = cont(1) ? 2 : 0;
    else if (c == 0xE0) n = cont(1, 0xA0) && cont(2) ? 3 : 0;
    else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) n = cont(1) && cont(2) ? 3 : 0;
    else if (c == 0xED) n = cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
    else if (c == 0xF0) n = cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
    else if (c >= 0xF1 && c <= 0xF3) n = cont(1) && cont(2) && cont(3) ? 4 : 0;
    else if (c == 0xF4) n = cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
    if (n == 0) throw Reject{};
    out.append(p_, n);
    p_ += n;
  }

  const char *p_, *end_;
  std::string scratch_;
};

// The decoders below mirror facts.cpp field by field; a missing required field rejects.
class FactsDecoder {
public:
  FactsDecoder(std::string_view text, SeenKeys *seen, StreamedFacts &out) : in_(text), seen_(seen), out_(out) {}

  void document() {
    bool version = false, file = false, functions = false, decls = false, findings = false;
    nlohmann::json indirect = nlohmann::json::object();
    in_.object([&](std::string_view key) {
      if (key == "lockcheck_facts") {
        if (in_.peek() == '-' || in_.unsignedNumber() != unsigned(kFactsVersion)) throw Reject{};
        version = true;
      } else if (key == "file") {
        in_.string(out_.facts.file);
        file = true;
      } else if (key == "functions") {
        if (functions) throw Reject{}; // a repeated member: the reference decoder keeps the last
        in_.object([&](std::string_view fnKey) { function(fnKey); });
        functions = true;
      } else if (key == "decls") {
        if (decls) throw Reject{};
        in_.object([&](std::string_view declKey) { decl(declKey); });
        decls = true;
      } else if (key == "findings") {
        if (findings) throw Reject{};
        in_.array([&] { out_.facts.findings.push_back(finding()); });
        findings = true;
      } else if (key == "classes" || key == "callable_flows") {
        // Small (one TU's own classes and slots): read as the reference decoder reads them.
        if (indirect.contains(key)) throw Reject{};
        std::string_view text = in_.raw();
        indirect[std::string(key)] = nlohmann::json::parse(text.begin(), text.end());
      } else {
        in_.skip();
      }
    });
    if (!indirect.empty()) indirectFactsFromDocument(indirect, out_.facts);
    if (!in_.atEnd() || !version || !file || !functions || !decls || !findings) throw Reject{};
    // A key given twice in one document: the reference decoder keeps the last, this one
    // may have skipped it; leave that rare case to the reference decoder.
    std::sort(keyHashes_.begin(), keyHashes_.end());
    if (std::adjacent_find(keyHashes_.begin(), keyHashes_.end()) != keyHashes_.end()) throw Reject{};
  }

private:
  // Notes the key (of `kind`: 0 function, 1 declaration); if this reader met it in an
  // earlier file, steps over its value and lists it as skipped.
  bool skipSeen(std::string_view key, unsigned kind, bool (SeenKeys::*seenBefore)(std::string_view),
                std::vector<InternedString> &skipped) {
    keyHashes_.push_back(fnv1a(key) * 2 + kind);
    if (!seen_ || !(seen_->*seenBefore)(key)) return false;
    in_.skip();
    skipped.emplace_back(key);
    return true;
  }

  void function(std::string_view key) {
    if (skipSeen(key, 0, &SeenKeys::functionSeen, out_.skippedFunctions)) return;
    FunctionFacts fn;
    fn.key = key;
    bool where = false;
    in_.object([&](std::string_view f) {
      if (f == "name") in_.string(fn.name);
      else if (f == "qualified") in_.string(fn.qualified);
      else if (f == "where") fn.where = point(), where = true;
      else if (f == "blocking") fn.annotatedBlocking = in_.boolean();
      else if (f == "nonblocking") fn.annotatedNonblocking = in_.boolean();
      else if (f == "handler") fn.annotatedHandler = in_.boolean();
      else if (f == "lambda") fn.isLambda = in_.boolean();
      else if (f == "entry_locks") fn.entryLocks = lockKeys();
      else if (f == "calls") fn.calls.clear(), in_.array([&] { fn.calls.push_back(call()); });
      else if (f == "acquires") fn.acquires.clear(), in_.array([&] { fn.acquires.push_back(acquire()); });
      else if (f == "invokes") fn.invokes.clear(), in_.array([&] { fn.invokes.push_back(invoke()); });
      else in_.skip();
    });
    if (!where) throw Reject{};
    fn.calls.shrink_to_fit(); // kept for the whole link: no spare capacity
    out_.facts.functions.insert_or_assign(fn.key, std::move(fn));
  }

  void decl(std::string_view key) {
    if (skipSeen(key, 1, &SeenKeys::declSeen, out_.skippedDecls)) return;
    DeclFacts d;
    d.key = key;
    in_.object([&](std::string_view f) {
      if (f == "name") in_.string(d.name);
      else if (f == "qualified") in_.string(d.qualified);
      else if (f == "blocking") d.annotatedBlocking = in_.boolean();
      else if (f == "nonblocking") d.annotatedNonblocking = in_.boolean();
      else if (f == "system") d.system = in_.boolean();
      else in_.skip();
    });
    out_.facts.decls.insert_or_assign(d.key, std::move(d));
  }

  SourcePoint point() {
    SourcePoint p;
    in_.expect('[');
    in_.string(p.file);
    in_.expect(',');
    p.line = in_.unsignedNumber();
    in_.expect(',');
    p.column = in_.unsignedNumber();
    in_.expect(']');
    return p;
  }

  LockRef lock() {
    LockRef l;
    in_.object([&](std::string_view f) {
      if (f == "key") l.key = lockKey();
      else if (f == "order") l.order = lockKey();
      else if (f == "display") in_.string(l.display);
      else if (f == "shared") l.shared = in_.boolean();
      else if (f == "recursive") l.recursive = in_.boolean();
      else in_.skip();
    });
    return l;
  }

  // A lock key in its facts-file text; one that is no key goes to the reference decoder,
  // which names it in its error.
  LockKey lockKey() {
    auto key = LockKey::fromFacts(in_.stringView());
    if (!key) throw Reject{};
    return *key;
  }
  std::vector<LockKey> lockKeys() {
    std::vector<LockKey> out;
    in_.array([&] { out.push_back(lockKey()); });
    return out;
  }

  std::vector<HeldLock> held() {
    std::vector<HeldLock> out;
    in_.array([&] {
      HeldLock h;
      bool hasLock = false, hasAcquired = false;
      in_.object([&](std::string_view f) {
        if (f == "lock") h.lock = lock(), hasLock = true;
        else if (f == "acquired") h.acquired = point(), hasAcquired = true;
        else in_.skip();
      });
      if (!hasLock || !hasAcquired) throw Reject{};
      out.push_back(std::move(h));
    });
    return out;
  }

  CallEvent call() {
    CallEvent c;
    bool where = false;
    in_.object([&](std::string_view f) {
      if (f == "callee") in_.string(c.callee);
      else if (f == "callee_name") in_.string(c.calleeName);
      else if (f == "receiver_type") in_.string(c.receiverType);
      else if (f == "where") c.where = point(), where = true;
      else if (f == "held") c.held = held();
      else if (f == "wait") c.isWait = in_.boolean();
      else if (f == "wait_releases") c.waitReleases = lockKey();
      else if (f == "waits_on_adopted") c.waitsOnAdopted = in_.boolean();
      else if (f == "this_arg") c.thisArg = lockKey();
      else if (f == "arg_locks") c.argLocks = lockKeys();
      else if (f == "unresolved") c.unresolved = in_.boolean();
      else if (f == "through") in_.string(c.through);
      else if (f == "callables") c.callables.clear(), in_.array([&] { c.callables.push_back(callable()); });
      else in_.skip();
    });
    if (!where) throw Reject{};
    return c;
  }

  CallableArg callable() {
    CallableArg a;
    bool index = false, targets = false, forwards = false;
    in_.object([&](std::string_view f) {
      if (f == "index") a.index = in_.unsignedNumber(), index = true;
      else if (f == "targets") a.targets = in_.strings(), targets = true;
      else if (f == "forwards_param") a.forwardsParam = in_.signedNumber(), forwards = true;
      else in_.skip();
    });
    if (!index || !targets || !forwards) throw Reject{};
    return a;
  }

  AcquireEvent acquire() {
    AcquireEvent a;
    bool hasLock = false, where = false;
    in_.object([&](std::string_view f) {
      if (f == "lock") a.lock = lock(), hasLock = true;
      else if (f == "where") a.where = point(), where = true;
      else if (f == "bounded") a.bounded = in_.boolean();
      else if (f == "group") a.groupMember = in_.boolean();
      else if (f == "held_before") a.heldBefore = held();
      else if (f == "reacquire") a.reacquire = in_.boolean();
      else in_.skip();
    });
    if (!hasLock || !where) throw Reject{};
    return a;
  }

  InvokeEvent invoke() {
    InvokeEvent i;
    bool where = false;
    in_.object([&](std::string_view f) {
      if (f == "param") i.param = in_.unsignedNumber();
      else if (f == "where") i.where = point(), where = true;
      else if (f == "held") i.held = held();
      else in_.skip();
    });
    if (!where) throw Reject{};
    return i;
  }

  Finding finding() {
    Finding f;
    unsigned present = 0;
    std::string severity;
    in_.object([&](std::string_view k) {
      if (k == "rule") in_.string(f.rule), present |= 1;
      else if (k == "severity") in_.string(severity), present |= 2;
      else if (k == "anchor") f.anchor = point(), present |= 4;
      else if (k == "message") in_.string(f.message), present |= 8;
      else if (k == "lock") in_.string(f.lock), present |= 16;
      else if (k == "function") in_.string(f.function), present |= 32;
      else if (k == "trace") {
        f.trace.clear();
        in_.array([&] {
          TraceStep t;
          unsigned have = 0;
          in_.object([&](std::string_view s) {
            if (s == "where") t.where = point(), have |= 1;
            else if (s == "note") in_.string(t.note), have |= 2;
            else in_.skip();
          });
          if (have != 3) throw Reject{};
          f.trace.push_back(std::move(t));
        });
        present |= 64;
      } else {
        in_.skip();
      }
    });
    if (present != 127 || !parseSeverity(severity, f.severity)) throw Reject{};
    return f;
  }

  Parser in_;
  SeenKeys *seen_;
  StreamedFacts &out_;
  std::vector<std::uint64_t> keyHashes_; // of every function (even) and declaration (odd) key
};

} // namespace

bool readFacts(std::string_view text, SeenKeys *seen, StreamedFacts &out, std::string &error) {
  out = StreamedFacts{};
  try {
    FactsDecoder(text, seen, out).document();
    return true;
  } catch (const Reject &) {
  } catch (const nlohmann::json::exception &) { // a malformed "classes" or "callable_flows"
  }
  out = StreamedFacts{};
  return factsFromJson(std::string(text), out.facts, error);
}

} // namespace lockcheck
