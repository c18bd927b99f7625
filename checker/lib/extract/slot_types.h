// Which types make a value slot (docs/design.md "Indirect calls"): callables
// (std::function and its kin, function pointers and references, pointers to member
// functions) and pointers / references / smart pointers to polymorphic classes of the
// analysed code, each also inside a standard container, pair, iterator or array. And the
// key under which a callable type's conversions are filed for the type-matched fallback.
#pragma once

#include <clang/AST/Type.h>
#include <string>

namespace clang {
class ASTContext;
class CXXRecordDecl;
} // namespace clang

namespace lockcheck {

// "std::function", "std::move_only_function", "std::copyable_function", "std::function_ref".
bool isCallableRecordName(const std::string &name);
// A callable, a pointer to one (an alias of it) or a standard container / pair / iterator
// / array of these.
bool isCallableType(clang::QualType t);
// A pointer, reference or smart pointer to a polymorphic class of the analysed code, a
// pointer to one of these, or a standard container / pair / iterator / array of these.
bool isObjectSlotType(clang::QualType t);
inline bool isSlotType(clang::QualType t) { return isCallableType(t) || isObjectSlotType(t); }
// The polymorphic class of the analysed code that `t` is an object of (by value, not
// through a pointer or reference); null otherwise.
const clang::CXXRecordDecl *polymorphicObjectClass(clang::QualType t);

// The callable type a slot of type `t` holds, as the program spells it canonically:
// "void (*)(int)", "std::function<void (int)>" (every std::function kin), "void (C::*)(int)".
// Empty when `t` holds no callable.
std::string callableTypeKey(clang::QualType t, const clang::ASTContext &ctx);

} // namespace lockcheck
