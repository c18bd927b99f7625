#include "driver/driver.h"

#include "facts/facts_cache.h"

#include "triage/baseline.h"
#include "config/cli_options.h"
#include "config/config.h"
#include "config/knowledge.h"
#include "driver/depfile.h"
#include "driver/differential.h"
#include "driver/facts_inputs.h"
#include "driver/facts_loader.h"
#include "driver/git_revision.h"
#include "extract/decl_names.h"
#include "link/program_linker.h"
#include "lsp/stdio_server.h"
#include "driver/workspace_analysis.h"
#include "report/output_file.h"
#include "report/report.h"
#include "config/rule_pack.h"
#include "findings/catalog.h"
#include "rules/registry.h"
#include "driver/source_files.h"
#include "triage/suppressions.h"
#include "driver/tu_runner.h"
#include "driver/tu_worker.h"

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace lockcheck {

namespace {
IndirectOptions indirectOptions(const Config &config) {
  IndirectOptions options;
  options.resolve = config.resolveIndirectCalls;
  options.matchByType = config.matchIndirectByType;
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

// The report, to -o FILE or standard output, flushed and closed before it counts as written.
bool writeOutput(const CliOptions &options, const std::string &text) {
  std::string error;
  bool ok = options.output.empty() ? writeStandardOutput(text, error) : writeFile(options.output, text, error);
  if (!ok) std::cerr << "lockcheck: error: " << error << "\n";
  return ok;
}

struct Session {
  CliOptions options;
  Config config;
  RulePacks packs;
  RunSummary summary;
  std::vector<Finding> findings;
  std::optional<RevisionFindings> before; // --changed-since: REV's findings
};

// The repository holding the working directory: the nearest folder upward with a .git.
fs::path repositoryRoot() {
  std::error_code ec;
  for (fs::path dir = fs::current_path(ec); !ec && !dir.empty(); dir = dir.parent_path()) {
    if (fs::exists(dir / ".git", ec)) return dir;
    if (dir == dir.parent_path()) break;
  }
  return {};
}

// A .lockcheck.json found upward can switch rules off: say which one is used when it is not
// the obvious one (the working directory's or the repository root's). A file outside the
// repository, or one that belongs to another user, is a warning that --quiet leaves in;
// naming the file with --config says it is the one meant.
void announceConfig(const Session &s, const std::string &path) {
  std::error_code ec;
  fs::path dir = fs::weakly_canonical(fs::absolute(path, ec).parent_path(), ec);
  fs::path cwd = fs::weakly_canonical(fs::current_path(ec), ec), root = repositoryRoot();
  if (!root.empty()) root = fs::weakly_canonical(root, ec);
  fs::path inside = root.empty() ? cwd : root;
  auto below = [](const fs::path &p, const fs::path &base) {
    auto rel = p.lexically_relative(base);
    return !rel.empty() && *rel.begin() != "..";
  };
  bool outside = !below(dir, inside);
  struct stat st {};
  bool foreign = ::stat(path.c_str(), &st) == 0 && st.st_uid != ::geteuid();
  if (outside || foreign) {
    std::cerr << "lockcheck: warning: using the configuration " << fs::absolute(path, ec).string();
    if (outside) std::cerr << ", which is outside " << (root.empty() ? "the working directory" : "the repository");
    if (foreign) std::cerr << (outside ? " and" : ",") << " which belongs to another user (uid " << st.st_uid << ")";
    std::cerr << " (--config FILE names the one to use)\n";
  } else if (dir != cwd && dir != root && !s.options.quiet) {
    std::cerr << "lockcheck: using the configuration " << displayPath(path) << "\n";
  }
}

bool loadKnowledge(Session &s, const char *argv0, std::string &error) {
  KnowledgeSources sources;
  sources.configPath = s.options.configPath;
  // `link` takes facts, not sources: its configuration is the one a run from here would find.
  bool fromHere = s.options.paths.empty() || s.options.mode == CliOptions::Mode::Link;
  if (sources.configPath.empty() && findConfig(fromHere ? "." : s.options.paths.front(), sources.configPath) &&
      s.options.mode != CliOptions::Mode::Lsp && !s.options.worker)
    announceConfig(s, sources.configPath);
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
  // --changed-since: only what REV's version of the program did not have.
  if (s.before) removeKnown(s.findings, s.before->findings);
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
  std::vector<std::string> command{exe};
  int rest = 1;
  if (argc > 1 && std::string_view(argv[1]) == "extract") command.push_back(argv[rest++]); // read first only
  command.push_back("--internal-worker");
  command.insert(command.end(), argv + rest, argv + argc);
  return command;
}

// The language server's worker: started in the workspace root, it is told the options that
// choose the config, packs and compilation database as the server resolved them (absolute).
std::vector<std::string> lspWorkerCommand(const CliOptions &o, const char *argv0) {
  std::vector<std::string> command = workerCommand(1, &argv0);
  if (command.empty()) return command;
  if (!o.buildDir.empty()) command.insert(command.end(), {"-p", o.buildDir});
  if (!o.configPath.empty()) command.insert(command.end(), {"--config", o.configPath});
  for (const auto &path : o.rulePaths) command.insert(command.end(), {"--rules", path});
  command.push_back("--");
  command.insert(command.end(), o.extraArgs.begin(), o.extraArgs.end());
  return command;
}

// The sources to analyse: PATHs' C++ sources, with a database those it lists under a
// directory (the others counted in `scope`), less the config's excludes.
std::vector<std::string> selectSources(Session &s, DatabaseScope &scope) {
  std::vector<SourceError> sourceErrors;
  std::vector<std::string> files = findSources(s.options.paths, sourceErrors, scope.listed ? &scope : nullptr);
  for (const auto &e : sourceErrors) s.summary.errors.push_back(InputError{e.path, e.message});
  size_t found = files.size();
  std::erase_if(files, [&](const std::string &f) { return isExcluded(s.config, f); });
  if (found > 0 && files.empty())
    s.summary.errors.push_back(InputError{s.config.sourcePath, "every C++ source given is excluded by its 'exclude' list"});
  return files;
}

// Sources REV had that are gone now and that this run would have analysed (under a
// directory given, listed in the database unless --include-unlisted, not excluded).
std::vector<std::string> deletedSources(const Session &s, const RevisionChanges &changes, const DatabaseScope &scope) {
  std::vector<std::string> out;
  std::error_code ec;
  std::vector<fs::path> dirs;
  for (const auto &p : s.options.paths)
    if (fs::is_directory(p, ec)) {
      dirs.push_back(fs::absolute(p, ec).lexically_normal());
      dirs.push_back(fs::weakly_canonical(dirs.back(), ec));
    }
  for (const FileChange &f : changes.files) {
    if (f.kind != FileChange::Kind::Deleted || !isCxxSource(f.path)) continue;
    bool under = std::any_of(dirs.begin(), dirs.end(), [&](const fs::path &dir) {
      fs::path rel = fs::path(f.path).lexically_relative(dir);
      return !rel.empty() && *rel.begin() != "..";
    });
    bool listed = !scope.listed || scope.includeUnlisted || scope.listed->count(f.path);
    if (under && listed && !isExcluded(s.config, displayPath(f.path))) out.push_back(f.path);
  }
  return out;
}

int analyze(Session &s, int argc, const char *const *argv) {
  auto start = std::chrono::steady_clock::now();
  if (s.options.paths.empty()) s.options.paths.push_back(".");
  CompileSetup setup;
  if (std::string error; !analysisSetup(s, setup, error)) {
    std::cerr << "lockcheck: error: " << error << "\n";
    return 2;
  }
  // Before anything is parsed: a REV that is no commit is a usage error, not a slow one.
  RevisionChanges changes;
  if (std::string error; !s.options.changedSince.empty() && !changesSince(s.options.changedSince, changes, error)) {
    std::cerr << "lockcheck: error: " << error << "\n";
    return 2;
  }
  std::set<std::string> listed = listedFiles(setup);
  DatabaseScope scope;
  if (!setup.databasePath.empty()) scope = {&listed, displayPath(setup.databasePath), s.options.includeUnlisted, 0, {}};
  std::vector<std::string> files = selectSources(s, scope);
  if (setup.databasePath.empty() && !s.options.quiet && !files.empty())
    std::cerr << "lockcheck: no compile_commands.json found; using -std=c++20 and the sources' include "
                 "directories (pass -p BUILD_DIR to use your build's flags)\n";
  if (scope.unlisted > 0 && !s.options.includeUnlisted && !s.options.quiet)
    std::cerr << "lockcheck: skipped " << scope.unlisted << " C++ source" << (scope.unlisted > 1 ? "s" : "")
              << " that " << scope.databasePath << " does not list (" << scope.firstUnlisted
              << (scope.unlisted > 1 ? ", ..." : "") << "); --include-unlisted analyses them with guessed flags\n";
  std::unique_ptr<FactsCache> cache = openCache(s, setup, !files.empty());
  if (cache && !changes.revision.empty()) cache->keepInputs(true); // which TUs read a changed file
  Progress progress(!s.options.quiet);
  std::vector<TUResult> results =
      extractAll(files, setup, s.packs, s.options.jobs, progress, cache.get(), workerCommand(argc, argv));
  for (const auto &r : results)
    if (!r.ok) s.summary.errors.push_back(InputError{r.file, r.error});
  if (!changes.revision.empty()) {
    RevisionRun run{changes, setup, s.packs, s.config, indirectOptions(s.config), s.options.jobs, cache.get(), progress};
    s.before = analyseRevision(run, results, deletedSources(s, changes, scope));
    for (const auto &warning : s.before->warnings) std::cerr << "lockcheck: warning: --changed-since: " << warning << "\n";
  }
  ProgramLinker linker(s.packs);
  linker.setIndirectOptions(indirectOptions(s.config));
  for (auto &r : results)
    if (r.ok) linker.add(std::move(r.facts));
  s.summary.files = static_cast<unsigned>(files.size());
  s.findings = linker.link(makeRuleSet);
  return finish(s, start);
}

// `extract` takes its flags from the build alone (no config extra_args); its worker too.
bool extractSetup(const Session &s, CompileSetup &setup, std::string &error) {
  return setupCompilation(s.options.buildDir, s.options.paths.front(), s.options.extraArgs, setup, error);
}

int extract(Session &s, int argc, const char *const *argv) {
  CompileSetup setup;
  std::string error;
  if (!extractSetup(s, setup, error)) {
    std::cerr << "lockcheck: error: " << error << "\n";
    return 2;
  }
  std::vector<SourceError> sourceErrors;
  std::vector<std::string> files = findSources(s.options.paths, sourceErrors);
  if (!sourceErrors.empty()) {
    std::cerr << "lockcheck: error: " << sourceErrors.front().path << ": " << sourceErrors.front().message << "\n";
    return 2;
  }
  // In a worker process, as a whole run parses: a TU that crashes Clang is an error, not a crash.
  std::vector<TUResult> results = extractAll(files, setup, s.packs, 1, nullptr, nullptr, workerCommand(argc, argv));
  if (results.empty() || !results.front().ok) {
    std::cerr << "lockcheck: error: " << s.options.paths.front() << ": "
              << (results.empty() ? "nothing to extract" : results.front().error) << "\n";
    return 2;
  }
  if (!writeOutput(s.options, factsToJson(results.front().facts))) return 2;
  if (s.options.depfile.empty()) return 0;
  std::vector<std::string> read;
  for (const InputFile &in : results.front().facts.inputs) read.push_back(in.path);
  if (!writeFile(s.options.depfile, depfileText(s.options.output, std::move(read)), error)) {
    std::cerr << "lockcheck: error: " << error << "\n";
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
  s.findings = linker.link(makeRuleSet);
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
    std::set<std::string> listed = listedFiles(ws.compile);
    DatabaseScope scope;
    if (!ws.compile.databasePath.empty()) scope = {&listed, ws.compile.databasePath, s.options.includeUnlisted, 0, {}};
    for (const auto &file : selectSources(s, scope)) ws.files.push_back(fs::absolute(file).lexically_normal().string());
    ws.cache = openCache(s, ws.compile, true);
    ws.workerArgv = lspWorkerCommand(s.options, argv0);
    ws.config = s.config;
    ws.packs = std::move(s.packs);
    return true;
  });
  return lsp::serveStdio(analysis);
}

} // namespace

namespace {
int run(int argc, const char *const *argv) {
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
  if (s.options.mode == CliOptions::Mode::Lsp && !s.options.worker) return serveLsp(s, argv[0]);
  if (!loadKnowledge(s, argv[0], error)) {
    std::cerr << "lockcheck: error: " << error << "\n";
    return 2;
  }
  if (s.options.worker) { // the parent's own setup: extract's, or a whole run's (and the editor's)
    CompileSetup setup;
    bool extracting = s.options.mode == CliOptions::Mode::Extract;
    if (!(extracting ? extractSetup(s, setup, error) : analysisSetup(s, setup, error))) {
      std::cerr << "lockcheck: error: " << error << "\n";
      return 2;
    }
    return serveWorker(3, setup, s.packs);
  }
  if (s.options.mode == CliOptions::Mode::Extract) return extract(s, argc, argv);
  if (s.options.mode == CliOptions::Mode::Link) return link(s);
  return analyze(s, argc, argv);
}
} // namespace

int runLockcheck(int argc, const char *const *argv) {
  int status = run(argc, argv);
  // --help, --list-rules and the like write to standard output too: a failed write is an error.
  if (std::string error; !flushStandardOutput(error)) {
    std::cerr << "lockcheck: error: " << error << "\n";
    return 2;
  }
  return status;
}

} // namespace lockcheck
