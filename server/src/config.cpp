#include "config.h"

#include <arpa/inet.h>
#include <libpq-fe.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace lcs {
namespace {

struct Var {
  const char* name;
  const char* help;
};

const Var kVars[] = {
    {"LOCKCHECK_SERVER_ADDRESS", "listen address (default 127.0.0.1)"},
    {"LOCKCHECK_SERVER_PORT", "listen port (default 8080)"},
    {"DATABASE_URL", "libpq connection string (default postgresql:///lockcheck)"},
    {"JWT_SECRET", "HS256 signing secret (required, at least 16 bytes)"},
    {"JWT_EXPIRY_S", "token lifetime in seconds (default 3600)"},
    {"BCRYPT_COST", "bcrypt cost 4..31 (default 12)"},
    {"WORKERS", "bcrypt worker threads (default: number of cores)"},
    {"BCRYPT_QUEUE", "hashes that may wait for a worker; beyond: 503 (default 16)"},
    {"IO_THREADS", "HTTP I/O threads (default: number of cores)"},
    {"DB_POOL_SIZE", "PostgreSQL connections, one per DB thread (default 4)"},
    {"DB_QUEUE", "DB jobs that may wait for a connection; beyond: 503 (default 128)"},
    {"DB_WAIT_MS", "max wait for a connection before 503 (default 1000)"},
    {"DB_STATEMENT_TIMEOUT_MS", "statement_timeout per connection (default 5000)"},
    {"LOCK_TIMEOUT_MS", "bounded lock deadline; beyond: 503 (default 50)"},
    {"READ_TIMEOUT_S", "per-request read timeout (default 30)"},
    {"WRITE_TIMEOUT_S", "per-response write timeout (default 30)"},
    {"BODY_LIMIT", "max request body bytes; beyond: 413 (default 65536)"},
    {"HEADER_LIMIT", "max request header bytes; beyond: 431 (default 8192)"},
    {"MAX_CONNECTIONS", "open connections; beyond: 503 and close (default 1024)"},
    {"SHUTDOWN_TIMEOUT_S", "grace period for in-flight requests on SIGTERM (default 30)"},
    {"POOL_LOG_INTERVAL_S", "period of the pool metrics log line (default 30)"},
    {"ITEM_CACHE_MAX", "max cached items (default 100000)"},
    {"LOCKCHECK_DEBUG_ENDPOINTS", "1 enables GET /debug/slow?ms=N (tests only)"},
    {"LOCKCHECK_SERVER_MIGRATE", "1: apply schema migrations at start (default); 0: refuse a schema not current"},
};

long get_long(const char* name, long fallback, long lo, long hi) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  char* end = nullptr;
  long n = std::strtol(v, &end, 10);
  if (*end != '\0' || n < lo || n > hi)
    throw std::invalid_argument(std::string(name) + " must be an integer in [" +
                                std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return n;
}

std::string get_str(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return (v == nullptr || *v == '\0') ? fallback : std::string(v);
}

bool valid_address(const std::string& a) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, a.c_str(), buf) == 1 || inet_pton(AF_INET6, a.c_str(), buf) == 1;
}

// libpq's own parser, without connecting; its message names the problem.
bool valid_conninfo(const std::string& url, std::string& why) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(url.c_str(), &err);
  if (opts != nullptr) {
    PQconninfoFree(opts);
    return true;
  }
  why = err != nullptr ? err : "out of memory";
  while (!why.empty() && why.back() == '\n') why.pop_back();
  PQfreemem(err);
  return false;
}

}  // namespace

