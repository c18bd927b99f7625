// Value flows (issues 19, 27): which functions and lambdas flow into each slot of callable
// type, and which classes' objects into each slot of polymorphic pointer type (fields,
// globals, locals, parameters; extract/slot_access.h says which slot an expression is),
// field-based and flow-insensitive, so that the link phase can resolve a call through one
// program-wide (link/indirect_targets.h). Also the functions converted to each callable
// type (the fallback when a flow is lost), the type of each called slot, and the classes
// whose objects escape every slot. What is and is not followed: docs/design.md "Indirect calls".
#pragma once

#include "facts/facts.h"

namespace clang {
class ASTContext;
} // namespace clang

namespace lockcheck {

// Records the flows of every assignment, initialiser and argument of slot type in the TU's
// own (non-system) code into out.callableFlows, out.callableTypes and out.escapingClasses.
void recordCallableFlows(clang::ASTContext &ctx, TUFacts &out);

} // namespace lockcheck
