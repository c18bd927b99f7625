// What the language server asks of the analysis. WorkspaceAnalysis (workspace_analysis.h) is
// the real one; the protocol tests use a fake, so framing and state are tested without Clang.
#pragma once

#include "report/finding.h"

#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace lockcheck::lsp {

class Analysis {
public:
  virtual ~Analysis() = default;
  // Once, from `initialize`: the workspace root directory. False with `error` when the
  // workspace cannot be analysed (bad config or rule pack, unreadable compile database).
  virtual bool open(const std::string &root, std::string &error) = 0;
  // The first run over the workspace's sources (cache hits are cheap); stops between files
  // once `stop` is set. `progress` may be called from this thread only.
  using Progress = std::function<void(size_t done, size_t total, const std::string &file)>;
  virtual void index(const Progress &progress, const std::atomic<bool> &stop) = 0;
  // Re-extracts `path` (absolute) from `text`, or from disk when null, if it is a source
  // file, then links it with the rest of the program. Returns every finding of the program
  // after suppressions and configuration; `error` is the file's first compiler error, if any.
  virtual std::vector<Finding> analyze(const std::string &path, const std::string *text, std::string &error) = 0;
  // The program's findings from the facts at hand, re-linked, nothing re-extracted (after
  // the first indexing, or when only the settings changed).
  virtual std::vector<Finding> relink() = 0;
  // The editor closed `path` (absolute): facts taken from its buffer give way to the file on
  // disk (unsaved edits are gone with the buffer); a file that is no source of the workspace
  // leaves the program.
  virtual void close(const std::string &path) = 0;
};

} // namespace lockcheck::lsp
