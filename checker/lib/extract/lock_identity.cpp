#include "extract/lock_identity.h"

#include "extract/decl_names.h"
#include "extract/expr_peel.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/Decl.h>
#include <clang/AST/DeclCXX.h>
#include <clang/AST/Expr.h>
#include <clang/AST/ExprCXX.h>
#include <clang/Basic/SourceManager.h>
#include <clang/Lex/Lexer.h>

namespace lockcheck {
using namespace clang;

namespace {

// "g:<qualified name>" for an object with static storage. A static local is named after its
// function too. One with internal linkage (`static`, anonymous namespace, or a static
// local of such a function) exists once per translation unit, so its key names the
// unit's main file: the same name in two files is two locks (docs/spec.md §1 Identity).
LockKey globalKey(const VarDecl *var) {
  std::string name = normalizedName(var);
  bool perUnit = !var->isExternallyVisible();
  if (var->isStaticLocal())
    if (const auto *owner = dyn_cast<FunctionDecl>(var->getParentFunctionOrMethod())) {
      name = normalizedName(owner) + "::" + var->getNameAsString();
      perUnit = !owner->isExternallyVisible();
    }
  if (!perUnit) return LockKey::global(name);
  const SourceManager &sm = var->getASTContext().getSourceManager();
  std::string unit = sourcePoint(sm, sm.getLocForStartOfFile(sm.getMainFileID())).file;
  return LockKey::global(name, unit);
}

struct Path {
  LockKey key;
  const FieldDecl *lastField = nullptr;
  bool global = false;
};

std::optional<Path> pathOf(const Expr *e, const FunctionDecl *fn) {
  e = peel(e);
  if (!e) return std::nullopt;
  if (isa<CXXThisExpr>(e)) return Path{LockKey::thisObject(), nullptr, false};
  if (const auto *ref = dyn_cast<DeclRefExpr>(e)) {
    const auto *var = dyn_cast<VarDecl>(ref->getDecl());
    if (!var) return std::nullopt;
    if (const auto *parm = dyn_cast<ParmVarDecl>(var)) {
      unsigned index = parm->getFunctionScopeIndex();
      // Attributes on an earlier declaration name that declaration's parameters.
      const auto *owner = dyn_cast<FunctionDecl>(parm->getDeclContext());
      if (!owner || !fn || owner->getCanonicalDecl() != fn->getCanonicalDecl())
        return Path{LockKey::local(parm->getNameAsString()), nullptr, false};
      return Path{LockKey::parameter(index), nullptr, false};
    }
    if (var->hasGlobalStorage()) return Path{globalKey(var), nullptr, true};
    auto &sm = var->getASTContext().getSourceManager();
    return Path{LockKey::local(var->getNameAsString(), sm.getSpellingLineNumber(var->getLocation())), nullptr, false};
  }
  if (const auto *member = dyn_cast<MemberExpr>(e)) {
    const ValueDecl *decl = member->getMemberDecl();
    if (const auto *var = dyn_cast<VarDecl>(decl)) // static data member
      return Path{globalKey(var), nullptr, true};
    const auto *field = dyn_cast<FieldDecl>(decl);
    if (!field) return std::nullopt;
    auto base = pathOf(member->getBase(), fn);
    if (!base) return std::nullopt;
    base->key = base->key.join(field->getNameAsString());
    base->lastField = field;
    return base;
  }
  return std::nullopt;
}

std::string spelling(const Expr *e, ASTContext &ctx) {
  const SourceManager &sm = ctx.getSourceManager();
  CharSourceRange range = CharSourceRange::getTokenRange(sm.getFileLoc(e->getBeginLoc()), sm.getFileLoc(e->getEndLoc()));
  std::string text = Lexer::getSourceText(range, sm, ctx.getLangOpts()).str();
  if (text.empty() || text.size() > 80) return {};
  for (const char *prefix : {"&", "*", "this->"})
    if (text.rfind(prefix, 0) == 0) text = text.substr(std::string(prefix).size());
  return text;
}

} // namespace

std::optional<LockRef> lockRefFor(const Expr *expr, const FunctionDecl *fn, ASTContext &ctx) {
  auto path = pathOf(expr, fn);
  if (!path) {
    std::string text = spelling(peel(expr), ctx);
    if (text.empty()) return std::nullopt;
    return LockRef{LockKey::spelling(text), LockKey::spelling(text), text, false, false};
  }
  LockRef ref;
  ref.key = path->key;
  ref.order = path->key;
  if (path->lastField && !path->global) ref.order = fieldOrder(path->lastField);
  ref.display = spelling(peel(expr), ctx);
  if (ref.display.empty()) ref.display = path->key.rest;
  return ref;
}

LockKey fieldOrder(const FieldDecl *field) {
  return LockKey::field(normalizedName(cast<RecordDecl>(field->getParent())), field->getNameAsString());
}

} // namespace lockcheck
