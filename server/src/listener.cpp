#include "listener.h"

#include <boost/asio/strand.hpp>

#include "log.h"
#include "metrics.h"
#include "session.h"

namespace lcs {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr std::chrono::milliseconds kFirstBackoff{10};
constexpr std::chrono::milliseconds kMaxBackoff{1000};
constexpr std::chrono::seconds kAcceptLogInterval{10};

double ms_between(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

}  // namespace

Listener::Listener(net::io_context& ioc, App& app)
    : ioc_(ioc), acceptor_(net::make_strand(ioc)), app_(app), retry_timer_(acceptor_.get_executor()) {}

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
    self->retry_timer_.cancel();
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
  if (ec) return accept_failed(ec);
  if (failures_ > 0) accepting_again();
  bool reject = metrics().connections.load() >= app_.cfg.max_connections;
  auto session = std::make_shared<Session>(std::move(socket), app_, reject, weak_from_this());
  if (sessions_.size() >= sweep_at_) {
    std::erase_if(sessions_, [](const std::weak_ptr<Session>& s) { return s.expired(); });
    sweep_at_ = std::max<std::size_t>(64, 2 * sessions_.size());
  }
  sessions_.push_back(session);
  session->run();
  do_accept();
}

void Listener::accept_failed(const boost::beast::error_code& ec) {
  metrics().accept_errors.fetch_add(1, std::memory_order_relaxed);
  auto now = std::chrono::steady_clock::now();
  if (failures_++ == 0) failing_since_ = now;
  ++failures_unlogged_;
  // One line per interval at most, however the failures come (a flood of
  // short episodes included); it carries the count since the previous line.
  if (last_log_ == std::chrono::steady_clock::time_point{} || now - last_log_ >= kAcceptLogInterval) {
    log_json("warn", {{"event", "accept_error"},
                      {"error_kind", "io"},
                      {"message", ec.message()},
                      {"errors", failures_unlogged_},
                      {"failing_for_ms", ms_between(failing_since_, now)}});
    last_log_ = now;
    failures_unlogged_ = 0;
    episode_logged_ = true;
  }
  // The peer gave up before we took its connection: that one is gone from the
  // queue, so the next accept cannot fail the same way. Anything else (out of
  // descriptors or memory) fails again at once until something changes.
  if (ec == net::error::connection_aborted) return do_accept();
  backoff_ = backoff_.count() == 0 ? kFirstBackoff : std::min(2 * backoff_, kMaxBackoff);
  paused_.store(true, std::memory_order_relaxed);
  metrics().accept_paused.store(1, std::memory_order_relaxed);
  retry_timer_.expires_after(backoff_);
  retry_timer_.async_wait([self = shared_from_this()](const boost::system::error_code&) {
    // Expired, or cancelled by connection_closed(): try again (stop() closed the acceptor).
    if (!self->acceptor_.is_open()) return;
    self->paused_.store(false, std::memory_order_relaxed);
    self->do_accept();
  });
}

void Listener::accepting_again() {
  // Said only for an episode whose start was logged, so never more often than that.
  if (episode_logged_)
    log_json("info", {{"event", "accept_resumed"},
                      {"errors", failures_},
                      {"failing_for_ms", ms_between(failing_since_, std::chrono::steady_clock::now())}});
  episode_logged_ = false;
  failures_ = 0;
  backoff_ = std::chrono::milliseconds(0);
  metrics().accept_paused.store(0, std::memory_order_relaxed);
}

void Listener::connection_closed() {
  if (!paused_.load(std::memory_order_relaxed)) return;
  net::post(acceptor_.get_executor(), [self = shared_from_this()] {
    if (self->paused_.load(std::memory_order_relaxed)) self->retry_timer_.cancel();
  });
}

}  // namespace lcs
