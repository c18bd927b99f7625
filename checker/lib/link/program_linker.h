// Phase two: joins the facts of every translation unit and solves, over the whole call
// graph (recursion by fixpoint), which functions block, which locks each takes and where
// each runs its callable parameters. The rules' link passes (rules/) query these
// summaries and report; this file builds no finding. Never prints.
#pragma once

#include "extract/flow_handler.h"
#include "facts/facts.h"
#include "support/interned_index.h"
#include "config/rule_pack.h"
#include "link/call_index.h"
#include "link/indirect_targets.h"
#include "link/stream_values.h"

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lockcheck {

class EscapeSummary;
class ProgramLinker;

// The rules as the linker sees them: the flow hooks the replay of learned locks reports to,
// and a pass over the solved program. The rules sit above link in the stage order
// (docs/design.md "Stages"), so whoever links hands a factory in (rules/registry.h makeRuleSet).
class LinkRules : public FlowHandler {
public:
  virtual void link(ProgramLinker &program) = 0;
};
using LinkRulesFactory = std::function<std::unique_ptr<LinkRules>(std::vector<Finding> &out)>;

class ProgramLinker {
public:
  explicit ProgramLinker(const RulePacks &packs);
  ~ProgramLinker();

  // Add every TU before the first query (link(), acquisitions(), invocations()).
  void add(TUFacts facts);
  // Indirect calls (.lockcheck.json "indirect_calls", "indirect_exclude"); before link().
  void setIndirectOptions(IndirectOptions options) { indirect_.setOptions(std::move(options)); }
  // Whether a function is defined / declared by a TU added so far (a hash lookup).
  bool defines(const InternedString &key) const { return index_.contains(key); }
  bool declares(const InternedString &key) const { return decls_.count(key) > 0; }
  // Whether the definition of `key` at `where` was added (the streaming reader's check on a
  // definition it left undecoded).
  bool defines(const InternedString &key, const SourcePoint &where) const;
  // The definitions of `key`: one, or each distinct one of a key defined several times
  // (link/definitions.cpp); none when it is not defined.
  std::vector<const FunctionFacts *> definitionsOf(const InternedString &key) const;
  // Whether `key` has several distinct definitions, so a call to it may run any of them.
  bool ambiguous(const InternedString &key) const { return variants_.count(key) > 0; }
  // Solves the summaries, runs every rule's link pass (the LinkRules `rules` makes) and
  // returns all findings, the extract phase's included, one per anchor line and rule.
  std::vector<Finding> link(const LinkRulesFactory &rules);

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
    // Blocks only when the stream or descriptor at `streamPosition` (an argument index, -1 the
    // object; of the function the summary is for, or once returned by callBlocks() of the
    // caller) is neither the console (if `quietOnConsole`) nor a non-blocking descriptor (if
    // `quietOnNonblocking`): docs/spec.md §3 "The console is logging", "Self-wakeups".
    bool conditional = false;
    int streamPosition = 0;
    bool quietOnConsole = false, quietOnNonblocking = false;
    // The chain runs through a catch block or an error branch (CallPath::Error): a target
    // on the normal path is named instead when there is one (link/target_choice.h).
    bool offPath = false;
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
    // Through a call to a key with several definitions, only some of which take it.
    bool maybe = false;
  };
  struct Invocation {
    std::vector<HeldLock> held;
    Chain path = kNoChain; // where the callable is finally invoked
  };

  const RulePacks &packs() const { return packs_; }
  // Every function defined in the program, by key; once link() started, each distinct
  // definition of a key defined several times is under a key of its own (link/definitions.cpp).
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
  // For a `conditional` result of callBlocks() for a call in `fn`: whether fn's own stream
  // parameter it depends on is quiet as every caller of fn passes it (docs/spec.md §3).
  bool quietInEveryCall(const FunctionFacts &fn, const Blocking &b) const;
  // Whether `lock`, held at `call` in `fn`, belongs to an object no other thread can reach
  // yet (docs/spec.md §3 "Objects not yet shared"; link/escape_summary.h).
  bool unshared(const FunctionFacts &fn, const CallEvent &call, const LockKey &lock);
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
  // Past the functions' numbers: one per key with several distinct definitions (a call
  // to it runs one of them), solved as the union of its definitions.
  bool isChoice(Id id) const { return id >= static_cast<Id>(byId_.size()); }
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
  // A callee's summary at this call: one that depends on a stream argument is decided by the
  // value this call passes (quiet: not blocking), or stays conditional on the caller's own
  // parameter it passes on.
  Blocking atStream(const CallEvent &call, Blocking b) const;
  // callBlocks() for a call with resolved indirect targets (link/indirect_blocking.cpp);
  // false when it has none or none blocks. `targets` narrows the resolution's set (a
  // calling context), whose every target then reaches the call.
  bool indirectBlocks(const CallEvent &call, Blocking &out) const;
  bool indirectBlocks(const CallEvent &call, const IndirectResolution &r, const std::vector<std::string> &targets,
                      bool allReach, Blocking &out) const;
  // callBlocks() for a call to a key with several distinct definitions (`definitions`,
  // their keys): the step into the one that blocks says which.
  bool definitionsBlock(const std::vector<std::string> &definitions, Blocking &out) const;
  // A call that runs one of `targets` (function keys) blocks if one of them does. Returns
  // the one a finding names (link/indirect_blocking.cpp, preferredTarget(); `reaches(t)`:
  // whether t's flow reaches the call), null when none blocks; `out` takes its summary,
  // `maybe` when only some of the targets block, and `blocking` counts those that do.
  // `call`: the indirect call whose possible targets they are (its stream arguments decide a
  // target's stream-dependent summary: atStream); null when they are the distinct
  // definitions of one key (the choice's summary stays a callee's, decided at each call of
  // the key).
  const std::string *someBlocks(const std::vector<std::string> &targets, const CallEvent *call,
                                const std::function<bool(const std::string &)> &reaches, Blocking &out,
                                size_t &blocking) const;
  // Prepends to `out`'s chain the step into `target`, at its definition (else `fallback`).
  void stepInto(const std::string &target, const SourcePoint &fallback, std::string note, Blocking &out) const;
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
  // Distinct definitions of one key (link/definitions.cpp). add() keeps the first and sets
  // aside the others; number() gives each its own key and binds the calls that can tell.
  void addDefinition(FunctionMap::node_type node);
  void splitDefinitions();
  void bindCalls();
  bool updateChoice(Id id);
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
  CallIndex calls_;
  StreamValues streams_;
  std::unique_ptr<EscapeSummary> escapes_; // built on the first unshared() question
  std::unordered_map<Id, ContextCalls> contextCalls_; // functions that make virtual calls on their parameters
  std::unordered_map<Id, Blocking> besides_;          // their summaries without those calls (only blocking ones)
  // Definitions of a key already added, whose position differs from the first's.
  std::unordered_map<InternedString, std::vector<FunctionFacts>, InternedString::IdentityHash> extraDefinitions_;
  // A key with several distinct definitions -> the keys they are under, in position order.
  std::unordered_map<InternedString, std::vector<std::string>, InternedString::IdentityHash> variants_;
  struct Choice {
    InternedString key;
    std::vector<Id> ids; // its definitions' numbers
  };
  std::vector<Choice> choices_; // number byId_.size() + i, in key order
};

} // namespace lockcheck
