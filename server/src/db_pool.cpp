#include "db_pool.h"

#include <chrono>
#include <thread>

#include "log.h"
#include "metrics.h"

namespace lcs {
namespace {

// Each DB thread's connection; only ever touched by that thread.
thread_local std::unique_ptr<pqxx::connection> t_conn;

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

DbPool::DbPool(const Config& cfg) : cfg_(cfg) {}
DbPool::~DbPool() { stop(); }

void DbPool::add_prepared(std::string name, std::string sql) {
  prepared_.emplace_back(std::move(name), std::move(sql));
}

bool DbPool::start(const Setup& setup, int attempts, std::string& error) {
  for (int i = 0; i < attempts; ++i) {
    try {
      pqxx::connection c(cfg_.database_url);
      setup(c);
      error.clear();
      break;
    } catch (const pqxx::broken_connection& e) {
      error = e.what();
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    } catch (const std::exception& e) {
      error = e.what();
      return false;
    }
  }
  if (!error.empty()) return false;
  metrics().db_up.store(1);
  jobs_ = std::make_unique<JobPool>("db", cfg_.db_pool_size, cfg_.db_queue,
                                    std::chrono::milliseconds(cfg_.db_wait_ms),
                                    &metrics().db_pool_waiters, &metrics().db_pool_in_use);
  return true;
}

void DbPool::stop() {
  if (jobs_) jobs_->stop();
}

pqxx::connection* DbPool::thread_connection() {
  if (t_conn) return t_conn.get();
  auto now = std::chrono::steady_clock::now();
  // Back off while the DB is down. The back-off is the pool's, not the thread's: once
  // any thread connects again, every thread may (a per-thread back-off answered 503 for
  // up to 200 ms after the database was back and /health said so).
  if (now.time_since_epoch().count() < next_attempt_.load(std::memory_order_relaxed)) return nullptr;
  try {
    auto c = std::make_unique<pqxx::connection>(cfg_.database_url);
    {
      pqxx::nontransaction n(*c);
      n.exec_params("SELECT set_config('statement_timeout', $1, false)",
                    std::to_string(cfg_.statement_timeout_ms));
    }
    for (const auto& [name, sql] : prepared_) c->prepare(name, sql);
    t_conn = std::move(c);
    next_attempt_.store(0, std::memory_order_relaxed);
    metrics().db_up.store(1, std::memory_order_relaxed);
    metrics().db_pool_size.fetch_add(1);
    metrics().db_reconnects.fetch_add(1);
    return t_conn.get();
  } catch (const std::exception& e) {
    next_attempt_.store((now + std::chrono::milliseconds(200)).time_since_epoch().count(), std::memory_order_relaxed);
    metrics().db_up.store(0, std::memory_order_relaxed);
    log_json("warn", {{"event", "db_connect_failed"}, {"error_kind", "db_down"}, {"message", e.what()}});
    return nullptr;
  }
}

void DbPool::drop_thread_connection() {
  if (!t_conn) return;
  t_conn.reset();
  metrics().db_pool_size.fetch_sub(1);
}

void DbPool::run_job(const Work& work, const Done& done, double queue_ms) {
  DbOutcome out;
  out.queue_ms = queue_ms;
  auto start = std::chrono::steady_clock::now();
  // One retry covers the first use of a connection the server closed
  // (e.g. after a database restart).
  for (int attempt = 0; attempt < 2; ++attempt) {
    pqxx::connection* conn = thread_connection();
    if (conn == nullptr) {
      out.error_kind = "db_down";
      break;
    }
    try {
      work(*conn);
      out.ok = true;
      metrics().db_up.store(1, std::memory_order_relaxed);
      out.error_kind.clear();
      break;
    } catch (const pqxx::broken_connection&) {
      drop_thread_connection();
      metrics().db_up.store(0, std::memory_order_relaxed);
      out.error_kind = "db_down";
    } catch (const pqxx::sql_error& e) {
      out.error_kind = e.sqlstate() == "57014" ? "db_timeout" : "db_error";
      if (out.error_kind == "db_error")
        log_json("error", {{"event", "db_error"}, {"error_kind", "db_error"}, {"sqlstate", e.sqlstate()}});
      break;
    } catch (const std::exception& e) {
      out.error_kind = "db_error";
      log_json("error", {{"event", "db_error"}, {"error_kind", "db_error"}, {"message", e.what()}});
      break;
    }
  }
  out.db_ms = ms_since(start);
  done(out);
}

void DbPool::submit(Work work, Done done) {
  auto w = std::make_shared<Work>(std::move(work));
  auto d = std::make_shared<Done>(std::move(done));
  if (!jobs_) {
    (*d)(DbOutcome{false, "db_down", 0, 0});
    return;
  }
  auto r = jobs_->submit([this, w, d](double queue_ms) { run_job(*w, *d, queue_ms); },
                         [d] {
                           metrics().db_rejected.fetch_add(1);
                           (*d)(DbOutcome{false, "pool_exhausted", 0, 0});
                         });
  if (r == JobPool::Submit::ok) return;
  metrics().db_rejected.fetch_add(1);
  (*d)(DbOutcome{false, r == JobPool::Submit::lock_timeout ? "lock_timeout" : "pool_exhausted", 0, 0});
}

void DbPool::log_stats() const {
  Metrics& m = metrics();
  log_json("info", {{"event", "db_pool_stats"},
                    {"pool_size", m.db_pool_size.load()},
                    {"pool_threads", cfg_.db_pool_size},
                    {"in_use", m.db_pool_in_use.load()},
                    {"waiters", m.db_pool_waiters.load()},
                    {"reconnects", m.db_reconnects.load()},
                    {"rejected", m.db_rejected.load()},
                    {"bcrypt_queue_depth", m.bcrypt_queue_depth.load()}});
}

}  // namespace lcs
