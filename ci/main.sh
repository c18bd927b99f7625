#!/usr/bin/env bash
# The main job: install what is missing, build, and run lockcheck over the bundled
# reference server, printing its result (SERVER.md: it must report nothing).
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh
bash ci/build.sh
echo "== build/bin/lockcheck -p build server/"
rc=0
build/bin/lockcheck -p build -j"$(nproc)" server/ || rc=$?
if [ "$rc" -eq 0 ]; then
  echo "lockcheck: no findings in server/ (exit status 0)"
else
  echo "lockcheck: exit status $rc (1 = findings, 2 = input error)"
fi
exit "$rc"