bool load_config(Config& c, std::string& error, ConfigUse use) {
  try {
    int cores = static_cast<int>(std::thread::hardware_concurrency());
    if (cores <= 0) cores = 1;
    c.address = get_str("LOCKCHECK_SERVER_ADDRESS", c.address);
    c.port = static_cast<unsigned short>(get_long("LOCKCHECK_SERVER_PORT", c.port, 0, 65535));
    c.database_url = get_str("DATABASE_URL", c.database_url);
    c.jwt_secret = get_str("JWT_SECRET", "");
    c.jwt_expiry_s = get_long("JWT_EXPIRY_S", c.jwt_expiry_s, 1, 86400 * 365);
    c.bcrypt_cost = get_long("BCRYPT_COST", c.bcrypt_cost, 4, 31);
    c.workers = get_long("WORKERS", cores, 1, 1024);
    c.bcrypt_queue = get_long("BCRYPT_QUEUE", c.bcrypt_queue, 0, 1 << 20);
    c.io_threads = get_long("IO_THREADS", cores, 1, 1024);
    c.db_pool_size = get_long("DB_POOL_SIZE", c.db_pool_size, 1, 1024);
    c.db_queue = get_long("DB_QUEUE", c.db_queue, 0, 1 << 20);
    c.db_wait_ms = get_long("DB_WAIT_MS", c.db_wait_ms, 1, 600000);
    c.statement_timeout_ms = get_long("DB_STATEMENT_TIMEOUT_MS", c.statement_timeout_ms, 1, 3600000);
    c.lock_timeout_ms = get_long("LOCK_TIMEOUT_MS", c.lock_timeout_ms, 1, 10000);
    c.read_timeout_s = get_long("READ_TIMEOUT_S", c.read_timeout_s, 1, 3600);
    c.write_timeout_s = get_long("WRITE_TIMEOUT_S", c.write_timeout_s, 1, 3600);
    c.body_limit = get_long("BODY_LIMIT", static_cast<long>(c.body_limit), 0, 1L << 30);
    c.header_limit = get_long("HEADER_LIMIT", static_cast<long>(c.header_limit), 512, 1L << 20);
    c.max_connections = get_long("MAX_CONNECTIONS", c.max_connections, 1, 1 << 20);
    c.shutdown_timeout_s = get_long("SHUTDOWN_TIMEOUT_S", c.shutdown_timeout_s, 0, 3600);
    c.pool_log_interval_s = get_long("POOL_LOG_INTERVAL_S", c.pool_log_interval_s, 1, 86400);
    c.item_cache_max = get_long("ITEM_CACHE_MAX", static_cast<long>(c.item_cache_max), 0, 1L << 30);
    c.debug_endpoints = get_long("LOCKCHECK_DEBUG_ENDPOINTS", 0, 0, 1) == 1;
    c.migrate_on_start = get_long("LOCKCHECK_SERVER_MIGRATE", 1, 0, 1) == 1;
  } catch (const std::invalid_argument& e) {
    error = e.what();
    return false;
  }
  std::string why;
  if (!valid_conninfo(c.database_url, why)) {
    error = "DATABASE_URL is not a valid libpq connection string: " + why;
    return false;
  }
  if (use == ConfigUse::migrate) return true;
  if (!valid_address(c.address)) {
    error = "LOCKCHECK_SERVER_ADDRESS must be an IPv4 or IPv6 address, not '" + c.address + "'";
    return false;
  }
  if (c.jwt_secret.size() < 16) {
    error = "JWT_SECRET must be set to at least 16 bytes";
    return false;
  }
  return true;
}

std::vector<std::string> unknown_config_variables() {
  std::vector<std::string> unknown;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string name(*e, std::strcspn(*e, "="));
    bool ours = false;
    for (const char* prefix : {"LOCKCHECK_", "DB_", "JWT_", "BCRYPT_"})
      ours = ours || name.rfind(prefix, 0) == 0;
    bool known = false;
    for (const Var& v : kVars) known = known || name == v.name;
    if (ours && !known) unknown.push_back(name);
  }
  return unknown;
}

std::string config_help() {
  std::string s =
      "usage: lockcheck-server [--help] [--bcrypt-bench] [--check-config] [migrate]\n"
      "  (none)          serve (applies schema migrations first unless LOCKCHECK_SERVER_MIGRATE=0)\n"
      "  migrate         apply the schema migrations (needs only DATABASE_URL, as the schema owner) and exit\n"
      "  --check-config  validate the environment, print the effective settings and exit (0 ok, 2 bad)\n"
      "  --bcrypt-bench  print the time of one bcrypt hash at BCRYPT_COST and exit\n"
      "environment:\n";
  for (const Var& v : kVars) {
    std::string name = v.name;
    name.resize(26, ' ');
    s += "  " + name + v.help + "\n";
  }
  return s;
}

}  // namespace lcs
