#include "facts/lock_effects_json.h"

#include "facts/facts_json_parts.h"

#include <stdexcept>

namespace lockcheck {
using nlohmann::json;

namespace {

constexpr const char *kKinds[] = {"acquire", "try", "release"};
constexpr const char *kRoles[] = {"call", "construct", "destroy"};
constexpr const char *kSteps[] = {"c", "p", "a", "r"}; // ProgramStep::Kind, in order

template <size_t N> unsigned nameIndex(const json &j, const char *const (&names)[N], const char *what) {
  const std::string &text = j.get_ref<const std::string &>();
  for (unsigned i = 0; i < N; ++i)
    if (text == names[i]) return i;
  throw std::invalid_argument(std::string("unknown ") + what + " \"" + text + "\"");
}

template <class T> T get(const json &j, const char *key, T fallback = T{}) {
  auto it = j.find(key);
  return it == j.end() ? fallback : it->template get<T>();
}

json optionalLock(const std::optional<LockRef> &l) { return l ? lockJson(*l) : json(); }
std::optional<LockRef> optionalLockFrom(const json &j) {
  if (j.is_null()) return std::nullopt;
  return lockFrom(j);
}

} // namespace

json effectsToJson(const std::vector<LockEffect> &effects) {
  json out = json::array();
  for (const LockEffect &e : effects) {
    json j = compactJson({{"kind", kKinds[static_cast<int>(e.kind)]}, {"key", e.key}, {"order", e.order},
                          {"display", e.display}, {"shared", e.shared}, {"recursive", e.recursive},
                          {"bounded", e.bounded}, {"held_on_zero", e.heldOnZero}, {"via", e.via}});
    if (e.ifParam >= 0) j["if_param"] = e.ifParam, j["if_value"] = e.ifValue;
    out.push_back(std::move(j));
  }
  return out;
}

std::vector<LockEffect> effectsFromJson(const json &j) {
  std::vector<LockEffect> out;
  for (const json &e : j) {
    LockEffect effect;
    effect.kind = static_cast<LockEffect::Kind>(nameIndex(e.at("kind"), kKinds, "effect kind"));
    effect.key = e.at("key").get<LockKey>();
    effect.order = get<LockKey>(e, "order");
    effect.display = get<std::string>(e, "display");
    effect.shared = get<bool>(e, "shared");
    effect.recursive = get<bool>(e, "recursive");
    effect.bounded = get<bool>(e, "bounded");
    effect.heldOnZero = get<bool>(e, "held_on_zero");
    effect.via = get<std::string>(e, "via");
    effect.ifParam = get<int>(e, "if_param", -1);
    effect.ifValue = get<bool>(e, "if_value");
    if (effect.ifParam < -1) throw std::invalid_argument("if_param below -1");
    out.push_back(std::move(effect));
  }
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

LockProgram programFromJson(const json &j) {
  LockProgram out;
  for (const json &b : j.at("blocks")) {
    ProgramBlock block;
    for (const json &s : get<json>(b, "steps", json::array())) {
      ProgramStep step;
      step.kind = static_cast<ProgramStep::Kind>(nameIndex(s.at(0), kSteps, "program step"));
      if (step.kind == ProgramStep::Kind::Release) step.key = s.at(1).get<LockKey>();
      else step.index = s.at(1).get<unsigned>();
      if (s.size() != 2) throw std::invalid_argument("a program step has two elements");
      block.steps.push_back(step);
    }
    block.succ = get<std::vector<int>>(b, "succ");
    block.test = get<int>(b, "test", -1);
    block.nonZeroSucc = get<unsigned>(b, "nonzero_succ");
    block.exit = get<int>(b, "exit", -1);
    out.blocks.push_back(std::move(block));
  }
  for (const json &p : j.at("pending")) {
    PendingCall call;
    call.call = p.at("call").get<unsigned>();
    call.at = pointFrom(p.at("at"));
    if (auto it = p.find("self"); it != p.end()) call.names.self = lockFrom(*it);
    call.names.selfIsCallersThis = get<bool>(p, "self_is_this");
    for (const json &a : get<json>(p, "args", json::array())) call.names.args.push_back(optionalLockFrom(a));
    call.var = get<LockKey>(p, "var");
    call.role = static_cast<PendingCall::Role>(nameIndex(p.at("role"), kRoles, "pending call role"));
    for (const json &c : get<json>(p, "const_args", json::array()))
      call.constArgs.push_back(c.is_null() ? std::nullopt : std::optional<long>(c.get<long>()));
    out.pending.push_back(std::move(call));
  }
  for (const json &e : j.at("exits")) {
    ProgramExit exit;
    exit.where = pointFrom(e.at("where"));
    exit.throws = get<bool>(e, "throws");
    exit.returnsPending = get<int>(e, "returns_pending", -1);
    exit.negated = get<bool>(e, "negated");
    exit.returnsConstant = get<bool>(e, "returns_constant");
    exit.value = get<long>(e, "value");
    out.exits.push_back(std::move(exit));
  }
  for (const json &f : get<json>(j, "field_inits", json::array())) {
    if (f.size() != 2) throw std::invalid_argument("a field init has two elements");
    out.fieldInits.emplace_back(f.at(0).get<std::string>(), f.at(1).get<LockKey>());
  }
  return out;
}

void checkProgram(const FunctionFacts &fn) {
  const LockProgram &p = fn.program;
  if (p.empty()) {
    if (!p.blocks.empty() || !p.exits.empty()) throw std::invalid_argument("a program without pending calls");
    return;
  }
  auto fits = [](long i, size_t n, const char *what) {
    if (i < 0 || static_cast<size_t>(i) >= n) throw std::invalid_argument(std::string("program: ") + what + " out of range");
  };
  if (p.blocks.empty()) throw std::invalid_argument("program: no entry block");
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
