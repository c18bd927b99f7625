#include "rules/manual_lock.h"

namespace lockcheck {

void ManualLockRule::lockedByHand(const FlowSite &site, const LockRef &lock) {
  report(site.at,
         quoted(lock.display) + " is locked and unlocked by hand; a std::lock_guard or std::unique_lock "
                                "would release it on every path",
         lock.display, site.function);
}

} // namespace lockcheck
