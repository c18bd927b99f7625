#!/usr/bin/env bash
# The main job: install, build, and run lockcheck over the bundled reference server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh
bash ci/build.sh
echo "== lockcheck server/"
build/bin/lockcheck -p build server/
