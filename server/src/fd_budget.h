#pragma once
// File descriptors: what MAX_CONNECTIONS needs, checked against RLIMIT_NOFILE
// at start-up so that running out is a start-up error, not a busy acceptor.
#include <cstdint>
#include <string>

#include "config.h"

namespace lcs {

// Descriptors beyond the connections and the DB pool: the listening socket,
// the event loop's (epoll, its wake-up fd, the signal pipe, timers), stdio,
// the files libpq and OpenSSL open for a moment (pgpass, certificates,
// /dev/urandom), and 503 answers to connections over MAX_CONNECTIONS.
inline constexpr std::uint64_t kReservedFds = 64;

struct FdBudget {
  std::uint64_t open_at_start = 0;  // descriptors open now (inherited ones included)
  std::uint64_t needed = 0;         // open_at_start + MAX_CONNECTIONS + DB_POOL_SIZE + kReservedFds
  std::uint64_t limit = 0;          // the soft limit after raising it
};

// needed = open at start + MAX_CONNECTIONS + DB_POOL_SIZE + kReservedFds.
// Raises the soft RLIMIT_NOFILE to the hard limit when it is below `needed`;
// false, with `error` naming the numbers and the remedy, when even the hard
// limit is below it.
bool ensure_fd_budget(const Config& cfg, FdBudget& budget, std::string& error);

}  // namespace lcs
