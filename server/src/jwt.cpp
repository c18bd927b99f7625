#include "jwt.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>
#include <chrono>
#include <nlohmann/json.hpp>

namespace lcs {
namespace {

const char kB64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string b64url_encode(const unsigned char* p, std::size_t n) {
  std::string out;
  out.reserve((n + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < n; i += 3) {
    unsigned v = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
    out += kB64Url[(v >> 18) & 63];
    out += kB64Url[(v >> 12) & 63];
    out += kB64Url[(v >> 6) & 63];
    out += kB64Url[v & 63];
  }
  if (n - i == 1) {
    unsigned v = p[i] << 16;
    out += kB64Url[(v >> 18) & 63];
    out += kB64Url[(v >> 12) & 63];
  } else if (n - i == 2) {
    unsigned v = (p[i] << 16) | (p[i + 1] << 8);
    out += kB64Url[(v >> 18) & 63];
    out += kB64Url[(v >> 12) & 63];
    out += kB64Url[(v >> 6) & 63];
  }
  return out;
}

std::string b64url_encode(const std::string& s) {
  return b64url_encode(reinterpret_cast<const unsigned char*>(s.data()), s.size());
}

std::optional<std::string> b64url_decode(const std::string& s) {
  std::string out;
  unsigned v = 0;
  int bits = 0;
  for (char c : s) {
    const char* pos = std::char_traits<char>::find(kB64Url, 64, c);
    if (pos == nullptr) return std::nullopt;
    v = (v << 6) | static_cast<unsigned>(pos - kB64Url);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((v >> bits) & 0xff);
    }
  }
  return out;
}

std::string hmac_sha256(const std::string& key, const std::string& data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
  return b64url_encode(mac, len);
}

// `sub` is a user id in canonical decimal: digits only, no sign, no leading
// zero, > 0, in range ("1 OR 1=1", "1abc", "01", "+1" are not ids).
bool parse_user_id(const std::string& s, std::int64_t& out) {
  if (s.empty() || s[0] == '0') return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && out > 0;
}

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string jwt_sign(const JwtClaims& c, const std::string& secret) {
  static const std::string header = b64url_encode(R"({"alg":"HS256","typ":"JWT"})");
  nlohmann::json payload = {
      {"sub", std::to_string(c.user_id)}, {"name", c.username}, {"iat", now_s()}, {"exp", c.exp}};
  std::string signing_input = header + "." + b64url_encode(payload.dump());
  return signing_input + "." + hmac_sha256(secret, signing_input);
}

std::optional<JwtClaims> jwt_verify(const std::string& token, const std::string& secret) {
  auto d1 = token.find('.');
  if (d1 == std::string::npos) return std::nullopt;
  auto d2 = token.find('.', d1 + 1);
  if (d2 == std::string::npos || token.find('.', d2 + 1) != std::string::npos) return std::nullopt;
  std::string signing_input = token.substr(0, d2);
  std::string expected = hmac_sha256(secret, signing_input);
  std::string given = token.substr(d2 + 1);
  if (given.size() != expected.size() ||
      CRYPTO_memcmp(given.data(), expected.data(), given.size()) != 0)
    return std::nullopt;
  auto header = b64url_decode(token.substr(0, d1));
  auto payload = b64url_decode(token.substr(d1 + 1, d2 - d1 - 1));
  if (!header || !payload) return std::nullopt;
  auto h = nlohmann::json::parse(*header, nullptr, false);
  auto p = nlohmann::json::parse(*payload, nullptr, false);
  if (!h.is_object() || !p.is_object()) return std::nullopt;
  // RFC 7515 4.1.11: a `crit` parameter lists extensions the recipient must
  // understand; we understand none, so any `crit` is a rejection.
  auto alg = h.find("alg");
  if (alg == h.end() || *alg != "HS256" || h.contains("crit")) return std::nullopt;
  auto sub = p.find("sub");
  auto exp = p.find("exp");
  auto nbf = p.find("nbf");
  auto name = p.find("name");
  if (sub == p.end() || !sub->is_string() || exp == p.end() || !exp->is_number_integer() ||
      (nbf != p.end() && !nbf->is_number_integer()) || (name != p.end() && !name->is_string()))
    return std::nullopt;
  JwtClaims c;
  if (!parse_user_id(sub->get_ref<const std::string&>(), c.user_id)) return std::nullopt;
  if (name != p.end()) c.username = name->get<std::string>();
  c.exp = exp->get<std::int64_t>();
  // No clock-skew leeway on either bound: this server is the only issuer.
  std::int64_t now = now_s();
  if (c.exp <= now) return std::nullopt;
  if (nbf != p.end() && nbf->get<std::int64_t>() > now) return std::nullopt;
  return c;
}

}  // namespace lcs
