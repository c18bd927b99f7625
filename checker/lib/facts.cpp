// JSON form of TUFacts. nlohmann's object type is an ordered std::map, so the same
// facts always give the same bytes (cacheable by content hash).
#include "facts.h"

#include <nlohmann/json.hpp>

namespace lockcheck {
namespace {
using nlohmann::json;

json pointJson(const SourcePoint &p) { return json::array({p.file, p.line, p.column}); }
SourcePoint pointFrom(const json &j) {
  return SourcePoint{j.at(0).get<std::string>(), j.at(1).get<unsigned>(), j.at(2).get<unsigned>()};
}

json lockJson(const LockRef &l) {
  return {{"key", l.key}, {"order", l.order}, {"display", l.display}, {"shared", l.shared},
          {"recursive", l.recursive}};
}
LockRef lockFrom(const json &j) {
  return LockRef{j.at("key"), j.at("order"), j.at("display"), j.at("shared"), j.at("recursive")};
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
  for (const auto &a : c.callables)
    callables.push_back({{"index", a.index}, {"targets", a.targets}, {"forwards_param", a.forwardsParam}});
  return {{"callee", c.callee},         {"callee_name", c.calleeName}, {"receiver_type", c.receiverType},
          {"where", pointJson(c.where)}, {"held", heldJson(c.held)},   {"wait", c.isWait}, {"wait_releases", c.waitReleases},
          {"waits_on_adopted", c.waitsOnAdopted}, {"this_arg", c.thisArg}, {"arg_locks", c.argLocks},
          {"unresolved", c.unresolved}, {"callables", callables}};
}
CallEvent callFrom(const json &j) {
  CallEvent c;
  c.callee = j.at("callee");
  c.calleeName = j.at("callee_name");
  c.receiverType = j.at("receiver_type");
  c.where = pointFrom(j.at("where"));
  c.held = heldFrom(j.at("held"));
  c.isWait = j.at("wait");
  c.waitReleases = j.at("wait_releases");
  c.waitsOnAdopted = j.at("waits_on_adopted");
  c.thisArg = j.at("this_arg");
  c.argLocks = j.at("arg_locks").get<std::vector<std::string>>();
  c.unresolved = j.at("unresolved");
  for (const auto &a : j.at("callables"))
    c.callables.push_back(CallableArg{a.at("index"), a.at("targets").get<std::vector<std::string>>(),
                                      a.at("forwards_param")});
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

std::string factsToJson(const TUFacts &facts) {
  json functions = json::object();
  for (const auto &[key, fn] : facts.functions) {
    json acquires = json::array(), invokes = json::array(), calls = json::array();
    for (const auto &a : fn.acquires)
      acquires.push_back({{"lock", lockJson(a.lock)}, {"where", pointJson(a.where)}, {"bounded", a.bounded},
                          {"group", a.groupMember}, {"held_before", heldJson(a.heldBefore)},
                          {"reacquire", a.reacquire}});
    for (const auto &i : fn.invokes)
      invokes.push_back({{"param", i.param}, {"where", pointJson(i.where)}, {"held", heldJson(i.held)}});
    for (const auto &c : fn.calls) calls.push_back(callJson(c));
    functions[key] = {{"name", fn.name},
                      {"qualified", fn.qualified},
                      {"where", pointJson(fn.where)},
                      {"blocking", fn.annotatedBlocking},
                      {"nonblocking", fn.annotatedNonblocking},
                      {"handler", fn.annotatedHandler},
                      {"lambda", fn.isLambda},
                      {"entry_locks", fn.entryLocks},
                      {"calls", calls},
                      {"acquires", acquires},
                      {"invokes", invokes}};
  }
  json decls = json::object();
  for (const auto &[key, d] : facts.decls)
    decls[key] = {{"name", d.name}, {"qualified", d.qualified}, {"blocking", d.annotatedBlocking},
                  {"nonblocking", d.annotatedNonblocking}, {"system", d.system}};
  json findings = json::array();
  for (const auto &f : facts.findings) findings.push_back(findingJson(f));
  json doc = {{"lockcheck_facts", kFactsVersion}, {"file", facts.file}, {"functions", functions},
              {"decls", decls}, {"findings", findings}};
  return doc.dump(1) + "\n";
}

bool factsFromJson(const std::string &text, TUFacts &out, std::string &error) {
  try {
    json doc = json::parse(text);
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
      fn.name = j.at("name");
      fn.qualified = j.at("qualified");
      fn.where = pointFrom(j.at("where"));
      fn.annotatedBlocking = j.at("blocking");
      fn.annotatedNonblocking = j.at("nonblocking");
      fn.annotatedHandler = j.at("handler");
      fn.isLambda = j.at("lambda");
      fn.entryLocks = j.at("entry_locks").get<std::vector<std::string>>();
      for (const auto &c : j.at("calls")) fn.calls.push_back(callFrom(c));
      for (const auto &a : j.at("acquires"))
        fn.acquires.push_back(AcquireEvent{lockFrom(a.at("lock")), pointFrom(a.at("where")), a.at("bounded"),
                                           a.at("group"), heldFrom(a.at("held_before")), a.at("reacquire")});
      for (const auto &i : j.at("invokes"))
        fn.invokes.push_back(InvokeEvent{i.at("param"), pointFrom(i.at("where")), heldFrom(i.at("held"))});
      out.functions.emplace(key, std::move(fn));
    }
    for (const auto &[key, j] : doc.at("decls").items())
      out.decls.emplace(key, DeclFacts{key, j.at("name"), j.at("qualified"), j.at("blocking"),
                                       j.at("nonblocking"), j.at("system")});
    for (const auto &f : doc.at("findings")) out.findings.push_back(findingFrom(f));
    return true;
  } catch (const std::exception &e) {
    error = std::string("malformed facts: ") + e.what();
    return false;
  }
}

} // namespace lockcheck
