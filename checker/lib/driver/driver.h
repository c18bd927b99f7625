// The whole run behind `lockcheck ...`: options in, report out, exit status back.
#pragma once

namespace lockcheck {
// Exit status per docs/spec.md §6: 0 clean, 1 findings, 2 usage or input error.
int runLockcheck(int argc, const char *const *argv);
} // namespace lockcheck
