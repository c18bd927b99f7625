#pragma once
// What a request's header must satisfy before its body is read (RFC 9112,
// RFC 9110): message framing that cannot be smuggled, exactly one Host, and
// the expectations we meet. The session applies the verdict before it reads
// a byte of the body.
#include <string>

#include "exchange.h"

namespace lcs {

struct HeadVerdict {
  // ok: serve the request; otherwise answer this status and close without
  // reading the body (the bytes after the header are never a request).
  http::status status = http::status::ok;
  std::string message;
  std::string error_kind;
  bool close_after = false;      // serve it, then close (HTTP/1.0 with Transfer-Encoding)
  bool expect_continue = false;  // answer 100 Continue before reading the body
};

// `req` holds the header just parsed (its body is not read yet).
HeadVerdict check_request_head(const Request& req);

}  // namespace lcs
