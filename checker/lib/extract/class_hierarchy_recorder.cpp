#include "extract/class_hierarchy_recorder.h"

#include "extract/decl_names.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/Attr.h>
#include <clang/AST/DeclCXX.h>
#include <clang/AST/RecursiveASTVisitor.h>

namespace lockcheck {
using namespace clang;

namespace {

class HierarchyVisitor : public RecursiveASTVisitor<HierarchyVisitor> {
  using Base = RecursiveASTVisitor<HierarchyVisitor>;

public:
  HierarchyVisitor(ASTContext &ctx, TUFacts &out) : ctx_(ctx), sm_(ctx.getSourceManager()), out_(out) {}
  bool shouldVisitTemplateInstantiations() const { return true; }
  bool TraverseDecl(Decl *d) {
    if (d && !isa<TranslationUnitDecl>(d) && sm_.isInSystemHeader(d->getLocation())) return true;
    return Base::TraverseDecl(d);
  }

  bool VisitCXXRecordDecl(CXXRecordDecl *rec) {
    if (!rec->isThisDeclarationADefinition() || rec->isDependentContext() || rec->isInvalidDecl() ||
        !rec->isPolymorphic() || rec->isLambda() || sm_.isInSystemHeader(rec->getLocation()))
      return true;
    // A class with a key function (its first out-of-line virtual) is written by the one TU
    // that defines it, as the compiler emits its vtable there: not again by every includer.
    if (const CXXMethodDecl *key = ctx_.getCurrentKeyFunction(rec); key && !key->isDefined()) return true;
    std::string name = normalizedName(rec);
    if (name.empty() || out_.classes.count(name)) return true;
    ClassFacts c;
    for (const CXXBaseSpecifier &base : rec->bases()) c.bases.push_back(normalizedTypeName(base.getType()));
    c.final = rec->hasAttr<FinalAttr>();
    for (const CXXMethodDecl *m : rec->methods()) {
      if (!m->isVirtual() || isa<CXXDestructorDecl>(m)) continue;
      VirtualMethod vm;
      vm.key = functionKey(m, sm_);
      for (const CXXMethodDecl *o : m->overridden_methods()) vm.overrides.push_back(functionKey(o, sm_));
      vm.pure = m->isPureVirtual();
      vm.final = m->hasAttr<FinalAttr>();
      c.methods.push_back(std::move(vm));
    }
    out_.classes.emplace(std::move(name), std::move(c));
    return true;
  }

private:
  ASTContext &ctx_;
  const SourceManager &sm_;
  TUFacts &out_;
};

} // namespace

void recordClassHierarchy(ASTContext &ctx, TUFacts &out) {
  HierarchyVisitor(ctx, out).TraverseDecl(ctx.getTranslationUnitDecl());
}

} // namespace lockcheck
