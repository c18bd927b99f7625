#include "config/cli_options.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sched.h>
#include <thread>

namespace lockcheck {

const char *usageText() {
  return "usage: lockcheck [PATH...] [-p BUILD_DIR] [--format text|json|sarif] [-o FILE]\n"
         "                 [-j N] [--rules DIR_OR_FILE]... [--config FILE] [--baseline FILE [--write-baseline]]\n"
         "                 [--changed-since REV] [--include-unlisted] [--cache-dir DIR] [--quiet]\n"
         "                 [-- EXTRA_COMPILER_FLAGS]\n"
         "       lockcheck extract FILE [-p BUILD_DIR] -o FILE.lcfacts [--depfile FILE.d] [-- FLAGS]\n"
         "       lockcheck link FACTS... [--format ...] [-o FILE]   (FACTS: files, directories, @LIST)\n"
         "       lockcheck lsp [-p BUILD_DIR] [--rules ...] [--config FILE] [--cache-dir DIR] [-- FLAGS]\n"
         "                 (a language server on stdin/stdout: docs/editors.md)\n"
         "       lockcheck compare STATIC.json RUNTIME.json   (docs/runtime.md)\n"
         "       lockcheck --list-rules | --explain RULE | --version | --help\n"
         "\n"
         "Finds locks held across blocking work (file/socket IO, sleeps, crypto, database\n"
         "queries, joins) and misused locks in C++ code. Exit status: 0 no findings at or\n"
         "above the failing severity, 1 findings, 2 usage or input error.\n"
         "\n"
         "  -p DIR            directory holding compile_commands.json (default: build/ or upward)\n"
         "  --format F        text (default), json or sarif\n"
         "  -o FILE           write the report to FILE instead of standard output\n"
         "  -j N              analyse N translation units in parallel (default: every\n"
         "                    processor this process may use; -j 1 for one at a time)\n"
         "  --rules PATH      extra rule pack file or directory (repeatable)\n"
         "  --config FILE     project configuration (default: .lockcheck.json found upward)\n"
         "  --baseline FILE   report only findings not in FILE; with --write-baseline, write it\n"
         "  --changed-since R report only findings that git revision R's version of the\n"
         "                    program does not have (R's files analysed too; exit 1 if any)\n"
         "  --include-unlisted  with compile_commands.json, also analyse the C++ sources\n"
         "                    under a directory PATH that it does not list (guessed flags)\n"
         "  --cache-dir DIR   where per-file facts are cached (default: next to\n"
         "                    compile_commands.json, else ~/.cache/lockcheck)\n"
         "  --no-cache        analyse every file again\n"
         "  --quiet           no progress, no notices\n"
         "  --depfile FILE    (extract) also write a Makefile rule listing every file the\n"
         "                    translation unit read, for build systems' header tracking\n";
}

unsigned availableProcessors() {
  unsigned n = 0;
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) n = static_cast<unsigned>(CPU_COUNT(&set));
  if (n == 0) n = std::max(1u, std::thread::hardware_concurrency());
  // A container's CPU limit ("max 100000" means none): running more threads only thrashes.
  std::ifstream quota("/sys/fs/cgroup/cpu.max");
  std::string max;
  long period = 0;
  if (quota >> max >> period && max != "max" && period > 0) {
    long limit = std::atol(max.c_str());
    if (limit > 0) n = std::min<unsigned>(n, static_cast<unsigned>(std::max(1.0, std::ceil(double(limit) / period))));
  }
  return std::min(n, 256u);
}

