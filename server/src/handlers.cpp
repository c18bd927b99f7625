#include "handlers.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/string.hpp>

#include "bcrypt.h"
#include "http_util.h"
#include "item_store.h"
#include "json_body.h"
#include "log.h"
#include "jwt.h"
#include "user_store.h"
#include "version_info.h"

namespace lcs {
namespace {

using clock_type = std::chrono::steady_clock;

double ms_since(clock_type::time_point t) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t).count();
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void bad_request(const ExchangePtr& ex, const std::string& msg) {
  ex->error_kind = "bad_request";
  ex->finish(error_response(ex->req, http::status::bad_request, msg));
}

void unauthorized(const ExchangePtr& ex, const std::string& kind) {
  ex->error_kind = kind;
  Response res = error_response(ex->req, http::status::unauthorized, "unauthorized");
  res.set(http::field::www_authenticate, "Bearer");
  ex->finish(std::move(res));
}

// {"username","password"} from the body, validated; false after answering 400.
bool parse_credentials(const ExchangePtr& ex, std::string& username, std::string& password) {
  std::string error;
  auto body = parse_json_object(ex->req.body(), error);
  if (!body) {
    bad_request(ex, error);
    return false;
  }
  auto u = body->find("username");
  auto p = body->find("password");
  if (u == body->end() || p == body->end() || !u->is_string() || !p->is_string()) {
    bad_request(ex, "username and password (strings) are required");
    return false;
  }
  username = u->get<std::string>();
  password = p->get<std::string>();
  if (username.size() < 3 || username.size() > 64) {
    bad_request(ex, "username must be 3 to 64 characters");
    return false;
  }
  for (char c : username) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '-' || c == '.';
    if (!ok) {
      bad_request(ex, "username may contain only letters, digits, '_', '-' and '.'");
      return false;
    }
  }
  // bcrypt reads at most 72 bytes; refuse longer rather than truncate.
  if (password.size() < 8 || password.size() > 72 || password.find('\0') != std::string::npos) {
    bad_request(ex, "password must be 8 to 72 bytes");
    return false;
  }
  return true;
}

std::optional<JwtClaims> bearer_claims(App& app, const ExchangePtr& ex) {
  auto it = ex->req.find(http::field::authorization);
  if (it == ex->req.end()) return std::nullopt;
  // credentials = auth-scheme 1*SP token68; the scheme is case-insensitive (RFC 9110 §11.1, §11.4).
  std::string_view v = it->value();
  constexpr std::string_view scheme = "bearer";
  if (v.size() <= scheme.size() || !boost::beast::iequals(v.substr(0, scheme.size()), scheme) ||
      v[scheme.size()] != ' ')
    return std::nullopt;
  std::string_view token = v.substr(scheme.size());
  token.remove_prefix(std::min(token.find_first_not_of(' '), token.size()));
  return jwt_verify(std::string(token), app.cfg.jwt_secret);
}

struct Verified {
  bool ok = false;
  std::optional<std::string> rehashed;  // the password hashed at the configured cost
};

// Runs on the bcrypt pool. Every 401 costs what one hash at the configured
// cost does, so timing does not tell which usernames exist: an unknown user
// is verified against a dummy hash at that cost; a wrong password for a user
// whose hash is cheaper (BCRYPT_COST was raised) spends the difference on
// dummy hashes. A right password for a hash of another cost is rehashed at
// the configured one (the standard practice; the caller stores it).
Verified verify_login(const std::optional<UserCredentials>& creds, const std::string& password, int cost) {
  Verified v;
  if (!creds) {
    bcrypt_verify(password, bcrypt_dummy_hash(cost));
    return v;
  }
  const std::string& stored = creds->password_hash;
  v.ok = bcrypt_verify(password, stored);
  std::optional<int> stored_cost = bcrypt_cost_of(stored);
  if (v.ok && stored_cost != cost) {
    v.rehashed = bcrypt_hash(password, cost);
  } else if (!v.ok && stored_cost && *stored_cost < cost) {
    bcrypt_spend_up_to(password, *stored_cost, cost);
  }
  return v;
}

