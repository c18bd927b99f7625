#!/usr/bin/env bash
# Install what is missing, build, and run every test: unit tests, rule fixtures,
# integration tests (CLI contract, SARIF schema, pre-commit, install, gate), the
# server against a throwaway PostgreSQL; the fuzz targets for a bounded time (ci/fuzz.sh,
# about 30 s); then the checker's unit tests and every fixture again under ASan+UBSan
# (ci/sanitize-checker.sh) and the server under TSan (ci/sanitize-server.sh).
# LOCKCHECK_SANITIZERS=0 skips the two sanitizer jobs (a quick local run); CI always
# runs them.
set -euo pipefail
# CI services set this; a run of this script counts as CI too: tests that may skip on a
# developer's machine (the neovim LSP client test) must run here.
export CI="${CI:-true}"
cd "$(dirname "$0")/.."
start=$SECONDS
stage() { echo "ci/test.sh: $1 done at $((SECONDS - start)) s"; }
bash ci/setup.sh
bash ci/build.sh
stage "build"
ctest --test-dir build --output-on-failure -j"$(nproc)"
stage "tests"
bash ci/fuzz.sh
stage "fuzzing"
if [ "${LOCKCHECK_SANITIZERS:-1}" = 1 ]; then
  bash ci/sanitize-checker.sh
  stage "ASan+UBSan job"
  bash ci/sanitize-server.sh
  stage "TSan job"
fi
echo "ci/test.sh: all tests passed in $((SECONDS - start)) s"
