// A hand-written reader for the facts format (docs/facts-format.md): one pass over the
// text, no DOM. It accepts only what the reference decoder (facts.cpp) accepts with the
// same meaning — strict JSON (UTF-8 checked, no trailing bytes), the same required fields,
// no unknown or repeated field, numbers in the same ranges — and gives up (Reject) on
// anything else; readFacts() then runs the reference decoder, which says what is wrong, so
// the two never disagree (tests/fuzz/facts_json checks it).
#include "facts/facts_stream.h"

#include "facts/hashing.h"
#include "facts/indirect_facts.h"
#include "facts/json_pull_parser.h"
#include "facts/lock_effects_json.h"
#include "facts/stream_facts.h"
#include "support/strict_json.h"

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

using facts_json::Parser;
using facts_json::Reject;

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
        in_.map([&](std::string_view fnKey) { function(fnKey); });
        functions = true;
      } else if (key == "decls") {
        if (decls) throw Reject{};
        in_.map([&](std::string_view declKey) { decl(declKey); });
        decls = true;
      } else if (key == "findings") {
        if (findings) throw Reject{};
        in_.array([&] { out_.facts.findings.push_back(finding()); });
        findings = true;
      } else if (key == "classes" || key == "callable_flows" || key == "callable_types" || key == "escaping_classes" ||
                 key == "stream_flows") {
        // Small (one TU's own classes and slots): read as the reference decoder reads them.
        if (indirect.contains(key)) throw Reject{};
        indirect[std::string(key)] = rawJson();
      } else {
        throw Reject{}; // an unknown member: the reference decoder names it
      }
    });
    if (!indirect.empty()) {
      indirectFactsFromDocument(indirect, out_.facts);
      streamFactsFromDocument(indirect, out_.facts);
    }
    if (!in_.atEnd() || !version || !file || !functions || !decls || !findings) throw Reject{};
    // A key given twice in one document: the reference decoder keeps the last, this one
    // may have skipped it; leave that rare case to the reference decoder.
    std::sort(keyHashes_.begin(), keyHashes_.end());
    if (std::adjacent_find(keyHashes_.begin(), keyHashes_.end()) != keyHashes_.end()) throw Reject{};
  }

