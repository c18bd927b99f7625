#include "extract/decl_names.h"

#include "findings/finding.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/Decl.h>
#include <clang/AST/DeclCXX.h>
#include <clang/AST/DeclTemplate.h>
#include <clang/AST/Type.h>
#include <clang/Basic/FileManager.h>
#include <clang/Basic/SourceManager.h>
#include <clang/Index/USRGeneration.h>
#include <llvm/ADT/SmallString.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>

namespace lockcheck {
using namespace clang;

std::string normalizedName(const NamedDecl *decl) {
  if (!decl) return {};
  std::string out;
  auto prepend = [&out](const std::string &part) { out = out.empty() ? part : part + "::" + out; };
  if (const auto *ctor = dyn_cast<CXXConstructorDecl>(decl))
    prepend(ctor->getParent()->getNameAsString());
  else if (const auto *dtor = dyn_cast<CXXDestructorDecl>(decl))
    prepend("~" + dtor->getParent()->getNameAsString());
  else if (decl->getDeclName().isEmpty())
    prepend("(anonymous)");
  else
    prepend(decl->getNameAsString());
  for (const DeclContext *ctx = decl->getDeclContext(); ctx; ctx = ctx->getParent()) {
    if (const auto *ns = dyn_cast<NamespaceDecl>(ctx)) {
      if (ns->isInline()) continue;
      prepend(ns->isAnonymousNamespace() ? "(anonymous)" : ns->getNameAsString());
    } else if (const auto *rec = dyn_cast<RecordDecl>(ctx)) {
      prepend(rec->getName().empty() ? "(anonymous)" : rec->getNameAsString());
    } else if (isa<FunctionDecl>(ctx)) {
      break; // a local class: its own name is enough
    }
  }
  return out;
}

std::string normalizedTypeName(QualType type) {
  if (type.isNull()) return {};
  type = type.getNonReferenceType();
  if (const auto *ptr = type->getAs<PointerType>()) type = ptr->getPointeeType();
  type = type.getCanonicalType();
  if (const auto *rec = type->getAsRecordDecl()) return normalizedName(rec);
  if (const auto *spec = type->getAs<TemplateSpecializationType>())
    if (auto *td = spec->getTemplateName().getAsTemplateDecl()) return normalizedName(td);
  return {};
}

std::string displayPath(const std::string &path) {
  llvm::SmallString<256> abs(path);
  llvm::sys::fs::make_absolute(abs);
  llvm::sys::path::remove_dots(abs, true);
  llvm::SmallString<256> cwd;
  if (!llvm::sys::fs::current_path(cwd)) {
    std::string prefix = std::string(cwd.str()) + "/";
    std::string a(abs.str());
    if (a.rfind(prefix, 0) == 0) return a.substr(prefix.size());
  }
  return std::string(abs.str());
}

SourcePoint sourcePoint(const SourceManager &sm, SourceLocation loc) {
  if (loc.isInvalid()) return {};
  SourceLocation spelling = sm.getFileLoc(loc);
  PresumedLoc p = sm.getPresumedLoc(spelling);
  if (p.isInvalid()) return {};
  // Names relative to the compile command's directory, not to ours.
  llvm::SmallString<256> name(p.getFilename());
  sm.getFileManager().getVirtualFileSystem().makeAbsolute(name);
  return SourcePoint{displayPath(std::string(name.str())), p.getLine(), p.getColumn()};
}

static std::string templateArgsText(const FunctionDecl *fn) {
  const TemplateArgumentList *args = fn->getTemplateSpecializationArgs();
  if (!args) return {};
  std::string text;
  llvm::raw_string_ostream os(text);
  PrintingPolicy policy(fn->getASTContext().getLangOpts());
  printTemplateArgumentList(os, args->asArray(), policy);
  return os.str();
}

std::string displayName(const FunctionDecl *fn, const SourceManager &sm) {
  if (const auto *method = dyn_cast<CXXMethodDecl>(fn); method && method->getParent()->isLambda()) {
    SourcePoint p = sourcePoint(sm, method->getParent()->getLocation());
    // The file's name only: a message must read the same wherever the tree is checked out
    // (baselines and suppressions compare messages); the finding's own location has the path.
    return "lambda at " + llvm::sys::path::filename(p.file.str()).str() + ":" + std::to_string(p.line);
  }
  std::string text;
  llvm::raw_string_ostream os(text);
  fn->printQualifiedName(os);
  return os.str();
}

std::string functionKey(const FunctionDecl *fn, const SourceManager &sm) {
  if (const auto *method = dyn_cast<CXXMethodDecl>(fn); method && method->getParent()->isLambda()) {
    SourcePoint p = sourcePoint(sm, method->getParent()->getLocation());
    // The closure's constructors, destructor and conversion are not its body: copying a
    // lambda must not count as running it.
    std::string member;
    if (isa<CXXConstructorDecl>(method)) member = "#ctor";
    else if (isa<CXXDestructorDecl>(method)) member = "#dtor";
    else if (method->getOverloadedOperator() != OO_Call) member = "#" + method->getNameAsString();
    return "lambda:" + p.file + ":" + std::to_string(p.line) + ":" + std::to_string(p.column) +
           templateArgsText(fn) + member;
  }
  llvm::SmallString<128> usr;
  if (index::generateUSRForDecl(fn, usr)) return "name:" + normalizedName(fn) + templateArgsText(fn);
  return std::string(usr.str());
}

} // namespace lockcheck
