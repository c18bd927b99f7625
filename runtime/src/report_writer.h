// Writes the observed events as a lockcheck JSON report (docs/spec.md §6), so every reporter, the
// baseline and `lockcheck compare` read it.
#pragma once

namespace lockcheck_rt {

enum class ReportReason { Exit, QuickExit, Signal, Abort, FatalSignal };

void writeReport(ReportReason reason);

// The first process that loads the runtime owns the output path; its children and the programs
// they exec write `<path>.<pid>`, and only when they saw events.
void rememberOwnerProcess();

// SIGUSR2 only sets a flag (nothing else is async-signal-safe); the next blocking call on any
// thread writes the report.
void requestDump();
void serviceDumpRequest();

} // namespace lockcheck_rt
