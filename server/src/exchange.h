#pragma once
// One request in flight and what we learn while handling it. Handlers may
// finish it on any thread; the response is posted back to the session's
// strand. Fields are written by one thread at a time (handed over by
// posting), so they need no lock.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/http.hpp>

#include "metrics.h"

namespace lcs {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

struct Exchange {
  Request req;
  std::string trace_id;
  Endpoint endpoint = Endpoint::other;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::string error_kind;
  // Phase times in ms; negative = the phase did not happen.
  double lock_wait_ms = -1;
  double db_ms = -1;
  double db_queue_ms = -1;
  double bcrypt_queue_ms = -1;
  double bcrypt_ms = -1;
  boost::asio::any_io_executor executor;  // the session's strand
  std::function<void(Response&&)> deliver;  // set by the session

  // First caller wins; later ones (e.g. a timeout racing the DB) get false.
  bool claim() { return !claimed_.exchange(true); }
  // Claims and sends; a no-op if already claimed.
  void finish(Response&& res) {
    if (claim()) deliver(std::move(res));
  }
  // Sends after a successful claim().
  void send_claimed(Response&& res) { deliver(std::move(res)); }

 private:
  std::atomic<bool> claimed_{false};
};

using ExchangePtr = std::shared_ptr<Exchange>;

}  // namespace lcs
