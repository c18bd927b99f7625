// The plugin's consumer: runs after the compiler's own consumer (code generation, or nothing
// under -fsyntax-only) has seen the translation unit, extracts its facts with the extract
// library and writes them. It only reads the AST, so the compile's output is unchanged; a
// failure is one warning naming the translation unit (with `strict`, an error) and no facts.
#pragma once

#include "config/rule_pack.h"

#include <memory>
#include <string>

namespace clang {
class ASTConsumer;
class CompilerInstance;
} // namespace clang

namespace lockcheck {

struct FactsTarget {
  std::string source;    // the main file, absolute (messages)
  std::string factsPath; // pluginFactsPath(): replaced atomically, removed when no facts can be had
  bool strict = false;
};

std::unique_ptr<clang::ASTConsumer> makeFactsWriter(clang::CompilerInstance &ci, FactsTarget target,
                                                    std::unique_ptr<RulePacks> packs);

// One line on stderr, or an error through the compiler's diagnostics when `strict`. Not a
// compiler warning: -Werror must not turn lockcheck's trouble into the code's, nor -w hide it.
void reportPluginFailure(clang::CompilerInstance &ci, const std::string &source, const std::string &reason,
                         bool strict);

} // namespace lockcheck
