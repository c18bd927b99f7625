// Peeling expressions down to what they denote.
//
// peelWrappers: only the wrappers Clang puts around an expression (parentheses, implicit
// casts, cleanups, materialised and bound temporaries, constant and functional casts), so
// the flow engine sees the call or construction underneath (conditions, callables).
//
// peel: the object an expression names, for lock identity and guard variables. On top of
// the wrappers it sees through what only changes how the object is reached: `&x`, `*p`,
// casts, std::ref/cref/addressof/move/forward, a smart pointer's operator* / operator->
// and get(), std::optional's value(). So `*mu_`, `mu_->`, `*mu_.get()` and `mu_` (a raw
// pointer or a reference member) all name the member `mu_` (docs/spec.md §2: `this->mu_`
// in two methods is the same lock).
#pragma once

namespace clang {
class Expr;
}

namespace lockcheck {

const clang::Expr *peelWrappers(const clang::Expr *e);
const clang::Expr *peel(const clang::Expr *e);

} // namespace lockcheck
