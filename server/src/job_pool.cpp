#include "job_pool.h"

#include <utility>

namespace lcs {

JobPool::JobPool(std::string name, int threads, int queue_cap, std::chrono::milliseconds max_wait,
                 std::atomic<std::int64_t>* depth_gauge, std::atomic<std::int64_t>* busy_gauge)
    : name_(std::move(name)),
      max_wait_(max_wait),
      limit_(static_cast<std::size_t>(threads + queue_cap)),
      depth_gauge_(depth_gauge),
      busy_gauge_(busy_gauge),
      ring_(static_cast<std::size_t>(threads + queue_cap)) {
  threads_.reserve(static_cast<std::size_t>(threads));
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { worker_loop(); });
}

JobPool::~JobPool() { stop(); }

JobPool::Submit JobPool::submit(std::function<void(double)> run, std::function<void()> expired) {
  Job job{std::move(run), std::move(expired), std::chrono::steady_clock::now()};
  {
    ExclusiveLock lk(mu_, std::defer_lock);
    if (!lk.try_lock()) return Submit::lock_timeout;
    if (stopping_) return Submit::stopped;
    if (count_ + running_.load() >= limit_) return Submit::full;
    std::swap(ring_[(head_ + count_) % ring_.size()], job);
    ++count_;
    load_.fetch_add(1);
    if (depth_gauge_ != nullptr) depth_gauge_->store(static_cast<std::int64_t>(count_));
  }
  cv_.notify_one();
  return Submit::ok;
}

// Pops the next job, waiting for one. Returns false when stopping and the
// queue is empty. A worker answers no request, so it takes the lock without
// a deadline and waits on the condition variable, which releases it: every
// holder only swaps memory, and waiting for work is not a lock timeout.
bool JobPool::take(Job& out) {
  ExclusiveLock lk(mu_);
  while (count_ == 0 && !stopping_) cv_.wait(lk);
  if (count_ == 0) return false;
  std::swap(out, ring_[head_]);
  head_ = (head_ + 1) % ring_.size();
  --count_;
  running_.fetch_add(1);
  if (depth_gauge_ != nullptr) depth_gauge_->store(static_cast<std::int64_t>(count_));
  return true;
}

void JobPool::worker_loop() {
  for (;;) {
    Job job;
    if (!take(job)) return;
    auto waited = std::chrono::steady_clock::now() - job.enqueued;
    double queue_ms = std::chrono::duration<double, std::milli>(waited).count();
    if (busy_gauge_ != nullptr) busy_gauge_->fetch_add(1);
    if (max_wait_.count() > 0 && waited > max_wait_ && job.expired)
      job.expired();
    else
      job.run(queue_ms);
    if (busy_gauge_ != nullptr) busy_gauge_->fetch_sub(1);
    running_.fetch_sub(1);
    load_.fetch_sub(1);
  }
}

void JobPool::stop() {
  {
    ExclusiveLock lk(mu_);  // shutdown does not give up
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

}  // namespace lcs
