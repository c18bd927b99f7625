#include "rules/unlock_not_held.h"

namespace lockcheck {

void UnlockNotHeldRule::releasedNotHeld(const FlowSite &site, const LockRef &lock, const std::string &guard) {
  std::string through = guard.empty() ? std::string() : " through " + quoted(guard);
  report(site.at, quoted(lock.display) + " is released" + through + " but it is not held here", lock.display,
         site.function);
}

} // namespace lockcheck
