#include "listener.h"

#include <boost/asio/strand.hpp>

#include "log.h"
#include "metrics.h"
#include "session.h"

namespace lcs {

namespace net = boost::asio;
using tcp = net::ip::tcp;

Listener::Listener(net::io_context& ioc, App& app) : ioc_(ioc), acceptor_(net::make_strand(ioc)), app_(app) {}

bool Listener::open(const tcp::endpoint& endpoint, std::string& error) {
  boost::beast::error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) error = ec.message();
  return !ec;
}

unsigned short Listener::port() const { return acceptor_.local_endpoint().port(); }

void Listener::run() { do_accept(); }

void Listener::stop() {
  net::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::beast::error_code ec;
    self->acceptor_.close(ec);
    for (const auto& weak : self->sessions_)
      if (auto session = weak.lock()) session->stop_reading();
    self->sessions_.clear();
  });
}

void Listener::do_accept() {
  // Each connection gets its own strand.
  acceptor_.async_accept(net::make_strand(ioc_), boost::beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
}

void Listener::on_accept(boost::beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    log_json("warn", {{"event", "accept_error"}, {"error_kind", "io"}, {"message", ec.message()}});
  } else {
    bool reject = metrics().connections.load() >= app_.cfg.max_connections;
    auto session = std::make_shared<Session>(std::move(socket), app_, reject);
    if (sessions_.size() >= sweep_at_) {
      std::erase_if(sessions_, [](const std::weak_ptr<Session>& s) { return s.expired(); });
      sweep_at_ = std::max<std::size_t>(64, 2 * sessions_.size());
    }
    sessions_.push_back(session);
    session->run();
  }
  do_accept();
}

}  // namespace lcs
