#include "session.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include "http_util.h"
#include "listener.h"
#include "log.h"
#include "request_head.h"
#include "router.h"

namespace lcs {

namespace beast = boost::beast;
namespace net = boost::asio;

std::atomic<bool> g_stopping{false};

namespace {

void fail(beast::error_code ec, const char* what) {
  // Peers going away and idle timeouts are routine, not errors.
  if (ec == net::error::operation_aborted || ec == beast::error::timeout || ec == net::error::eof ||
      ec == net::error::connection_reset || ec == http::error::end_of_stream)
    return;
  log_json("warn", {{"event", "connection_error"}, {"error_kind", "io"}, {"what", what}, {"message", ec.message()}});
}

}  // namespace

Session::Session(net::ip::tcp::socket&& socket, App& app, bool reject, std::weak_ptr<Listener> listener)
    : stream_(std::move(socket)), app_(app), reject_(reject), listener_(std::move(listener)) {
  metrics().connections.fetch_add(1);
}

Session::~Session() {
  metrics().connections.fetch_sub(1);
  beast::error_code ec;
  stream_.socket().close(ec);  // free the descriptor before the listener retries
  if (auto listener = listener_.lock()) listener->connection_closed();
}

void Session::run() {
  // Start on the strand: the socket was accepted onto it.
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    if (self->reject_) {
      self->ex_ = std::make_shared<Exchange>();
      self->ex_->trace_id = request_id_for(self->ex_->req);
      self->ex_->req.keep_alive(false);
      metrics().in_flight.fetch_add(1);
      self->answer_early(http::status::service_unavailable, "too many connections", "max_connections");
      return;
    }
    self->do_read();
  });
}

void Session::do_read() {
  if (g_stopping.load()) return do_close();
  parser_.emplace();
  parser_->body_limit(app_.cfg.body_limit);
  parser_->header_limit(static_cast<std::uint32_t>(app_.cfg.header_limit));
  stream_.expires_after(std::chrono::seconds(app_.cfg.read_timeout_s));
  reading_ = true;
  // The header first: its framing and expectations are checked before a byte
  // of the body is read (request_head.h).
  http::async_read_header(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&Session::on_header, shared_from_this()));
}

void Session::stop_reading() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    // The read completes with operation_aborted and on_read closes.
    if (self->reading_) self->stream_.cancel();
  });
}

namespace {

// Beast's parse errors: the request is malformed (400), as opposed to the
// peer going away or a timeout.
bool malformed(beast::error_code ec) {
  for (http::error e : {http::error::bad_method, http::error::bad_target, http::error::bad_version,
                        http::error::bad_field, http::error::bad_value, http::error::bad_content_length,
                        http::error::multiple_content_length, http::error::bad_transfer_encoding,
                        http::error::bad_chunk, http::error::bad_chunk_extension, http::error::bad_obs_fold,
                        http::error::bad_line_ending})
    if (ec == e) return true;
  return false;
}

}  // namespace

void Session::on_header(beast::error_code ec, std::size_t) {
  if (ec) return on_read(ec, 0);
  HeadVerdict verdict = check_request_head(parser_->get());
  if (verdict.status != http::status::ok)
    return reject_request(verdict.status, verdict.message, verdict.error_kind);
  close_after_ = verdict.close_after;
  if (parser_->is_done()) return on_read(ec, 0);
  if (verdict.expect_continue) {
    // The client waits for this before it sends the body (RFC 9110 §10.1.1).
    continue_.emplace(http::status::continue_, parser_->get().version());
    stream_.expires_after(std::chrono::seconds(app_.cfg.write_timeout_s));
    return http::async_write(stream_, *continue_,
                             beast::bind_front_handler(&Session::on_continue, shared_from_this()));
  }
  read_body();
}

void Session::on_continue(beast::error_code ec, std::size_t) {
  continue_.reset();
  if (ec) {
    reading_ = false;
    fail(ec, "write");
    return do_close();
  }
  read_body();
}

void Session::read_body() {
  stream_.expires_after(std::chrono::seconds(app_.cfg.read_timeout_s));
  http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_read, shared_from_this()));
}

