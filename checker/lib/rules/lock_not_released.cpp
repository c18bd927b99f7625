#include "rules/lock_not_released.h"

namespace lockcheck {

// Anchored at the acquisition (docs/spec.md §2), with the return in the trace.
void LockNotReleasedRule::heldAtReturn(const FlowSite &site, const HeldLock &lock) {
  const std::string &name = lock.lock.display;
  report(lock.acquired, quoted(name) + " is still held when " + site.function + "() returns", name, site.function,
         {{site.at, "returns here with " + quoted(name) + " held"}});
}

} // namespace lockcheck
