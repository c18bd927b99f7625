// Phase two: joins the facts of every translation unit and solves, over the whole call
// graph (recursion by fixpoint), which functions block, which locks each takes and where
// each runs its callable parameters. The rules' link passes (rules/) query these
// summaries and report; this file builds no finding. Never prints.
#pragma once

#include "facts/facts.h"
#include "support/interned_index.h"
#include "config/rule_pack.h"
#include "link/indirect_targets.h"

#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lockcheck {

class ProgramLinker {
public:
  explicit ProgramLinker(const RulePacks &packs) : packs_(packs) {}

  // Add every TU before the first query (link(), acquisitions(), invocations()).
  void add(TUFacts facts);
  // Indirect calls (.lockcheck.json "indirect_calls", "indirect_exclude"); before link().
  void setIndirectOptions(IndirectOptions options) { indirect_.setOptions(std::move(options)); }
  // Whether a function is defined / declared by a TU added so far (a hash lookup).
  bool defines(const InternedString &key) const { return index_.contains(key); }
  bool declares(const InternedString &key) const { return decls_.count(key) > 0; }
  // Solves the summaries, runs every rule's link pass (rules/registry.h) and returns all
  // findings, the extract phase's included, one per anchor line and rule.
  std::vector<Finding> link();

  // Trace steps are shared between summaries: a chain is its first step and the chain
  // after it, so a caller's chain costs one step, not a copy of its callee's (issue 12:
  // copying made a call chain of depth N cost N^2).
  using Chain = int; // index into steps_; kNoChain when empty
  static constexpr Chain kNoChain = -1;
  // Appends a chain's steps to a finding's trace (materialised only for findings).
  void appendChain(Chain chain, std::vector<TraceStep> &out) const;

  // What the summaries say, for the rules' link passes.
  struct Blocking {
    bool blocks = false;
    std::string category; // io, sleep, crypto... or "annotated"
    std::string leaf;     // the function at the end of the chain
    Chain chain = kNoChain;
    // Locks held on entry (requires_capability) that the function lets go of before
    // every blocking call it makes: a caller holding only those is not blocked under
    // them. Keys are in the terms of the function the summary is for, or, once
    // returned by callBlocks(), of the caller.
    std::set<LockKey> released;
    // Through an indirect call (issue 19): the possible target that blocks, and whether
    // only some of the possible targets block somewhere down the chain (a warning).
    std::string via;
    bool maybe = false;
    // The targets on the way were matched by type: the flow into the slot was lost (issue 27).
    bool byType = false;
    // Internal to the fixpoint: which of the function's calls explains the summary.
    unsigned from = ~0u;
  };
  struct Acquisition {
    LockRef lock;   // in the terms of the function it was computed for
    bool bounded = false;
    bool reacquire = false;
    Chain path = kNoChain; // call steps down to the acquisition
  };
  struct Invocation {
    std::vector<HeldLock> held;
    Chain path = kNoChain; // where the callable is finally invoked
  };

  const RulePacks &packs() const { return packs_; }
  // Every function defined in the program, by key.
  const FunctionMap &functions() const { return functions_; }
  // Whether, and why, a call blocks, in the caller's terms.
  Blocking callBlocks(const CallEvent &call) const;
  // The locks a function takes, itself or through calls, in its own terms. Computed
  // without recursion, so a call chain of any depth fits the default stack.
  const std::vector<Acquisition> &acquisitions(const InternedString &key);
  // Where a function runs each of its callable parameters (by index), and under which locks.
  using Invocations = std::map<unsigned, std::vector<Invocation>>;
  const Invocations &invocations(const InternedString &key);
  // A condition-variable wrapper: waits through a lock adopted from its caller.
  bool waitsOnCallersLock(const InternedString &key) const;
  // The callables an argument passes (its lambdas and functions, or what flows into the
  // slot it is read from); empty when unknown.
  const std::vector<std::string> &callablesPassed(const CallableArg &arg) const;

private:
  // A program has millions of trace steps but few distinct files, and most notes are a
  // fixed text around a name the facts already hold: a step keeps the interned name and
  // the kind of text around it (Whole: `text` is the whole note), not a string of its own.
  enum class Note : unsigned char { Whole, Calls, PassedOn, Acquired };
  struct ChainStep {
    InternedString file;
    unsigned line, column;
    Chain next;
    Note kind;
    InternedString text;
  };
  Chain prepend(const TraceStep &step, Chain rest) const;
  Chain prepend(const SourcePoint &where, Note kind, InternedString name, Chain rest) const;

