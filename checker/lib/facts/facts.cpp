// JSON form of TUFacts. nlohmann's object type is an ordered std::map, so the same
// facts always give the same bytes (cacheable by content hash).
#include "facts/facts.h"

#include "facts/indirect_facts.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace lockcheck {
namespace {
using nlohmann::json;

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
template <class T> T field(const json &j, const char *key, T fallback = T{}) {
  auto it = j.find(key);
  return it == j.end() ? fallback : it->template get<T>();
}
const json &list(const json &j, const char *key) {
  static const json empty = json::array();
  auto it = j.find(key);
  return it == j.end() ? empty : *it;
}

json pointJson(const SourcePoint &p) { return json::array({p.file, p.line, p.column}); }
SourcePoint pointFrom(const json &j) {
  return SourcePoint{j.at(0).get<std::string>(), j.at(1).get<unsigned>(), j.at(2).get<unsigned>()};
}

json lockJson(const LockRef &l) {
  return compact({{"key", l.key}, {"order", l.order}, {"display", l.display}, {"shared", l.shared},
                  {"recursive", l.recursive}});
}
LockRef lockFrom(const json &j) {
  return LockRef{field<LockKey>(j, "key"), field<LockKey>(j, "order"), field<InternedString>(j, "display"),
                 field<bool>(j, "shared"), field<bool>(j, "recursive")};
}

json heldJson(const std::vector<HeldLock> &held) {
  json out = json::array();
  for (const auto &h : held) out.push_back({{"lock", lockJson(h.lock)}, {"acquired", pointJson(h.acquired)}});
  return out;
}
std::vector<HeldLock> heldFrom(const json &j) {
  std::vector<HeldLock> out;
  for (const auto &h : j) out.push_back(HeldLock{lockFrom(h.at("lock")), pointFrom(h.at("acquired"))});
  return out;
}

json callJson(const CallEvent &c) {
  json callables = json::array();
  for (const auto &a : c.callables) {
    json ja = {{"index", a.index}, {"targets", a.targets}, {"forwards_param", a.forwardsParam}};
    if (!a.classes.empty()) ja["classes"] = a.classes;
    if (!a.slot.empty()) ja["slot"] = a.slot;
    callables.push_back(std::move(ja));
  }
  return compact({{"callee", c.callee}, {"callee_name", c.calleeName}, {"receiver_type", c.receiverType},
                  {"where", pointJson(c.where)}, {"held", heldJson(c.held)}, {"wait", c.isWait},
                  {"wait_releases", c.waitReleases}, {"waits_on_adopted", c.waitsOnAdopted}, {"this_arg", c.thisArg},
                  {"arg_locks", c.argLocks}, {"unresolved", c.unresolved}, {"through", c.through},
                  {"callables", std::move(callables)}});
}
CallEvent callFrom(const json &j) {
  CallEvent c;
  c.callee = field<std::string>(j, "callee");
  c.calleeName = field<std::string>(j, "callee_name");
  c.receiverType = field<std::string>(j, "receiver_type");
  c.where = pointFrom(j.at("where"));
  c.held = heldFrom(list(j, "held"));
  c.isWait = field<bool>(j, "wait");
  c.waitReleases = field<LockKey>(j, "wait_releases");
  c.waitsOnAdopted = field<bool>(j, "waits_on_adopted");
  c.thisArg = field<LockKey>(j, "this_arg");
  c.argLocks = field<std::vector<LockKey>>(j, "arg_locks");
  c.unresolved = field<bool>(j, "unresolved");
  c.through = field<SlotKey>(j, "through");
  for (const auto &a : list(j, "callables"))
    c.callables.push_back(CallableArg{a.at("index"), a.at("targets").get<std::vector<std::string>>(),
                                      a.at("forwards_param"), field<std::vector<std::string>>(a, "classes"),
                                      field<SlotKey>(a, "slot")});
  return c;
}

json findingJson(const Finding &f) {
  json trace = json::array();
  for (const auto &t : f.trace) trace.push_back({{"where", pointJson(t.where)}, {"note", t.note}});
  return {{"rule", f.rule},       {"severity", severityName(f.severity)}, {"anchor", pointJson(f.anchor)},
          {"message", f.message}, {"lock", f.lock}, {"function", f.function}, {"trace", trace}};
}
Finding findingFrom(const json &j) {
  Finding f;
  f.rule = j.at("rule");
  if (!parseSeverity(j.at("severity").get<std::string>(), f.severity))
    throw std::runtime_error("bad severity");
  f.anchor = pointFrom(j.at("anchor"));
  f.message = j.at("message");
  f.lock = j.at("lock");
  f.function = j.at("function");
  for (const auto &t : j.at("trace")) f.trace.push_back(TraceStep{pointFrom(t.at("where")), t.at("note")});
  return f;
}
} // namespace

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
                              {"acquires", std::move(acquires)}, {"invokes", std::move(invokes)}});
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
  return doc;
}

std::string factsToJson(const TUFacts &facts) { return factsToDocument(facts).dump(1) + "\n"; }

bool factsFromJson(const std::string &text, TUFacts &out, std::string &error) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    error = "malformed facts: not JSON";
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
    if (doc["lockcheck_facts"] != kFactsVersion) {
      error = "facts version " + doc["lockcheck_facts"].dump() + " is not the supported version " +
              std::to_string(kFactsVersion);
      return false;
    }
    out = TUFacts{};
    out.file = doc.at("file");
    for (const auto &[key, j] : doc.at("functions").items()) {
      FunctionFacts fn;
      fn.key = key;
      fn.name = field<std::string>(j, "name");
      fn.qualified = field<std::string>(j, "qualified");
      fn.where = pointFrom(j.at("where"));
      fn.annotatedBlocking = field<bool>(j, "blocking");
      fn.annotatedNonblocking = field<bool>(j, "nonblocking");
      fn.annotatedHandler = field<bool>(j, "handler");
      fn.isLambda = field<bool>(j, "lambda");
      fn.entryLocks = field<std::vector<LockKey>>(j, "entry_locks");
      for (const auto &c : list(j, "calls")) fn.calls.push_back(callFrom(c));
      for (const auto &a : list(j, "acquires"))
        fn.acquires.push_back(AcquireEvent{lockFrom(a.at("lock")), pointFrom(a.at("where")), field<bool>(a, "bounded"),
                                           field<bool>(a, "group"), heldFrom(list(a, "held_before")),
                                           field<bool>(a, "reacquire")});
      for (const auto &i : list(j, "invokes"))
        fn.invokes.push_back(InvokeEvent{field<unsigned>(i, "param"), pointFrom(i.at("where")), heldFrom(list(i, "held"))});
      out.functions.emplace(key, std::move(fn));
    }
    for (const auto &[key, j] : doc.at("decls").items())
      out.decls.emplace(key, DeclFacts{key, field<std::string>(j, "name"), field<std::string>(j, "qualified"),
                                       field<bool>(j, "blocking"), field<bool>(j, "nonblocking"),
                                       field<bool>(j, "system")});
    for (const auto &f : doc.at("findings")) out.findings.push_back(findingFrom(f));
    indirectFactsFromDocument(doc, out);
    return true;
  } catch (const std::exception &e) {
    error = std::string("malformed facts: ") + e.what();
    return false;
  }
}

} // namespace lockcheck
