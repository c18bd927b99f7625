// The class hierarchy that virtual calls are resolved over at link time (issue 19): each
// polymorphic class in the TU's own code with its bases, `final`, and its virtual methods
// with what they override.
#pragma once

#include "facts/facts.h"

namespace clang {
class ASTContext;
}

namespace lockcheck {

void recordClassHierarchy(clang::ASTContext &ctx, TUFacts &out);

} // namespace lockcheck
