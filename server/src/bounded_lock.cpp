#include "bounded_lock.h"

#include <atomic>

#include "metrics.h"

namespace lcs {
namespace {

std::atomic<long> g_deadline_ms{50};

}  // namespace

void set_lock_deadline(std::chrono::milliseconds d) { g_deadline_ms.store(d.count()); }
std::chrono::milliseconds lock_deadline() { return std::chrono::milliseconds(g_deadline_ms.load()); }

void record_lock_wait(std::chrono::steady_clock::duration waited, bool acquired, double* waited_ms) {
  double s = std::chrono::duration<double>(waited).count();
  metrics().observe_lock_wait(s);
  if (!acquired) metrics().lock_timeout();
  if (waited_ms != nullptr) *waited_ms += s * 1000.0;
}

}  // namespace lcs
