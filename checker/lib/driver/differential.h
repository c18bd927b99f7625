// --changed-since REV (issue 24): a finding is new when the working tree's program has it
// and REV's version of the program does not, matched as a baseline matches (rule, file,
// function, lock, message; no line numbers). REV's version is the working tree's program
// with the files changed since REV read as they were (driver/revision_files.h): the TUs
// that read no changed file are taken from the working tree's run as they are, the others
// are parsed again (their REV facts cached like any others), and the program is linked.
#pragma once

#include "config/config.h"
#include "driver/git_revision.h"
#include "driver/tu_runner.h"
#include "link/indirect_targets.h"

#include <string>
#include <vector>

namespace lockcheck {

struct RevisionRun {
  const RevisionChanges &changes;
  const CompileSetup &setup; // the working tree's
  const RulePacks &packs;
  const Config &config;
  IndirectOptions indirect;
  unsigned jobs = 1;
  const FactsCache *cache = nullptr;
  ProgressFn progress;
};

struct RevisionFindings {
  std::vector<Finding> findings;     // REV's, suppressed and configured as now; moved files under their new names
  std::vector<std::string> warnings; // one line each: REV's version of a file that did not parse
  unsigned reparsed = 0;             // TUs parsed from REV's files
};

// `now`: the working tree's TUs as analysed (facts with the files each read); `deleted`:
// sources REV had under the paths analysed that are gone now.
RevisionFindings analyseRevision(const RevisionRun &run, const std::vector<TUResult> &now,
                                 const std::vector<std::string> &deleted);

} // namespace lockcheck
