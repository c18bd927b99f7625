#pragma once
// Structured logs: one JSON object per line, written with a single
// ::write(1, ...) so concurrent lines never interleave and no lock is needed.
#include <string_view>

#include <nlohmann/json.hpp>

namespace lcs {

// Adds "ts" and "level" and writes the line. Callers must never put
// passwords, hashes or tokens into `fields`.
void log_json(std::string_view level, nlohmann::json fields);

}  // namespace lcs
