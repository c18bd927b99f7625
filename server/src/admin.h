#pragma once
// The one-shot operator commands of lockcheck-server (docs/deployment.md).
#include "config.h"

namespace lcs {

// --check-config: the environment has already loaded into `cfg` without
// error; warns about unknown variables, prints the effective settings
// (never the secret or the DB password) and returns the exit code.
int check_config_command(const Config& cfg);

// migrate: applies the pending schema migrations as DATABASE_URL's role and
// logs what it did; a second run is a no-op. Returns the exit code.
int migrate_command(const Config& cfg);

}  // namespace lcs
