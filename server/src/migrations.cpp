#include "migrations.h"

#include "log.h"

namespace lcs {
namespace {

// pg_advisory_xact_lock key: "lcsm" in ASCII, an arbitrary constant.
constexpr const char* kLockSql = "SELECT pg_advisory_xact_lock(1819505517)";

// Two statements, not one: a missing table is version 0 and must not fail the query.
int version_in(pqxx::transaction_base& t) {
  if (!t.exec("SELECT to_regclass('schema_version') IS NOT NULL")[0][0].as<bool>()) return 0;
  return t.exec("SELECT COALESCE(max(version), 0) FROM schema_version")[0][0].as<int>();
}

SchemaError newer_schema(int found) {
  return SchemaError("the database schema is at version " + std::to_string(found) +
                     ", newer than this lockcheck-server knows (" + std::to_string(latest_schema_version()) +
                     "); refusing to start: run the lockcheck-server release that migrated it, or a newer one");
}

}  // namespace

const std::vector<Migration>& schema_migrations() {
  // Version 1 uses IF NOT EXISTS so it adopts databases created before
  // migrations were versioned (same tables, no schema_version row).
  static const std::vector<Migration> kMigrations = {
      {1,
       "users and items",
       {"CREATE TABLE IF NOT EXISTS users ("
        " id BIGSERIAL PRIMARY KEY,"
        " username TEXT NOT NULL UNIQUE,"
        " password_hash TEXT NOT NULL,"
        " created_at TIMESTAMPTZ NOT NULL DEFAULT now())",
        "CREATE TABLE IF NOT EXISTS items ("
        " id BIGINT PRIMARY KEY,"
        " data JSONB NOT NULL,"
        " version BIGINT NOT NULL DEFAULT 1,"
        " updated_at TIMESTAMPTZ NOT NULL DEFAULT now())"}},
  };
  return kMigrations;
}

int latest_schema_version() { return schema_migrations().back().version; }

int read_schema_version(pqxx::connection& c) {
  pqxx::read_transaction r(c);
  return version_in(r);
}

std::vector<int> apply_migrations(pqxx::connection& c) {
  std::vector<int> applied;
  for (const Migration& m : schema_migrations()) {
    pqxx::work w(c);
    w.exec(kLockSql);
    w.exec("CREATE TABLE IF NOT EXISTS schema_version ("
           " version INTEGER PRIMARY KEY,"
           " name TEXT NOT NULL,"
           " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
    int current = version_in(w);
    if (current > latest_schema_version()) throw newer_schema(current);
    if (current >= m.version) continue;  // the transaction rolls back: nothing was written
    for (const char* sql : m.statements) w.exec(sql);
    w.exec_params("INSERT INTO schema_version (version, name) VALUES ($1, $2)", m.version, m.name);
    w.commit();
    applied.push_back(m.version);
    log_json("info", {{"event", "migration_applied"}, {"version", m.version}, {"name", m.name}});
  }
  return applied;
}

void ensure_schema(pqxx::connection& c, bool apply) {
  if (apply) {
    apply_migrations(c);
    return;
  }
  int found = read_schema_version(c);
  if (found > latest_schema_version()) throw newer_schema(found);
  if (found < latest_schema_version())
    throw SchemaError("the database schema is at version " + std::to_string(found) + ", this lockcheck-server needs " +
                      std::to_string(latest_schema_version()) +
                      " and LOCKCHECK_SERVER_MIGRATE=0: run `lockcheck-server migrate` as the schema owner first");
}

}  // namespace lcs
