// lockcheck's Clang plugin (docs/user-guide.md, "Facts from the build"): registered as
// "lockcheck", it runs after the compiler's own action in every compile it is loaded into
// and writes the translation unit's facts, the same bytes as `lockcheck extract`.
#include "facts_writer.h"
#include "host_version.h"

#include "config/knowledge.h"
#include "config/plugin_options.h"
#include "facts/facts_dir.h"

#include <clang/AST/ASTConsumer.h>
#include <clang/Basic/Diagnostic.h>
#include <clang/Basic/LangOptions.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/FrontendPluginRegistry.h>
#include <llvm/ADT/SmallString.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/VirtualFileSystem.h>

namespace lockcheck {
using namespace clang;

namespace {

std::string pluginPath() { return plugin::modulePath(reinterpret_cast<const void *>(&pluginPath)); }

std::string absolutePath(CompilerInstance &ci, llvm::StringRef path) {
  llvm::SmallString<256> abs(path);
  ci.getFileManager().getVirtualFileSystem().makeAbsolute(abs);
  llvm::sys::path::remove_dots(abs, true);
  return std::string(abs.str());
}

// Compiles of C++ code into an object, or -fsyntax-only: not C, not a precompiled header or
// module, not the device side of a CUDA or OpenMP offload compile (its host side is the TU).
bool wantsFacts(const CompilerInstance &ci) {
  const LangOptions &lang = ci.getLangOpts();
  if (!lang.CPlusPlus || lang.CUDAIsDevice || lang.OpenMPIsTargetDevice) return false;
  const FrontendOptions &fe = ci.getFrontendOpts();
  if (fe.Inputs.size() != 1 || !fe.Inputs[0].isFile() || fe.Inputs[0].getFile() == "-") return false;
  switch (fe.ProgramAction) {
  case frontend::EmitAssembly:
  case frontend::EmitBC:
  case frontend::EmitLLVM:
  case frontend::EmitLLVMOnly:
  case frontend::EmitCodeGenOnly:
  case frontend::EmitObj:
  case frontend::ParseSyntaxOnly:
    return true;
  default:
    return false;
  }
}

// The object this compile writes, absolute; empty when it writes none. A one-step compile
// and link (`clang++ a.cc -o prog`) writes a fresh temporary object every time: its facts
// are named by the source alone, or each build would leave another file behind.
std::string objectOf(CompilerInstance &ci, const std::string &source) {
  const FrontendOptions &fe = ci.getFrontendOpts();
  if (fe.ProgramAction == frontend::ParseSyntaxOnly || fe.OutputFile.empty() || fe.OutputFile == "-") return {};
  std::string object = absolutePath(ci, fe.OutputFile);
  llvm::SmallString<128> temp;
  llvm::sys::path::system_temp_directory(true, temp);
  std::string stem = llvm::sys::path::stem(source).str() + "-";
  if (llvm::sys::path::parent_path(object) == temp.str() && llvm::sys::path::filename(object).starts_with(stem))
    return {};
  return object;
}

void reportUsageError(DiagnosticsEngine &diags, const std::string &message) {
  diags.Report(diags.getCustomDiagID(DiagnosticsEngine::Error, "lockcheck plugin: %0")) << message;
}

class LockcheckAction : public PluginASTAction {
protected:
  bool ParseArgs(const CompilerInstance &ci, const std::vector<std::string> &args) override {
    std::string error;
    if (parsePluginArguments(args, options_, error)) return true;
    reportUsageError(ci.getDiagnostics(), error);
    return false;
  }

  // After the main action, never instead of it: the compile still writes its object.
  ActionType getActionType() override { return AddAfterMainAction; }

  std::unique_ptr<ASTConsumer> CreateASTConsumer(CompilerInstance &ci, llvm::StringRef inFile) override {
    if (!wantsFacts(ci)) return std::make_unique<ASTConsumer>();
    std::string source = absolutePath(ci, inFile);
    // The packs and configuration `lockcheck extract` would use for this file.
    KnowledgeSources sources;
    sources.configPath = options_.configPath;
    sources.searchFrom = source;
    sources.defaultRulesDir = rulesDirBeside(pluginPath());
    sources.rulePaths = options_.rulePaths;
    Config config;
    auto packs = std::make_unique<RulePacks>();
    std::string error;
    if (!loadKnowledge(sources, config, *packs, error)) {
      reportUsageError(ci.getDiagnostics(), error); // a broken pack or config is the user's to fix, as for extract
      return std::make_unique<ASTConsumer>();
    }
    std::string dir = absolutePath(ci, options_.outDir);
    if (!preparePluginFactsDir(dir, error)) {
      reportPluginFailure(ci, source, error, options_.strict);
      return std::make_unique<ASTConsumer>();
    }
    FactsTarget target{source, pluginFactsPath(dir, source, objectOf(ci, source)), options_.strict};
    return makeFactsWriter(ci, std::move(target), std::move(packs));
  }

private:
  PluginOptions options_;
};

// Before registering (which calls into Clang): loaded directly, not through the gate, into
// another Clang, this module loads anyway (its symbols are bound lazily) and would crash later.
[[maybe_unused]] const bool hostChecked = (plugin::refuseOtherClang(pluginPath()), true);
FrontendPluginRegistry::Add<LockcheckAction> registration("lockcheck", "writes the translation unit's lockcheck facts");

} // namespace
} // namespace lockcheck
