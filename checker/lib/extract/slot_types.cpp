#include "extract/slot_types.h"

#include "extract/decl_names.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/DeclTemplate.h>
#include <clang/AST/PrettyPrinter.h>
#include <clang/Basic/SourceManager.h>

namespace lockcheck {
using namespace clang;

namespace {

// A nested map's iterator is four levels deep: iterator, pair, map, std::function.
constexpr int kMaxDepth = 6;

bool inSystemHeader(const Decl *d) { return d->getASTContext().getSourceManager().isInSystemHeader(d->getLocation()); }

// The type arguments of a library template (std::vector<T>, std::pair<K, V>,
// __gnu_cxx::__normal_iterator<T *, ...>): what a container, pair or iterator holds.
template <class Pred> bool anyLibraryTypeArgument(const CXXRecordDecl *rec, Pred &&pred) {
  const auto *spec = dyn_cast<ClassTemplateSpecializationDecl>(rec);
  if (!spec || !inSystemHeader(rec)) return false;
  for (const TemplateArgument &arg : spec->getTemplateArgs().asArray())
    if (arg.getKind() == TemplateArgument::Type && pred(arg.getAsType())) return true;
  return false;
}

QualType withoutArrays(QualType t) {
  t = t.getCanonicalType();
  while (const ArrayType *a = t->getAsArrayTypeUnsafe()) t = a->getElementType().getCanonicalType();
  return t;
}

bool isCallable(QualType t, int depth) {
  if (t.isNull() || depth > kMaxDepth) return false;
  t = withoutArrays(t.getNonReferenceType());
  if (t->isFunctionPointerType() || t->isMemberFunctionPointerType() || t->isFunctionType()) return true;
  if (const auto *ptr = t->getAs<PointerType>()) return isCallable(ptr->getPointeeType(), depth + 1); // an alias
  const auto *rec = t->getAsCXXRecordDecl();
  if (!rec) return false;
  if (isCallableRecordName(normalizedName(rec))) return true;
  return anyLibraryTypeArgument(rec, [&](QualType arg) { return isCallable(arg, depth + 1); });
}

bool isObjectSlot(QualType t, int depth) {
  if (t.isNull() || depth > kMaxDepth) return false;
  if (t->isReferenceType() && polymorphicObjectClass(t.getNonReferenceType())) return true; // Handler &
  t = withoutArrays(t.getNonReferenceType());
  if (const auto *ptr = t->getAs<PointerType>()) {
    QualType pointee = ptr->getPointeeType();
    return polymorphicObjectClass(pointee) || (pointee->isPointerType() && isObjectSlot(pointee, depth + 1));
  }
  const auto *rec = t->getAsCXXRecordDecl();
  if (!rec) return false;
  return anyLibraryTypeArgument(rec, [&](QualType arg) { return polymorphicObjectClass(arg) || isObjectSlot(arg, depth + 1); });
}

std::string callableKey(QualType t, const ASTContext &ctx, const PrintingPolicy &policy, int depth) {
  if (t.isNull() || depth > kMaxDepth) return {};
  t = withoutArrays(t.getNonReferenceType());
  if (t->isFunctionType()) t = ctx.getPointerType(t).getCanonicalType();
  if (t->isFunctionPointerType() || t->isMemberFunctionPointerType()) return t.getAsString(policy);
  if (const auto *ptr = t->getAs<PointerType>()) return callableKey(ptr->getPointeeType(), ctx, policy, depth + 1);
  const auto *rec = t->getAsCXXRecordDecl();
  if (!rec) return {};
  if (isCallableRecordName(normalizedName(rec))) {
    const auto *spec = dyn_cast<ClassTemplateSpecializationDecl>(rec);
    if (!spec || spec->getTemplateArgs().size() == 0 || spec->getTemplateArgs()[0].getKind() != TemplateArgument::Type)
      return {};
    return "std::function<" + spec->getTemplateArgs()[0].getAsType().getCanonicalType().getAsString(policy) + ">";
  }
  std::string key;
  anyLibraryTypeArgument(rec, [&](QualType arg) { return !(key = callableKey(arg, ctx, policy, depth + 1)).empty(); });
  return key;
}

} // namespace

bool isCallableRecordName(const std::string &name) {
  return name == "std::function" || name == "std::move_only_function" || name == "std::copyable_function" ||
         name == "std::function_ref";
}

bool isCallableType(QualType t) { return isCallable(t, 0); }
bool isObjectSlotType(QualType t) { return isObjectSlot(t, 0); }

const CXXRecordDecl *polymorphicObjectClass(QualType t) {
  if (t.isNull() || t->isReferenceType()) return nullptr;
  const auto *rec = t.getCanonicalType()->getAsCXXRecordDecl();
  if (!rec || !rec->hasDefinition() || rec->isLambda() || inSystemHeader(rec)) return nullptr;
  rec = rec->getDefinition();
  return rec->isPolymorphic() ? rec : nullptr;
}

std::string callableTypeKey(QualType t, const ASTContext &ctx) {
  PrintingPolicy policy(ctx.getLangOpts());
  policy.SuppressTagKeyword = true;
  policy.SuppressScope = false;
  policy.PrintCanonicalTypes = true;
  return callableKey(t, ctx, policy, 0);
}

} // namespace lockcheck
