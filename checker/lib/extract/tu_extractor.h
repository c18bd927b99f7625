// Phase one: one translation unit in, its facts out (no global state; docs/spec.md §8).
#pragma once

#include "extract/flow_handler.h"
#include "facts/facts.h"
#include "config/rule_pack.h"

#include <memory>

namespace clang {
class ASTConsumer;
class FrontendAction;
} // namespace clang

namespace lockcheck {

// A FrontendAction that fills `out` with the facts of the TU it is run on; the flow events go
// to a handler `rules` makes, reporting into `out.findings`.
std::unique_ptr<clang::FrontendAction> makeExtractAction(const RulePacks &packs, TUFacts &out,
                                                         FlowHandlerFactory rules);

} // namespace lockcheck