// Queues `run` on the bcrypt pool; answers 503 at once when it is full.
bool submit_bcrypt(App& app, const ExchangePtr& ex, std::function<void(double)> run) {
  switch (app.bcrypt.submit(std::move(run))) {
    case JobPool::Submit::ok:
      return true;
    case JobPool::Submit::lock_timeout:
      fail_with_kind(ex, "lock_timeout");
      return false;
    default:
      metrics().bcrypt_rejected.fetch_add(1);
      fail_with_kind(ex, "bcrypt_queue_full");
      return false;
  }
}

void note_db(const ExchangePtr& ex, const DbOutcome& out) {
  ex->db_ms = out.db_ms;
  ex->db_queue_ms = out.queue_ms;
}

}  // namespace

void handle_health(App& app, const ExchangePtr& ex) {
  // Answer 503 if the ping has not come back within 1 s.
  auto timer = std::make_shared<boost::asio::steady_timer>(ex->executor, std::chrono::seconds(1));
  timer->async_wait([ex, timer](const boost::system::error_code& ec) {
    if (ec || !ex->claim()) return;
    ex->error_kind = "db_down";
    ex->send_claimed(json_response(ex->req, http::status::service_unavailable,
                                   {{"status", "degraded"}, {"db", "down"}, {"error", "database did not answer"}}));
  });
  auto start = clock_type::now();
  app.db.submit([](pqxx::connection& c) { ping(c); },
                [ex, timer, start](const DbOutcome& out) {
                  if (!ex->claim()) return;
                  note_db(ex, out);
                  // Cancel on the strand that owns the timer.
                  boost::asio::post(ex->executor, [timer] { timer->cancel(); });
                  if (out.ok) {
                    ex->send_claimed(json_response(
                        ex->req, http::status::ok,
                        {{"status", "ok"}, {"db", "ok"}, {"db_latency_ms", ms_since(start)}}));
                  } else {
                    ex->error_kind = out.error_kind;
                    Response res = json_response(ex->req, http::status::service_unavailable,
                                                 {{"status", "degraded"}, {"db", "down"}, {"error", out.error_kind}});
                    res.set(http::field::retry_after, "1");
                    ex->send_claimed(std::move(res));
                  }
                });
}

void handle_version(App&, const ExchangePtr& ex) {
  ex->finish(json_response(ex->req, http::status::ok,
                           {{"version", LOCKCHECK_SERVER_VERSION},
                            {"commit", LOCKCHECK_GIT_COMMIT},
                            {"build_time", LOCKCHECK_BUILD_TIME}}));
}

void handle_metrics(App&, const ExchangePtr& ex) {
  ex->finish(raw_response(ex->req, http::status::ok, metrics().render(), "text/plain; version=0.0.4"));
}

void handle_register(App& app, const ExchangePtr& ex) {
  std::string username, password;
  if (!parse_credentials(ex, username, password)) return;
  if (app.bcrypt.full()) {
    metrics().bcrypt_rejected.fetch_add(1);
    return fail_with_kind(ex, "bcrypt_queue_full");
  }
  submit_bcrypt(app, ex, [&app, ex, username, password](double queue_ms) {
    ex->bcrypt_queue_ms = queue_ms;
    auto t0 = clock_type::now();
    auto hash = bcrypt_hash(password, app.cfg.bcrypt_cost);
    ex->bcrypt_ms = ms_since(t0);
    if (!hash) return fail_with_kind(ex, "internal");
    auto id = std::make_shared<std::optional<std::int64_t>>();
    app.db.submit(
        [username, hash = *hash, id](pqxx::connection& c) { *id = insert_user(c, username, hash); },
        [ex, id, username](const DbOutcome& out) {
          note_db(ex, out);
          if (!out.ok) return fail_with_kind(ex, out.error_kind);
          if (!id->has_value()) {
            ex->error_kind = "conflict";
            return ex->finish(error_response(ex->req, http::status::conflict, "username already taken"));
          }
          ex->finish(json_response(ex->req, http::status::created, {{"id", **id}, {"username", username}}));
        });
  });
}

