#include "driver/tu_runner.h"

#include "driver/compile_command.h"
#include "extract/decl_names.h"
#include "facts/facts_cache.h"
#include "extract/tu_extractor.h"
#include "driver/tu_worker.h"

#include <clang/Basic/Diagnostic.h>
#include <clang/Frontend/FrontendActions.h>
#include <clang/Tooling/ArgumentsAdjusters.h>
#include <clang/Tooling/CompilationDatabase.h>
#include <clang/Tooling/JSONCompilationDatabase.h>
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

// Listed files keep their commands; others get the defaults (docs/spec.md §6: -std=c++20 and
// the path's include directories).
class WithDefaults : public CompilationDatabase {
public:
  WithDefaults(std::unique_ptr<CompilationDatabase> inner, std::vector<std::string> extra)
      : inner_(std::move(inner)), extra_(std::move(extra)) {}

  std::vector<CompileCommand> getCompileCommands(llvm::StringRef file) const override {
    std::vector<CompileCommand> found;
    if (inner_) found = inner_->getCompileCommands(file);
    if (!found.empty()) {
      // Flags go before the input: interpolated commands end in "-- FILE", and anything
      // after "--" would be read as another input file.
      for (auto &c : found) {
        auto &args = c.CommandLine;
        auto at = std::find(args.begin(), args.end(), "--");
        if (at == args.end() && !args.empty() && args.back() == c.Filename) at = args.end() - 1;
        args.insert(at, extra_.begin(), extra_.end());
      }
      return found;
    }
    fs::path path(file.str());
    std::vector<std::string> args{"clang++", "-std=c++20", "-I" + path.parent_path().string()};
    std::error_code ec; // a path that cannot be resolved (a symlink loop) is no include directory
    for (fs::path dir = path.parent_path(); !dir.empty() && dir != dir.parent_path(); dir = dir.parent_path()) {
      if (fs::is_directory(dir / "include", ec)) args.push_back("-I" + (dir / "include").string());
      if (fs::exists(dir / ".git", ec)) break;
    }
    args.insert(args.end(), extra_.begin(), extra_.end());
    args.push_back(file.str());
    // Relative paths in the extra flags (`-- -Iinclude`, Bazel's execroot-relative
    // include paths) mean the invoking directory, as they would to a compiler.
    return {CompileCommand(fs::current_path(ec).string(), file.str(), args, "")};
  }
  std::vector<std::string> getAllFiles() const override { return inner_ ? inner_->getAllFiles() : std::vector<std::string>{}; }

private:
  std::unique_ptr<CompilationDatabase> inner_;
  std::vector<std::string> extra_;
};

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
                 llvm::vfs::createPhysicalFileSystem());
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

bool setupCompilation(const std::string &buildDir, const std::string &firstPath,
                      const std::vector<std::string> &extraArgs, CompileSetup &out, std::string &error) {
  std::unique_ptr<CompilationDatabase> db;
  auto load = [&](const fs::path &dir) -> bool {
    fs::path file = dir / "compile_commands.json";
    std::error_code ec;
    if (!fs::exists(file, ec)) return false;
    if (!fs::is_regular_file(file, ec)) { // a device or a pipe would be read without end
      error = file.string() + ": not a regular file";
      return false;
    }
    std::string loadError;
    db = JSONCompilationDatabase::loadFromFile(file.string(), loadError, JSONCommandLineSyntax::AutoDetect);
    if (!db) {
      error = file.string() + ": " + loadError;
      return false;
    }
    out.databasePath = file.string();
    return true;
  };
  if (!buildDir.empty()) {
    if (!load(buildDir)) {
      if (error.empty()) error = buildDir + ": no compile_commands.json there";
      return false;
    }
  } else {
    if (!load("build") && error.empty()) {
      std::error_code ec;
      fs::path start = fs::absolute(firstPath.empty() ? "." : firstPath, ec);
      if (!fs::is_directory(start, ec)) start = start.parent_path();
      for (fs::path dir = start; !dir.empty(); dir = dir.parent_path()) {
        if (load(dir) || load(dir / "build") || !error.empty()) break;
        if (dir == dir.parent_path()) break;
      }
    }
    if (!error.empty()) return false;
  }
  if (db) db = inferMissingCompileCommands(std::move(db));
  out.database = std::make_shared<WithDefaults>(std::move(db), extraArgs);
  return true;
}

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
  const std::string cwdKey = "cwd " + fs::current_path(cwdError).string() + "\n";
  auto worker = [&] {
    std::unique_ptr<TUWorker> process; // started on the first miss
    for (size_t i; (i = next.fetch_add(1)) < files.size();) {
      std::string command = cache ? cwdKey + compileKey(*setup.database, files[i]) : std::string();
      TUResult &r = results[i];
      if (cache && cache->lookup(files[i], command, r.facts)) {
        r.file = displayPath(files[i]);
        r.ok = true;
      } else {
        if (workerArgv.empty()) {
          r = extractFile(files[i], setup, packs);
        } else {
          if (!process) process = std::make_unique<TUWorker>(workerArgv);
          r = process->analyse(files[i]);
        }
        pauseAfterParseForTests();
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
