#include "driver/compile_command.h"

#include <clang/Basic/Diagnostic.h>
#include <clang/Basic/DiagnosticOptions.h>
#include <clang/Driver/Options.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/CompilerInvocation.h>
#include <clang/Frontend/Utils.h>
#include <clang/Tooling/CompilationDatabase.h>
#include <llvm/Option/ArgList.h>
#include <llvm/Option/OptTable.h>
#include <llvm/Support/VirtualFileSystem.h>

namespace lockcheck {
using namespace clang;
using namespace clang::tooling;

namespace {

// Drops options clang does not know (GCC-only flags in a GCC build's database).
ArgumentsAdjuster dropUnknownOptions() {
  return [](const CommandLineArguments &args, llvm::StringRef) {
    const llvm::opt::OptTable &table = driver::getDriverOptTable();
    CommandLineArguments out;
    for (size_t i = 0; i < args.size(); ++i) {
      const std::string &a = args[i];
      if (i > 0 && a.size() > 1 && a[0] == '-' && a.rfind("-W", 0) != 0) {
        std::vector<const char *> one{a.c_str()};
        unsigned missingIndex = 0, missingCount = 0;
        llvm::opt::InputArgList parsed = table.ParseArgs(one, missingIndex, missingCount);
        if (parsed.hasArg(driver::options::OPT_UNKNOWN)) continue;
      }
      out.push_back(a);
    }
    return out;
  };
}

// The -cc1 arguments the driver makes of `args`, run in `directory`; empty if it cannot.
std::vector<std::string> frontendArguments(const std::string &directory, const CommandLineArguments &args) {
  IntrusiveRefCntPtr<llvm::vfs::FileSystem> fs = llvm::vfs::createPhysicalFileSystem();
  fs->setCurrentWorkingDirectory(directory);
  CreateInvocationOptions options;
  options.Diags = CompilerInstance::createDiagnostics(new DiagnosticOptions, new IgnoringDiagConsumer, true);
  options.VFS = fs;
  options.RecoverOnError = true;
  std::vector<std::string> cc1;
  options.CC1Args = &cc1;
  std::vector<const char *> argv;
  for (const auto &a : args) argv.push_back(a.c_str());
  createInvocation(argv, options);
  return cc1;
}

} // namespace

ArgumentsAdjuster parseArgumentsAdjuster() {
  ArgumentsAdjuster adjust = combineAdjusters(getClangStripOutputAdjuster(), getClangStripDependencyFileAdjuster());
  adjust = combineAdjusters(adjust, dropUnknownOptions());
  return combineAdjusters(adjust, getInsertArgumentAdjuster({"-fsyntax-only", "-w", "-fno-caret-diagnostics",
                                                             "-resource-dir=" LOCKCHECK_CLANG_RESOURCE_DIR},
                                                            ArgumentInsertPosition::END));
}

std::string compileKey(const CompilationDatabase &database, const std::string &file) {
  // Each part length-prefixed: an argument may hold a newline ("-DX=a\nb").
  std::string key;
  auto add = [&](const std::string &part) { key += std::to_string(part.size()) + ":" + part + "\n"; };
  ArgumentsAdjuster adjust = parseArgumentsAdjuster();
  for (const CompileCommand &c : database.getCompileCommands(file)) {
    add(c.Directory);
    for (const auto &arg : c.CommandLine) add(arg);
    std::vector<std::string> cc1 = frontendArguments(c.Directory, adjust(c.CommandLine, file));
    key += "-cc1 " + std::to_string(cc1.size()) + "\n";
    for (const auto &arg : cc1) add(arg);
  }
  return key;
}

} // namespace lockcheck
