#include "user_store.h"

#include "db_pool.h"

namespace lcs {

void register_user_statements(DbPool& pool) {
  pool.add_prepared("user_insert",
                    "INSERT INTO users (username, password_hash) VALUES ($1, $2) "
                    "ON CONFLICT (username) DO NOTHING RETURNING id");
  pool.add_prepared("user_credentials", "SELECT id, password_hash FROM users WHERE username = $1");
  pool.add_prepared("user_profile",
                    "SELECT id, username, to_char(created_at AT TIME ZONE 'UTC', "
                    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM users WHERE id = $1");
  pool.add_prepared("user_rehash", "UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2");
  pool.add_prepared("user_exists", "SELECT 1 FROM users WHERE id = $1");
  pool.add_prepared("ping", "SELECT 1");
}

std::optional<std::int64_t> insert_user(pqxx::connection& c, const std::string& username,
                                        const std::string& password_hash) {
  pqxx::work w(c);
  pqxx::result r = w.exec_prepared("user_insert", username, password_hash);
  w.commit();
  if (r.empty()) return std::nullopt;
  return r[0][0].as<std::int64_t>();
}

std::optional<UserCredentials> find_credentials(pqxx::connection& c, const std::string& username) {
  pqxx::read_transaction t(c);
  pqxx::result r = t.exec_prepared("user_credentials", username);
  if (r.empty()) return std::nullopt;
  return UserCredentials{r[0][0].as<std::int64_t>(), r[0][1].as<std::string>()};
}

std::optional<UserProfile> find_profile(pqxx::connection& c, std::int64_t id) {
  pqxx::read_transaction t(c);
  pqxx::result r = t.exec_prepared("user_profile", id);
  if (r.empty()) return std::nullopt;
  return UserProfile{r[0][0].as<std::int64_t>(), r[0][1].as<std::string>(), r[0][2].as<std::string>()};
}

bool replace_password_hash(pqxx::connection& c, std::int64_t id, const std::string& old_hash,
                           const std::string& new_hash) {
  pqxx::work w(c);
  pqxx::result r = w.exec_prepared("user_rehash", id, old_hash, new_hash);
  w.commit();
  return r.affected_rows() == 1;
}

bool user_exists(pqxx::connection& c, std::int64_t id) {
  pqxx::read_transaction t(c);
  return !t.exec_prepared("user_exists", id).empty();
}

void ping(pqxx::connection& c) {
  pqxx::nontransaction n(c);
  n.exec_prepared("ping");
}

}  // namespace lcs
