// Every report, baseline and facts file is written through here (issue 24): the bytes are
// flushed and the file closed before success is claimed, so a full disk, /dev/full or a
// closed pipe is an error with its reason, never a lost report and exit 0.
#pragma once

#include <string>

namespace lockcheck {

// Writes `text` to `path` (created or truncated). False with `error` naming the file and why.
bool writeFile(const std::string &path, const std::string &text, std::string &error);
// Writes `text` to standard output and flushes it. False with `error` saying why.
bool writeStandardOutput(const std::string &text, std::string &error);
// Flushes standard output (what was written to it so far). False with `error` saying why.
bool flushStandardOutput(std::string &error);

} // namespace lockcheck
