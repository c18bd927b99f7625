#include "log.h"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

namespace lcs {
namespace {

// "2026-11-30T04:00:00.123Z". The text up to the seconds is cached per
// thread and redone only when the second changes (no gmtime/strftime per line).
std::string_view now_iso8601() {
  using namespace std::chrono;
  thread_local std::time_t cached_second = -1;
  thread_local char buf[32];
  auto now = system_clock::now();
  std::time_t t = system_clock::to_time_t(now);
  if (t != cached_second) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
    cached_second = t;
  }
  int ms = static_cast<int>(duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000);
  buf[20] = static_cast<char>('0' + ms / 100);
  buf[21] = static_cast<char>('0' + ms / 10 % 10);
  buf[22] = static_cast<char>('0' + ms % 10);
  return {buf, 24};
}

void write_line(const std::string& line) {
  // One write per line; retry only on EINTR (a short write to a pipe below
  // PIPE_BUF does not happen).
  ssize_t n;
  do {
    n = ::write(1, line.data(), line.size());
  } while (n < 0 && errno == EINTR);
}

void append_string(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u >= 0x7f) {  // \u00XX keeps the line valid JSON whatever the bytes
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", u);
      out += esc;
    } else {
      out += c;
    }
  }
  out += '"';
}

void append_ms(std::string& out, const char* key, double v) {
  if (v < 0) return;
  out += key;
  char num[32];
  auto r = std::to_chars(num, num + sizeof num, v, std::chars_format::fixed, 3);
  out.append(num, r.ptr);
}

}  // namespace

void log_json(std::string_view level, nlohmann::json fields) {
  fields["ts"] = std::string(now_iso8601());
  fields["level"] = level;
  std::string line = fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  line += '\n';
  write_line(line);
}

void log_request(const RequestLog& r) {
  thread_local std::string line;
  line.clear();
  line += "{\"ts\":\"";
  line += now_iso8601();
  line += r.status >= 500 ? "\",\"level\":\"error\"" : r.status >= 400 ? "\",\"level\":\"warn\"" : "\",\"level\":\"info\"";
  line += ",\"trace_id\":";
  append_string(line, r.trace_id);
  line += ",\"method\":";
  append_string(line, r.method);
  line += ",\"endpoint\":";
  append_string(line, r.endpoint);
  line += ",\"status\":";
  line += std::to_string(r.status);
  line += ",\"error_kind\":";
  if (r.error_kind.empty())
    line += "null";
  else
    append_string(line, r.error_kind);
  append_ms(line, ",\"duration_ms\":", r.duration_ms);
  append_ms(line, ",\"lock_wait_ms\":", r.lock_wait_ms);
  append_ms(line, ",\"db_ms\":", r.db_ms);
  append_ms(line, ",\"db_queue_ms\":", r.db_queue_ms);
  append_ms(line, ",\"bcrypt_queue_ms\":", r.bcrypt_queue_ms);
  append_ms(line, ",\"bcrypt_ms\":", r.bcrypt_ms);
  line += "}\n";
  write_line(line);
}

}  // namespace lcs
