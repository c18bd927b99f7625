// Phase two: joins the facts of every translation unit, solves "does this function
// block" over the whole call graph (recursion by fixpoint), and turns held locks at
// calls, callables run under a helper's lock, lock order and handler acquisitions into
// findings. Never prints.
#pragma once

#include "facts/facts.h"
#include "config/rule_pack.h"

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace lockcheck {

class ProgramLinker {
public:
  explicit ProgramLinker(const RulePacks &packs) : packs_(packs) {}

  void add(TUFacts facts);
  std::vector<Finding> link();

private:
  struct Blocking {
    bool blocks = false;
    std::string category; // io, sleep, crypto... or "annotated"
    std::string leaf;     // the function at the end of the chain
    std::vector<TraceStep> chain;
    // Locks held on entry (requires_capability) that the function lets go of before
    // every blocking call it makes: a caller holding only those is not blocked under
    // them. Keys are in the terms of the function the summary is for, or, once
    // returned by callBlocks(), of the caller.
    std::set<std::string> released;
  };
  struct Acquisition {
    LockRef lock;   // in the terms of the function it was computed for
    bool bounded = false;
    bool reacquire = false;
    std::vector<TraceStep> path; // call steps down to the acquisition
  };
  struct Invocation {
    std::vector<HeldLock> held;
    std::vector<TraceStep> path; // where the callable is finally invoked
  };

  Blocking leaf(const std::string &key) const;
  const Blocking &blocking(const std::string &key) const;
  Blocking callBlocks(const CallEvent &call) const;
  // Entry locks of `fn` not held while `call` blocks (`b` is what callBlocks returned).
  static std::set<std::string> releasedAt(const FunctionFacts &fn, const CallEvent &call, const Blocking &b);
  void solveBlocking();
  const std::vector<Acquisition> &acquisitions(const std::string &key);
  const std::map<unsigned, std::vector<Invocation>> &invocations(const std::string &key);
  bool runsCallables(const CallEvent &call, unsigned index) const;

  void blockingUnderLock(std::vector<Finding> &out);
  void callablesUnderLock(std::vector<Finding> &out);
  void doubleLockThroughCalls(std::vector<Finding> &out);
  void lockOrder(std::vector<Finding> &out);
  void unboundedInHandlers(std::vector<Finding> &out);

  std::string nameOf(const std::string &key) const;
  // A condition-variable wrapper: waits through a lock adopted from its caller.
  bool waitsOnCallersLock(const std::string &key) const;

  const RulePacks &packs_;
  std::map<std::string, FunctionFacts> functions_;
  std::map<std::string, DeclFacts> decls_;
  std::vector<Finding> local_;
  std::map<std::string, Blocking> blocking_;
  std::map<std::string, std::vector<Acquisition>> acquisitions_;
  std::set<std::string> acquisitionsInProgress_;
  std::map<std::string, std::map<unsigned, std::vector<Invocation>>> invocations_;
  std::set<std::string> invocationsInProgress_;
};

} // namespace lockcheck
