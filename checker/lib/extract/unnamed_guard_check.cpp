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
  UnnamedGuardVisitor(const LockRecognizer &rec, ASTContext &ctx, const std::string &fn, std::vector<Finding> &out)
      : rec_(rec), ctx_(ctx), fn_(fn), out_(out) {}

  bool TraverseLambdaExpr(LambdaExpr *) { return true; } // lambdas are checked as functions of their own

  bool VisitCompoundStmt(CompoundStmt *block) {
    for (Stmt *s : block->body()) {
      if (const auto *e = dyn_cast<Expr>(s)) checkDiscarded(e);
      else if (const auto *d = dyn_cast<DeclStmt>(s)) checkVexingParse(d);
    }
    return true;
  }

private:
  void report(SourceLocation loc, const std::string &message) {
    Finding f;
    f.rule = "unnamed-guard";
    f.severity = Severity::Error;
    f.anchor = sourcePoint(ctx_.getSourceManager(), loc);
    f.message = message;
    f.function = fn_;
    out_.push_back(std::move(f));
  }

  void checkDiscarded(const Expr *e) {
    const Expr *inner = e->IgnoreImplicit()->IgnoreParens();
    if (const auto *cast = dyn_cast<CXXFunctionalCastExpr>(inner)) inner = cast->getSubExpr()->IgnoreImplicit();
    const auto *construct = dyn_cast<CXXConstructExpr>(inner);
    if (!construct || construct->getNumArgs() == 0 || !rec_.isGuardType(construct->getType())) return;
    std::string type = normalizedTypeName(construct->getType());
    report(e->getBeginLoc(), "this " + type + " is a temporary destroyed at the end of the statement; "
                             "it protects nothing (name it: '" + type.substr(type.rfind(':') + 1) + " lock(...);')");
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
      report(decl->getBeginLoc(), "this declares a new, empty guard named '" + var->getNameAsString() +
                                      "' instead of locking '" + var->getNameAsString() +
                                      "' (the most vexing parse); write 'std::unique_lock<...> lock(" +
                                      var->getNameAsString() + ");'");
    }
  }

  const LockRecognizer &rec_;
  ASTContext &ctx_;
  const std::string &fn_;
  std::vector<Finding> &out_;
};

} // namespace

void checkUnnamedGuards(const FunctionDecl *fn, const LockRecognizer &recognizer, ASTContext &ctx,
                        const std::string &functionName, std::vector<Finding> &findings) {
  UnnamedGuardVisitor visitor(recognizer, ctx, functionName, findings);
  visitor.TraverseStmt(fn->getBody());
}

} // namespace lockcheck
