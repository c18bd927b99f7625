#pragma once
// PostgreSQL access off the I/O threads: DB_POOL_SIZE threads, each owning
// one pqxx::connection (a connection belongs to one thread), fed by a
// bounded job queue. A job that cannot get a connection within DB_WAIT_MS,
// or finds the queue full, fails with "pool_exhausted". Broken connections
// are dropped and recreated on the worker, outside any lock.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <pqxx/pqxx>

#include "config.h"
#include "job_pool.h"

namespace lcs {

struct DbOutcome {
  bool ok = false;
  std::string error_kind;  // db_down, db_timeout, pool_exhausted, lock_timeout, db_error
  double queue_ms = 0;
  double db_ms = 0;
};

class DbPool {
 public:
  explicit DbPool(const Config& cfg);
  ~DbPool();

  // Statements prepared on every new connection; call before start().
  void add_prepared(std::string name, std::string sql);
  // Runs `setup` (the schema step) on a short-lived connection, retrying a
  // failed connect for up to `attempts` x 500 ms; any other failure of
  // `setup` is final. Then starts the worker threads.
  using Setup = std::function<void(pqxx::connection&)>;
  bool start(const Setup& setup, int attempts, std::string& error);
  void stop();

  // `work` runs on a DB thread with a live connection and may throw pqxx
  // errors; `done` is then called exactly once, on the DB thread, or on the
  // calling thread when the job is refused.
  using Work = std::function<void(pqxx::connection&)>;
  using Done = std::function<void(const DbOutcome&)>;
  void submit(Work work, Done done);

  void log_stats() const;

 private:
  pqxx::connection* thread_connection();
  void drop_thread_connection();
  void run_job(const Work& work, const Done& done, double queue_ms);

  Config cfg_;
  std::vector<std::pair<std::string, std::string>> prepared_;  // read-only after start()
  std::unique_ptr<JobPool> jobs_;
  // steady_clock ticks before which no thread tries to connect (0: try now).
  std::atomic<std::chrono::steady_clock::rep> next_attempt_{0};
};

}  // namespace lcs
