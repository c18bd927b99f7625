#include "bounded_lock.h"

#include <atomic>

#include "metrics.h"

namespace lcs {
namespace {

std::atomic<long> g_deadline_ms{50};

class WaitTimer {
 public:
  explicit WaitTimer(double* out) : out_(out), start_(std::chrono::steady_clock::now()) {}
  void finish(bool acquired) {
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    metrics().observe_lock_wait(s);
    if (!acquired) metrics().lock_timeout();
    if (out_ != nullptr) *out_ += s * 1000.0;
  }

 private:
  double* out_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

void set_lock_deadline(std::chrono::milliseconds d) { g_deadline_ms.store(d.count()); }
std::chrono::milliseconds lock_deadline() { return std::chrono::milliseconds(g_deadline_ms.load()); }

std::optional<ExclusiveLock> lock_bounded(std::timed_mutex& m, double* waited_ms) {
  WaitTimer timer(waited_ms);
  ExclusiveLock lk(m, std::defer_lock);
  bool ok = lk.try_lock_for(lock_deadline());
  timer.finish(ok);
  if (!ok) return std::nullopt;
  return std::optional<ExclusiveLock>(std::move(lk));
}

std::optional<std::unique_lock<std::shared_timed_mutex>> lock_bounded(std::shared_timed_mutex& m,
                                                                       double* waited_ms) {
  WaitTimer timer(waited_ms);
  std::unique_lock<std::shared_timed_mutex> lk(m, std::defer_lock);
  bool ok = lk.try_lock_for(lock_deadline());
  timer.finish(ok);
  if (!ok) return std::nullopt;
  return std::optional<std::unique_lock<std::shared_timed_mutex>>(std::move(lk));
}

std::optional<SharedLock> lock_shared_bounded(std::shared_timed_mutex& m, double* waited_ms) {
  WaitTimer timer(waited_ms);
  SharedLock lk(m, std::defer_lock);
  bool ok = lk.try_lock_for(lock_deadline());
  timer.finish(ok);
  if (!ok) return std::nullopt;
  return std::optional<SharedLock>(std::move(lk));
}

}  // namespace lcs
