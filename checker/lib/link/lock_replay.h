// The link half of learning lock wrappers from their bodies (spec §1; docs/design.md "Lock
// wrappers"). A function that calls a wrapper whose body is in another translation unit
// carries a replay skeleton (facts/lock_effects.h LockProgram). Here, once every TU is in,
// the lock-set dataflow runs again over that skeleton with each callee's effects, callees
// first (a wrapper over a wrapper over a pimpl, each in its own file). What it finds is
// written back into the function's facts, so the rest of the link sees it as if extract had
// known: the learned locks held at each call and acquisition, its own acquisitions, entry
// locks and effects; calls that turned out to be lock operations stop being calls. Misuse
// (a double lock, an unlock not held, a lock not released) goes to the rules' flow hooks.
#pragma once

#include "extract/flow_handler.h"
#include "facts/facts.h"

namespace lockcheck {

void replayLearnedLocks(FunctionMap &functions, FlowHandler &handler);

} // namespace lockcheck
