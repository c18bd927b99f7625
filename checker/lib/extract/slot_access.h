// Which slot (facts/slot_key.h) an expression reads or writes: a field, global, local or
// parameter of slot type (extract/slot_types.h), seen through what only changes how it is
// reached — element access (`v[i]`, `at`, `front`, `find`, `begin`), iterators (`*it`,
// `it->second`), pairs, range-for and structured bindings, and local references, pointers
// and iterators that alias a slot (`const auto &cb = it->second`). A container is one
// slot with everything in it; a field is one slot in every object of its class.
#pragma once

#include "facts/slot_key.h"

#include <string>

namespace clang {
class ASTContext;
class CallExpr;
class CXXRecordDecl;
class Expr;
class FunctionDecl;
class SourceManager;
class ValueDecl;
class VarDecl;
} // namespace clang

namespace lockcheck {

// Peels what wraps a callable value: std::function from a lambda, std::move/forward/ref, &f.
const clang::Expr *stripCallable(const clang::Expr *e);

// The slot a declaration is (empty if it is none of a field, variable or parameter).
SlotKey slotOfDecl(const clang::ValueDecl *d, const clang::SourceManager &sm);

struct SlotRead {
  SlotKey key;         // empty: the expression reads no slot
  std::string display; // the name as written ("on_change_", "cb")
};
// The slot `e` reads as a whole value or one element of.
SlotRead slotRead(const clang::Expr *e, const clang::SourceManager &sm);
// For a local that aliases a slot (a reference, an iterator, a pointer to a callable), that
// slot; empty for any other variable.
SlotKey aliasedSlot(const clang::VarDecl *var, const clang::SourceManager &sm);

// What `call` calls when it goes through a callable value rather than to a function:
// the callee of a call through a pointer, or the object of std::function::operator().
// Null for a call that names its function.
const clang::Expr *calledValue(const clang::CallExpr *call, const clang::FunctionDecl *callee);
// The slot a call goes through when `called` (calledValue()) names a field, a global or a
// local of callable type, an element of a container or array of them, or the loop variable
// of a range-for over one. Empty otherwise, and for a parameter: that is the caller's
// callable, judged at each caller. `display` gets the name as written.
SlotKey calledSlot(const clang::Expr *called, clang::ASTContext &ctx, std::string &display);

// The object `e` hands on when it is one of exactly known class: `&local`, `local` bound
// to a reference, `new T`, `std::make_unique<T>`/`make_shared<T>`, a polymorphic class of
// the analysed code. Its class, and in `core` the node that creates or names it.
const clang::CXXRecordDecl *exactObject(const clang::Expr *e, const clang::Expr **core = nullptr);

} // namespace lockcheck
