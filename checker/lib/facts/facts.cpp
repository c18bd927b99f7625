// JSON form of TUFacts. nlohmann's object type is an ordered std::map, so the same
// facts always give the same bytes (cacheable by content hash).
#include "facts/facts.h"

#include "facts/document_reader.h"
#include "facts/facts_json_parts.h"
#include "facts/indirect_facts.h"
#include "facts/lock_effects_json.h"
#include "facts/stream_facts.h"
#include "support/strict_json.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace lockcheck {
using nlohmann::json;
namespace {
using facts_doc::array;
using facts_doc::At;
using facts_doc::integer;
using facts_doc::malformed;
using facts_doc::object;
using facts_doc::optBoolean;
using facts_doc::optional;
using facts_doc::optLockKey;
using facts_doc::optLockKeys;
using facts_doc::optString;
using facts_doc::required;
using facts_doc::strings;

// Format 2 leaves out every field equal to its default (false, "", [], -1): most calls
// hold no lock, pass no callable and wait on nothing, and a warm run parses what is left.
bool isDefault(const json &v) {
  if (v.is_boolean()) return !v.get<bool>();
  if (v.is_string()) return v.get_ref<const std::string &>().empty();
  if (v.is_array())
    return std::all_of(v.begin(), v.end(), [](const json &e) { return e.is_string() && e.get_ref<const std::string &>().empty(); });
  return v.is_null();
}
json compact(json object) {
  for (auto it = object.begin(); it != object.end();) it = isDefault(*it) ? object.erase(it) : std::next(it);
  return object;
}

json heldJson(const std::vector<HeldLock> &held) {
  json out = json::array();
  for (const auto &h : held) out.push_back({{"lock", lockJson(h.lock)}, {"acquired", pointJson(h.acquired)}});
  return out;
}
std::vector<HeldLock> heldFrom(const json &obj, const char *key, const At &parent) {
  std::vector<HeldLock> out;
  const json *list = optional(obj, key);
  if (!list) return out;
  At at = parent.field(key);
  for (size_t i = 0; i < array(*list, at).size(); ++i) {
    At h = at.element(i);
    const json &j = object((*list)[i], h, {"lock", "acquired"});
    out.push_back(HeldLock{lockFrom(required(j, "lock", h), h.field("lock")), pointAt(j, "acquired", h)});
  }
  return out;
}

// Calls each element of the optional list `key` with the element and where it is.
template <class F> void eachOf(const json &obj, const char *key, const At &parent, F &&f) {
  const json *list = optional(obj, key);
  if (!list) return;
  At at = parent.field(key);
  for (size_t i = 0; i < array(*list, at).size(); ++i) f((*list)[i], at.element(i));
}

CallPath callPathAt(const json &obj, const char *key, const At &at) {
  CallPath path = CallPath::Normal;
  const json *v = optional(obj, key);
  if (v && !parseCallPath(facts_doc::string(*v, at.field(key)), path))
    malformed(at.field(key), "not a call path (\"error\" or \"dying\"): " + v->dump(-1, ' ', false, json::error_handler_t::replace));
  return path;
}

json callJson(const CallEvent &c) {
  json callables = json::array();
  for (const auto &a : c.callables) {
    json ja = {{"index", a.index}, {"targets", a.targets}, {"forwards_param", a.forwardsParam}};
    if (!a.classes.empty()) ja["classes"] = a.classes;
    if (!a.slot.empty()) ja["slot"] = a.slot;
    callables.push_back(std::move(ja));
  }
  json streams = json::array(), unshared = json::array();
  for (const auto &s : c.streams) streams.push_back(json::array({s.position, s.value}));
  for (const auto &u : c.unshared) unshared.push_back(compact({{"object", u.object}, {"after", u.after}}));
  return compact({{"callee", c.callee}, {"callee_name", c.calleeName}, {"receiver_type", c.receiverType},
                  {"where", pointJson(c.where)}, {"held", heldJson(c.held)}, {"wait", c.isWait},
                  {"wait_releases", c.waitReleases}, {"waits_on_adopted", c.waitsOnAdopted}, {"this_arg", c.thisArg},
                  {"arg_locks", c.argLocks}, {"unresolved", c.unresolved}, {"through", c.through},
                  {"callables", std::move(callables)}, {"path", callPathName(c.path)},
                  {"streams", std::move(streams)}, {"unshared", std::move(unshared)}});
}
CallEvent callFrom(const json &j, const At &at) {
  object(j, at, {"callee", "callee_name", "receiver_type", "where", "held", "wait", "wait_releases", "waits_on_adopted",
                 "this_arg", "arg_locks", "unresolved", "through", "callables", "path", "streams", "unshared"});
  CallEvent c;
  c.callee = optString(j, "callee", at);
  c.calleeName = optString(j, "callee_name", at);
  c.receiverType = optString(j, "receiver_type", at);
  c.where = pointAt(j, "where", at);
  c.held = heldFrom(j, "held", at);
  c.isWait = optBoolean(j, "wait", at);
  c.waitReleases = optLockKey(j, "wait_releases", at);
  c.waitsOnAdopted = optBoolean(j, "waits_on_adopted", at);
  c.thisArg = optLockKey(j, "this_arg", at);
  c.argLocks = optLockKeys(j, "arg_locks", at);
  c.unresolved = optBoolean(j, "unresolved", at);
  c.through = optSlotKey(j, "through", at);
  eachOf(j, "callables", at, [&](const json &a, const At &ca) {
    object(a, ca, {"index", "targets", "forwards_param", "classes", "slot"});
    c.callables.push_back(CallableArg{natural(required(a, "index", ca), ca.field("index")),
                                      strings(required(a, "targets", ca), ca.field("targets")),
                                      static_cast<int>(integer(required(a, "forwards_param", ca), ca.field("forwards_param"), -1)),
                                      optStrings(a, "classes", ca), optSlotKey(a, "slot", ca)});
  });
  c.path = callPathAt(j, "path", at);
  eachOf(j, "streams", at, [&](const json &s, const At &sa) {
    if (!s.is_array() || s.size() != 2) malformed(sa, "expected [argument position, stream value]");
    c.streams.push_back(StreamArg{static_cast<int>(integer(s[0], sa.element(0), -1)), facts_doc::string(s[1], sa.element(1))});
  });
  eachOf(j, "unshared", at, [&](const json &u, const At &ua) {
    object(u, ua, {"object", "after"});
    UnsharedObject o{facts_doc::lockKey(required(u, "object", ua), ua.field("object")), {}};
    eachOf(u, "after", ua, [&](const json &i, const At &ia) { o.after.push_back(natural(i, ia)); });
    c.unshared.push_back(std::move(o));
  });
  return c;
}

json findingJson(const Finding &f) {
  json trace = json::array();
  for (const auto &t : f.trace) trace.push_back({{"where", pointJson(t.where)}, {"note", t.note}});
  return {{"rule", f.rule},       {"severity", severityName(f.severity)}, {"anchor", pointJson(f.anchor)},
          {"message", f.message}, {"lock", f.lock}, {"function", f.function}, {"trace", trace}};
}
Finding findingFrom(const json &j, const At &at) {
  object(j, at, {"rule", "severity", "anchor", "message", "lock", "function", "trace"});
  Finding f;
  f.rule = facts_doc::string(required(j, "rule", at), at.field("rule"));
  if (!parseSeverity(facts_doc::string(required(j, "severity", at), at.field("severity")), f.severity))
    malformed(at.field("severity"), "expected \"error\", \"warning\" or \"note\"");
  f.anchor = pointAt(j, "anchor", at);
  f.message = facts_doc::string(required(j, "message", at), at.field("message"));
  f.lock = facts_doc::string(required(j, "lock", at), at.field("lock"));
  f.function = facts_doc::string(required(j, "function", at), at.field("function"));
  At trace = at.field("trace");
  const json &steps = array(required(j, "trace", at), trace);
  for (size_t i = 0; i < steps.size(); ++i) {
    At t = trace.element(i);
    object(steps[i], t, {"where", "note"});
    f.trace.push_back(TraceStep{pointAt(steps[i], "where", t), facts_doc::string(required(steps[i], "note", t), t.field("note"))});
  }
  return f;
}
} // namespace

