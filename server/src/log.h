#pragma once
// Structured logs: one JSON object per line, written with a single
// ::write(1, ...) so concurrent lines never interleave and no lock is needed.
#include <string_view>

#include <nlohmann/json.hpp>

namespace lcs {

// Adds "ts" and "level" and writes the line. Callers must never put
// passwords, hashes or tokens into `fields`.
void log_json(std::string_view level, nlohmann::json fields);

// The per-request line (docs/server.md, "Logs"), formatted straight into a
// per-thread buffer: on the cached item GET, building and dumping a
// nlohmann::json cost ~20 allocations a request. Phase times < 0 are left out;
// an empty error_kind is null.
struct RequestLog {
  std::string_view trace_id;
  std::string_view method;
  std::string_view endpoint;
  int status = 0;
  std::string_view error_kind;
  double duration_ms = 0;
  double lock_wait_ms = -1;
  double db_ms = -1;
  double db_queue_ms = -1;
  double bcrypt_queue_ms = -1;
  double bcrypt_ms = -1;
};
void log_request(const RequestLog& r);

}  // namespace lcs
