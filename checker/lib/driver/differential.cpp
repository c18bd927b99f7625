#include "driver/differential.h"

#include "config/suppressions.h"
#include "driver/revision_files.h"
#include "extract/decl_names.h"
#include "link/program_linker.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

namespace lockcheck {
namespace fs = std::filesystem;

RevisionFindings analyseRevision(const RevisionRun &run, const std::vector<TUResult> &now,
                                 const std::vector<std::string> &deleted) {
  RevisionFindings out;
  auto revision = std::make_shared<RevisionFiles>(run.changes);
  ProgramLinker linker(run.packs);
  linker.setIndirectOptions(run.indirect);
  std::vector<std::string> reparse;
  for (const TUResult &r : now) {
    if (!r.ok) continue; // reported as an error of this run already
    std::error_code ec;
    std::string file = fs::absolute(r.file, ec).lexically_normal().string();
    if (revision->covers(file) && !revision->before(file)) continue; // added since REV: not in REV's program
    bool readsChange = revision->covers(file) ||
                       std::any_of(r.facts.inputs.begin(), r.facts.inputs.end(),
                                   [&](const InputFile &in) { return revision->covers(in.path); }) ||
                       std::any_of(r.facts.absent.begin(), r.facts.absent.end(),
                                   [&](const std::string &path) { return revision->covers(path); });
    if (readsChange) reparse.push_back(file);
    else linker.add(r.facts);
  }
  reparse.insert(reparse.end(), deleted.begin(), deleted.end());
  CompileSetup then = run.setup;
  then.revision = revision;
  std::vector<TUResult> parsed = extractAll(reparse, then, run.packs, run.jobs, run.progress, run.cache);
  out.reparsed = static_cast<unsigned>(parsed.size());
  for (auto &r : parsed) {
    if (r.ok) linker.add(std::move(r.facts));
    else
      out.warnings.push_back(run.changes.revision + "'s version of " + r.file + " does not parse (" + r.error +
                             "); the findings it would have had count as new");
  }
  out.findings = linker.link();

  // As the working tree's findings are: suppressions read from REV's bytes, then the config.
  applySuppressions(out.findings, [&](const std::string &file, std::string &text) {
    std::error_code ec;
    if (const std::string *bytes = revision->before(fs::absolute(file, ec).lexically_normal().string())) {
      text = *bytes;
      return true;
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) return false;
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return true;
  });
  applyConfig(run.config, out.findings);
  // A moved file's findings are matched under its new name.
  std::map<std::string, std::string> moved;
  for (const FileChange &f : run.changes.files)
    if (f.kind == FileChange::Kind::Renamed) moved[displayPath(f.oldPath)] = displayPath(f.path);
  if (!moved.empty())
    for (auto &f : out.findings)
      if (auto it = moved.find(f.anchor.file); it != moved.end()) f.anchor.file = it->second;
  return out;
}

} // namespace lockcheck
