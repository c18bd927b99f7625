// Phase one: one translation unit in, its facts out (no global state; docs/spec.md §8).
#pragma once

#include "extract/flow_handler.h"
#include "facts/facts.h"
#include "config/rule_pack.h"

#include <memory>

namespace clang {
class ASTConsumer;
class CompilerInstance;
class FrontendAction;
} // namespace clang

namespace lockcheck {

// A FrontendAction that fills `out` with the facts of the TU it is run on; the flow events go
// to a handler `rules` makes, reporting into `out.findings`.
std::unique_ptr<clang::FrontendAction> makeExtractAction(const RulePacks &packs, TUFacts &out,
                                                         FlowHandlerFactory rules);

// The consumer behind that action, for a compile that is already running (the Clang plugin,
// checker/plugin/). With `recordInputs` it also fills `out.inputs` and `out.absent`, which
// only the facts cache and --depfile read (the facts file does not hold them).
std::unique_ptr<clang::ASTConsumer> makeExtractConsumer(clang::CompilerInstance &ci, const RulePacks &packs,
                                                        TUFacts &out, bool recordInputs, FlowHandlerFactory rules);

} // namespace lockcheck
