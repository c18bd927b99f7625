// Reading a whole file whose size lockcheck does not control. A path given on the command
// line or found in a directory may name /dev/zero, a pipe that never ends, or a file far
// larger than any real one of its kind: every such read has a cap, and past it the read
// stops with a reason that says so (docs/design.md "Decisions", docs/user-guide.md "Limits").
#pragma once

#include <cstddef>
#include <string>

namespace lockcheck {

inline constexpr size_t kMiB = size_t(1) << 20;
// The caps, by what the file is. Each is more than ten times the largest real one seen.
inline constexpr size_t kConfigFileLimit = 16 * kMiB;  // .lockcheck.json, one rule pack
inline constexpr size_t kFactsFileLimit = 256 * kMiB;  // one .lcfacts file, one cache entry
inline constexpr size_t kReportFileLimit = 256 * kMiB; // a baseline, a runtime report (compare)
inline constexpr size_t kListFileLimit = 64 * kMiB;    // an @LIST of facts files
inline constexpr size_t kCompileDatabaseLimit = 256 * kMiB; // compile_commands.json (a monorepo's: ~100 MiB)

// Reads all of `path` into `out`. False with `why`: the system's reason ("No such file or
// directory"), or "larger than the N MiB limit" once more than `limit` bytes came.
bool readBounded(const std::string &path, size_t limit, std::string &out, std::string &why);

} // namespace lockcheck
