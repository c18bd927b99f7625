#!/usr/bin/env bash
# find_package(lockcheck) from an install (docs/cmake.md) on examples/kvstore:
#  1. `cmake --build . --target lockcheck` extracts each source once, links, and fails on the
#     cross-TU finding at src/auth.cc:6; a REPORT_ONLY check on the clean library passes;
#  2. a second build extracts nothing;
#  3. touching a header reruns only the extracts of the sources that include it (depfiles).
#
# usage: cmake_integration_test.sh LOCKCHECK_BUILD_DIR SOURCE_DIR
set -uo pipefail

build_dir=${1:?usage: $0 LOCKCHECK_BUILD_DIR SOURCE_DIR}
source_dir=${2:?usage: $0 LOCKCHECK_BUILD_DIR SOURCE_DIR}
source "$(dirname "$0")/install_prefix_lib.sh"
cp -r "$source_dir/examples/kvstore" "$work/kvstore"
b=$work/build
cmake -S "$work/kvstore" -B "$b" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >"$work/configure.log" 2>&1 ||
  { cat "$work/configure.log"; fail "configuring the example failed"; }
extracts() { grep -c "lockcheck extract" "$1"; }

# 1. The gate fails on the finding; the report-only check of the clean library succeeds.
cmake --build "$b" --target lockcheck -j2 >"$work/first.log" 2>&1 && { cat "$work/first.log"; fail "findings did not fail the build"; }
grep -q "src/auth.cc:6:.*blocking-under-lock" "$work/first.log" || { cat "$work/first.log"; fail "no finding at src/auth.cc:6 in the build output"; }
grep -q "src/auth.cc:6:.*blocking-under-lock" "$b/lockcheck.txt" || fail "no finding in $b/lockcheck.txt"
[[ $(extracts "$work/first.log") == 3 ]] || { cat "$work/first.log"; fail "expected 3 extracts"; }
cmake --build "$b" --target lockcheck_store >"$work/store.log" 2>&1 || { cat "$work/store.log"; fail "the report-only check failed"; }
python3 -c 'import json,sys; f=json.load(open(sys.argv[1]))["findings"]; assert f == [], f' "$b/lockcheck_store.json" ||
  fail "the clean library has findings"

# 2. Nothing changed: no extract, no link; the gate still fails.
cmake --build "$b" --target lockcheck >"$work/second.log" 2>&1
[[ $(extracts "$work/second.log") == 0 ]] && ! grep -q "lockcheck link" "$work/second.log" ||
  { cat "$work/second.log"; fail "extracts or link reran with nothing changed"; }
grep -q "src/auth.cc:6:.*blocking-under-lock" "$work/second.log" || fail "the gate did not show the report again"

# 3. auth.h is read by auth.cc and main.cc, not store.cc.
sleep 1
touch "$work/kvstore/src/auth.h"
cmake --build "$b" --target lockcheck >"$work/third.log" 2>&1
[[ $(extracts "$work/third.log") == 2 ]] && ! grep -q "lockcheck extract.*store.cc" "$work/third.log" ||
  { cat "$work/third.log"; fail "touching auth.h should rerun exactly the auth.cc and main.cc extracts"; }
echo "PASSED: find_package(lockcheck), gate, incremental extracts through depfiles"
