#include "bcrypt.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <cstring>
#include <memory>

namespace lcs {
namespace {

// crypt_data is ~32 KiB: one per worker thread, not on the stack.
crypt_data& thread_crypt_data() {
  thread_local auto data = std::make_unique<crypt_data>();
  return *data;
}

}  // namespace

std::optional<std::string> bcrypt_hash(const std::string& password, int cost) {
  unsigned char rnd[16];
  if (RAND_bytes(rnd, sizeof rnd) != 1) return std::nullopt;
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn("$2b$", static_cast<unsigned long>(cost), reinterpret_cast<const char*>(rnd),
                       sizeof rnd, setting, sizeof setting) == nullptr)
    return std::nullopt;
  crypt_data& data = thread_crypt_data();
  std::memset(&data, 0, sizeof data);
  const char* out = crypt_r(password.c_str(), setting, &data);
  if (out == nullptr || out[0] == '*') return std::nullopt;
  return std::string(out);
}

bool bcrypt_verify(const std::string& password, const std::string& hash) {
  crypt_data& data = thread_crypt_data();
  std::memset(&data, 0, sizeof data);
  const char* out = crypt_r(password.c_str(), hash.c_str(), &data);
  if (out == nullptr || out[0] == '*') return false;
  std::size_t n = std::strlen(out);
  return n == hash.size() && CRYPTO_memcmp(out, hash.data(), n) == 0;
}

const std::string& bcrypt_dummy_hash(int cost) {
  // Computed once at start-up (main calls this before serving).
  static const std::string h = bcrypt_hash("lockcheck-dummy-password", cost).value_or("");
  return h;
}

}  // namespace lcs