const char *callPathName(CallPath path) {
  switch (path) {
  case CallPath::Error: return "error";
  case CallPath::Dying: return "dying";
  case CallPath::Normal: break;
  }
  return "";
}

bool parseCallPath(std::string_view text, CallPath &out) {
  for (CallPath p : {CallPath::Normal, CallPath::Error, CallPath::Dying})
    if (text == callPathName(p)) {
      out = p;
      return true;
    }
  return false;
}

json compactJson(json object) { return compact(std::move(object)); }
unsigned natural(const json &v, const At &at) { return static_cast<unsigned>(integer(v, at, 0)); }
json pointJson(const SourcePoint &p) { return json::array({p.file, p.line, p.column}); }
SourcePoint pointFrom(const json &j, const At &at) {
  if (!j.is_array() || j.size() != 3) malformed(at, "expected [file, line, column]");
  return SourcePoint{facts_doc::string(j[0], at.element(0)), natural(j[1], at.element(1)), natural(j[2], at.element(2))};
}
SourcePoint pointAt(const json &obj, const char *key, const At &at) { return pointFrom(required(obj, key, at), at.field(key)); }
json lockJson(const LockRef &l) {
  return compact({{"key", l.key}, {"order", l.order}, {"display", l.display}, {"shared", l.shared},
                  {"recursive", l.recursive}});
}
LockRef lockFrom(const json &j, const At &at) {
  object(j, at, {"key", "order", "display", "shared", "recursive"});
  return LockRef{optLockKey(j, "key", at), optLockKey(j, "order", at), optString(j, "display", at),
                 optBoolean(j, "shared", at), optBoolean(j, "recursive", at)};
}

