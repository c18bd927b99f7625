#pragma once
// Accepts connections and starts a Session for each, each on its own strand.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>

#include "app.h"

namespace lcs {

class Session;

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(boost::asio::io_context& ioc, App& app);
  // Binds and listens; false (with `error`) if that fails.
  bool open(const boost::asio::ip::tcp::endpoint& endpoint, std::string& error);
  void run();
  // Closes the acceptor and the connections waiting for a request (SIGTERM).
  void stop();
  unsigned short port() const;
  // A connection closed, from any thread: if accepting is paused for want of
  // descriptors, try again now instead of at the end of the back-off.
  void connection_closed();

 private:
  void do_accept();
  void on_accept(boost::beast::error_code ec, boost::asio::ip::tcp::socket socket);
  // accept failed: count it, log it (at most once per kAcceptLogInterval), and
  // for a failure that repeats at once (EMFILE, ENFILE, ENOBUFS, ENOMEM...)
  // wait before the next attempt instead of spinning.
  void accept_failed(const boost::beast::error_code& ec);
  void accepting_again();

  boost::asio::io_context& ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  App& app_;
  // Every accepted session, to close idle ones on stop(); touched only on the
  // acceptor's strand. Expired entries are swept when the list doubles.
  std::vector<std::weak_ptr<Session>> sessions_;
  std::size_t sweep_at_ = 64;
  // The accept back-off, on the acceptor's strand: 10 ms doubling to 1 s.
  boost::asio::steady_timer retry_timer_;
  std::chrono::milliseconds backoff_{0};
  std::atomic<bool> paused_{false};  // read by connection_closed() on any thread
  std::uint64_t failures_ = 0;           // in this episode (since accept last worked)
  std::uint64_t failures_unlogged_ = 0;  // since the last log line
  bool episode_logged_ = false;          // an accept_error line was written in this episode
  std::chrono::steady_clock::time_point failing_since_{};
  std::chrono::steady_clock::time_point last_log_{};
};

}  // namespace lcs
