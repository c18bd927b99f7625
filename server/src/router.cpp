#include "router.h"

#include <charconv>

#include "handlers.h"
#include "http_util.h"

namespace lcs {
namespace {

void method_not_allowed(const ExchangePtr& ex, const char* allow) {
  ex->error_kind = "method_not_allowed";
  Response res = error_response(ex->req, http::status::method_not_allowed, "method not allowed");
  res.set(http::field::allow, allow);
  ex->finish(std::move(res));
}

}  // namespace

void route(App& app, const ExchangePtr& ex) {
  std::string_view target = ex->req.target();
  std::string_view path = target.substr(0, target.find('?'));
  http::verb m = ex->req.method();

  struct Fixed {
    std::string_view path;
    http::verb method;
    Endpoint endpoint;
    void (*handler)(App&, const ExchangePtr&);
  };
  static const Fixed fixed[] = {
      {"/health", http::verb::get, Endpoint::health, &handle_health},
      {"/version", http::verb::get, Endpoint::version, &handle_version},
      {"/metrics", http::verb::get, Endpoint::metrics, &handle_metrics},
      {"/api/auth/register", http::verb::post, Endpoint::auth_register, &handle_register},
      {"/api/auth/login", http::verb::post, Endpoint::auth_login, &handle_login},
      {"/api/me", http::verb::get, Endpoint::me, &handle_me},
  };
  for (const Fixed& f : fixed) {
    if (path != f.path) continue;
    ex->endpoint = f.endpoint;
    if (m != f.method) return method_not_allowed(ex, f.method == http::verb::get ? "GET" : "POST");
    return f.handler(app, ex);
  }

  constexpr std::string_view items = "/api/items/";
  if (path.substr(0, items.size()) == items) {
    std::string_view rest = path.substr(items.size());
    std::int64_t id = 0;
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), id);
    ex->endpoint = m == http::verb::put ? Endpoint::items_put : Endpoint::items_get;
    if (ec != std::errc() || end != rest.data() + rest.size() || rest.empty() || id < 0) {
      ex->error_kind = "bad_request";
      return ex->finish(error_response(ex->req, http::status::bad_request, "item id must be a non-negative integer"));
    }
    if (m == http::verb::get) return handle_item_get(app, ex, id);
    if (m == http::verb::put) return handle_item_put(app, ex, id);
    return method_not_allowed(ex, "GET, PUT");
  }

  if (path == "/debug/slow" && app.cfg.debug_endpoints) {
    ex->endpoint = Endpoint::debug;
    return handle_debug_slow(app, ex);
  }

  ex->error_kind = "not_found";
  ex->finish(error_response(ex->req, http::status::not_found, "not found"));
}

}  // namespace lcs
