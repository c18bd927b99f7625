#pragma once
// A fixed set of worker threads with a bounded FIFO queue. Submitting to a
// full queue fails at once (the caller answers 503 + Retry-After) instead of
// letting waits grow without bound.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "bounded_lock.h"

namespace lcs {

class JobPool {
 public:
  // run(queue_ms) executes on a worker; expired() instead when the job
  // waited longer than max_wait (0 = no limit).
  struct Job {
    std::function<void(double queue_ms)> run;
    std::function<void()> expired;
    std::chrono::steady_clock::time_point enqueued;
  };
  enum class Submit { ok, full, lock_timeout, stopped };

  JobPool(std::string name, int threads, int queue_cap, std::chrono::milliseconds max_wait,
          std::atomic<std::int64_t>* depth_gauge, std::atomic<std::int64_t>* busy_gauge);
  ~JobPool();
  JobPool(const JobPool&) = delete;
  JobPool& operator=(const JobPool&) = delete;

  Submit submit(std::function<void(double)> run, std::function<void()> expired = {}) EXCLUDES(mu_);
  void stop() EXCLUDES(mu_);
  // A lock-free early check, so callers can refuse before doing other work;
  // submit() still decides.
  bool full() const { return load_.load(std::memory_order_relaxed) >= limit_; }
  int threads() const { return static_cast<int>(threads_.size()); }

 private:
  void worker_loop();
  bool take(Job& out) EXCLUDES(mu_);

  std::string name_;
  std::chrono::milliseconds max_wait_;
  std::size_t limit_;  // waiting + running jobs
  std::atomic<std::int64_t>* depth_gauge_;
  std::atomic<std::int64_t>* busy_gauge_;

  TimedMutex mu_;
  std::condition_variable_any cv_;
  std::vector<Job> ring_ GUARDED_BY(mu_);
  std::size_t head_ GUARDED_BY(mu_) = 0;
  std::size_t count_ GUARDED_BY(mu_) = 0;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::atomic<std::size_t> running_{0};
  std::atomic<std::size_t> load_{0};  // waiting + running, for full()
  std::vector<std::thread> threads_;
};

}  // namespace lcs