void handle_login(App& app, const ExchangePtr& ex) {
  std::string username, password;
  if (!parse_credentials(ex, username, password)) return;
  // Refuse at once when hashing is saturated, before spending a DB query.
  if (app.bcrypt.full()) {
    metrics().bcrypt_rejected.fetch_add(1);
    return fail_with_kind(ex, "bcrypt_queue_full");
  }
  auto creds = std::make_shared<std::optional<UserCredentials>>();
  app.db.submit(
      [username, creds](pqxx::connection& c) { *creds = find_credentials(c, username); },
      [&app, ex, creds, username, password](const DbOutcome& out) {
        note_db(ex, out);
        if (!out.ok) return fail_with_kind(ex, out.error_kind);
        submit_bcrypt(app, ex, [&app, ex, creds, username, password](double queue_ms) {
          ex->bcrypt_queue_ms = queue_ms;
          auto t0 = clock_type::now();
          Verified v = verify_login(*creds, password, app.cfg.bcrypt_cost);
          ex->bcrypt_ms = ms_since(t0);
          if (!v.ok) return unauthorized(ex, "bad_credentials");
          JwtClaims claims{(*creds)->id, username, unix_now() + app.cfg.jwt_expiry_s};
          auto answer = [&app, ex, claims] {
            ex->finish(json_response(ex->req, http::status::ok,
                                     {{"token", jwt_sign(claims, app.cfg.jwt_secret)},
                                      {"token_type", "Bearer"},
                                      {"expires_in", app.cfg.jwt_expiry_s}}));
          };
          if (!v.rehashed) return answer();
          // Store the hash at the configured cost before answering; a failure
          // costs only a rehash at the next login, not this one.
          std::int64_t id = (*creds)->id;
          app.db.submit([id, old_hash = (*creds)->password_hash, new_hash = *v.rehashed](pqxx::connection& c) {
                          replace_password_hash(c, id, old_hash, new_hash);
                        },
                        [ex, answer](const DbOutcome& out) {
                          ex->db_ms += out.db_ms;
                          if (!out.ok)
                            log_json("warn", {{"event", "rehash_not_stored"}, {"trace_id", ex->trace_id},
                                              {"error_kind", out.error_kind}});
                          answer();
                        });
        });
      });
}

void handle_me(App& app, const ExchangePtr& ex) {
  auto claims = bearer_claims(app, ex);
  if (!claims) return unauthorized(ex, "bad_token");
  auto profile = std::make_shared<std::optional<UserProfile>>();
  std::int64_t uid = claims->user_id;
  app.db.submit([uid, profile](pqxx::connection& c) { *profile = find_profile(c, uid); },
                [ex, profile](const DbOutcome& out) {
                  note_db(ex, out);
                  if (!out.ok) return fail_with_kind(ex, out.error_kind);
                  if (!profile->has_value()) return unauthorized(ex, "unknown_user");
                  const UserProfile& p = **profile;
                  ex->finish(json_response(ex->req, http::status::ok,
                                           {{"id", p.id}, {"username", p.username}, {"created_at", p.created_at}}));
                });
}

namespace {

std::string render_item(std::int64_t id, const std::string& data_json, std::int64_t version) {
  return "{\"id\":" + std::to_string(id) + ",\"data\":" + data_json + ",\"version\":" + std::to_string(version) + "}";
}

Response item_response(const ExchangePtr& ex, const std::string& body, const char* cache) {
  Response res = raw_response(ex->req, http::status::ok, body);
  res.set("X-Cache", cache);
  return res;
}

}  // namespace

