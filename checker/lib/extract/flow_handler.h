// What the flow engine tells the rules about one function, after Clang ThreadSafety's
// handler interface: the engine tracks locks and calls these hooks; it never builds a
// finding. Every hook is a no-op by default, so a rule overrides only the events it owns.
#pragma once

#include "facts/facts.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace lockcheck {

// Where an event happens: the function being analysed and the point in it.
struct FlowSite {
  const std::string &function; // qualified, printable name
  SourcePoint at;
};

class FlowHandler {
public:
  virtual ~FlowHandler() = default;

  // A non-recursive, exclusive, unbounded acquisition of a lock the path already holds.
  virtual void acquiredWhileHeld(const FlowSite &, const LockRef & /*lock*/, const HeldLock & /*held*/) {}
  // A member .lock() on a lock this function also releases with a member .unlock().
  virtual void lockedByHand(const FlowSite &, const LockRef &) {}
  // A release of a lock that is not held; `guard` names the guard released through, or is empty.
  virtual void releasedNotHeld(const FlowSite &, const LockRef &, const std::string & /*guard*/) {}
  // A co_await / co_yield (`keyword`) while `innermost` (the last lock taken) is held.
  virtual void suspendedWhileHeld(const FlowSite &, const char * /*keyword*/, const HeldLock & /*innermost*/) {}
  // A manual acquisition still definitely held where the function returns (site.at).
  virtual void heldAtReturn(const FlowSite &, const HeldLock &) {}
  // A guard that is a temporary (`std::lock_guard<std::mutex>{m};`) of type `guardType`.
  virtual void temporaryGuard(const FlowSite &, const std::string & /*guardType*/) {}
  // `T(name);`: a declaration of a new, empty guard `name` (the most vexing parse).
  virtual void vexingParseGuard(const FlowSite &, const std::string & /*name*/) {}
};

// Makes the handler that reports into `out`. The rules are that handler (rules/registry.h
// makeRuleSet), but they sit above extract in the stage order (docs/design.md "Stages"), so
// whoever runs an extraction hands the factory in.
using FlowHandlerFactory = std::function<std::unique_ptr<FlowHandler>(std::vector<Finding> &out)>;

} // namespace lockcheck
