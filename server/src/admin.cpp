#include "admin.h"

#include <libpq-fe.h>

#include <cstdio>

#include "log.h"
#include "migrations.h"

namespace lcs {
namespace {

// user@host:port/dbname from a connection string, leaving out the password.
std::string describe_database(const std::string& url) {
  PQconninfoOption* opts = PQconninfoParse(url.c_str(), nullptr);
  if (opts == nullptr) return "?";
  auto get = [opts](const char* key, const char* fallback) {
    for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o)
      if (std::string(o->keyword) == key && o->val != nullptr && *o->val != '\0') return std::string(o->val);
    return std::string(fallback);
  };
  std::string s = get("user", "(login user)") + "@" + get("host", "(default socket)") + ":" + get("port", "5432") +
                  "/" + get("dbname", "(user's name)");
  PQconninfoFree(opts);
  return s;
}

}  // namespace

int check_config_command(const Config& cfg) {
  for (const std::string& name : unknown_config_variables())
    std::fprintf(stderr, "lockcheck-server: warning: %s is not a variable this server reads (typo?)\n", name.c_str());
  std::printf(
      "lockcheck-server: configuration OK: listen %s:%u, database %s, schema %s (version %d), bcrypt cost %d, "
      "%d workers, queue %d, %d I/O threads, DB pool %d, lock timeout %d ms, shutdown grace %d s\n",
      cfg.address.c_str(), cfg.port, describe_database(cfg.database_url).c_str(),
      cfg.migrate_on_start ? "migrated at start" : "must be current", latest_schema_version(), cfg.bcrypt_cost,
      cfg.workers, cfg.bcrypt_queue, cfg.io_threads, cfg.db_pool_size, cfg.lock_timeout_ms, cfg.shutdown_timeout_s);
  return 0;
}

int migrate_command(const Config& cfg) {
  try {
    pqxx::connection c(cfg.database_url);
    int before = read_schema_version(c);
    std::vector<int> applied = apply_migrations(c);
    log_json("info", {{"event", "migrate"},
                      {"from_version", before},
                      {"to_version", latest_schema_version()},
                      {"applied", applied},
                      {"message", applied.empty() ? "schema is up to date, nothing to do" : "migrations applied"}});
    return 0;
  } catch (const std::exception& e) {
    log_json("error", {{"event", "migrate_failed"}, {"error_kind", "migration"}, {"message", e.what()}});
    return 1;
  }
}

}  // namespace lcs
