#pragma once
// Accepts connections and starts a Session for each, each on its own strand.
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
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

 private:
  void do_accept();
  void on_accept(boost::beast::error_code ec, boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  App& app_;
  // Every accepted session, to close idle ones on stop(); touched only on the
  // acceptor's strand. Expired entries are swept when the list doubles.
  std::vector<std::weak_ptr<Session>> sessions_;
  std::size_t sweep_at_ = 64;
};

}  // namespace lcs
