#include "lsp/jsonrpc_framing.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace lockcheck::lsp {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string trim(const std::string &s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

const std::string kLengthHeader = "content-length:";

} // namespace

bool FrameReader::readLine(std::string &line) {
  if (!pending_.empty()) {
    line.swap(pending_);
    pending_.clear();
    return true;
  }
  line.clear();
  for (int c; (c = in_.get()) != std::char_traits<char>::eof();) {
    if (c == '\n') {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return true;
    }
    line += static_cast<char>(c);
    if (line.size() > 8192) return true; // no header is this long: let the caller reject it
  }
  return !line.empty();
}

bool FrameReader::skipToHeader(std::string &line) {
  // The bytes of a message whose header block was bad, up to the next "Content-Length:"
  // (in any case), even one glued to them or split across reads.
  std::string window;
  for (int c; (c = in_.get()) != std::char_traits<char>::eof();) {
    window += static_cast<char>(std::tolower(c));
    if (window.size() > kLengthHeader.size()) window.erase(0, 1);
    if (window == kLengthHeader) {
      if (!readLine(line)) return false;
      line = "Content-Length:" + line;
      return true;
    }
  }
  return false;
}

FrameReader::Status FrameReader::next(std::string &body, std::string &error) {
  std::string line;
  bool sawHeader = false;
  std::vector<std::string> lengths; // every Content-Length value, as written
  error.clear();
  while (true) {
    if (resyncing_) {
      resyncing_ = false;
      if (!skipToHeader(line)) return Status::Eof;
    } else if (!readLine(line)) {
      return Status::Eof;
    }
    if (line.empty()) {
      if (!sawHeader) continue; // blank lines between messages are harmless
      break;
    }
    std::string folded = lower(line);
    // Garbage glued to a header (the body of a message whose header was bad, which has no
    // line end of its own): report it and start over at the header.
    size_t at = folded.find(kLengthHeader);
    if (at != std::string::npos && at > 0) {
      pending_ = line.substr(at);
      if (error.empty()) error = "unexpected bytes before a header: '" + line.substr(0, std::min<size_t>(at, 40)) + "'";
      return Status::BadHeader;
    }
    size_t colon = line.find(':');
    if (colon == std::string::npos || line.size() > 8192) {
      if (error.empty()) error = "malformed header line '" + line.substr(0, 40) + "'";
      sawHeader = true;
      continue;
    }
    sawHeader = true;
    if (lower(trim(line.substr(0, colon))) != "content-length") continue; // Content-Type and others
    std::string value = trim(line.substr(colon + 1));
    lengths.push_back(value);
    if ((value.empty() || value.size() > 12 || !std::all_of(value.begin(), value.end(), ::isdigit)) && error.empty())
      error = "Content-Length '" + value.substr(0, 20) + "' is not a number";
  }
  if (lengths.empty() && error.empty()) error = "header without Content-Length";
  // Two lengths: which one frames the body is anyone's guess (a smuggling shape in HTTP).
  if (lengths.size() > 1 && error.empty()) {
    error = "Content-Length given " + std::to_string(lengths.size()) + " times (";
    for (size_t i = 0; i < lengths.size(); ++i) error += (i ? ", " : "") + lengths[i].substr(0, 20);
    error += ")";
  }
  bool known = !lengths.empty() && std::all_of(lengths.begin(), lengths.end(), [&](const std::string &v) {
    return v == lengths.front() && !v.empty() && v.size() <= 12 && std::all_of(v.begin(), v.end(), ::isdigit);
  });
  size_t length = known ? std::stoull(lengths.front()) : 0;
  if (known && length > kMaxBodyBytes && error.empty())
    error = "Content-Length " + std::to_string(length) + " is larger than the " + std::to_string(kMaxBodyBytes) +
            " bytes accepted";
  if (!error.empty()) {
    // Stay in step: past the body when its length is beyond doubt, else to the next header.
    if (known && length <= kMaxBodyBytes) in_.ignore(static_cast<std::streamsize>(length));
    else resyncing_ = true;
    return Status::BadHeader;
  }
  body.assign(length, '\0');
  in_.read(body.data(), static_cast<std::streamsize>(length));
  if (static_cast<size_t>(in_.gcount()) != length) return Status::Eof;
  return Status::Message;
}

std::string frame(const std::string &body) { return "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body; }

} // namespace lockcheck::lsp
