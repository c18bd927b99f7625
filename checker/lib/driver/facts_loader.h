// Reads the facts files of `lockcheck link` into the linker: decoded on `jobs` threads,
// merged in the order given (as if read one by one), with at most a bounded window of
// decoded files in memory at once, and every header function (the same key at the same
// position) or declaration that an earlier file already brought left undecoded.
#pragma once

#include "link/program_linker.h"
#include "report/report.h"

#include <functional>
#include <string>
#include <vector>

namespace lockcheck {

// Adds each readable file's facts to `linker`, unless `keep` (when given) says no to them;
// a file that cannot be read or decoded goes to `errors`. Returns the number of files added.
unsigned loadFacts(const std::vector<std::string> &paths, unsigned jobs, ProgramLinker &linker,
                   std::vector<InputError> &errors, const std::function<bool(const TUFacts &)> &keep = {});

} // namespace lockcheck