void handle_item_get(App& app, const ExchangePtr& ex, std::int64_t id) {
  CachedItem cached;
  double waited = 0;
  auto r = app.items.get(id, cached, &waited);
  ex->lock_wait_ms = waited;
  if (r == ItemCache::Result::lock_timeout) return fail_with_kind(ex, "lock_timeout");
  if (r == ItemCache::Result::hit) {
    metrics().item_cache_hits.fetch_add(1, std::memory_order_relaxed);
    return ex->finish(item_response(ex, *cached.body, "hit"));
  }
  metrics().item_cache_misses.fetch_add(1, std::memory_order_relaxed);
  auto row = std::make_shared<std::optional<ItemRow>>();
  app.db.submit([id, row](pqxx::connection& c) { *row = load_item(c, id); },
                [&app, ex, id, row](const DbOutcome& out) {
                  note_db(ex, out);
                  if (!out.ok) return fail_with_kind(ex, out.error_kind);
                  if (!row->has_value()) {
                    ex->error_kind = "not_found";
                    return ex->finish(error_response(ex->req, http::status::not_found, "no such item"));
                  }
                  auto body = std::make_shared<const std::string>(render_item(id, (*row)->data_json, (*row)->version));
                  // A cache that is busy only costs a later miss.
                  app.items.put(id, CachedItem{body, (*row)->version}, &ex->lock_wait_ms);
                  ex->finish(item_response(ex, *body, "miss"));
                });
}

void handle_item_put(App& app, const ExchangePtr& ex, std::int64_t id) {
  auto claims = bearer_claims(app, ex);
  if (!claims) return unauthorized(ex, "bad_token");
  std::string error;
  if (!parse_json_object(ex->req.body(), error)) return bad_request(ex, error);
  // The client's own text goes to jsonb, not a re-serialisation: a parsed number
  // is a double (or 64-bit integer) and would lose digits; jsonb keeps them all.
  struct Put {
    std::string data;
    bool user_exists = false;
    std::optional<ItemRow> stored;
    std::string refused;  // jsonb's reason when it does not take the value
  };
  auto put = std::make_shared<Put>();
  put->data = std::move(ex->req.body());
  std::int64_t uid = claims->user_id;
  app.db.submit([id, uid, put](pqxx::connection& c) {
                  put->user_exists = user_exists(c, uid);
                  if (!put->user_exists) return;  // the token's user is gone: nothing is stored
                  try {
                    put->stored = store_item(c, id, put->data);
                  } catch (const pqxx::data_exception& e) {
                    std::string_view what = e.what();
                    put->refused = std::string(what.substr(0, std::min(what.find('\n'), std::size_t{200})));
                  }
                },
                [&app, ex, id, put](const DbOutcome& out) {
                  note_db(ex, out);
                  if (!out.ok) return fail_with_kind(ex, out.error_kind);
                  if (!put->user_exists) return unauthorized(ex, "unknown_user");
                  if (!put->stored) return bad_request(ex, "data cannot be stored: " + put->refused);
                  auto rendered = std::make_shared<const std::string>(
                      render_item(id, put->stored->data_json, put->stored->version));
                  double waited = 0;
                  if (!app.items.put(id, CachedItem{rendered, put->stored->version}, &waited)) {
                    // The row is stored but the cache may be stale: say so.
                    ex->lock_wait_ms = waited;
                    return fail_with_kind(ex, "lock_timeout");
                  }
                  ex->lock_wait_ms = waited;
                  ex->finish(raw_response(ex->req, http::status::ok, *rendered));
                });
}

void handle_debug_slow(App& app, const ExchangePtr& ex) {
  std::string_view target = ex->req.target();
  int ms = 1000;
  auto pos = target.find("ms=");
  if (pos != std::string_view::npos) ms = std::atoi(std::string(target.substr(pos + 3)).c_str());
  if (ms < 0 || ms > 60000) return bad_request(ex, "ms must be 0..60000");
  app.db.submit([ms](pqxx::connection& c) { sleep_query(c, ms); },
                [ex, ms](const DbOutcome& out) {
                  note_db(ex, out);
                  if (!out.ok) return fail_with_kind(ex, out.error_kind);
                  ex->finish(json_response(ex->req, http::status::ok, {{"slept_ms", ms}}));
                });
}

}  // namespace lcs
