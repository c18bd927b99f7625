// One view over the ways C++ calls a function (plain, member, operator, constructor),
// so recognisers ask "callee, object, arguments" once.
#pragma once

#include <vector>

namespace clang {
class Expr;
class FunctionDecl;
class Stmt;
} // namespace clang

namespace lockcheck {

struct CallSite {
  const clang::Stmt *expr = nullptr;
  const clang::FunctionDecl *callee = nullptr;
  const clang::Expr *object = nullptr; // implicit object of a member call (null for `this`-less calls)
  bool implicitThis = false;           // member call on `this` written without it
  std::vector<const clang::Expr *> args;
  bool isConstruct = false;
};

// Fills `out` for CallExpr (incl. member and operator calls) and CXXConstructExpr.
bool asCallSite(const clang::Stmt *stmt, CallSite &out);

} // namespace lockcheck
