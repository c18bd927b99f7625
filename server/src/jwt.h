#pragma once
// JWT HS256 (RFC 7519) with OpenSSL's HMAC. Pure CPU and memory work.
#include <cstdint>
#include <optional>
#include <string>

namespace lcs {

struct JwtClaims {
  std::int64_t user_id = 0;
  std::string username;
  std::int64_t exp = 0;
};

std::string jwt_sign(const JwtClaims& claims, const std::string& secret);

// The claims of a well-formed, correctly signed token (header `alg` exactly
// HS256, no `crit`) whose `sub` is a user id, within its `exp` and `nbf`.
std::optional<JwtClaims> jwt_verify(const std::string& token, const std::string& secret);

}  // namespace lcs
