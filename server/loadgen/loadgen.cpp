// loadgen: N concurrent HTTP/1.1 keep-alive clients against 127.0.0.1 for T
// seconds (or until a request count), over a weighted endpoint mix.
// Prints requests/s, status breakdown, p50/p95/p99/max; writes CSV.
#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "stats.h"

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using loadgen::Sample;

namespace {

struct Options {
  unsigned short port = 8080;
  int clients = 10;
  double seconds = 10;
  long max_requests = 0;
  std::string mix = "login=1";
  std::string csv;
  std::string user = "loadgen_user";
  std::string password = "loadgen-password";
  long item_id = 1;
  int timeout_ms = 60000;
  bool honor_retry_after = false;
};

const char kUsage[] =
    "usage: loadgen [options]   (always targets 127.0.0.1)\n"
    "  --port P            server port (default 8080)\n"
    "  -c, --clients N     concurrent clients (default 10)\n"
    "  -d, --duration S    seconds to run (default 10)\n"
    "  -n, --requests N    stop after N requests in total (default: no bound)\n"
    "  --mix SPEC          endpoint weights, e.g. login=1,items=3,health=1,me=1,version=1\n"
    "  --csv FILE          write one row per request\n"
    "  --user U --password P   account used (registered at start if missing)\n"
    "  --item-id ID        item for 'items' (created at start)\n"
    "  --timeout-ms MS     per-request receive timeout (default 60000)\n"
    "  --honor-retry-after after a 503 with Retry-After, wait that long (a polite client)\n";

struct Conn {
  net::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
};

bool connect(Conn& c, const Options& o) {
  c.stream.emplace(c.ioc);
  beast::error_code ec;
  c.stream->socket().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), o.port), ec);
  if (ec) return false;
  timeval tv{o.timeout_ms / 1000, (o.timeout_ms % 1000) * 1000};
  setsockopt(c.stream->socket().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  c.buffer.clear();
  return true;
}

// One request; status 0 on a transport error (the connection is dropped).
int request(Conn& c, const Options& o, http::verb verb, const std::string& target, const std::string& body,
            const std::string& token, bool& retry_after, std::string* response_body = nullptr) {
  retry_after = false;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!c.stream && !connect(c, o)) return 0;
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::user_agent, "lockcheck-loadgen");
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
    if (!body.empty()) {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
    }
    req.prepare_payload();
    beast::error_code ec;
    http::write(*c.stream, req, ec);
    http::response<http::string_body> res;
    if (!ec) http::read(*c.stream, c.buffer, res, ec);
    if (ec) {
      c.stream.reset();
      // A keep-alive connection the server closed: retry once on a new one.
      if (attempt == 0 && (ec == http::error::end_of_stream || ec == net::error::connection_reset ||
                           ec == net::error::broken_pipe))
        continue;
      return 0;
    }
    retry_after = res.find(http::field::retry_after) != res.end();
    if (response_body != nullptr) *response_body = res.body();
    if (!res.keep_alive()) c.stream.reset();
    return res.result_int();
  }
  return 0;
}

struct Endpoint {
  std::string name;
  int weight;
};

std::vector<std::string> expand_mix(const std::string& spec) {
  std::vector<std::string> slots;
  std::size_t pos = 0;
  while (pos < spec.size()) {
    std::size_t comma = spec.find(',', pos);
    std::string item = spec.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    pos = comma == std::string::npos ? spec.size() : comma + 1;
    std::size_t eq = item.find('=');
    std::string name = item.substr(0, eq);
    int w = eq == std::string::npos ? 1 : std::atoi(item.c_str() + eq + 1);
    for (int i = 0; i < w; ++i) slots.push_back(name);
  }
  return slots;
}

