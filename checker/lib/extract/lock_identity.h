// Which lock an expression names: "store.mu" in one function and "this->mu_" across the
// methods of one object (docs/spec.md §2: locks are identified by expression, not by type).
#pragma once

#include "facts/facts.h"
#include "facts/lock_key.h"

#include <optional>
#include <string>

namespace clang {
class ASTContext;
class Expr;
class FieldDecl;
class FunctionDecl;
} // namespace clang

namespace lockcheck {

// Key and order identity of the object `expr` denotes (see LockRef in facts.h),
// relative to `fn`. std::nullopt when the expression names no stable object.
std::optional<LockRef> lockRefFor(const clang::Expr *expr, const clang::FunctionDecl *fn,
                                  clang::ASTContext &ctx);

// The lock-order identity of a member, the same in every function: "f:<Class>::<field>".
LockKey fieldOrder(const clang::FieldDecl *field);

} // namespace lockcheck
