#include "metrics.h"

#include <cstdio>

namespace lcs {

std::string_view endpoint_name(Endpoint e) {
  switch (e) {
    case Endpoint::health: return "/health";
    case Endpoint::version: return "/version";
    case Endpoint::metrics: return "/metrics";
    case Endpoint::auth_register: return "/api/auth/register";
    case Endpoint::auth_login: return "/api/auth/login";
    case Endpoint::me: return "/api/me";
    case Endpoint::items_get: return "GET /api/items/{id}";
    case Endpoint::items_put: return "PUT /api/items/{id}";
    case Endpoint::debug: return "/debug/slow";
    default: return "other";
  }
}

void Histogram::observe(double seconds) {
  std::size_t i = 0;
  while (i < kBounds.size() && seconds > kBounds[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_us_.fetch_add(static_cast<std::uint64_t>(seconds * 1e6), std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

void Histogram::render(std::string& out, std::string_view name, std::string_view labels) const {
  std::string sep = labels.empty() ? "" : ",";
  std::uint64_t cumulative = 0;
  char le[32];
  for (std::size_t i = 0; i <= kBounds.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    if (i < kBounds.size())
      std::snprintf(le, sizeof le, "%g", kBounds[i]);
    else
      std::snprintf(le, sizeof le, "+Inf");
    out += std::string(name) + "_bucket{" + std::string(labels) + sep + "le=\"" + le + "\"} " +
           std::to_string(cumulative) + "\n";
  }
  char sum[64];
  std::snprintf(sum, sizeof sum, "%.6f", static_cast<double>(sum_us_.load(std::memory_order_relaxed)) / 1e6);
  std::string braces = labels.empty() ? "" : "{" + std::string(labels) + "}";
  out += std::string(name) + "_sum" + braces + " " + sum + "\n";
  out += std::string(name) + "_count" + braces + " " + std::to_string(count_.load(std::memory_order_relaxed)) + "\n";
}

std::size_t Metrics::status_slot(int status) {
  for (std::size_t i = 0; i + 1 < kStatuses.size(); ++i)
    if (kStatuses[i] == status) return i;
  return kStatuses.size() - 1;  // "other"
}

void Metrics::observe_request(Endpoint e, int status, double seconds) {
  Series& s = requests_[static_cast<int>(e)][status_slot(status)];
  s.count.fetch_add(1, std::memory_order_relaxed);
  s.latency.observe(seconds);
}

std::string Metrics::render() const {
  std::string out;
  out.reserve(16384);
  out += "# HELP lockcheck_http_requests_total HTTP requests by endpoint and status.\n";
  out += "# TYPE lockcheck_http_requests_total counter\n";
  std::string hist;
  for (int e = 0; e < static_cast<int>(Endpoint::count_); ++e) {
    for (std::size_t s = 0; s < kStatuses.size(); ++s) {
      const Series& series = requests_[e][s];
      std::uint64_t n = series.count.load(std::memory_order_relaxed);
      if (n == 0) continue;
      std::string status = kStatuses[s] == 0 ? "other" : std::to_string(kStatuses[s]);
      std::string labels = "endpoint=\"" + std::string(endpoint_name(static_cast<Endpoint>(e))) +
                           "\",status=\"" + status + "\"";
      out += "lockcheck_http_requests_total{" + labels + "} " + std::to_string(n) + "\n";
      series.latency.render(hist, "lockcheck_http_request_duration_seconds", labels);
    }
  }
  out += "# HELP lockcheck_http_request_duration_seconds Request latency by endpoint and status.\n";
  out += "# TYPE lockcheck_http_request_duration_seconds histogram\n";
  out += hist;
  out += "# HELP lockcheck_lock_wait_seconds Time spent acquiring bounded locks.\n";
  out += "# TYPE lockcheck_lock_wait_seconds histogram\n";
  lock_wait_.render(out, "lockcheck_lock_wait_seconds", "");
  auto gauge = [&out](const char* name, const char* type, const char* help, std::int64_t v) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + name +
           " " + std::to_string(v) + "\n";
  };
  gauge("lockcheck_lock_timeouts_total", "counter", "Bounded lock acquisitions that hit the deadline.",
        static_cast<std::int64_t>(lock_timeouts_.load(std::memory_order_relaxed)));
  gauge("lockcheck_db_up", "gauge", "1 if the last connect or query reached PostgreSQL, else 0.", db_up.load());
  gauge("lockcheck_db_pool_size", "gauge", "Open PostgreSQL connections.", db_pool_size.load());
  gauge("lockcheck_db_pool_in_use", "gauge", "Connections running a job.", db_pool_in_use.load());
  gauge("lockcheck_db_pool_waiters", "gauge", "DB jobs waiting for a connection.", db_pool_waiters.load());
  gauge("lockcheck_db_reconnects_total", "counter", "Successful (re)connections.", db_reconnects.load());
  gauge("lockcheck_db_rejected_total", "counter", "DB jobs refused (queue full or waited too long).", db_rejected.load());
  gauge("lockcheck_bcrypt_queue_depth", "gauge", "Hashes waiting for a worker.", bcrypt_queue_depth.load());
  gauge("lockcheck_bcrypt_busy", "gauge", "Workers hashing now.", bcrypt_busy.load());
  gauge("lockcheck_bcrypt_rejected_total", "counter", "Hashes refused because the queue was full.", bcrypt_rejected.load());
  gauge("lockcheck_http_connections", "gauge", "Open HTTP connections.", connections.load());
  gauge("lockcheck_accept_errors_total", "counter", "Failed accepts of a connection (out of file descriptors...).",
        accept_errors.load());
  gauge("lockcheck_accept_paused", "gauge", "1 while accepting is paused after a failed accept.",
        accept_paused.load());
  gauge("lockcheck_http_in_flight", "gauge", "Requests being handled.", in_flight.load());
  gauge("lockcheck_item_cache_hits_total", "counter", "Item cache hits.", item_cache_hits.load());
  gauge("lockcheck_item_cache_misses_total", "counter", "Item cache misses.", item_cache_misses.load());
  return out;
}

Metrics& metrics() {
  static Metrics m;
  return m;
}

}  // namespace lcs
