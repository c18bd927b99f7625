#include "log.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace lcs {
namespace {

std::string now_iso8601() {
  using namespace std::chrono;
  auto now = system_clock::now();
  std::time_t t = system_clock::to_time_t(now);
  long ms = static_cast<long>(duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buf;
}

}  // namespace

void log_json(std::string_view level, nlohmann::json fields) {
  fields["ts"] = now_iso8601();
  fields["level"] = level;
  std::string line = fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  line += '\n';
  // One write per line; retry only on EINTR (a short write to a pipe below
  // PIPE_BUF does not happen).
  ssize_t n;
  do {
    n = ::write(1, line.data(), line.size());
  } while (n < 0 && errno == EINTR);
}

}  // namespace lcs
