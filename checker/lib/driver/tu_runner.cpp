#include "driver/tu_runner.h"

#include "driver/compile_command.h"
#include "extract/decl_names.h"
#include "facts/facts_cache.h"
#include "extract/tu_extractor.h"
#include "driver/revision_files.h"
#include "driver/tu_worker.h"

#include <clang/Basic/Diagnostic.h>
#include <clang/Frontend/FrontendActions.h>
#include <clang/Tooling/ArgumentsAdjusters.h>
#include <clang/Tooling/CompilationDatabase.h>
#include <clang/Tooling/Tooling.h>
#include <llvm/Support/VirtualFileSystem.h>
#include <llvm/Support/raw_ostream.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

namespace lockcheck {
using namespace clang;
using namespace clang::tooling;
namespace fs = std::filesystem;

namespace {


class FirstError : public DiagnosticConsumer {
public:
  void HandleDiagnostic(DiagnosticsEngine::Level level, const Diagnostic &info) override {
    DiagnosticConsumer::HandleDiagnostic(level, info);
    if (level < DiagnosticsEngine::Error || !first.empty()) return;
    llvm::SmallString<256> text;
    info.FormatDiagnostic(text);
    if (info.hasSourceManager() && info.getLocation().isValid()) {
      SourcePoint p = sourcePoint(info.getSourceManager(), info.getLocation());
      first = p.file + ":" + std::to_string(p.line) + ":" + std::to_string(p.column) + ": " + text.str().str();
    } else {
      first = text.str().str();
    }
  }
  std::string first;
};

class ExtractFactory : public FrontendActionFactory {
public:
  ExtractFactory(const RulePacks &packs, TUFacts &out) : packs_(packs), out_(out) {}
  std::unique_ptr<FrontendAction> create() override { return makeExtractAction(packs_, out_); }

private:
  const RulePacks &packs_;
  TUFacts &out_;
};

} // namespace

TUResult extractFile(const std::string &file, const CompileSetup &setup, const RulePacks &packs,
                     const std::string *contents) {
  TUResult result;
  result.file = displayPath(file);
  std::string absolute = fs::absolute(file).lexically_normal().string();
  if (absolute.size() >= PATH_MAX) { // it opens relative to a directory, but not by this name
    result.error = "file name too long: its absolute path has " + std::to_string(absolute.size()) +
                   " bytes, and the system opens none longer than " + std::to_string(PATH_MAX - 1);
    return result;
  }
  // A private working directory per tool: the real one is shared by all worker threads.
  ClangTool tool(*setup.database, {absolute}, std::make_shared<PCHContainerOperations>(),
                 setup.revision ? setup.revision->fileSystem() : llvm::vfs::createPhysicalFileSystem());
  if (contents) tool.mapVirtualFile(absolute, *contents);
  tool.clearArgumentsAdjusters();
  tool.appendArgumentsAdjuster(parseArgumentsAdjuster()); // the same the cache key sees
  FirstError errors;
  tool.setDiagnosticConsumer(&errors);
  tool.setPrintErrorMessage(false);
  ExtractFactory factory(packs, result.facts);
  int rc = tool.run(&factory);
  result.ok = rc == 0 && !errors.getNumErrors();
  if (!result.ok) result.error = errors.first.empty() ? "the file could not be parsed" : errors.first;
  if (std::string why = commandError(setup, absolute); !result.ok && !why.empty()) result.error = why;
  if (result.facts.file.empty()) result.facts.file = result.file;
  return result;
}

namespace {

// Test hook (issue 12): between parsing and storing, announce "<FILE>.paused" and wait
// for FILE to appear, so a test can edit an input in that window deterministically.
void pauseAfterParseForTests() {
  const char *gate = getenv("LOCKCHECK_TEST_PAUSE_AFTER_PARSE");
  if (!gate || !*gate) return;
  std::ofstream(std::string(gate) + ".paused") << "paused\n";
  for (int i = 0; i < 6000 && !fs::exists(gate); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

} // namespace

std::vector<TUResult> extractAll(const std::vector<std::string> &givenFiles, const CompileSetup &setup,
                                 const RulePacks &packs, unsigned jobs, const ProgressFn &progress,
                                 const FactsCache *cache, const std::vector<std::string> &workerArgv) {
  std::vector<std::string> files;
  for (const auto &f : givenFiles) files.push_back(fs::absolute(f).lexically_normal().string());
  std::vector<TUResult> results(files.size());
  std::atomic<size_t> next{0}, done{0};
  std::mutex progressMutex;
  // Facts name files relative to the directory we run in (displayPath), so that directory
  // is part of every key: an entry made from elsewhere would show its paths to us.
  std::error_code cwdError;
  std::string cwdKey = "cwd " + fs::current_path(cwdError).string() + "\n";
  // A revision's version: its own entries, valid while REV's bytes (the digest) and the
  // unchanged files it read (checked as ever) stay the same.
  if (setup.revision) cwdKey += "revision " + setup.revision->digest() + "\n";
  auto worker = [&] {
    std::unique_ptr<TUWorker> process; // started on the first miss
    for (size_t i; (i = next.fetch_add(1)) < files.size();) {
      std::string command = cache ? cwdKey + compileKey(*setup.database, files[i]) : std::string();
      TUResult &r = results[i];
      if (cache && cache->lookup(files[i], command, r.facts)) {
        r.file = displayPath(files[i]);
        r.ok = true;
      } else {
        if (workerArgv.empty() || setup.revision) {
          r = extractFile(files[i], setup, packs);
        } else {
          if (!process) process = std::make_unique<TUWorker>(workerArgv);
          r = process->analyse(files[i]);
        }
        pauseAfterParseForTests();
        if (setup.revision) { // REV's files are in the key: only the disk's are checked
          std::erase_if(r.facts.inputs, [&](const InputFile &in) { return setup.revision->covers(in.path); });
          std::erase_if(r.facts.absent, [&](const std::string &path) { return setup.revision->covers(path); });
        }
        if (cache && r.ok) cache->store(files[i], command, r.facts);
      }
      size_t d = ++done;
      if (progress) {
        std::lock_guard<std::mutex> lock(progressMutex); // one progress line at a time
        progress(d, files.size(), results[i].file);
      }
    }
  };
  unsigned n = std::max(1u, std::min<unsigned>(jobs, files.size()));
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < n; ++t) threads.emplace_back(worker);
  worker();
  for (auto &t : threads) t.join();
  return results;
}

} // namespace lockcheck
