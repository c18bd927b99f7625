#pragma once
// bcrypt via libxcrypt's crypt_r ("$2b$"). Slow by design: call only from
// the bcrypt worker pool, never on an I/O thread and never under a lock.
#include <optional>
#include <string>

namespace lcs {

// A fresh "$2b$NN$" hash of `password`, or nullopt if hashing failed.
std::optional<std::string> bcrypt_hash(const std::string& password, int cost);

// True if `password` matches `hash` (constant-time compare).
bool bcrypt_verify(const std::string& password, const std::string& hash);

// A hash of a random password at `cost`, verified against when the user
// does not exist so both answers take the same time.
const std::string& bcrypt_dummy_hash(int cost);

}  // namespace lcs
