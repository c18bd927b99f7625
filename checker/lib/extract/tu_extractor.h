// Phase one: one translation unit in, its facts out (no global state; docs/spec.md §8).
#pragma once

#include "facts/facts.h"
#include "config/rule_pack.h"

#include <memory>

namespace clang {
class ASTConsumer;
class FrontendAction;
} // namespace clang

namespace lockcheck {

// A FrontendAction that fills `out` with the facts of the TU it is run on.
std::unique_ptr<clang::FrontendAction> makeExtractAction(const RulePacks &packs, TUFacts &out);

} // namespace lockcheck
