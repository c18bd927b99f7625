#include "item_store.h"

#include "db_pool.h"

namespace lcs {

void register_item_statements(DbPool& pool) {
  pool.add_prepared("item_load", "SELECT data::text, version FROM items WHERE id = $1");
  pool.add_prepared("item_store",
                    "INSERT INTO items (id, data) VALUES ($1, $2::jsonb) "
                    "ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, "
                    "version = items.version + 1, updated_at = now() RETURNING data::text, version");
  pool.add_prepared("sleep", "SELECT pg_sleep($1::double precision / 1000.0)");
}

std::optional<ItemRow> load_item(pqxx::connection& c, std::int64_t id) {
  pqxx::read_transaction t(c);
  pqxx::result r = t.exec_prepared("item_load", id);
  if (r.empty()) return std::nullopt;
  return ItemRow{r[0][0].as<std::string>(), r[0][1].as<std::int64_t>()};
}

ItemRow store_item(pqxx::connection& c, std::int64_t id, const std::string& data_json) {
  pqxx::work w(c);
  pqxx::result r = w.exec_prepared("item_store", id, data_json);
  w.commit();
  return ItemRow{r[0][0].as<std::string>(), r[0][1].as<std::int64_t>()};
}

void sleep_query(pqxx::connection& c, int ms) {
  pqxx::nontransaction n(c);
  n.exec_prepared("sleep", ms);
}

}  // namespace lcs
