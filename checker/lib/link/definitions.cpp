// Identity of definitions (issue 24, docs/design.md "Definition identity"). A function key
// (a Clang USR) names one function of one program, but an analysed tree can hold several
// programs (tools, tests, examples), each with its own `main`, `usage()` or `run()`. Two
// definitions of a key are the same code when they are at the same file and position: an
// inline function of a header, a template instantiated in many TUs, read once. Any other
// definition of the key is a function of its own: it is kept under a key of its own
// ("KEY @ FILE:LINE:COL"), its body is analysed, and a call to the shared key goes to it:
//   - to the definition in the caller's own file when there is exactly one there (a program
//     that contains the caller's file contains that definition: any other would clash);
//   - otherwise to every definition (a "choice": the union of their summaries; a finding
//     that only some of them give is a warning, as for an indirect call).
#include "link/program_linker.h"
#include "link/target_choice.h"

#include <algorithm>
#include <optional>
#include <tuple>

namespace lockcheck {

void ProgramLinker::addDefinition(FunctionMap::node_type node) {
  InternedString key = node.key();
  const SourcePoint where = node.mapped().where;
  auto same = [&](const FunctionFacts &other) { return other.where == where; };
  if (auto v = variants_.find(key); v != variants_.end()) { // split by an earlier number()
    for (const auto &alias : v->second)
      if (same(functions_.find(alias)->second)) return;
  } else {
    auto inserted = functions_.insert(std::move(node));
    if (inserted.inserted) {
      index_.set(key, kNoId);
      return;
    }
    if (same(inserted.position->second)) return; // the same code, brought by another TU
    node = std::move(inserted.node);
  }
  std::vector<FunctionFacts> &extra = extraDefinitions_[key];
  if (std::none_of(extra.begin(), extra.end(), same)) extra.push_back(std::move(node.mapped()));
}

void ProgramLinker::splitDefinitions() {
  if (extraDefinitions_.empty()) return;
  for (auto &[key, extra] : extraDefinitions_) {
    std::vector<FunctionFacts> all = std::move(extra);
    if (auto node = functions_.extract(key)) all.push_back(std::move(node.mapped()));
    std::vector<std::string> &aliases = variants_[key];
    for (const auto &alias : aliases)
      if (auto node = functions_.extract(alias)) all.push_back(std::move(node.mapped()));
    // In position order, whatever order the TUs came in.
    std::sort(all.begin(), all.end(), [](const FunctionFacts &a, const FunctionFacts &b) { return a.where < b.where; });
    aliases.clear();
    std::optional<DeclFacts> decl;
    if (auto d = decls_.find(key); d != decls_.end()) decl = d->second;
    for (auto &fn : all) {
      InternedString alias(key + " @ " + fn.where.file + ":" + std::to_string(fn.where.line) + ":" +
                           std::to_string(fn.where.column));
      fn.key = alias;
      aliases.push_back(alias);
      index_.set(alias, kNoId);
      // A declaration's annotations (a header's lockcheck::blocking) hold for each definition.
      if (decl) decls_.try_emplace(alias, *decl);
      functions_.emplace(alias, std::move(fn));
    }
  }
  extraDefinitions_.clear();
  bindCalls();
}

// A call to a key with several definitions goes to the one in the caller's own file when
// there is exactly one; virtual calls are resolved over the class hierarchy by the method
// as named, so they keep it.
void ProgramLinker::bindCalls() {
  auto bound = [&](const InternedString &callee, const InternedString &callerFile) -> const std::string * {
    auto v = variants_.find(callee);
    if (v == variants_.end()) return nullptr;
    const std::string *only = nullptr;
    for (const auto &alias : v->second) {
      if (functions_.find(alias)->second.where.file != callerFile) continue;
      if (only) return nullptr;
      only = &alias;
    }
    return only;
  };
  for (auto &[key, fn] : functions_)
    for (auto &call : fn.calls) {
      if (!call.unresolved && !call.callee.empty())
        if (const std::string *alias = bound(call.callee, fn.where.file)) call.callee = *alias;
      for (auto &ca : call.callables)
        for (auto &target : ca.targets)
          if (const std::string *alias = bound(InternedString(target), fn.where.file)) target = *alias;
    }
}

bool ProgramLinker::updateChoice(Id id) {
  const Choice &choice = choices_[static_cast<size_t>(id) - byId_.size()];
  Blocking b;
  if (!definitionsBlock(variants_.at(choice.key), b)) return false;
  auto [entry, added] = blocking_.try_emplace(id);
  Blocking &mine = entry->second;
  // Each of these only gets better as the definitions' summaries grow (`maybe` turns off once
  // every definition blocks, a stream-dependent summary becomes unconditional, the normal
  // path is found, quiet streams only drop out), so this ends.
  auto explanation = [](const Blocking &x) {
    return std::make_tuple(explanationKind(x), x.offPath, x.quietOnConsole, x.quietOnNonblocking, x.streamPosition);
  };
  if (!added && mine.blocks && explanation(mine) == explanation(b)) return false;
  mine = std::move(b);
  return true;
}

bool ProgramLinker::defines(const InternedString &key, const SourcePoint &where) const {
  auto at = [&](const FunctionFacts &fn) { return fn.where == where; };
  if (auto v = variants_.find(key); v != variants_.end())
    return std::any_of(v->second.begin(), v->second.end(),
                       [&](const std::string &alias) { return at(functions_.find(alias)->second); });
  if (auto it = functions_.find(key); it != functions_.end() && at(it->second)) return true;
  auto extra = extraDefinitions_.find(key);
  return extra != extraDefinitions_.end() && std::any_of(extra->second.begin(), extra->second.end(), at);
}

std::vector<const FunctionFacts *> ProgramLinker::definitionsOf(const InternedString &key) const {
  std::vector<const FunctionFacts *> out;
  if (auto v = variants_.find(key); v != variants_.end())
    for (const auto &alias : v->second) out.push_back(&functions_.find(alias)->second);
  else if (const FunctionFacts *fn = definition(key))
    out.push_back(fn);
  return out;
}

} // namespace lockcheck
