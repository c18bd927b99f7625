#pragma once
// Items in PostgreSQL; run on DB threads only.
#include <cstdint>
#include <optional>
#include <string>

#include <pqxx/pqxx>

namespace lcs {

class DbPool;

struct ItemRow {
  std::string data_json;
  std::int64_t version = 0;
};

void register_item_statements(DbPool& pool);
std::optional<ItemRow> load_item(pqxx::connection& c, std::int64_t id);
// Inserts or replaces; returns the row as stored (jsonb's text of `data_json`,
// whose numbers keep every digit: jsonb holds them as numeric, never double).
// A value jsonb refuses throws pqxx::data_exception (SQLSTATE class 22).
ItemRow store_item(pqxx::connection& c, std::int64_t id, const std::string& data_json);
// Test hook behind LOCKCHECK_DEBUG_ENDPOINTS: a query that takes `ms`.
void sleep_query(pqxx::connection& c, int ms);

}  // namespace lcs
