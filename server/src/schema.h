#pragma once
// The idempotent schema migration, run at start-up.
#include <string>
#include <vector>

namespace lcs {

inline std::vector<std::string> schema_migrations() {
  return {
      "CREATE TABLE IF NOT EXISTS users ("
      " id BIGSERIAL PRIMARY KEY,"
      " username TEXT NOT NULL UNIQUE,"
      " password_hash TEXT NOT NULL,"
      " created_at TIMESTAMPTZ NOT NULL DEFAULT now())",
      "CREATE TABLE IF NOT EXISTS items ("
      " id BIGINT PRIMARY KEY,"
      " data JSONB NOT NULL,"
      " version BIGINT NOT NULL DEFAULT 1,"
      " updated_at TIMESTAMPTZ NOT NULL DEFAULT now())",
  };
}

}  // namespace lcs
