#include "lsp/workspace_analysis.h"

#include "config/suppressions.h"
#include "driver/source_files.h"
#include "link/program_linker.h"

#include "support/bounded_read.h"

#include <algorithm>
#include <thread>

namespace lockcheck::lsp {

bool WorkspaceAnalysis::open(const std::string &root, std::string &error) { return opener_(root, workspace_, error); }

void WorkspaceAnalysis::index(const Progress &progress, const std::atomic<bool> &stop) {
  const std::vector<std::string> &files = workspace_.files;
  // A batch per round: parallel like a full run, yet `stop` is seen between batches.
  size_t batch = std::max(1u, std::thread::hardware_concurrency());
  for (size_t first = 0; first < files.size() && !stop; first += batch) {
    std::vector<std::string> some(files.begin() + first, files.begin() + std::min(files.size(), first + batch));
    // In worker processes, as a whole run parses: a TU that crashes Clang is one error.
    std::vector<TUResult> results = extractAll(some, workspace_.compile, workspace_.packs, static_cast<unsigned>(batch),
                                               nullptr, workspace_.cache.get(), workspace_.workerArgv);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (size_t i = 0; i < some.size(); ++i)
        if (results[i].ok && !fromBuffer_.count(some[i])) facts_[some[i]] = std::move(results[i].facts);
    }
    if (progress) progress(first + some.size(), files.size(), results.back().file);
  }
}

std::vector<Finding> WorkspaceAnalysis::analyze(const std::string &path, const std::string *text, std::string &error) {
  if (isCxxSource(path)) {
    TUResult r;
    if (workspace_.workerArgv.empty()) {
      r = extractFile(path, workspace_.compile, workspace_.packs, text);
    } else {
      if (!bufferWorker_) bufferWorker_ = std::make_unique<TUWorker>(workspace_.workerArgv);
      r = bufferWorker_->analyse(path, text);
    }
    if (!r.ok) error = r.error;
    std::lock_guard<std::mutex> lock(mutex_);
    if (r.ok) {
      facts_[path] = std::move(r.facts);
      if (text) fromBuffer_[path] = contentHash(*text);
      else fromBuffer_.erase(path);
    }
  }
  return relink();
}

void WorkspaceAnalysis::close(const std::string &path) {
  std::string analysed;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = fromBuffer_.find(path);
    if (it == fromBuffer_.end()) return; // its facts are the disk's already
    analysed = it->second;
    fromBuffer_.erase(it);
  }
  const std::vector<std::string> &files = workspace_.files;
  std::string disk, why;
  bool source = std::find(files.begin(), files.end(), path) != files.end();
  // Saved as analysed: the facts are the disk's. Otherwise parse the file as on disk
  // (from the cache when it is unchanged since indexing).
  if (source && readBounded(path, SIZE_MAX, disk, why) && contentHash(disk) == analysed) return;
  std::vector<TUResult> r;
  if (source) r = extractAll({path}, workspace_.compile, workspace_.packs, 1, nullptr, workspace_.cache.get(), workspace_.workerArgv);
  std::lock_guard<std::mutex> lock(mutex_);
  if (!r.empty() && r.front().ok) facts_[path] = std::move(r.front().facts);
  else facts_.erase(path);
}

std::vector<Finding> WorkspaceAnalysis::relink() {
  ProgramLinker linker(workspace_.packs);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto &[file, facts] : facts_) linker.add(facts);
  }
  std::vector<Finding> findings = linker.link();
  applySuppressions(findings);
  applyConfig(workspace_.config, findings);
  return findings;
}

} // namespace lockcheck::lsp
