#pragma once
// Users in PostgreSQL. Every function runs on a DB thread (DbPool::submit)
// with prepared statements only.
#include <cstdint>
#include <optional>
#include <string>

#include <pqxx/pqxx>

namespace lcs {

class DbPool;

struct UserCredentials {
  std::int64_t id = 0;
  std::string password_hash;
};

struct UserProfile {
  std::int64_t id = 0;
  std::string username;
  std::string created_at;
};

void register_user_statements(DbPool& pool);

// The new user's id, or nullopt when the name is taken.
std::optional<std::int64_t> insert_user(pqxx::connection& c, const std::string& username,
                                        const std::string& password_hash);
std::optional<UserCredentials> find_credentials(pqxx::connection& c, const std::string& username);
std::optional<UserProfile> find_profile(pqxx::connection& c, std::int64_t id);
// Replaces the user's hash if it is still `old_hash` (a rehash at a new cost
// never overwrites a hash changed meanwhile); true if it did.
bool replace_password_hash(pqxx::connection& c, std::int64_t id, const std::string& old_hash,
                           const std::string& new_hash);
// Whether a token's subject still names a user (a PUT acts as them).
bool user_exists(pqxx::connection& c, std::int64_t id);
void ping(pqxx::connection& c);

}  // namespace lcs
