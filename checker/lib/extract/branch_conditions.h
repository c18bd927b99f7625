// Local condition variables for the lock-set dataflow's branch correlation: a bool, integer
// or pointer local or parameter that an `if` tests directly, so `if (c) m.lock(); ...
// if (c) m.unlock();` pairs up (LockSet::assume), and the expression a try-lock result was
// stored from (`int rc = pthread_mutex_trylock(&m); if (rc != 0) ...`).
#pragma once

namespace clang {
class ASTContext;
class Expr;
class Stmt;
class VarDecl;
} // namespace clang

namespace lockcheck {

class LockSet;

// The variable `e` names, if it is a local or parameter of scalar type; null otherwise.
const clang::VarDecl *conditionVariable(const clang::Expr *e);
// `rc` initialised from a call, `(rc = call)`: the call; else `e` itself.
const clang::Expr *storedResult(const clang::Expr *e);
// What a statement writes to condition variables: `c = true` (known again), `c = x`, `++c`,
// `&c` (unknown from then on), a declaration with its initial value. False if none.
bool updateConditionVariables(LockSet &state, const clang::Stmt *stmt, const clang::ASTContext &ctx);

} // namespace lockcheck
