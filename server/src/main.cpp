// lockcheck-server: the reference login/API service (docs/server.md).
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "admin.h"
#include "bcrypt.h"
#include "bounded_lock.h"
#include "config.h"
#include "db_pool.h"
#include "fd_budget.h"
#include "item_cache.h"
#include "item_store.h"
#include "job_pool.h"
#include "listener.h"
#include "log.h"
#include "metrics.h"
#include "migrations.h"
#include "session.h"
#include "user_store.h"
#include "version_info.h"

namespace net = boost::asio;
using namespace lcs;

namespace {

// --bcrypt-bench: one hash at BCRYPT_COST (best of 3, after a warm-up),
// and the throughput of one hashing thread per core running at once (on
// SMT-sibling vCPUs that is well below cores / hash time).
int bcrypt_bench() {
  long cost = 12;
  if (const char* c = std::getenv("BCRYPT_COST")) cost = std::atol(c);
  if (!bcrypt_hash("warm-up-password", static_cast<int>(cost))) return 1;
  double best = 1e18;
  for (int i = 0; i < 3; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    bcrypt_hash("benchmark-password", static_cast<int>(cost));
    best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const int per_thread = 3;
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (unsigned i = 0; i < cores; ++i)
    threads.emplace_back([cost] {
      for (int k = 0; k < per_thread; ++k) bcrypt_hash("benchmark-password", static_cast<int>(cost));
    });
  for (auto& t : threads) t.join();
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("{\"bcrypt_cost\":%ld,\"hash_ms\":%.3f,\"cores\":%u,\"parallel_hashes_per_s\":%.3f}\n", cost, best,
              cores, cores * per_thread / wall);
  return 0;
}

// Polls until in-flight requests are done (or the grace period ends), then
// stops the io_context.
void drain_then_stop(net::io_context& ioc, std::shared_ptr<net::steady_timer> timer,
                     std::chrono::steady_clock::time_point deadline) {
  timer->expires_after(std::chrono::milliseconds(20));
  timer->async_wait([&ioc, timer, deadline](const boost::system::error_code&) {
    if (metrics().in_flight.load() == 0 || std::chrono::steady_clock::now() >= deadline) {
      ioc.stop();
      return;
    }
    drain_then_stop(ioc, timer, deadline);
  });
}

void schedule_pool_log(net::steady_timer& timer, DbPool& db, int seconds) {
  timer.expires_after(std::chrono::seconds(seconds));
  timer.async_wait([&timer, &db, seconds](const boost::system::error_code& ec) {
    if (ec) return;
    db.log_stats();
    // While the DB is marked down, a ping through the pool notices its return even
    // if no request comes (else an idle server's LockcheckDbDown would never clear).
    // Not while up: an idle server does no DB or lock work at all.
    if (metrics().db_up.load() == 0) db.submit([](pqxx::connection& c) { ping(c); }, [](const DbOutcome&) {});
    schedule_pool_log(timer, db, seconds);
  });
}

}  // namespace

int main(int argc, char** argv) {
  enum class Mode { serve, check_config, migrate } mode = Mode::serve;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      std::fputs(config_help().c_str(), stdout);
      return 0;
    }
    if (std::strcmp(argv[i], "--bcrypt-bench") == 0) return bcrypt_bench();
    if (argc == 2 && std::strcmp(argv[i], "--check-config") == 0) {
      mode = Mode::check_config;
      continue;
    }
    if (argc == 2 && std::strcmp(argv[i], "migrate") == 0) {
      mode = Mode::migrate;
      continue;
    }
    std::fprintf(stderr, "lockcheck-server: unknown or misplaced argument '%s' (see --help)\n", argv[i]);
    return 2;
  }
  Config cfg;
  std::string error;
  if (!load_config(cfg, error, mode == Mode::migrate ? ConfigUse::migrate : ConfigUse::serve)) {
    std::fprintf(stderr, "lockcheck-server: %s (see --help)\n", error.c_str());
    return 2;
  }
  FdBudget fds;
  if (mode != Mode::migrate && !ensure_fd_budget(cfg, fds, error)) {
    std::fprintf(stderr, "lockcheck-server: %s\n", error.c_str());
    return 2;
  }
  if (mode == Mode::check_config) return check_config_command(cfg);
  if (mode == Mode::migrate) return migrate_command(cfg);
  set_lock_deadline(std::chrono::milliseconds(cfg.lock_timeout_ms));
  // Bound connection attempts so a vanished database fails fast.
  setenv("PGCONNECT_TIMEOUT", "2", 0);
  // Unknown users are verified against this, so it must exist before serving.
  if (!bcrypt_prepare_dummy_hashes(cfg.bcrypt_cost)) {
    log_json("error", {{"event", "startup_failed"}, {"error_kind", "bcrypt"}, {"message", "cannot compute a bcrypt hash"}});
    return 1;
  }

  DbPool db(cfg);
  register_user_statements(db);
  register_item_statements(db);
  bool migrate = cfg.migrate_on_start;
  if (!db.start([migrate](pqxx::connection& c) { ensure_schema(c, migrate); }, 20, error)) {
    log_json("error", {{"event", "startup_failed"}, {"error_kind", "db_startup"}, {"message", error}});
    return 1;
  }
  JobPool bcrypt_pool("bcrypt", cfg.workers, cfg.bcrypt_queue, std::chrono::milliseconds(0),
                      &metrics().bcrypt_queue_depth, &metrics().bcrypt_busy);
  ItemCache items(cfg.item_cache_max);
  App app{cfg, db, bcrypt_pool, items};

  net::io_context ioc(cfg.io_threads);
  auto listener = std::make_shared<Listener>(ioc, app);
  boost::system::error_code ec;
  auto address = net::ip::make_address(cfg.address, ec);
  if (ec || !listener->open({address, cfg.port}, error)) {
    log_json("error", {{"event", "startup_failed"}, {"error_kind", "listen"}, {"message", ec ? ec.message() : error}});
    return 1;
  }
  listener->run();

  net::signal_set signals(ioc, SIGINT, SIGTERM);
  auto drain_timer = std::make_shared<net::steady_timer>(ioc);
  net::steady_timer pool_log_timer(ioc);
  signals.async_wait([&](const boost::system::error_code& sig_ec, int sig) {
    if (sig_ec) return;
    log_json("info", {{"event", "shutdown"}, {"signal", sig}, {"in_flight", metrics().in_flight.load()}});
    g_stopping.store(true);
    listener->stop();
    pool_log_timer.cancel();
    drain_then_stop(ioc, drain_timer, std::chrono::steady_clock::now() + std::chrono::seconds(cfg.shutdown_timeout_s));
  });
  schedule_pool_log(pool_log_timer, db, cfg.pool_log_interval_s);

  log_json("info", {{"event", "listening"},
                    {"address", cfg.address},
                    {"port", listener->port()},
                    {"version", LOCKCHECK_SERVER_VERSION},
                    {"commit", LOCKCHECK_GIT_COMMIT},
                    {"io_threads", cfg.io_threads},
                    {"workers", cfg.workers},
                    {"db_pool_size", cfg.db_pool_size},
                    {"bcrypt_cost", cfg.bcrypt_cost},
                    {"max_connections", cfg.max_connections},
                    {"fd_needed", fds.needed},
                    {"fd_limit", fds.limit}});

  std::vector<std::thread> threads;
  for (int i = 1; i < cfg.io_threads; ++i) threads.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : threads) t.join();

  bcrypt_pool.stop();
  db.stop();
  log_json("info", {{"event", "stopped"}});
  return 0;
}
