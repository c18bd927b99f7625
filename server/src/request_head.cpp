#include "request_head.h"

#include <cctype>
#include <vector>

#include <boost/beast/core/string.hpp>

namespace lcs {
namespace {

using boost::beast::iequals;

// The elements of a comma-separated list field over all its lines, in order,
// without the empty elements a recipient must ignore (RFC 9110 §5.6.1).
std::vector<std::string_view> list_elements(const Request& req, http::field f) {
  std::vector<std::string_view> out;
  for (auto [it, end] = req.equal_range(f); it != end; ++it) {
    std::string_view v = it->value();
    while (!v.empty()) {
      std::size_t comma = v.find(',');
      std::string_view e = v.substr(0, comma);
      while (!e.empty() && (e.front() == ' ' || e.front() == '\t')) e.remove_prefix(1);
      while (!e.empty() && (e.back() == ' ' || e.back() == '\t')) e.remove_suffix(1);
      if (!e.empty()) out.push_back(e);
      v = comma == std::string_view::npos ? std::string_view{} : v.substr(comma + 1);
    }
  }
  return out;
}

// uri-host [":" port] (RFC 9112 §3.2, RFC 3986 §3.2.2): reg-name or IPv4
// characters, or an IP literal in brackets; empty is allowed.
bool valid_host(std::string_view h) {
  std::string_view host = h, port;
  if (!h.empty() && h.front() == '[') {
    std::size_t close = h.find(']');
    if (close == std::string_view::npos) return false;
    for (char c : h.substr(1, close - 1))
      if (!(std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.')) return false;
    std::string_view rest = h.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return false;
    port = rest.empty() ? rest : rest.substr(1);
  } else {
    std::size_t colon = h.find(':');
    if (colon != std::string_view::npos) {
      host = h.substr(0, colon);
      port = h.substr(colon + 1);
    }
    for (char c : host) {
      bool ok = std::isalnum(static_cast<unsigned char>(c)) || std::string_view("-._~%!$&'()*+,;=").find(c) !=
                                                                    std::string_view::npos;
      if (!ok) return false;
    }
  }
  for (char c : port)
    if (c < '0' || c > '9') return false;
  return port.size() <= 5;
}

HeadVerdict refuse(http::status status, std::string message) {
  return {status, std::move(message), status == http::status::expectation_failed ? "expectation_failed"
                                      : status == http::status::not_implemented  ? "not_implemented"
                                                                                 : "bad_http",
          false, false};
}

}  // namespace

HeadVerdict check_request_head(const Request& req) {
  bool http11 = req.version() >= 11;
  // Host: exactly one on HTTP/1.1, at most one on 1.0, well formed (RFC 9112 §3.2).
  std::size_t hosts = req.count(http::field::host);
  if (http11 && hosts == 0) return refuse(http::status::bad_request, "missing Host header");
  if (hosts > 1) return refuse(http::status::bad_request, "more than one Host header");
  if (hosts == 1 && !valid_host(req[http::field::host]))
    return refuse(http::status::bad_request, "invalid Host header");

  HeadVerdict ok;
  // Transfer-Encoding (RFC 9112 §6.1, §6.3): only `chunked`, once, last; never with
  // Content-Length. Anything else cannot be framed safely: answer and close.
  if (req.count(http::field::transfer_encoding) > 0) {
    if (req.count(http::field::content_length) > 0)
      return refuse(http::status::bad_request, "Transfer-Encoding and Content-Length together");
    auto codings = list_elements(req, http::field::transfer_encoding);
    if (codings.empty() || !iequals(codings.back(), "chunked"))
      return refuse(http::status::bad_request, "Transfer-Encoding must end with chunked");
    codings.pop_back();
    for (std::string_view c : codings)
      if (iequals(c, "chunked")) return refuse(http::status::bad_request, "chunked applied more than once");
    if (!codings.empty())  // we decode no compression: a body we cannot read (RFC 9112 §6.1)
      return refuse(http::status::not_implemented,
                    "Transfer-Encoding " + std::string(codings.front()) + " is not implemented");
    // HTTP/1.0 has no Transfer-Encoding: its framing is suspect, so no second request.
    ok.close_after = !http11;
  }
  // Expect (RFC 9110 §10.1.1): 100-continue is met; any other expectation is not.
  // An HTTP/1.0 request's expectation is ignored.
  if (http11 && req.count(http::field::expect) > 0) {
    auto expectations = list_elements(req, http::field::expect);
    for (std::string_view e : expectations)
      if (!iequals(e, "100-continue"))
        return refuse(http::status::expectation_failed, "unsupported expectation: " + std::string(e));
    ok.expect_continue = !expectations.empty();
  }
  return ok;
}

}  // namespace lcs
