#include "rules/unnamed_guard.h"

namespace lockcheck {

void UnnamedGuardRule::temporaryGuard(const FlowSite &site, const std::string &guardType) {
  report(site.at, "this " + guardType + " is a temporary destroyed at the end of the statement; it protects nothing "
                  "(name it: '" + guardType.substr(guardType.rfind(':') + 1) + " lock(...);')",
         {}, site.function);
}

void UnnamedGuardRule::vexingParseGuard(const FlowSite &site, const std::string &name) {
  report(site.at, "this declares a new, empty guard named " + quoted(name) + " instead of locking " + quoted(name) +
                  " (the most vexing parse); write 'std::unique_lock<...> lock(" + name + ");'",
         {}, site.function);
}

} // namespace lockcheck
