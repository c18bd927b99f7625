#include "extract/call_judgements.h"

#include "extract/stream_identity.h"

#include <clang/AST/DeclCXX.h>
#include <clang/AST/Expr.h>
#include <clang/Analysis/CFG.h>

#include <algorithm>

namespace lockcheck {
using namespace clang;

CallJudgements::CallJudgements(const RulePacks &packs, ASTContext &ctx, const LockRecognizer &rec, const FunctionDecl *fn,
                               const CFG &cfg, const ExceptionPaths &eh)
    : packs_(packs), ctx_(ctx), fn_(fn), paths_(fn, cfg, eh, packs, ctx), escapes_(fn, cfg, rec, ctx) {
  // A base's or delegated-to constructor runs on this object: what it publishes of its
  // `this`, this constructor publishes.
  if (const auto *ctor = dyn_cast<CXXConstructorDecl>(fn))
    for (const CXXCtorInitializer *init : ctor->inits())
      if ((init->isBaseInitializer() || init->isDelegatingInitializer()) && init->getInit()) {
        const auto *base = dyn_cast<CXXConstructExpr>(init->getInit()->IgnoreImplicit());
        if (!base || !isCompilerWrittenConstructor(base->getConstructor())) onThis_.insert(init->getInit()->IgnoreImplicit());
      }
}

// The stream value a call argument holds. A slot that something unknown flows into is
// still written down: fcntl(F_SETFL, O_NONBLOCK) makes it non-blocking whatever flows in,
// and that may happen through a parameter of a function in another TU (libzmq's
// unblock_socket()), which only the link phase sees (link/stream_values.cpp). An absent
// slot reads as unknown there.
std::string CallJudgements::knownStream(const Expr *arg) const { return streamValue(arg, fn_, packs_, ctx_); }

void CallJudgements::annotatePath(CallEvent &ev, const Stmt *stmt) const {
  if (block_) ev.path = paths_.pathOf(*block_, stmt);
}

void CallJudgements::annotate(CallEvent &ev, const CallSite &call, size_t index) {
  annotatePath(ev, call.expr);
  if (call.object)
    if (std::string v = knownStream(call.object); !v.empty()) ev.streams.push_back(StreamArg{-1, v});
  for (size_t i = 0; i < call.args.size(); ++i)
    if (std::string v = knownStream(call.args[i]); !v.empty()) ev.streams.push_back(StreamArg{static_cast<int>(i), v});
  callIndex_.emplace(call.expr, index);
  if (ev.thisArg.empty() && onThis_.count(call.expr)) ev.thisArg = LockKey::thisObject();
  bool library = false;
  if (auto created = escapes_.createdBy(call.expr, library)) creations_[*created] = Creation{index, library};
  if (ev.path == CallPath::Dying) return; // never reported
  for (auto &u : escapes_.unsharedAt(call.expr, ev.held)) pending_.push_back(Pending{index, std::move(u)});
}

// The calls that run a fresh object's constructor, with the object as their `this`, so the
// link phase asks whether the constructor publishes it (starts a thread on `this`).
std::vector<size_t> CallJudgements::constructorCalls(const LockKey &object, FunctionFacts &out) const {
  std::vector<size_t> calls;
  auto it = creations_.find(object);
  if (it == creations_.end()) return calls;
  size_t first = it->second.call;
  if (!it->second.library) calls.push_back(first);
  else // std::make_unique<T>(...): the implicit calls recorded right after it, at its place
    for (size_t i = first + 1; i < out.calls.size() && out.calls[i].where == out.calls[first].where; ++i) calls.push_back(i);
  for (size_t i : calls)
    if (out.calls[i].thisArg.empty()) out.calls[i].thisArg = object;
  return calls;
}

void CallJudgements::finish(FunctionFacts &out) {
  out.escapes = escapes_.escapes();
  for (const Pending &p : pending_) {
    UnsharedObject u{p.unshared.object, {}};
    bool recorded = true; // a handover with no call event (an invoked callable) may publish it
    auto created = creations_.find(p.unshared.object);
    for (const Stmt *s : p.unshared.after) {
      auto it = callIndex_.find(s);
      recorded = recorded && it != callIndex_.end();
      if (it == callIndex_.end()) continue;
      if (created != creations_.end() && it->second == created->second.call)
        for (size_t c : constructorCalls(p.unshared.object, out)) u.after.push_back(static_cast<unsigned>(c));
      else u.after.push_back(static_cast<unsigned>(it->second));
    }
    if (!recorded) continue;
    std::sort(u.after.begin(), u.after.end());
    u.after.erase(std::unique(u.after.begin(), u.after.end()), u.after.end());
    out.calls[p.call].unshared.push_back(std::move(u));
  }
}

} // namespace lockcheck
