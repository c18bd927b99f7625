// Peeling the wrappers Clang puts around an expression (parentheses, implicit casts,
// cleanups, materialised and bound temporaries, constant and functional casts), so the
// flow engine sees the call or construction underneath.
//
// Not merged with lock_identity.cpp's object peel (which also looks through &, * and
// std::ref/std::addressof to name the lock object) or LockRecognizer::guardVariable
// (std::move, optional's * and value()): applying either set of rules where the other is
// used would change which expressions name a lock or a guard.
#pragma once

namespace clang {
class Expr;
}

namespace lockcheck {

const clang::Expr *peelWrappers(const clang::Expr *e);

} // namespace lockcheck
