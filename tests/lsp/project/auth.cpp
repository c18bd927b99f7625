#include "store.h"

bool login(Store &store, const std::string &user, const std::string &password) {
  std::lock_guard<std::mutex> lock(store.mu);
  return slow_hash(password) == store.hashes[user];
}