json factsToDocument(const TUFacts &facts) {
  json functions = json::object();
  for (const auto &[key, fn] : facts.functions) {
    json acquires = json::array(), invokes = json::array(), calls = json::array();
    for (const auto &a : fn.acquires)
      acquires.push_back(compact({{"lock", lockJson(a.lock)}, {"where", pointJson(a.where)}, {"bounded", a.bounded},
                                  {"group", a.groupMember}, {"held_before", heldJson(a.heldBefore)},
                                  {"reacquire", a.reacquire}}));
    for (const auto &i : fn.invokes)
      invokes.push_back(compact({{"param", i.param}, {"where", pointJson(i.where)}, {"held", heldJson(i.held)}}));
    for (const auto &c : fn.calls) calls.push_back(callJson(c));
    functions[key] = compact({{"name", fn.name}, {"qualified", fn.qualified}, {"where", pointJson(fn.where)},
                              {"blocking", fn.annotatedBlocking}, {"nonblocking", fn.annotatedNonblocking},
                              {"handler", fn.annotatedHandler}, {"lambda", fn.isLambda},
                              {"entry_locks", fn.entryLocks}, {"calls", std::move(calls)},
                              {"acquires", std::move(acquires)}, {"invokes", std::move(invokes)},
                              {"escapes", fn.escapes}, {"effects", effectsToJson(fn.effects)},
                              {"program", programToJson(fn.program)}});
  }
  json decls = json::object();
  for (const auto &[key, d] : facts.decls)
    decls[key] = compact({{"name", d.name}, {"qualified", d.qualified}, {"blocking", d.annotatedBlocking},
                          {"nonblocking", d.annotatedNonblocking}, {"system", d.system}});
  json findings = json::array();
  for (const auto &f : facts.findings) findings.push_back(findingJson(f));
  json doc = {{"lockcheck_facts", kFactsVersion}, {"file", facts.file}, {"functions", functions},
              {"decls", decls}, {"findings", findings}};
  indirectFactsToDocument(facts, doc);
  streamFactsToDocument(facts, doc);
  return doc;
}

std::string factsToJson(const TUFacts &facts) { return factsToDocument(facts).dump(1) + "\n"; }

bool factsFromJson(const std::string &text, TUFacts &out, std::string &error) {
  // Repeated keys are errors (the standard parser keeps the last); NULs are data here.
  json doc;
  if (strict_json::Error e; !strict_json::parse(text, doc, e, {true, false, strict_json::kMaxDepth})) {
    error = "malformed facts: " + strict_json::describe(e);
    return false;
  }
  return factsFromDocument(doc, out, error);
}

