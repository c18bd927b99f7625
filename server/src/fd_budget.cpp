#include "fd_budget.h"

#include <dirent.h>
#include <sys/resource.h>

namespace lcs {
namespace {

std::uint64_t open_descriptors() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return 3;  // no /proc: assume stdio
  std::uint64_t n = 0;
  while (dirent* e = readdir(dir))
    if (e->d_name[0] != '.') ++n;
  closedir(dir);
  return n > 0 ? n - 1 : 0;  // not the directory's own descriptor
}

}  // namespace

bool ensure_fd_budget(const Config& cfg, FdBudget& budget, std::string& error) {
  budget.open_at_start = open_descriptors();
  std::uint64_t fixed = budget.open_at_start + static_cast<std::uint64_t>(cfg.db_pool_size) + kReservedFds;
  budget.needed = fixed + static_cast<std::uint64_t>(cfg.max_connections);
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) {
    error = "cannot read RLIMIT_NOFILE";
    return false;
  }
  if (lim.rlim_cur == RLIM_INFINITY || lim.rlim_cur >= budget.needed) {
    budget.limit = lim.rlim_cur == RLIM_INFINITY ? UINT64_MAX : lim.rlim_cur;
    return true;
  }
  if (lim.rlim_max == RLIM_INFINITY || lim.rlim_max >= budget.needed) {
    // Raising the soft limit up to the hard one needs no privilege.
    rlimit raised{lim.rlim_max == RLIM_INFINITY ? budget.needed : lim.rlim_max, lim.rlim_max};
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) {
      budget.limit = raised.rlim_cur;
      return true;
    }
  }
  std::uint64_t hard = lim.rlim_max == RLIM_INFINITY ? lim.rlim_cur : lim.rlim_max;
  error = "MAX_CONNECTIONS=" + std::to_string(cfg.max_connections) + " needs " + std::to_string(budget.needed) +
          " file descriptors (MAX_CONNECTIONS + DB_POOL_SIZE " + std::to_string(cfg.db_pool_size) + " + " +
          std::to_string(kReservedFds) + " reserved + " + std::to_string(budget.open_at_start) +
          " open at start), but RLIMIT_NOFILE allows " + std::to_string(hard) + ": ";
  error += hard > fixed ? "lower MAX_CONNECTIONS to at most " + std::to_string(hard - fixed) + " or raise"
                        : "raise";
  error += " the limit (ulimit -n, LimitNOFILE= in the systemd unit)";
  return false;
}

}  // namespace lcs