bool parseCommandLine(int argc, const char *const *argv, CliOptions &out, std::string &error) {
  out = CliOptions{};
  int i = 1;
  if (argc > 1) {
    std::string first = argv[1];
    if (first == "extract") out.mode = CliOptions::Mode::Extract, i = 2;
    else if (first == "link") out.mode = CliOptions::Mode::Link, i = 2;
    else if (first == "lsp") out.mode = CliOptions::Mode::Lsp, i = 2;
  }
  auto value = [&](const std::string &flag, std::string &into) {
    if (i + 1 >= argc) {
      error = flag + " needs a value";
      return false;
    }
    into = argv[++i];
    return true;
  };
  for (; i < argc; ++i) {
    std::string arg = argv[i];
    std::string v;
    if (arg == "--") {
      for (++i; i < argc; ++i) out.extraArgs.push_back(argv[i]);
      break;
    }
    if (arg == "-p" || arg == "--build-dir") { if (!value(arg, out.buildDir)) return false; }
    else if (arg.rfind("-p", 0) == 0 && arg.size() > 2 && arg[2] != '-') out.buildDir = arg.substr(2);
    else if (arg == "--format") { if (!value(arg, out.format)) return false; }
    else if (arg.rfind("--format=", 0) == 0) out.format = arg.substr(9);
    else if (arg == "-o" || arg == "--output") { if (!value(arg, out.output)) return false; }
    else if (arg == "--depfile" || arg == "-MF") { if (!value(arg, out.depfile)) return false; }
    else if (arg == "-j" || arg.rfind("-j", 0) == 0) {
      if (arg == "-j") { if (!value(arg, v)) return false; }
      else v = arg.substr(2);
      char *end = nullptr;
      long n = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end || n < 1 || n > 256) {
        error = "-j needs a number from 1 to 256, not '" + v + "'";
        return false;
      }
      out.jobs = static_cast<unsigned>(n);
    }
    else if (arg == "--rules") { if (!value(arg, v)) return false; out.rulePaths.push_back(v); }
    else if (arg == "--config") { if (!value(arg, out.configPath)) return false; }
    else if (arg == "--baseline") { if (!value(arg, out.baselinePath)) return false; }
    else if (arg == "--write-baseline") out.writeBaseline = true;
    else if (arg == "--changed-since") { if (!value(arg, out.changedSince)) return false; }
    else if (arg == "--cache-dir") { if (!value(arg, out.cacheDir)) return false; }
    else if (arg == "--no-cache") out.noCache = true;
    else if (arg == "--include-unlisted") out.includeUnlisted = true;
    else if (arg == "--quiet" || arg == "-q") out.quiet = true;
    else if (arg == "--internal-worker") out.worker = true;
    else if (arg == "--list-rules") out.mode = CliOptions::Mode::ListRules;
    else if (arg == "--explain") { if (!value(arg, out.explainRule)) return false; out.mode = CliOptions::Mode::Explain; }
    else if (arg == "--version") out.mode = CliOptions::Mode::Version;
    else if (arg == "--help" || arg == "-h") out.mode = CliOptions::Mode::Help;
    else if (arg.size() > 1 && arg[0] == '-') {
      error = "unknown option '" + arg + "'";
      return false;
    } else out.paths.push_back(arg);
  }
  if (out.jobs == 0) out.jobs = availableProcessors();
  if (out.format != "text" && out.format != "json" && out.format != "sarif") {
    error = "unknown format '" + out.format + "' (expected text, json or sarif)";
    return false;
  }
  if (out.writeBaseline && out.baselinePath.empty()) {
    error = "--write-baseline needs --baseline FILE";
    return false;
  }
  if (out.writeBaseline && !out.changedSince.empty()) {
    error = "--write-baseline records every finding; it does not go with --changed-since";
    return false;
  }
  if (out.mode == CliOptions::Mode::Extract && (out.paths.size() != 1 || out.output.empty())) {
    error = "extract takes one source file and -o FILE.lcfacts";
    return false;
  }
  if (!out.depfile.empty() && out.mode != CliOptions::Mode::Extract) {
    error = "--depfile is only for extract";
    return false;
  }
  if (out.mode == CliOptions::Mode::Lsp && (!out.paths.empty() || !out.output.empty() || !out.baselinePath.empty())) {
    error = "lsp takes no paths, -o or --baseline: the editor sends the files";
    return false;
  }
  if (out.mode == CliOptions::Mode::Link && out.paths.empty()) {
    error = "link needs at least one facts file";
    return false;
  }
  return true;
}

} // namespace lockcheck
