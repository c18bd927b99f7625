#include "lsp/stdio_server.h"

#include "lsp/lsp_server.h"

#include <ext/stdio_filebuf.h>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <unistd.h>

namespace lockcheck::lsp {

int serveStdio(Analysis &analysis) {
  std::signal(SIGPIPE, SIG_IGN); // a write to a closed pipe fails (and the reader sees EOF)
  std::fflush(stdout);
  int protocolFd = ::dup(STDOUT_FILENO);
  if (protocolFd < 0 || ::dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
    std::perror("lockcheck lsp: cannot set up standard output");
    return 2;
  }
  __gnu_cxx::stdio_filebuf<char> protocolBuf(protocolFd, std::ios::out);
  std::ostream protocol(&protocolBuf);
  // Never destroyed: after `exit` the reader thread may still be blocked reading it.
  auto *inputBuf = new __gnu_cxx::stdio_filebuf<char>(STDIN_FILENO, std::ios::in);
  auto *input = new std::istream(inputBuf);
  return runServer(*input, protocol, analysis);
}

} // namespace lockcheck::lsp
