// The language server's analysis: the facts of every translation unit of the workspace in
// memory (from the cache that `lockcheck PATH` fills, else extracted once), one file
// re-extracted from the editor's buffer on each change, and the whole program re-linked, so
// findings that cross files appear and disappear as in a full run.
#pragma once

#include "config/config.h"
#include "config/rule_pack.h"
#include "driver/tu_runner.h"
#include "facts/facts_cache.h"
#include "driver/tu_worker.h"
#include "lsp/analysis.h"

#include <map>
#include <memory>
#include <mutex>

namespace lockcheck::lsp {

// What a run over the workspace root needs; the driver fills it as for `lockcheck ROOT`.
struct Workspace {
  Config config;
  RulePacks packs;
  CompileSetup compile;
  std::unique_ptr<FactsCache> cache; // null with --no-cache or an unwritable cache
  std::vector<std::string> files;    // absolute paths of the sources to index
  std::vector<std::string> workerArgv; // starts a worker process (tu_worker.h); empty: parse in this one
};
using WorkspaceOpener = std::function<bool(const std::string &root, Workspace &out, std::string &error)>;

class WorkspaceAnalysis : public Analysis {
public:
  explicit WorkspaceAnalysis(WorkspaceOpener opener) : opener_(std::move(opener)) {}

  bool open(const std::string &root, std::string &error) override;
  void index(const Progress &progress, const std::atomic<bool> &stop) override;
  std::vector<Finding> analyze(const std::string &path, const std::string *text, std::string &error) override;
  std::vector<Finding> relink() override;
  void close(const std::string &path) override;

private:
  WorkspaceOpener opener_;
  Workspace workspace_;
  std::unique_ptr<TUWorker> bufferWorker_; // parses editor buffers: a crash costs one analysis, not the server
  std::mutex mutex_;                       // guards the two members below
  std::map<std::string, TUFacts> facts_;   // by absolute path
  std::map<std::string, std::string> fromBuffer_; // facts taken from an editor buffer (by path: its hash)
};

} // namespace lockcheck::lsp
