#include "extract/exception_paths.h"

#include <clang/AST/ExprCXX.h>
#include <clang/AST/StmtCXX.h>
#include <clang/Analysis/CFG.h>
#include <clang/Basic/SourceManager.h>

namespace lockcheck {
using namespace clang;

namespace {

bool mayThrow(const FunctionDecl *callee) {
  if (!callee) return true; // through a pointer: unknown
  const auto *proto = callee->getType()->getAs<FunctionProtoType>();
  return !(proto && proto->isNothrow());
}

bool isThrowingCall(const Stmt *stmt) {
  if (const auto *call = dyn_cast<CallExpr>(stmt)) return !call->getBuiltinCallee() && mayThrow(call->getDirectCallee());
  if (const auto *construct = dyn_cast<CXXConstructExpr>(stmt))
    return !construct->getConstructor()->isTrivial() && mayThrow(construct->getConstructor());
  return false;
}

} // namespace

ExceptionPaths::ExceptionPaths(const CFG &cfg, const SourceManager &sm) : sm_(sm) {
  for (const CFGBlock *block : cfg)
    if (isDispatch(*block)) {
      const auto *tryStmt = cast<CXXTryStmt>(block->getTerminatorStmt());
      const Stmt *body = tryStmt->getTryBlock();
      tries_.push_back(Try{block, sm_.getExpansionLoc(body->getBeginLoc()), sm_.getExpansionLoc(body->getEndLoc())});
    }
}

bool ExceptionPaths::isDispatch(const CFGBlock &block) {
  return block.getTerminatorStmt() && isa<CXXTryStmt>(block.getTerminatorStmt());
}

bool ExceptionPaths::within(SourceLocation loc, const Try &t) const {
  return loc.isValid() && sm_.isPointWithin(loc, t.begin, t.end);
}

const ExceptionPaths::Try *ExceptionPaths::innermost(SourceLocation loc) const {
  const Try *best = nullptr;
  for (const auto &t : tries_)
    if (within(loc, t) && (!best || sm_.isBeforeInTranslationUnit(best->begin, t.begin))) best = &t;
  return best;
}

const CFGBlock *ExceptionPaths::throwTarget(const Stmt *stmt) const {
  if (tries_.empty() || !isThrowingCall(stmt)) return nullptr;
  const Try *t = innermost(sm_.getExpansionLoc(stmt->getBeginLoc()));
  return t ? t->dispatch : nullptr;
}

void ExceptionPaths::unwind(LockSet &state, const CFGBlock &dispatch) const {
  for (const auto &t : tries_) {
    if (t.dispatch != &dispatch) continue;
    std::vector<const VarDecl *> inner;
    auto declaredInside = [&](const VarDecl *guard) {
      return guard && within(sm_.getExpansionLoc(guard->getLocation()), t);
    };
    for (const auto &b : state.bindings)
      if (declaredInside(b.guard)) inner.push_back(b.guard);
    for (const auto &f : state.facts)
      if (declaredInside(f.guard)) inner.push_back(f.guard);
    for (const VarDecl *guard : inner) {
      state.dropOwnedBy(guard);
      state.unbind(guard);
    }
  }
}

} // namespace lockcheck
