// The FACTS... arguments of `lockcheck link`: files, directories (every *.lcfacts below,
// sorted) and @LIST files (one path a line), so that 10^5 facts files do not have to fit
// on one command line (ARG_MAX; Bazel and CMake pass a list file).
#pragma once

#include <string>
#include <vector>

namespace lockcheck {

// Appends the facts files `argument` names to `out`; false with `error` if it names nothing
// readable (a missing path, an unreadable list). Below a directory the Clang plugin wrote
// (facts/facts_dir.h), a file whose source no longer exists is left out and that source
// appended to `gone`: the source was deleted, so it is no longer part of the build.
bool expandFactsArgument(const std::string &argument, std::vector<std::string> &out, std::vector<std::string> &gone,
                         std::string &error);

} // namespace lockcheck
