// Which lock an expression names: "store.mu" in one function and "this->mu_" across the
// methods of one object (SPEC §2: locks are identified by expression, not by type).
#pragma once

#include "facts/facts.h"

#include <optional>
#include <string>

namespace clang {
class ASTContext;
class Expr;
class FunctionDecl;
} // namespace clang

namespace lockcheck {

// Key and order identity of the object `expr` denotes (see LockRef in facts.h),
// relative to `fn`. std::nullopt when the expression names no stable object.
std::optional<LockRef> lockRefFor(const clang::Expr *expr, const clang::FunctionDecl *fn,
                                  clang::ASTContext &ctx);

// Appends a member path to a key: join("t:", "mu") == "t:mu", join("g:s", "mu") == "g:s.mu".
std::string joinKey(const std::string &base, const std::string &member);

// Rewrites a key relative to a callee into the caller's terms, given the caller's key
// for the callee's `this` and for each argument. Empty when it does not translate
// (the callee's locals, unknown objects).
std::string translateKey(const std::string &calleeKey, const std::string &thisArg,
                         const std::vector<std::string> &argKeys);

} // namespace lockcheck
