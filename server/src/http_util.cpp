#include "http_util.h"

#include <cstdio>
#include <random>

#include "version_info.h"

namespace lcs {

Response raw_response(const Request& req, http::status status, std::string body, const char* content_type) {
  Response res{status, req.version()};
  res.set(http::field::server, "lockcheck-server/" LOCKCHECK_SERVER_VERSION);
  res.set(http::field::content_type, content_type);
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response json_response(const Request& req, http::status status, const nlohmann::json& body) {
  return raw_response(req, status, body.dump());
}

Response error_response(const Request& req, http::status status, const std::string& message) {
  Response res = json_response(req, status, {{"error", message}});
  if (status == http::status::service_unavailable) res.set(http::field::retry_after, "1");
  return res;
}

void fail_with_kind(const ExchangePtr& ex, const std::string& kind) {
  ex->error_kind = kind;
  http::status st = http::status::service_unavailable;
  std::string msg = "service unavailable";
  if (kind == "db_down") {
    msg = "database unavailable";
  } else if (kind == "pool_exhausted") {
    msg = "database pool exhausted";
  } else if (kind == "lock_timeout") {
    msg = "busy, retry later";
  } else if (kind == "bcrypt_queue_full") {
    msg = "too many logins in progress";
  } else if (kind == "db_timeout") {
    st = http::status::gateway_timeout;
    msg = "database timeout";
  } else if (kind == "db_error" || kind == "internal") {
    st = http::status::internal_server_error;
    msg = "internal error";
  }
  ex->finish(error_response(ex->req, st, msg));
}

std::string request_id_for(const Request& req) {
  auto it = req.find("X-Request-Id");
  if (it != req.end()) {
    auto v = it->value();
    bool sane = !v.empty() && v.size() <= 128;
    for (char c : v)
      if (c <= ' ' || c > '~' || c == '"' || c == '\\') sane = false;
    if (sane) return std::string(v);
  }
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  return buf;
}

}  // namespace lcs
