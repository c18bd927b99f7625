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

// The cost of a "$2a$"/"$2b$"/"$2y$" hash, or nullopt if `hash` is not one.
std::optional<int> bcrypt_cost_of(const std::string& hash);

// Makes one hash of a random password at every cost from 4 to `cost`, at
// start-up before any other thread runs (read-only afterwards, so no lock);
// false if hashing failed. Together they take about two hashes at `cost`.
bool bcrypt_prepare_dummy_hashes(int cost);

// The dummy hash at `cost` (4 <= cost <= the prepared one): verified against
// when the user does not exist, so both answers take the same time.
const std::string& bcrypt_dummy_hash(int cost);

// After one hash at `from`, spends what the rest of one hash at `to` costs:
// a verify at each cost from..to-1, since 2^from + ... + 2^(to-1) = 2^to - 2^from.
void bcrypt_spend_up_to(const std::string& password, int from, int to);

}  // namespace lcs
