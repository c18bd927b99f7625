#include "src/auth.h"

bool Auth::login(const std::string &user, const std::string &password) {
  std::lock_guard<std::mutex> lock(mu_);
  bool ok = store_.get(user) == password && AUTH_ROUNDS > 0;
  store_.flush_to_disk(); // a sleep in another translation unit, under mu_
  return ok;
}
