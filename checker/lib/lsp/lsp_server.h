// The language server's protocol side (docs/editors.md): one reader thread turns framed
// messages into a queue; the calling thread answers requests, keeps the open buffers and
// runs the analysis, debounced after edits; a third thread does the first indexing and
// reports it as work-done progress, so the editor is never blocked on it.
#pragma once

#include "lsp/analysis.h"

#include <chrono>
#include <istream>
#include <ostream>

namespace lockcheck::lsp {

struct ServerOptions {
  // How long after the last didChange the buffer is analysed.
  std::chrono::milliseconds debounce{300};
};

// JSON-RPC error codes (LSP 3.17 "Base Protocol").
enum ErrorCode {
  kParseError = -32700,
  kInvalidRequest = -32600,
  kMethodNotFound = -32601,
  kInvalidParams = -32602,
  kInternalError = -32603,
  kServerNotInitialized = -32002,
  kRequestCancelled = -32800,
};

// Serves until `exit` or the end of `in`. Returns the process exit status the protocol asks
// for: 0 after shutdown then exit, 1 otherwise (exit without shutdown, client gone).
int runServer(std::istream &in, std::ostream &out, Analysis &analysis, const ServerOptions &options = {});

} // namespace lockcheck::lsp