  // Functions are numbered in key order once all TUs are in (the order a sweep over
  // functions() visits them); the solver's tables are by number, not by key.
  using Id = int;
  static constexpr Id kNoId = -1;
  void number();
  Id idOf(const InternedString &key) const;
  const FunctionFacts *definition(const InternedString &key) const;

  Blocking leaf(const InternedString &key) const;
  const Blocking &leafOf(const InternedString &key) const; // leaf(), memoised per key
  bool nonblockingName(const std::string &qualified) const; // packs_.nonblocking, memoised per callee
  const Blocking &blocking(const InternedString &key) const { return blocking(idOf(key)); }
  const Blocking &blocking(Id id) const;
  // Entry locks of `fn` not held while `call` blocks (`b` is what callBlocks returned).
  static std::set<LockKey> releasedAt(const FunctionFacts &fn, const CallEvent &call, const Blocking &b);
  // One pass over function `id`'s calls; true if its summary changed.
  bool updateBlocking(Id id);
  void solveBlocking();
  bool runsCallables(const CallEvent &call, unsigned index) const;
  // callBlocks() for a call with resolved indirect targets (link/indirect_blocking.cpp);
  // false when it has none or none blocks. `targets` narrows the resolution's set (a
  // calling context), whose every target then reaches the call.
  bool indirectBlocks(const CallEvent &call, Blocking &out) const;
  bool indirectBlocks(const CallEvent &call, const IndirectResolution &r, const std::vector<std::string> &targets,
                      bool allReach, Blocking &out) const;
  // A callee's summary as its caller sees it at `call`: the step into the callee first.
  Chain callStep(const CallEvent &call, const Blocking &b) const;
  // Folds calls of `fn` into `mine` (one pass of the fixpoint); `skip` lists call indices
  // left out (sorted). True if `mine` changed.
  // `renamed` counts how often the summary took a new answer from the call that explains it.
  bool foldCalls(const FunctionFacts &fn, Blocking &mine, const std::vector<unsigned> *skip, unsigned char &renamed) const;

  // One level of calling context (link/calling_context.cpp): a virtual call on a function's
  // own parameter is judged at each call site with the classes passed there.
  struct ContextCalls {
    std::vector<unsigned> calls;  // indices into the function's calls, sorted
    std::vector<unsigned> params; // the parameter each is made on
  };
  void findContextCalls();
  const ContextCalls *contextCallsOf(Id id) const;
  // The callee's summary at `call`: in the call's context when it passes classes for a
  // parameter the callee makes virtual calls on, context-free otherwise.
  Blocking calleeBlocking(const CallEvent &call) const;
  // The exact classes `call` passes for parameter `param`; false when unknown.
  bool argumentClasses(const CallEvent &call, unsigned param, std::vector<std::string> &out) const;
  std::string nameOf(const InternedString &key) const;
  // One step of the iterative traversals: what `id` gets from its callees.
  enum class Visit : char { No, InProgress, Done };
  void solveAcquisitions(Id root);
  void solveInvocations(Id root);

  const RulePacks &packs_;
  mutable std::deque<ChainStep> steps_;
  FunctionMap functions_;
  InternedIndex index_; // key -> number (kNoId until number()), every key in functions_
  std::vector<const FunctionFacts *> byId_;
  std::unordered_map<InternedString, DeclFacts, InternedString::IdentityHash> decls_;
  std::vector<Finding> local_;
  std::unordered_map<Id, Blocking> blocking_; // only functions that block
  mutable std::unordered_map<std::string, Blocking> leaves_;
  mutable std::unordered_map<std::string, bool> nonblockingNames_; // of callees
  std::vector<char> nonblockingFunction_; // by id: annotated or in a pack's nonblocking list
  std::vector<unsigned char> renamed_;    // by id: foldCalls()'s `renamed`
  std::vector<Visit> acquisitionsVisit_, invocationsVisit_;
  std::unordered_map<Id, std::vector<Acquisition>> acquisitions_; // only non-empty ones
  std::unordered_map<Id, Invocations> invocations_;               // only non-empty ones
  IndirectTargets indirect_;
  std::unordered_map<Id, ContextCalls> contextCalls_; // functions that make virtual calls on their parameters
  std::unordered_map<Id, Blocking> besides_;          // their summaries without those calls (only blocking ones)
};

} // namespace lockcheck
