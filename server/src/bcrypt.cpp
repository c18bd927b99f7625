#include "bcrypt.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cctype>
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

std::optional<int> bcrypt_cost_of(const std::string& hash) {
  // "$2b$" two decimal digits "$" (crypt_gensalt always writes two).
  if (hash.size() < 7 || hash[0] != '$' || hash[1] != '2' || std::strchr("aby", hash[2]) == nullptr ||
      hash[3] != '$' || hash[6] != '$' || !std::isdigit(static_cast<unsigned char>(hash[4])) ||
      !std::isdigit(static_cast<unsigned char>(hash[5])))
    return std::nullopt;
  return (hash[4] - '0') * 10 + (hash[5] - '0');
}

namespace {

constexpr int kMinCost = 4;
constexpr int kMaxCost = 31;
std::array<std::string, kMaxCost + 1> g_dummy_hashes;  // written before the workers start

}  // namespace

bool bcrypt_prepare_dummy_hashes(int cost) {
  for (int c = kMinCost; c <= cost && c <= kMaxCost; ++c) {
    auto h = bcrypt_hash("lockcheck-dummy-password", c);
    if (!h) return false;
    g_dummy_hashes[static_cast<std::size_t>(c)] = std::move(*h);
  }
  return true;
}

const std::string& bcrypt_dummy_hash(int cost) {
  return g_dummy_hashes[static_cast<std::size_t>(std::clamp(cost, kMinCost, kMaxCost))];
}

void bcrypt_spend_up_to(const std::string& password, int from, int to) {
  for (int c = std::max(from, kMinCost); c < to; ++c) bcrypt_verify(password, bcrypt_dummy_hash(c));
}

}  // namespace lcs
