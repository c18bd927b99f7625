// The base protocol of the Language Server Protocol: "Content-Length: N\r\n\r\n" then N bytes
// of JSON. Reading survives bad header blocks (no length, a length that is not a number or
// too large, two lengths): each is one BadHeader, then the reader skips the body when its
// length is beyond doubt, or else everything up to the next Content-Length header.
#pragma once

#include <istream>
#include <string>

namespace lockcheck::lsp {

class FrameReader {
public:
  explicit FrameReader(std::istream &in) : in_(in) {}

  enum class Status {
    Message,   // `body` holds one message's bytes
    BadHeader, // `error` says what; the reader has skipped to where the next header may start
    Eof,       // the stream ended (also in the middle of a message: the client is gone)
  };
  Status next(std::string &body, std::string &error);

private:
  // One header line without its line end; false at end of stream.
  bool readLine(std::string &line);
  // Discards input through the next "Content-Length:"; `line` is that header line.
  bool skipToHeader(std::string &line);
  std::istream &in_;
  std::string pending_;    // a header line found glued to the garbage before it
  bool resyncing_ = false; // the last header block was bad and its body's end unknown
};

// Frames a message body for writing.
std::string frame(const std::string &body);

// The largest body accepted: a header asking for more is an error, not an allocation.
constexpr size_t kMaxBodyBytes = 64u << 20;

} // namespace lockcheck::lsp
