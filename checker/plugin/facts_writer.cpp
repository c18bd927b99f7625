#include "facts_writer.h"

#include "extract/tu_extractor.h"
#include "facts/facts.h"
#include "facts/facts_dir.h"
#include "rules/registry.h"

#include <clang/AST/ASTConsumer.h>
#include <clang/AST/ASTContext.h>
#include <clang/Basic/Diagnostic.h>
#include <clang/Frontend/CompilerInstance.h>
#include <llvm/Support/CrashRecoveryContext.h>
#include <llvm/Support/raw_ostream.h>

#include <cstdlib>
#include <exception>
#include <filesystem>
#include <unistd.h>

namespace lockcheck {
using namespace clang;
namespace fs = std::filesystem;

namespace {

// Test hook (tests/integration/plugin_test.sh): crash inside the protected analysis.
void crashForTests() {
  const char *crash = std::getenv("LOCKCHECK_PLUGIN_TEST_CRASH");
  if (crash && *crash) __builtin_trap();
}

class FactsWriter : public ASTConsumer {
public:
  FactsWriter(CompilerInstance &ci, FactsTarget target, std::unique_ptr<RulePacks> packs)
      : ci_(ci), target_(std::move(target)), packs_(std::move(packs)), facts_(std::make_unique<TUFacts>()),
        extract_(makeExtractConsumer(ci, *packs_, *facts_, false, makeRuleSet)) {}

  ~FactsWriter() override {
    if (!crashed_) return;
    // The analysis stopped halfway through changing these: destroying them could crash again.
    (void)extract_.release();
    (void)facts_.release();
    (void)packs_.release();
  }

  void HandleTranslationUnit(ASTContext &ctx) override {
    // No facts from code that does not compile (as extract), and none left from an older
    // compile of it: a failed compile leaves no object either.
    if (ctx.getDiagnostics().hasErrorOccurred()) return discardOld();
    std::string json, error;
    llvm::CrashRecoveryContext recovery;
    bool finished = recovery.RunSafely([&] {
      try {
        crashForTests();
        extract_->HandleTranslationUnit(ctx);
        json = factsToJson(*facts_);
      } catch (const std::exception &e) {
        error = e.what();
      } catch (...) {
        error = "unknown exception";
      }
    });
    if (!finished) {
      crashed_ = true;
      error = "the analysis crashed";
    }
    if (error.empty()) write(json, error);
    if (error.empty()) return;
    discardOld();
    reportPluginFailure(ci_, target_.source, error, target_.strict);
  }

private:
  void write(const std::string &json, std::string &error) {
    std::error_code ec;
    fs::create_directories(fs::path(target_.factsPath).parent_path(), ec);
    if (ec) error = "cannot create the directory of '" + target_.factsPath + "': " + ec.message();
    else writeFileAtomically(target_.factsPath, json, error);
  }

  void discardOld() const { ::unlink(target_.factsPath.c_str()); }

  CompilerInstance &ci_;
  FactsTarget target_;
  std::unique_ptr<RulePacks> packs_;
  std::unique_ptr<TUFacts> facts_;
  std::unique_ptr<ASTConsumer> extract_; // refers to packs_ and facts_: declared after them
  bool crashed_ = false;
};

} // namespace

std::unique_ptr<ASTConsumer> makeFactsWriter(CompilerInstance &ci, FactsTarget target, std::unique_ptr<RulePacks> packs) {
  return std::make_unique<FactsWriter>(ci, std::move(target), std::move(packs));
}

void reportPluginFailure(CompilerInstance &ci, const std::string &source, const std::string &reason, bool strict) {
  std::string message = "lockcheck plugin: no facts written for " + source + ": " + reason;
  if (strict) {
    DiagnosticsEngine &diags = ci.getDiagnostics();
    diags.Report(diags.getCustomDiagID(DiagnosticsEngine::Error, "%0")) << message;
  } else {
    llvm::errs() << "warning: " << message << "\n";
  }
}

} // namespace lockcheck
