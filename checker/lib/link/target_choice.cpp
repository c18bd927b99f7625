#include "link/target_choice.h"

namespace lockcheck {

int explanationKind(const ProgramLinker::Blocking &b) { return (b.conditional ? 2 : 0) + (b.maybe ? 1 : 0); }

bool namesBetterTarget(const ProgramLinker::Blocking &candidate, const ProgramLinker::Blocking &current) {
  return current.offPath && !candidate.offPath;
}

} // namespace lockcheck
