#include "driver/driver.h"

#include "facts/facts_cache.h"

#include "config/baseline.h"
#include "config/changed_lines.h"
#include "config/cli_options.h"
#include "config/config.h"
#include "config/knowledge.h"
#include "driver/depfile.h"
#include "driver/facts_inputs.h"
#include "driver/facts_loader.h"
#include "extract/decl_names.h"
#include "link/program_linker.h"
#include "lsp/stdio_server.h"
#include "lsp/workspace_analysis.h"
#include "report/report.h"
#include "config/rule_pack.h"
#include "rules/catalog.h"
#include "driver/source_files.h"
#include "config/suppressions.h"
#include "driver/tu_runner.h"
#include "driver/tu_worker.h"

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unistd.h>

namespace lockcheck {

namespace {
IndirectOptions indirectOptions(const Config &config) {
  IndirectOptions options;
  options.resolve = config.resolveIndirectCalls;
  for (const auto &pattern : config.indirectExclude) options.exclude.emplace_back(pattern);
  return options;
}
} // namespace
namespace fs = std::filesystem;

namespace {

int usageError(const std::string &message) {
  std::cerr << "lockcheck: error: " << message << "\n(run 'lockcheck --help' for usage)\n";
  return 2;
}

// Packs ship next to the binary (share/lockcheck/rules) or, in a build tree, in the sources.
std::string defaultRulesDir(const char *argv0) {
  return rulesDirBeside(llvm::sys::fs::getMainExecutable(argv0, reinterpret_cast<void *>(&defaultRulesDir)));
}

class Progress {
public:
  explicit Progress(bool enabled) : enabled_(enabled && isatty(STDERR_FILENO)) {}
  void operator()(size_t done, size_t total, const std::string &file) const {
    if (!enabled_) return;
    std::cerr << "\r\033[K[" << done << "/" << total << "] " << file << std::flush;
    if (done == total) std::cerr << "\r\033[K" << std::flush;
  }

private:
  bool enabled_;
};

bool writeOutput(const CliOptions &options, const std::string &text) {
  if (options.output.empty()) {
    std::cout << text << std::flush;
    return true;
  }
  std::ofstream out(options.output, std::ios::binary);
  out << text;
  if (!out) {
    std::cerr << "lockcheck: error: cannot write '" << options.output << "'\n";
    return false;
  }
  return true;
}

struct Session {
  CliOptions options;
  Config config;
  RulePacks packs;
  RunSummary summary;
  std::vector<Finding> findings;
};

bool loadKnowledge(Session &s, const char *argv0, std::string &error) {
  KnowledgeSources sources;
  sources.configPath = s.options.configPath;
  // `link` takes facts, not sources: its configuration is the one a run from here would find.
  bool fromHere = s.options.paths.empty() || s.options.mode == CliOptions::Mode::Link;
  sources.searchFrom = fromHere ? "." : s.options.paths.front();
  sources.defaultRulesDir = defaultRulesDir(argv0);
  sources.rulePaths = s.options.rulePaths;
  return lockcheck::loadKnowledge(sources, s.config, s.packs, error);
}

// Suppressions, configuration, baseline and --changed-since, in that order.
bool postProcess(Session &s) {
  std::string error;
  applySuppressions(s.findings);
  applyConfig(s.config, s.findings);
  if (!s.options.baselinePath.empty()) {
    if (s.options.writeBaseline) {
      if (!writeBaseline(s.options.baselinePath, s.findings, error)) {
        std::cerr << "lockcheck: error: " << error << "\n";
        return false;
      }
      if (!s.options.quiet)
        std::cerr << "lockcheck: wrote " << s.findings.size() << " findings to " << s.options.baselinePath << "\n";
      s.findings.clear();
    } else if (!applyBaseline(s.options.baselinePath, s.findings, error)) {
      std::cerr << "lockcheck: error: " << error << "\n";
      return false;
    }
  }
  if (!s.options.changedSince.empty()) {
    std::map<std::string, std::set<unsigned>> changed;
    if (!changedLinesSince(s.options.changedSince, changed, error)) {
      std::cerr << "lockcheck: error: " << error << "\n";
      return false;
    }
    keepTouchingChanges(changed, s.findings);
  }
  sortFindings(s.findings);
  return true;
}

int finish(Session &s, std::chrono::steady_clock::time_point start) {
  if (!postProcess(s)) return 2;
  s.summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  OutputFormat format = OutputFormat::Text;
  parseOutputFormat(s.options.format, format);
  std::ostringstream report;
  writeReport(format, s.findings, s.summary, report);
  if (!writeOutput(s.options, report.str())) return 2;
  if (!s.summary.errors.empty()) return 2;
  return exitCodeFor(s.findings, s.config.failOn);
}

// The compile setup of a whole-program run: the config's extra flags, then the command line's.
bool analysisSetup(Session &s, CompileSetup &setup, std::string &error) {
  if (s.options.paths.empty()) s.options.paths.push_back(".");
  std::vector<std::string> extra = s.config.extraArgs;
  extra.insert(extra.end(), s.options.extraArgs.begin(), s.options.extraArgs.end());
  return setupCompilation(s.options.buildDir, s.options.paths.front(), extra, setup, error);
}

// The facts cache: --cache-dir, else beside the compilation database, else the user's cache
// directory. Null with --no-cache, or (after a warning) when it cannot be written.
std::unique_ptr<FactsCache> openCache(const Session &s, const CompileSetup &setup, bool willStore) {
  if (s.options.noCache) return nullptr;
  std::string dir = s.options.cacheDir;
  if (dir.empty() && !setup.databasePath.empty())
    dir = (fs::path(setup.databasePath).parent_path() / ".lockcheck-cache").string();
  if (dir.empty()) {
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (xdg && *xdg) dir = std::string(xdg) + "/lockcheck";
    else if (home && *home) dir = std::string(home) + "/.cache/lockcheck";
  }
  if (dir.empty()) return nullptr;
  auto cache = std::make_unique<FactsCache>(dir, std::string(LOCKCHECK_VERSION) + "/" + std::to_string(kFactsVersion) +
                                                     "/" + s.packs.fingerprint());
  // Once, and also under --quiet: a gate whose cache never fills is slow for a reason.
  if (std::string why; willStore && !cache->writable(why)) {
    std::cerr << "lockcheck: warning: cannot write the cache in '" << dir << "' (" << why
              << "); continuing without it (--cache-dir DIR to move it, --no-cache to silence this)\n";
    return nullptr;
  }
  return cache;
}

// The same binary and arguments with --internal-worker: a worker loads the same config,
// packs and compilation database as this process.
std::vector<std::string> workerCommand(int argc, const char *const *argv) {
  std::string exe = llvm::sys::fs::getMainExecutable(argv[0], reinterpret_cast<void *>(&defaultRulesDir));
  if (exe.empty()) return {}; // cannot re-run ourselves: parse in this process
  std::vector<std::string> command{exe, "--internal-worker"};
  command.insert(command.end(), argv + 1, argv + argc);
  return command;
}

int analyze(Session &s, int argc, const char *const *argv) {
  auto start = std::chrono::steady_clock::now();
  if (s.options.paths.empty()) s.options.paths.push_back(".");
  std::vector<SourceError> sourceErrors;
  std::vector<std::string> files = findSources(s.options.paths, sourceErrors);
  for (const auto &e : sourceErrors) s.summary.errors.push_back(InputError{e.path, e.message});
  size_t found = files.size();
  std::erase_if(files, [&](const std::string &f) { return isExcluded(s.config, f); });
  if (found > 0 && files.empty())
    s.summary.errors.push_back(InputError{s.config.sourcePath, "every C++ source given is excluded by its 'exclude' list"});

  CompileSetup setup;
  if (std::string error; !analysisSetup(s, setup, error)) {
    std::cerr << "lockcheck: error: " << error << "\n";
    return 2;
  }
  if (setup.databasePath.empty() && !s.options.quiet && !files.empty())
    std::cerr << "lockcheck: no compile_commands.json found; using -std=c++20 and the sources' include "
                 "directories (pass -p BUILD_DIR to use your build's flags)\n";
  std::unique_ptr<FactsCache> cache = openCache(s, setup, !files.empty());
  Progress progress(!s.options.quiet);
  std::vector<TUResult> results =
      extractAll(files, setup, s.packs, s.options.jobs, progress, cache.get(), workerCommand(argc, argv));
  ProgramLinker linker(s.packs);
  linker.setIndirectOptions(indirectOptions(s.config));
  for (auto &r : results) {
    if (!r.ok) s.summary.errors.push_back(InputError{r.file, r.error});
    else linker.add(std::move(r.facts));
  }
  s.summary.files = static_cast<unsigned>(files.size());
  s.findings = linker.link();
  return finish(s, start);
}

int extract(Session &s) {
  CompileSetup setup;
  std::string error;
  if (!setupCompilation(s.options.buildDir, s.options.paths.front(), s.options.extraArgs, setup, error)) {
    std::cerr << "lockcheck: error: " << error << "\n";
    return 2;
  }
  std::vector<SourceError> sourceErrors;
  std::vector<std::string> files = findSources(s.options.paths, sourceErrors);
  if (!sourceErrors.empty()) {
    std::cerr << "lockcheck: error: " << sourceErrors.front().path << ": " << sourceErrors.front().message << "\n";
    return 2;
  }
  std::vector<TUResult> results = extractAll(files, setup, s.packs, 1, nullptr);
  if (results.empty() || !results.front().ok) {
    std::cerr << "lockcheck: error: " << s.options.paths.front() << ": "
              << (results.empty() ? "nothing to extract" : results.front().error) << "\n";
    return 2;
  }
  if (!writeOutput(s.options, factsToJson(results.front().facts))) return 2;
  if (s.options.depfile.empty()) return 0;
  std::ofstream dep(s.options.depfile, std::ios::binary);
  std::vector<std::string> read;
  for (const InputFile &in : results.front().facts.inputs) read.push_back(in.path);
  dep << depfileText(s.options.output, std::move(read));
  if (!dep) {
    std::cerr << "lockcheck: error: cannot write '" << s.options.depfile << "'\n";
    return 2;
  }
  return 0;
}

// Facts name files as seen from where they were made; a path below this directory is shown
// relative to it, as a run from here shows it (SourcePoint::file), so that baselines,
// suppressions and reports agree with `lockcheck PATH` run here.
void showRelativeToHere(std::vector<Finding> &findings) {
  std::error_code ec;
  fs::path here = fs::current_path(ec);
  if (ec) return;
  const std::string prefix = here.string() == "/" ? "/" : here.string() + "/";
  auto shorten = [&](SourcePoint &p) {
    const std::string &file = p.file.str();
    if (file.size() > prefix.size() && file.compare(0, prefix.size(), prefix) == 0) p.file = file.substr(prefix.size());
  };
  for (auto &f : findings) {
    shorten(f.anchor);
    for (auto &step : f.trace) shorten(step.where);
  }
}

int link(Session &s) {
  auto start = std::chrono::steady_clock::now();
  ProgramLinker linker(s.packs);
  linker.setIndirectOptions(indirectOptions(s.config));
  std::vector<std::string> paths, gone;
  for (const auto &arg : s.options.paths) {
    std::string error;
    if (!expandFactsArgument(arg, paths, gone, error)) s.summary.errors.push_back(InputError{arg, error});
  }
  if (!s.options.quiet)
    for (const auto &source : gone)
      std::cerr << "lockcheck: " << source << " no longer exists; its facts from the plugin are left out\n";
  // Excluded sources are not analysed (as in `lockcheck PATH`), though the build compiled them.
  auto analysed = [&](const TUFacts &facts) { return !isExcluded(s.config, facts.file); };
  s.summary.files += loadFacts(paths, s.options.jobs, linker, s.summary.errors, analysed);
  s.findings = linker.link();
  showRelativeToHere(s.findings);
  return finish(s, start);
}

// `lockcheck lsp` (docs/editors.md): the workspace is opened when the editor names its root,
// as `lockcheck ROOT` would analyse it (its config, packs, compilation database and cache).
int serveLsp(Session &s, const char *argv0) {
  std::error_code ec;
  // Paths given on the command line mean the directory the editor started the server in.
  auto anchored = [&](std::string &path) {
    if (!path.empty()) path = fs::absolute(path, ec).string();
  };
  anchored(s.options.buildDir);
  anchored(s.options.configPath);
  anchored(s.options.cacheDir);
  for (auto &path : s.options.rulePaths) anchored(path);
  lsp::WorkspaceAnalysis analysis([&s, argv0](const std::string &root, lsp::Workspace &ws, std::string &error) {
    std::error_code cdError;
    fs::current_path(root, cdError); // finding paths are shown relative to the root, as from a run there
    if (cdError) {
      error = root + ": " + cdError.message();
      return false;
    }
    s.options.paths = {"."};
    if (!loadKnowledge(s, argv0, error) || !analysisSetup(s, ws.compile, error)) return false;
    std::vector<SourceError> sourceErrors;
    for (const auto &file : findSources(s.options.paths, sourceErrors))
      if (!isExcluded(s.config, file)) ws.files.push_back(fs::absolute(file).lexically_normal().string());
    ws.cache = openCache(s, ws.compile, true);
    ws.config = s.config;
    ws.packs = std::move(s.packs);
    return true;
  });
  return lsp::serveStdio(analysis);
}

} // namespace

int runLockcheck(int argc, const char *const *argv) {
  Session s;
  std::string error;
  if (!parseCommandLine(argc, argv, s.options, error)) return usageError(error);
  switch (s.options.mode) {
  case CliOptions::Mode::Help:
    std::cout << usageText();
    return 0;
  case CliOptions::Mode::Version:
    std::cout << "lockcheck " << LOCKCHECK_VERSION << " (facts format " << kFactsVersion << ", Clang 19)\n";
    return 0;
  case CliOptions::Mode::ListRules:
    for (const auto &rule : allRules())
      std::cout << rule.id << " (" << severityName(rule.severity) << "): " << rule.summary << "\n";
    return 0;
  case CliOptions::Mode::Explain: {
    if (!findRule(s.options.explainRule)) return usageError("unknown rule '" + s.options.explainRule + "' (see --list-rules)");
    std::string text;
    if (!readRuleDoc(s.options.explainRule, text)) text = findRule(s.options.explainRule)->description + std::string("\n");
    std::cout << text;
    return 0;
  }
  default:
    break;
  }
  if (s.options.mode == CliOptions::Mode::Lsp) return serveLsp(s, argv[0]);
  if (!loadKnowledge(s, argv[0], error)) {
    std::cerr << "lockcheck: error: " << error << "\n";
    return 2;
  }
  if (s.options.mode == CliOptions::Mode::Extract) return extract(s);
  if (s.options.mode == CliOptions::Mode::Link) return link(s);
  if (s.options.worker) {
    CompileSetup setup;
    if (!analysisSetup(s, setup, error)) {
      std::cerr << "lockcheck: error: " << error << "\n";
      return 2;
    }
    return serveWorker(3, setup, s.packs);
  }
  return analyze(s, argc, argv);
}

} // namespace lockcheck