bool factsFromDocument(const json &doc, TUFacts &out, std::string &error) {
  try {
    if (!doc.is_object() || !doc.contains("lockcheck_facts")) {
      error = "not a lockcheck facts file";
      return false;
    }
    const json &version = doc["lockcheck_facts"];
    if (!version.is_number_integer() || version != kFactsVersion) {
      error = "facts version " + (version.is_primitive() ? version.dump() : std::string(version.is_array() ? "[...]" : "{...}")) +
              " is not the supported version " + std::to_string(kFactsVersion);
      return false;
    }
    const At top;
    object(doc, top, {"lockcheck_facts", "file", "functions", "decls", "findings", "classes", "callable_flows",
                      "callable_types", "escaping_classes", "stream_flows"});
    out = TUFacts{};
    out.file = facts_doc::string(required(doc, "file", top), top.field("file"));
    At functions = top.field("functions");
    const json &fns = required(doc, "functions", top);
    if (!fns.is_object()) malformed(functions, "expected an object");
    for (const auto &[key, j] : fns.items()) {
      At at = functions.field(key);
      object(j, at, {"name", "qualified", "where", "blocking", "nonblocking", "handler", "lambda", "entry_locks", "calls",
                     "acquires", "invokes", "escapes", "effects", "program"});
      FunctionFacts fn;
      fn.key = key;
      fn.name = optString(j, "name", at);
      fn.qualified = optString(j, "qualified", at);
      fn.where = pointAt(j, "where", at);
      fn.annotatedBlocking = optBoolean(j, "blocking", at);
      fn.annotatedNonblocking = optBoolean(j, "nonblocking", at);
      fn.annotatedHandler = optBoolean(j, "handler", at);
      fn.isLambda = optBoolean(j, "lambda", at);
      fn.entryLocks = optLockKeys(j, "entry_locks", at);
      eachOf(j, "calls", at, [&](const json &c, const At &ca) { fn.calls.push_back(callFrom(c, ca)); });
      eachOf(j, "acquires", at, [&](const json &a, const At &aa) {
        object(a, aa, {"lock", "where", "bounded", "group", "held_before", "reacquire"});
        fn.acquires.push_back(AcquireEvent{lockFrom(required(a, "lock", aa), aa.field("lock")), pointAt(a, "where", aa),
                                           optBoolean(a, "bounded", aa), optBoolean(a, "group", aa),
                                           heldFrom(a, "held_before", aa), optBoolean(a, "reacquire", aa)});
      });
      eachOf(j, "invokes", at, [&](const json &i, const At &ia) {
        object(i, ia, {"param", "where", "held"});
        const json *param = optional(i, "param");
        fn.invokes.push_back(InvokeEvent{param ? natural(*param, ia.field("param")) : 0u, pointAt(i, "where", ia),
                                         heldFrom(i, "held", ia)});
      });
      eachOf(j, "escapes", at, [&](const json &e, const At &ea) {
        fn.escapes.push_back(static_cast<int>(integer(e, ea, -1)));
      });
      if (const json *effects = optional(j, "effects")) fn.effects = effectsFromJson(*effects, at.field("effects"));
      if (const json *program = optional(j, "program")) fn.program = programFromJson(*program, at.field("program"));
      checkProgram(fn, at.field("program"));
      out.functions.emplace(key, std::move(fn));
    }
    At decls = top.field("decls");
    const json &ds = required(doc, "decls", top);
    if (!ds.is_object()) malformed(decls, "expected an object");
    for (const auto &[key, j] : ds.items()) {
      At at = decls.field(key);
      object(j, at, {"name", "qualified", "blocking", "nonblocking", "system"});
      out.decls.emplace(key, DeclFacts{key, optString(j, "name", at), optString(j, "qualified", at),
                                       optBoolean(j, "blocking", at), optBoolean(j, "nonblocking", at),
                                       optBoolean(j, "system", at)});
    }
    At findings = top.field("findings");
    const json &fs = array(required(doc, "findings", top), findings);
    for (size_t i = 0; i < fs.size(); ++i) out.findings.push_back(findingFrom(fs[i], findings.element(i)));
    indirectFactsFromDocument(doc, out);
    streamFactsFromDocument(doc, out);
    return true;
  } catch (const std::exception &e) { // Malformed, and bad_alloc
    out = TUFacts{};
    error = std::string("malformed facts: ") + e.what();
    return false;
  }
}

} // namespace lockcheck
