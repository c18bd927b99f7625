#pragma once
// Response builders: JSON bodies, JSON errors, 503 with Retry-After.
#include <string>

#include <nlohmann/json.hpp>

#include "exchange.h"

namespace lcs {

Response json_response(const Request& req, http::status status, const nlohmann::json& body);
Response raw_response(const Request& req, http::status status, std::string body,
                      const char* content_type = "application/json");
// {"error": message}; 503s carry Retry-After.
Response error_response(const Request& req, http::status status, const std::string& message);

// Maps an error kind (db_down, pool_exhausted, ...) to its status and
// answers; records the kind on the exchange.
void fail_with_kind(const ExchangePtr& ex, const std::string& kind);

// The incoming X-Request-Id if it is sane, else a fresh random id.
std::string request_id_for(const Request& req);

}  // namespace lcs
