#pragma once
// One HTTP connection, Beast async style: do_x starts a step, on_x handles
// its completion, all on the connection's strand. One request at a time.
#include <array>
#include <atomic>
#include <memory>
#include <optional>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "app.h"
#include "exchange.h"

namespace lcs {

// Set on SIGTERM: sessions stop reading new requests after the current one,
// and the listener closes those waiting for one (stop_reading).
extern std::atomic<bool> g_stopping;

class Listener;

class Session : public std::enable_shared_from_this<Session> {
 public:
  // `reject`: over MAX_CONNECTIONS; answer 503 and close. `listener` is told
  // when the connection closes (its descriptor is free again).
  Session(boost::asio::ip::tcp::socket&& socket, App& app, bool reject, std::weak_ptr<Listener> listener);
  ~Session();
  void run();
  // Shutdown, from any thread: closes the connection if it is waiting for a
  // request; one being handled or written finishes (with Connection: close).
  void stop_reading();

 private:
  void do_read();
  void on_header(boost::beast::error_code ec, std::size_t bytes);
  void on_continue(boost::beast::error_code ec, std::size_t bytes);
  void read_body();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  // Answers `status` and closes: the request is not read further.
  void reject_request(http::status status, const std::string& message, const std::string& kind);
  void dispatch();
  void answer_early(http::status status, const std::string& message, const std::string& kind);
  void send(Response&& res);
  void do_write();
  void on_write(bool keep_alive, boost::beast::error_code ec, std::size_t bytes);
  void do_close();
  void do_drain();
  void on_drain(boost::beast::error_code ec, std::size_t bytes);
  void finish_exchange(int status);

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  App& app_;
  bool reject_;
  std::weak_ptr<Listener> listener_;
  bool reading_ = false;  // a request is being read (header or body)
  bool close_after_ = false;  // this request's framing allows no next one on the connection
  std::optional<http::request_parser<http::string_body>> parser_;
  ExchangePtr ex_;
  std::optional<Response> res_;
  std::optional<http::response<http::empty_body>> continue_;  // 100 Continue being written
  std::array<char, 4096> drain_buf_{};
  std::size_t drained_ = 0;
};

}  // namespace lcs
