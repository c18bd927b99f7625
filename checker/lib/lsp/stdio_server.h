// `lockcheck lsp` on a real pipe: the protocol owns the process's standard output.
#pragma once

#include "lsp/analysis.h"

namespace lockcheck::lsp {

// Serves on stdin/stdout. Anything else that writes to standard output (a library's stray
// print) goes to standard error instead, so it cannot corrupt the protocol stream; a client
// that closes the pipe ends the server instead of killing it with SIGPIPE.
int serveStdio(Analysis &analysis);

} // namespace lockcheck::lsp