void Session::reject_request(http::status status, const std::string& message, const std::string& kind) {
  reading_ = false;
  ex_ = std::make_shared<Exchange>();
  if (parser_->is_header_done()) ex_->req = parser_->get();  // for method/target in the log
  ex_->req.body().clear();
  ex_->req.keep_alive(false);  // the rest of the stream is not trusted
  ex_->trace_id = request_id_for(ex_->req);
  metrics().in_flight.fetch_add(1);
  answer_early(status, message, kind);
}

void Session::on_read(beast::error_code ec, std::size_t) {
  reading_ = false;
  if (ec == http::error::end_of_stream) return do_close();
  if (ec == http::error::body_limit)
    return reject_request(http::status::payload_too_large, "request body too large", "body_too_large");
  if (ec == http::error::header_limit)
    return reject_request(http::status::request_header_fields_too_large, "request header too large",
                          "header_too_large");
  if (malformed(ec)) return reject_request(http::status::bad_request, "malformed HTTP request", "bad_http");
  if (ec) {
    fail(ec, "read");
    return do_close();
  }
  ex_ = std::make_shared<Exchange>();
  ex_->req = parser_->release();
  if (close_after_) ex_->req.keep_alive(false);
  ex_->trace_id = request_id_for(ex_->req);
  metrics().in_flight.fetch_add(1);
  dispatch();
}

void Session::dispatch() {
  ex_->executor = stream_.get_executor();
  // Handlers may finish on a DB or bcrypt thread: hop back to the strand.
  ex_->deliver = [self = shared_from_this()](Response&& res) {
    net::post(self->stream_.get_executor(),
              [self, res = std::move(res)]() mutable { self->send(std::move(res)); });
  };
  try {
    route(app_, ex_);
  } catch (const std::exception& e) {
    log_json("error", {{"event", "handler_exception"}, {"error_kind", "internal"}, {"message", e.what()}});
    fail_with_kind(ex_, "internal");
  }
}

void Session::answer_early(http::status status, const std::string& message, const std::string& kind) {
  ex_->error_kind = kind;
  ex_->executor = stream_.get_executor();
  ex_->claim();
  send(error_response(ex_->req, status, message));
}

void Session::send(Response&& res) {
  res.set("X-Request-Id", ex_->trace_id);
  if (g_stopping.load()) res.keep_alive(false);
  res_.emplace(std::move(res));
  do_write();
}

void Session::do_write() {
  stream_.expires_after(std::chrono::seconds(app_.cfg.write_timeout_s));
  bool keep_alive = res_->keep_alive();
  http::async_write(stream_, *res_,
                    beast::bind_front_handler(&Session::on_write, shared_from_this(), keep_alive));
}

void Session::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
  int status = static_cast<int>(res_->result_int());
  res_.reset();
  finish_exchange(status);
  if (ec) {
    fail(ec, "write");
    return do_close();
  }
  if (!keep_alive) return do_close();
  do_read();
}

void Session::finish_exchange(int status) {
  ExchangePtr ex = std::move(ex_);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - ex->start).count();
  metrics().observe_request(ex->endpoint, status, seconds);
  log_request({.trace_id = ex->trace_id,
               .method = ex->req.method_string(),
               .endpoint = endpoint_name(ex->endpoint),
               .status = status,
               .error_kind = ex->error_kind,
               .duration_ms = seconds * 1000.0,
               .lock_wait_ms = ex->lock_wait_ms,
               .db_ms = ex->db_ms,
               .db_queue_ms = ex->db_queue_ms,
               .bcrypt_queue_ms = ex->bcrypt_queue_ms,
               .bcrypt_ms = ex->bcrypt_ms});
  ex->deliver = nullptr;  // breaks the session <-> exchange cycle
  metrics().in_flight.fetch_sub(1);
}

void Session::do_close() {
  beast::error_code ec;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
  if (ec) return;
  // Read what the peer still sends (e.g. the rest of an oversized body)
  // before closing: closing with unread data would reset the connection
  // and could destroy the error response we just sent.
  stream_.expires_after(std::chrono::seconds(2));
  do_drain();
}

void Session::do_drain() {
  if (drained_ > (1u << 20)) return;
  stream_.async_read_some(net::buffer(drain_buf_), beast::bind_front_handler(&Session::on_drain, shared_from_this()));
}

void Session::on_drain(beast::error_code ec, std::size_t bytes) {
  drained_ += bytes;
  if (!ec) do_drain();
}

}  // namespace lcs
