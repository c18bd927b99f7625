#include "facts/lock_effects_json.h"

#include "facts/facts_json_parts.h"

#include <limits>

namespace lockcheck {
using nlohmann::json;

using namespace facts_doc;

namespace {

constexpr const char *kKinds[] = {"acquire", "try", "release"};
constexpr const char *kRoles[] = {"call", "construct", "destroy"};
constexpr const char *kSteps[] = {"c", "p", "a", "r"}; // ProgramStep::Kind, in order

template <size_t N> unsigned nameIndex(const json &j, const At &at, const char *const (&names)[N], const char *what) {
  std::string text = string(j, at);
  for (unsigned i = 0; i < N; ++i)
    if (text == names[i]) return i;
  malformed(at, std::string("unknown ") + what + " " + json(text).dump(-1, ' ', false, json::error_handler_t::replace));
}

// An optional index written only when it is one (-1 when left out).
int optIndex(const json &obj, const char *key, const At &at) {
  const json *v = optional(obj, key);
  return v ? static_cast<int>(natural(*v, at.field(key))) : -1;
}

long longInteger(const json &v, const At &at) {
  return static_cast<long>(integer(v, at, std::numeric_limits<long>::min(), std::numeric_limits<long>::max()));
}

// Calls f(element, where) for each element of the array `v`.
template <class F> void each(const json &v, const At &at, F &&f) {
  for (size_t i = 0; i < array(v, at).size(); ++i) f(v[i], at.element(i));
}
template <class F> void eachOf(const json &obj, const char *key, const At &at, F &&f) {
  if (const json *v = optional(obj, key)) each(*v, at.field(key), f);
}

json optionalLock(const std::optional<LockRef> &l) { return l ? lockJson(*l) : json(); }
std::optional<LockRef> optionalLockFrom(const json &j, const At &at) {
  if (j.is_null()) return std::nullopt;
  return lockFrom(j, at);
}

} // namespace

json effectsToJson(const std::vector<LockEffect> &effects) {
  json out = json::array();
  for (const LockEffect &e : effects) {
    json j = compactJson({{"kind", kKinds[static_cast<int>(e.kind)]}, {"key", e.key}, {"order", e.order},
                          {"display", e.display}, {"shared", e.shared}, {"recursive", e.recursive},
                          {"bounded", e.bounded}, {"held_on_zero", e.heldOnZero}, {"via", e.via}});
    if (e.reportsFailure) j["reports_failure"] = true;
    if (e.ifParam >= 0) j["if_param"] = e.ifParam, j["if_value"] = e.ifValue;
    out.push_back(std::move(j));
  }
  return out;
}

std::vector<LockEffect> effectsFromJson(const json &j, const At &at) {
  std::vector<LockEffect> out;
  each(j, at, [&](const json &e, const At &ea) {
    object(e, ea, {"kind", "key", "order", "display", "shared", "recursive", "bounded", "held_on_zero", "via", "if_param",
                   "if_value", "reports_failure"});
    LockEffect effect;
    effect.kind = static_cast<LockEffect::Kind>(nameIndex(required(e, "kind", ea), ea.field("kind"), kKinds, "effect kind"));
    effect.key = lockKey(required(e, "key", ea), ea.field("key"));
    effect.order = optLockKey(e, "order", ea);
    effect.display = optString(e, "display", ea);
    effect.shared = optBoolean(e, "shared", ea);
    effect.recursive = optBoolean(e, "recursive", ea);
    effect.bounded = optBoolean(e, "bounded", ea);
    effect.heldOnZero = optBoolean(e, "held_on_zero", ea);
    effect.reportsFailure = optBoolean(e, "reports_failure", ea);
    if (effect.reportsFailure && effect.kind != LockEffect::Kind::Acquire)
      malformed(ea.field("reports_failure"), "reports_failure on an effect that is not an acquire");
    effect.via = optString(e, "via", ea);
    effect.ifParam = optIndex(e, "if_param", ea);
    if (effect.ifParam < 0 && optional(e, "if_value")) malformed(ea.field("if_value"), "if_value without if_param");
    effect.ifValue = optBoolean(e, "if_value", ea);
    out.push_back(std::move(effect));
  });
  return out;
}

json programToJson(const LockProgram &program) {
  if (program.empty()) return nullptr;
  json blocks = json::array(), pending = json::array(), exits = json::array();
  for (const ProgramBlock &b : program.blocks) {
    json steps = json::array();
    for (const ProgramStep &s : b.steps)
      steps.push_back(s.kind == ProgramStep::Kind::Release ? json::array({"r", s.key})
                                                            : json::array({kSteps[static_cast<int>(s.kind)], s.index}));
    json block = compactJson({{"steps", std::move(steps)}, {"succ", b.succ}});
    if (b.test >= 0) block["test"] = b.test, block["nonzero_succ"] = b.nonZeroSucc;
    if (b.exit >= 0) block["exit"] = b.exit;
    blocks.push_back(std::move(block));
  }
  for (const PendingCall &p : program.pending) {
    json args = json::array(), constants = json::array();
    for (const auto &a : p.names.args) args.push_back(optionalLock(a));
    for (const auto &c : p.constArgs) constants.push_back(c ? json(*c) : json());
    json j = compactJson({{"call", p.call}, {"at", pointJson(p.at)}, {"self_is_this", p.names.selfIsCallersThis},
                          {"var", p.var}, {"role", kRoles[static_cast<int>(p.role)]}});
    if (p.names.self) j["self"] = lockJson(*p.names.self);
    if (!p.names.args.empty()) j["args"] = std::move(args);
    if (!p.constArgs.empty()) j["const_args"] = std::move(constants);
    pending.push_back(std::move(j));
  }
  for (const ProgramExit &e : program.exits) {
    json j = compactJson({{"where", pointJson(e.where)}, {"throws", e.throws}, {"negated", e.negated},
                          {"returns_constant", e.returnsConstant}});
    if (e.returnsPending >= 0) j["returns_pending"] = e.returnsPending;
    if (e.returnsConstant) j["value"] = e.value;
    exits.push_back(std::move(j));
  }
  json doc = {{"blocks", std::move(blocks)}, {"pending", std::move(pending)}, {"exits", std::move(exits)}};
  if (!program.fieldInits.empty()) {
    json inits = json::array();
    for (const auto &[field, key] : program.fieldInits) inits.push_back(json::array({field, key}));
    doc["field_inits"] = std::move(inits);
  }
  return doc;
}

LockProgram programFromJson(const json &j, const At &at) {
  object(j, at, {"blocks", "pending", "exits", "field_inits"});
  LockProgram out;
  each(required(j, "blocks", at), at.field("blocks"), [&](const json &b, const At &ba) {
    object(b, ba, {"steps", "succ", "test", "nonzero_succ", "exit"});
    ProgramBlock block;
    eachOf(b, "steps", ba, [&](const json &s, const At &sa) {
      if (!s.is_array() || s.size() != 2) malformed(sa, "expected [kind, index or key]");
      ProgramStep step;
      step.kind = static_cast<ProgramStep::Kind>(nameIndex(s[0], sa.element(0), kSteps, "program step"));
      if (step.kind == ProgramStep::Kind::Release) step.key = lockKey(s[1], sa.element(1));
      else step.index = natural(s[1], sa.element(1));
      block.steps.push_back(step);
    });
    eachOf(b, "succ", ba, [&](const json &s, const At &sa) { block.succ.push_back(static_cast<int>(integer(s, sa, -1))); });
    block.test = optIndex(b, "test", ba);
    if (const json *v = optional(b, "nonzero_succ")) block.nonZeroSucc = natural(*v, ba.field("nonzero_succ"));
    block.exit = optIndex(b, "exit", ba);
    out.blocks.push_back(std::move(block));
  });
  each(required(j, "pending", at), at.field("pending"), [&](const json &p, const At &pa) {
    object(p, pa, {"call", "at", "self_is_this", "var", "role", "self", "args", "const_args"});
    PendingCall call;
    call.call = natural(required(p, "call", pa), pa.field("call"));
    call.at = pointAt(p, "at", pa);
    if (const json *self = optional(p, "self")) call.names.self = lockFrom(*self, pa.field("self"));
    call.names.selfIsCallersThis = optBoolean(p, "self_is_this", pa);
    eachOf(p, "args", pa, [&](const json &a, const At &aa) { call.names.args.push_back(optionalLockFrom(a, aa)); });
    call.var = optLockKey(p, "var", pa);
    call.role = static_cast<PendingCall::Role>(nameIndex(required(p, "role", pa), pa.field("role"), kRoles, "pending call role"));
    eachOf(p, "const_args", pa, [&](const json &c, const At &ca) {
      call.constArgs.push_back(c.is_null() ? std::nullopt : std::optional<long>(longInteger(c, ca)));
    });
    out.pending.push_back(std::move(call));
  });
  each(required(j, "exits", at), at.field("exits"), [&](const json &e, const At &ea) {
    object(e, ea, {"where", "throws", "negated", "returns_constant", "returns_pending", "value"});
    ProgramExit exit;
    exit.where = pointAt(e, "where", ea);
    exit.throws = optBoolean(e, "throws", ea);
    exit.returnsPending = optIndex(e, "returns_pending", ea);
    exit.negated = optBoolean(e, "negated", ea);
    exit.returnsConstant = optBoolean(e, "returns_constant", ea);
    if (const json *v = optional(e, "value")) exit.value = longInteger(*v, ea.field("value"));
    out.exits.push_back(std::move(exit));
  });
  eachOf(j, "field_inits", at, [&](const json &f, const At &fa) {
    if (!f.is_array() || f.size() != 2) malformed(fa, "expected [member, lock key]");
    out.fieldInits.emplace_back(string(f[0], fa.element(0)), lockKey(f[1], fa.element(1)));
  });
  return out;
}

void checkProgram(const FunctionFacts &fn, const At &at) {
  const LockProgram &p = fn.program;
  if (p.empty()) {
    if (!p.blocks.empty() || !p.exits.empty()) malformed(at, "a program without pending calls");
    return;
  }
  auto fits = [&](long i, size_t n, const char *what) {
    if (i < 0 || static_cast<size_t>(i) >= n)
      malformed(at, std::string(what) + " " + std::to_string(i) + " is out of range (" + std::to_string(n) + ")");
  };
  if (p.blocks.empty()) malformed(at, "no entry block");
  for (const PendingCall &c : p.pending) fits(c.call, fn.calls.size(), "pending call");
  for (const ProgramBlock &b : p.blocks) {
    for (const ProgramStep &s : b.steps) {
      if (s.kind == ProgramStep::Kind::Call) fits(s.index, fn.calls.size(), "call step");
      if (s.kind == ProgramStep::Kind::Pending) fits(s.index, p.pending.size(), "pending step");
      if (s.kind == ProgramStep::Kind::Acquire) fits(s.index, fn.acquires.size(), "acquire step");
    }
    for (int succ : b.succ)
      if (succ != -1) fits(succ, p.blocks.size(), "successor");
    if (b.test != -1) fits(b.test, p.pending.size(), "test"), fits(b.nonZeroSucc, b.succ.size(), "nonzero_succ");
    if (b.exit != -1) fits(b.exit, p.exits.size(), "exit");
  }
  for (const ProgramExit &e : p.exits)
    if (e.returnsPending != -1) fits(e.returnsPending, p.pending.size(), "returns_pending");
}

} // namespace lockcheck
