// Finds guards destroyed at once (`std::lock_guard<std::mutex>{m};`) and the vexing parse
// `std::unique_lock<std::mutex>(m);` that declares a new, empty guard `m`, and tells the
// handler (rules/unnamed_guard reports them). An AST check: no lock set needed.
#pragma once

#include "extract/flow_handler.h"

#include <string>

namespace clang {
class ASTContext;
class FunctionDecl;
} // namespace clang

namespace lockcheck {
class LockRecognizer;

void checkUnnamedGuards(const clang::FunctionDecl *fn, const LockRecognizer &recognizer,
                        clang::ASTContext &ctx, const std::string &functionName,
                        FlowHandler &handler);
} // namespace lockcheck