bool parse(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (a == "--port" && (v = next())) {
      o.port = static_cast<unsigned short>(std::atoi(v));
    } else if ((a == "-c" || a == "--clients") && (v = next())) {
      o.clients = std::atoi(v);
    } else if ((a == "-d" || a == "--duration") && (v = next())) {
      o.seconds = std::atof(v);
    } else if ((a == "-n" || a == "--requests") && (v = next())) {
      o.max_requests = std::atol(v);
    } else if (a == "--mix" && (v = next())) {
      o.mix = v;
    } else if (a == "--csv" && (v = next())) {
      o.csv = v;
    } else if (a == "--user" && (v = next())) {
      o.user = v;
    } else if (a == "--password" && (v = next())) {
      o.password = v;
    } else if (a == "--item-id" && (v = next())) {
      o.item_id = std::atol(v);
    } else if (a == "--honor-retry-after") {
      o.honor_retry_after = true;
    } else if (a == "--timeout-ms" && (v = next())) {
      o.timeout_ms = std::atoi(v);
    } else {
      std::fprintf(stderr, "loadgen: bad argument %s\n%s", a.c_str(), kUsage);
      return false;
    }
  }
  return o.clients > 0 && o.seconds > 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, o)) return 2;
  std::vector<std::string> slots = expand_mix(o.mix);
  if (slots.empty()) return 2;

  // Setup: the account, a token, and the item.
  std::string creds = nlohmann::json{{"username", o.user}, {"password", o.password}}.dump();
  std::string token;
  {
    Conn c;
    bool ra = false;
    int st = request(c, o, http::verb::post, "/api/auth/register", creds, "", ra);
    if (st != 201 && st != 409) {
      std::fprintf(stderr, "loadgen: register answered %d\n", st);
      return 1;
    }
    std::string body;
    for (int i = 0; i < 50 && token.empty(); ++i) {
      st = request(c, o, http::verb::post, "/api/auth/login", creds, "", ra, &body);
      if (st == 200) token = nlohmann::json::parse(body, nullptr, false).value("token", "");
      else std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (token.empty()) {
      std::fprintf(stderr, "loadgen: setup login failed (%d)\n", st);
      return 1;
    }
    std::string item = nlohmann::json{{"name", "loadgen item"}, {"payload", std::string(64, 'x')}}.dump();
    st = request(c, o, http::verb::put, "/api/items/" + std::to_string(o.item_id), item, token, ra);
    if (st != 200) std::fprintf(stderr, "loadgen: item setup answered %d\n", st);
  }

  std::atomic<long> issued{0};
  auto t0 = std::chrono::steady_clock::now();
  auto deadline = t0 + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                           std::chrono::duration<double>(o.seconds));
  std::vector<std::vector<Sample>> per_thread(static_cast<std::size_t>(o.clients));
  std::vector<std::thread> threads;
  for (int t = 0; t < o.clients; ++t) {
    threads.emplace_back([&, t] {
      Conn c;
      auto& out = per_thread[static_cast<std::size_t>(t)];
      std::size_t k = static_cast<std::size_t>(t);
      while (std::chrono::steady_clock::now() < deadline) {
        if (o.max_requests > 0 && issued.fetch_add(1) >= o.max_requests) break;
        const std::string& ep = slots[k++ % slots.size()];
        auto start = std::chrono::steady_clock::now();
        bool ra = false;
        int st = 0;
        if (ep == "login")
          st = request(c, o, http::verb::post, "/api/auth/login", creds, "", ra);
        else if (ep == "items")
          st = request(c, o, http::verb::get, "/api/items/" + std::to_string(o.item_id), "", "", ra);
        else if (ep == "me")
          st = request(c, o, http::verb::get, "/api/me", "", token, ra);
        else
          st = request(c, o, http::verb::get, "/" + ep, "", "", ra);
        auto end = std::chrono::steady_clock::now();
        out.push_back({std::chrono::duration<double, std::milli>(start - t0).count(), ep, st,
                       std::chrono::duration<double, std::milli>(end - start).count(), ra});
        if (st == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        if (st == 503 && ra && o.honor_retry_after) std::this_thread::sleep_for(std::chrono::seconds(1));
      }
    });
  }
  for (auto& th : threads) th.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::vector<Sample> all;
  for (auto& v : per_thread) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end(), [](const Sample& a, const Sample& b) { return a.start_ms < b.start_ms; });
  loadgen::print_summary(all, seconds, o.clients);
  if (!o.csv.empty() && !loadgen::write_csv(all, o.csv)) {
    std::fprintf(stderr, "loadgen: cannot write %s\n", o.csv.c_str());
    return 1;
  }
  return 0;
}
