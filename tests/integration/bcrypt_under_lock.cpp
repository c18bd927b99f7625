// bcrypt (crypt_r) under a global mutex: the incident in 14 lines. The gate and install
// tests copy it into a scratch project and expect blocking-under-lock at line 13.
#include <crypt.h>
#include <mutex>
#include <string>

std::mutex mu;
std::string stored_hash;

bool login(const std::string &password) {
  std::lock_guard<std::mutex> lock(mu);
  struct crypt_data data{};
  const char *out = crypt_r(password.c_str(), stored_hash.c_str(), &data);
  return out != nullptr && stored_hash == out;
}
