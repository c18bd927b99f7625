#!/usr/bin/env bash
# Install, build, and run every test (unit, fixtures, integration, server, gate).
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh
bash ci/build.sh
ctest --test-dir build --output-on-failure -j"$(nproc)"
