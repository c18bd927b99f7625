#include "extract/unnamed_guard_check.h"

#include "extract/decl_names.h"
#include "extract/lock_ops.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/ExprCXX.h>
#include <clang/AST/RecursiveASTVisitor.h>
#include <clang/AST/StmtCXX.h>
#include <clang/Basic/SourceManager.h>

namespace lockcheck {
using namespace clang;

namespace {

class UnnamedGuardVisitor : public RecursiveASTVisitor<UnnamedGuardVisitor> {
public:
  UnnamedGuardVisitor(const LockRecognizer &rec, ASTContext &ctx, const std::string &fn, FlowHandler &handler)
      : rec_(rec), ctx_(ctx), fn_(fn), handler_(handler) {}

  bool TraverseLambdaExpr(LambdaExpr *) { return true; } // lambdas are checked as functions of their own

  bool VisitCompoundStmt(CompoundStmt *block) {
    for (Stmt *s : block->body()) {
      if (const auto *e = dyn_cast<Expr>(s)) checkDiscarded(e);
      else if (const auto *d = dyn_cast<DeclStmt>(s)) checkVexingParse(d);
    }
    return true;
  }

private:
  FlowSite site(SourceLocation loc) const { return FlowSite{fn_, sourcePoint(ctx_.getSourceManager(), loc)}; }

  void checkDiscarded(const Expr *e) {
    const Expr *inner = e->IgnoreImplicit()->IgnoreParens();
    // `(void)Guard(m);` / `static_cast<void>(Guard(m));` discard the temporary just the same.
    if (const auto *cast = dyn_cast<ExplicitCastExpr>(inner); cast && cast->getType()->isVoidType())
      inner = cast->getSubExpr()->IgnoreImplicit()->IgnoreParens();
    if (const auto *cast = dyn_cast<CXXFunctionalCastExpr>(inner)) inner = cast->getSubExpr()->IgnoreImplicit();
    const auto *construct = dyn_cast<CXXConstructExpr>(inner);
    if (!construct || construct->getNumArgs() == 0 || !rec_.isGuardType(construct->getType())) return;
    handler_.temporaryGuard(site(e->getBeginLoc()), normalizedTypeName(construct->getType()));
  }

  void checkVexingParse(const DeclStmt *decl) {
    for (const Decl *d : decl->decls()) {
      const auto *var = dyn_cast<VarDecl>(d);
      if (!var || !rec_.isGuardType(var->getType())) continue;
      const auto *construct = dyn_cast_or_null<CXXConstructExpr>(var->getInit());
      if (!construct || construct->getNumArgs() != 0) continue;
      // `T(name);` — the declarator is parenthesised: the token before the name is '('.
      const SourceManager &sm = ctx_.getSourceManager();
      SourceLocation nameLoc = sm.getFileLoc(var->getLocation());
      const char *begin = sm.getCharacterData(sm.getFileLoc(decl->getBeginLoc()));
      const char *p = sm.getCharacterData(nameLoc);
      while (p > begin && (p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\n')) --p;
      if (p == begin || p[-1] != '(') continue;
      handler_.vexingParseGuard(site(decl->getBeginLoc()), var->getNameAsString());
    }
  }

  const LockRecognizer &rec_;
  ASTContext &ctx_;
  const std::string &fn_;
  FlowHandler &handler_;
};

} // namespace

void checkUnnamedGuards(const FunctionDecl *fn, const LockRecognizer &recognizer, ASTContext &ctx,
                        const std::string &functionName, FlowHandler &handler) {
  UnnamedGuardVisitor visitor(recognizer, ctx, functionName, handler);
  visitor.TraverseStmt(fn->getBody());
}

} // namespace lockcheck
