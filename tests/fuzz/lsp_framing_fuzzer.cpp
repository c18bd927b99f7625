// The language server's input stream (lsp/jsonrpc_framing.h), as an editor or anything on
// its pipe may write it: every read ends in a message, a bad header answered with a reason,
// or the end, each consuming input, and a message body is parsed as the server parses it.
#include "lsp/jsonrpc_framing.h"
#include "fuzz_target.h"
#include "support/strict_json.h"

#include <sstream>

using namespace lockcheck;

LOCKCHECK_FUZZ_TARGET(lsp_framing) {
  std::istringstream in(std::string(reinterpret_cast<const char *>(data), size));
  lsp::FrameReader reader(in);
  std::string body, error;
  for (size_t reads = 0;; ++reads) {
    FUZZ_CHECK(reads <= size + 1); // each message or bad header consumed some input
    if (reads > size + 1) return 0;
    lsp::FrameReader::Status status = reader.next(body, error);
    if (status == lsp::FrameReader::Status::Eof) return 0;
    if (status == lsp::FrameReader::Status::BadHeader) {
      FUZZ_CHECK(!error.empty());
      continue;
    }
    FUZZ_CHECK(body.size() <= lsp::kMaxBodyBytes);
    nlohmann::json message;
    strict_json::Error e;
    strict_json::parse(body, message, e, strict_json::kBoundedOnly);
  }
}
