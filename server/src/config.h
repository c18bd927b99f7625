#pragma once
// Server configuration, read once from environment variables (see --help).
#include <chrono>
#include <string>
#include <vector>

namespace lcs {

struct Config {
  std::string address = "127.0.0.1";
  unsigned short port = 8080;
  std::string database_url = "postgresql:///lockcheck";
  std::string jwt_secret;
  int jwt_expiry_s = 3600;
  int bcrypt_cost = 12;
  int workers = 0;            // bcrypt threads; 0 = cores
  int bcrypt_queue = 16;      // queued hashes beyond the running ones
  int io_threads = 0;         // Beast I/O threads; 0 = cores
  int db_pool_size = 4;       // connections, one per DB thread
  int db_queue = 128;         // queued DB jobs
  int db_wait_ms = 1000;      // max time a DB job may wait for a connection
  int statement_timeout_ms = 5000;
  int lock_timeout_ms = 50;
  int read_timeout_s = 30;
  int write_timeout_s = 30;
  std::size_t body_limit = 64 * 1024;
  std::size_t header_limit = 8 * 1024;
  int max_connections = 1024;
  int shutdown_timeout_s = 30;
  int pool_log_interval_s = 30;
  std::size_t item_cache_max = 100000;
  bool debug_endpoints = false;
  bool migrate_on_start = true;  // false: the schema must already be current (no DDL at run time)
};

enum class ConfigUse { serve, migrate };

// Fills a Config from the environment and validates it (listen address,
// DATABASE_URL syntax, and for `serve` the JWT secret). Returns false and
// sets `error`, naming the variable, on a bad value.
bool load_config(Config& cfg, std::string& error, ConfigUse use = ConfigUse::serve);

// Environment variables with one of this server's prefixes (LOCKCHECK_,
// DB_, JWT_, BCRYPT_) that it does not read: most likely typos in an env file.
std::vector<std::string> unknown_config_variables();

// The --help text listing every variable with its default.
std::string config_help();

}  // namespace lcs
