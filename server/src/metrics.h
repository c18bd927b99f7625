#pragma once
// Process-wide metrics kept in atomics (no lock), rendered as Prometheus text.
#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace lcs {

enum class Endpoint : int {
  health, version, metrics, auth_register, auth_login, me, items_get, items_put, debug, other,
  count_
};
std::string_view endpoint_name(Endpoint e);

// A histogram over seconds with fixed buckets; every field is atomic.
class Histogram {
 public:
  static constexpr std::array<double, 14> kBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                     0.1,    0.25,  0.5,    1.0,   2.5,  5.0,  10.0};
  void observe(double seconds);
  // Appends the _bucket/_sum/_count series; `labels` is `k="v",...` or empty.
  void render(std::string& out, std::string_view name, std::string_view labels) const;
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }

 private:
  std::array<std::atomic<std::uint64_t>, kBounds.size() + 1> buckets_{};
  std::atomic<std::uint64_t> sum_us_{0};
  std::atomic<std::uint64_t> count_{0};
};

class Metrics {
 public:
  static constexpr std::array<int, 16> kStatuses = {200, 201, 204, 400, 401, 404, 405, 409,
                                                    413, 417, 431, 500, 501, 503, 504, 0};

  void observe_request(Endpoint e, int status, double seconds);
  void observe_lock_wait(double seconds) { lock_wait_.observe(seconds); }
  void lock_timeout() { lock_timeouts_.fetch_add(1, std::memory_order_relaxed); }

  std::atomic<std::int64_t> db_up{0};  // 1 after the last connect/use worked, 0 after it failed
  std::atomic<std::int64_t> db_pool_size{0};
  std::atomic<std::int64_t> db_pool_in_use{0};
  std::atomic<std::int64_t> db_pool_waiters{0};
  std::atomic<std::int64_t> db_reconnects{0};
  std::atomic<std::int64_t> bcrypt_queue_depth{0};
  std::atomic<std::int64_t> bcrypt_busy{0};
  std::atomic<std::int64_t> bcrypt_rejected{0};
  std::atomic<std::int64_t> db_rejected{0};
  std::atomic<std::int64_t> connections{0};
  std::atomic<std::int64_t> accept_errors{0};  // accept() failures (e.g. out of descriptors)
  std::atomic<std::int64_t> accept_paused{0};  // 1 while the acceptor backs off after one
  std::atomic<std::int64_t> in_flight{0};
  std::atomic<std::int64_t> item_cache_hits{0};
  std::atomic<std::int64_t> item_cache_misses{0};

  std::string render() const;

 private:
  static std::size_t status_slot(int status);
  struct Series {
    std::atomic<std::uint64_t> count{0};
    Histogram latency;
  };
  std::array<std::array<Series, kStatuses.size()>, static_cast<int>(Endpoint::count_)> requests_{};
  Histogram lock_wait_;
  std::atomic<std::uint64_t> lock_timeouts_{0};
};

Metrics& metrics();

}  // namespace lcs
