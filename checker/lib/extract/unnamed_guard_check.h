// unnamed-guard: a guard destroyed at once (`std::lock_guard<std::mutex>{m};`) or the
// vexing parse `std::unique_lock<std::mutex>(m);` that declares a new, empty guard `m`.
#pragma once

#include "report/finding.h"

#include <vector>

namespace clang {
class ASTContext;
class FunctionDecl;
} // namespace clang

namespace lockcheck {
class LockRecognizer;

void checkUnnamedGuards(const clang::FunctionDecl *fn, const LockRecognizer &recognizer,
                        clang::ASTContext &ctx, const std::string &functionName,
                        std::vector<Finding> &findings);
} // namespace lockcheck
