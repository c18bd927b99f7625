#include "rules/lock_across_await.h"

namespace lockcheck {

void LockAcrossAwaitRule::suspendedWhileHeld(const FlowSite &site, const char *keyword, const HeldLock &innermost) {
  const std::string &lock = innermost.lock.display;
  report(site.at,
         std::string(keyword) + " while " + quoted(lock) + " is held; the coroutine may resume on another thread, or never",
         lock, site.function, {{innermost.acquired, quoted(lock) + " acquired here"}});
}

} // namespace lockcheck
