#pragma once
// Versioned schema migrations (docs/deployment.md). Each runs once, in its own
// transaction under an advisory lock (two servers starting together apply it
// once), and is recorded in the schema_version table.
#include <stdexcept>
#include <string>
#include <vector>

#include <pqxx/pqxx>

namespace lcs {

struct Migration {
  int version;
  const char* name;
  std::vector<const char*> statements;
};

// Ascending versions; append only — a released migration never changes.
const std::vector<Migration>& schema_migrations();
int latest_schema_version();

// A schema this binary cannot run against (newer, or older with migration
// off). Not retried: the message tells the operator what to do.
class SchemaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The database's schema version, read without writing anything (0: none yet).
int read_schema_version(pqxx::connection& c);

// Applies the migrations newer than the database's version, in order, and
// returns their versions (empty: already up to date). Needs the owner role.
std::vector<int> apply_migrations(pqxx::connection& c);

// Start-up: with `apply`, apply_migrations(); without, only checks that the
// schema is exactly this binary's (no DDL at run time). Newer: SchemaError.
void ensure_schema(pqxx::connection& c, bool apply);

}  // namespace lcs