private:
  // A definition this reader met in an earlier file (the same key and position): its
  // value is stepped over, only its position read, and it is listed as skipped. Any other
  // is decoded. Only a key met before needs its position first: "where" is the last field,
  // so finding it is a scan of the whole value, which a new definition would pay twice.
  bool skipSeenDefinition(std::string_view key, std::uint64_t keyHash) {
    if (!seen_ || !seen_->keySeen(keyHash)) return false;
    const char *start = in_.position();
    SourcePoint where;
    bool hasWhere = false;
    in_.object([&](std::string_view f) {
      if (f == "where") where = point(), hasWhere = true;
      else in_.skip();
    });
    if (!hasWhere) throw Reject{};
    if (!seen_->functionSeen(keyHash, where)) {
      in_.rewind(start);
      return false;
    }
    out_.skippedFunctions.push_back({InternedString(key), where});
    return true;
  }

  void function(std::string_view key) {
    std::uint64_t keyHash = fnv1a(key);
    keyHashes_.push_back(keyHash * 2);
    if (skipSeenDefinition(key, keyHash)) return;
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
      else if (f == "acquires") fn.acquires = list(&FactsDecoder::acquire);
      else if (f == "invokes") fn.invokes = list(&FactsDecoder::invoke);
      else if (f == "escapes") fn.escapes = list(&FactsDecoder::escape);
      // Wrappers only, rare: read as the reference decoder reads them; it names any problem.
      else if (f == "effects") fn.effects = effectsFromJson(rawJson(), {});
      else if (f == "program") fn.program = programFromJson(rawJson(), {});
      else throw Reject{}; // an unknown field
    });
    if (!where) throw Reject{};
    checkProgram(fn, {});
    if (seen_) seen_->functionSeen(keyHash, fn.where); // a later file skips this definition
    fn.calls.shrink_to_fit(); // kept for the whole link: no spare capacity
    out_.facts.functions.insert_or_assign(fn.key, std::move(fn));
  }

  void decl(std::string_view key) {
    std::uint64_t keyHash = fnv1a(key);
    keyHashes_.push_back(keyHash * 2 + 1);
    if (seen_ && seen_->declSeen(keyHash)) {
      in_.skip();
      out_.skippedDecls.emplace_back(key);
      return;
    }
    DeclFacts d;
    d.key = key;
    in_.object([&](std::string_view f) {
      if (f == "name") in_.string(d.name);
      else if (f == "qualified") in_.string(d.qualified);
      else if (f == "blocking") d.annotatedBlocking = in_.boolean();
      else if (f == "nonblocking") d.annotatedNonblocking = in_.boolean();
      else if (f == "system") d.system = in_.boolean();
      else throw Reject{}; // an unknown field
    });
    out_.facts.decls.insert_or_assign(d.key, std::move(d));
  }

  // A small value parsed as the reference decoder parses it (classes, callable flows, lock
  // effects, replay programs).
  nlohmann::json rawJson() {
    nlohmann::json value;
    strict_json::Error e;
    if (!strict_json::parse(in_.raw(), value, e, {true, false, strict_json::kMaxDepth})) throw Reject{};
    return value;
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
      else throw Reject{}; // an unknown field
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
  // The same for a callable slot key.
  SlotKey slotKey() {
    auto key = SlotKey::fromFacts(in_.stringView());
    if (!key) throw Reject{};
    return *key;
  }
  // An array of what `element` reads, without spare capacity (a CompactVector built from
  // it takes its exact size).
  template <class T> std::vector<T> list(T (FactsDecoder::*element)()) {
    std::vector<T> out;
    in_.array([&] { out.push_back((this->*element)()); });
    return out;
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
        else throw Reject{}; // an unknown field
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
      else if (f == "through") c.through = slotKey();
      else if (f == "callables") c.callables = list(&FactsDecoder::callable);
      else if (f == "path") {
        if (!parseCallPath(in_.stringView(), c.path)) throw Reject{};
      } else if (f == "streams") c.streams = list(&FactsDecoder::streamArg);
      else if (f == "unshared") c.unshared = list(&FactsDecoder::unsharedObject);
      else throw Reject{}; // an unknown field
    });
    if (!where) throw Reject{};
    return c;
  }

  int escape() { return in_.signedNumber(-1); } // -1 for `this`, N for parameter N

  StreamArg streamArg() {
    StreamArg s;
    in_.expect('[');
    s.position = in_.signedNumber(-1);
    in_.expect(',');
    in_.string(s.value);
    in_.expect(']');
    return s;
  }

  UnsharedObject unsharedObject() {
    UnsharedObject u;
    bool object = false;
    in_.object([&](std::string_view f) {
      if (f == "object") u.object = lockKey(), object = true;
      else if (f == "after") u.after.clear(), in_.array([&] { u.after.push_back(in_.unsignedNumber()); });
      else throw Reject{}; // an unknown field
    });
    if (!object) throw Reject{};
    return u;
  }

  CallableArg callable() {
    CallableArg a;
    bool index = false, targets = false, forwards = false;
    in_.object([&](std::string_view f) {
      if (f == "index") a.index = in_.unsignedNumber(), index = true;
      else if (f == "targets") a.targets = in_.strings(), targets = true;
      else if (f == "forwards_param") a.forwardsParam = in_.signedNumber(-1), forwards = true;
      else if (f == "classes") a.classes = in_.strings();
      else if (f == "slot") a.slot = slotKey();
      else throw Reject{}; // an unknown field
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
      else throw Reject{}; // an unknown field
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
      else throw Reject{}; // an unknown field
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
            else throw Reject{}; // an unknown field
          });
          if (have != 3) throw Reject{};
          f.trace.push_back(std::move(t));
        });
        present |= 64;
      } else {
        throw Reject{};
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
  } catch (const std::exception &) { // a malformed class, flow, callable type, stream flow, effect or
                                     // replay program: the reference decoder says what
  }
  out = StreamedFacts{};
  return factsFromJson(std::string(text), out.facts, error);
}

} // namespace lockcheck
