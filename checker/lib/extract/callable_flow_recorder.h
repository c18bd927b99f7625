// Callable flows (issue 19): which functions and lambdas flow into each field, variable and
// parameter of callable type (std::function, function pointer, pointer to member, a
// container of these), field-based and flow-insensitive, so that the link phase can
// resolve a call through one program-wide (link/indirect_targets.h). What is and is not
// followed: docs/design.md "Indirect calls".
#pragma once

#include "facts/facts.h"

#include <string>

namespace clang {
class ASTContext;
class Expr;
class FunctionDecl;
class SourceManager;
class ValueDecl;
} // namespace clang

namespace lockcheck {

// The slot key of a field ("f:Class::field"), global or static ("g:name"), parameter
// ("p:<function key>#N") or local ("l:<function key>#name@line"); empty for anything else.
// Stream slots (extract/stream_identity.h) are named the same way.
std::string slotOfDecl(const clang::ValueDecl *d, const clang::SourceManager &sm);

// Peels what wraps a callable value: std::function from a lambda, std::move/forward/ref, &f.
const clang::Expr *stripCallable(const clang::Expr *e);

// The slot a call goes through when `callee` (the called expression, or the object of an
// operator() call) names a field, a global or a local of callable type, an element of a
// container or array of them, or the loop variable of a range-for over one. Empty otherwise;
// `display` gets the name as written ("on_change_", "cb").
std::string calledSlot(const clang::Expr *callee, clang::ASTContext &ctx, std::string &display);

// Records the flows of every assignment, initialiser and argument of callable type in the
// TU's own (non-system) code into out.callableFlows.
void recordCallableFlows(clang::ASTContext &ctx, TUFacts &out);

} // namespace lockcheck
