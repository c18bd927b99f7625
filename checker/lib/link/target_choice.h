// Which explanation of why a call blocks a summary keeps, and so which target a finding
// names (docs/spec.md §3 "The named target is the normal one"). The one place that orders
// explanations, for the blocking solver (program_linker.cpp), a calling context
// (calling_context.cpp) and the possible targets of an indirect call (indirect_blocking.cpp,
// whose preferredTarget() also puts a target whose flow reaches the call before the others
// once stream dependence is equal).
#pragma once

#include "link/program_linker.h"

namespace lockcheck {

// Kinds of explanation, best first: one that blocks whatever the arguments, before one that
// blocks only when a stream argument is not the console or a non-blocking descriptor; one
// that surely blocks, before one that may (only some possible targets of an indirect call
// block). A worse kind does not explain a summary while a better one does.
int explanationKind(const ProgramLinker::Blocking &b);

// Within one kind: whether `candidate` names a better target than `current`, the one on the
// path that runs when nothing fails (no catch block or error branch down its chain) over
// one that blocks only on an error path.
bool namesBetterTarget(const ProgramLinker::Blocking &candidate, const ProgramLinker::Blocking &current);

} // namespace lockcheck
