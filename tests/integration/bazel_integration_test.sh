#!/usr/bin/env bash
# The Bazel integration (bazel/, docs/bazel.md) on examples/kvstore, offline:
#  1. the aspect extracts once per source, the report has the cross-TU finding at its line,
#     the gate test fails on it and passes on the clean library;
#  2. link over Bazel's facts reports exactly what `lockcheck PATH` reports on the sources;
#  3. after `bazel clean`, a build with --disk_cache runs no extract at all;
#  4. changing one .cc reruns exactly that extract and the link.
#
# usage: bazel_integration_test.sh LOCKCHECK_BIN SOURCE_DIR
set -uo pipefail

lockcheck_bin=${1:?usage: $0 LOCKCHECK_BIN SOURCE_DIR}
source_dir=${2:?usage: $0 LOCKCHECK_BIN SOURCE_DIR}
here=$(cd "$(dirname "$0")" && pwd)
fail() { echo "FAILED: $*"; exit 1; }
if ! command -v bazel >/dev/null; then
  echo "SKIPPED: bazel is not installed (ci/setup.sh installs Debian's bazel-bootstrap)"
  exit 77
fi
lockcheck_bin=$(cd "$(dirname "$lockcheck_bin")" && pwd)/$(basename "$lockcheck_bin")

work=$(mktemp -d)
ws=$work/examples/kvstore
bz() { (cd "$ws" && bazel --output_user_root="$work/root" --max_idle_secs=120 "$@"); }
trap 'bz shutdown >/dev/null 2>&1; chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
export HOME=$work/home XDG_CACHE_HOME=$work/cache
mkdir -p "$HOME"
mkdir -p "$work/examples" && cp -r "$source_dir/bazel" "$work/bazel" && cp -r "$source_dir/examples/kvstore" "$work/examples/kvstore"

flags=(--repo_env=LOCKCHECK_BIN="$lockcheck_bin" --disk_cache="$work/disk" --noshow_progress)
spawns() { python3 "$here/bazel_spawns.py" "$@"; }
build() { # LOG TARGET...
  local log=$1; shift
  bz build "${flags[@]}" --execution_log_json_file="$work/$log.json" "$@" >"$work/$log.out" 2>&1 ||
    { tail -40 "$work/$log.out"; fail "bazel build $* failed"; }
}

# 1. First build: three sources, three extracts; the finding is at auth.cc:6.
build first //:lockcheck //:lockcheck_json //:lockcheck_sarif
ran=$(spawns "$work/first.json" LockcheckExtract | sed -n 1p)
[[ $ran == 3 ]] || { spawns "$work/first.json" LockcheckExtract; fail "expected 3 extract actions, ran $ran"; }
report=$ws/bazel-bin/lockcheck.txt
grep -q "src/auth.cc:6:.*blocking-under-lock" "$report" || { cat "$report"; fail "no blocking-under-lock at src/auth.cc:6"; }
[[ $(grep -c "blocking-under-lock" "$report") == 1 ]] || { cat "$report"; fail "expected exactly one finding"; }
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["runs"][0]["results"], "no results"' \
  "$ws/bazel-bin/lockcheck_sarif.sarif" || fail "SARIF report has no results"
bz test "${flags[@]}" //:lockcheck_gate >"$work/gate.out" 2>&1 && { cat "$work/gate.out"; fail "the gate passed despite a finding"; }
grep -q "lockcheck_gate.*FAILED" "$work/gate.out" || { tail -20 "$work/gate.out"; fail "the gate did not fail as a test"; }
bz test "${flags[@]}" //:store_gate >"$work/store_gate.out" 2>&1 || { tail -20 "$work/store_gate.out"; fail "the gate failed on the clean library"; }

# 2. Same findings as lockcheck run directly on the sources (with the same flags).
(cd "$ws" && "$lockcheck_bin" --no-cache --quiet --format json src -- -I. -Isrc -DAUTH_ROUNDS=12 >"$work/direct.json")
[[ $? -le 1 ]] || fail "lockcheck on the sources failed"
python3 - "$ws/bazel-bin/lockcheck_json.json" "$work/direct.json" <<'PY' || fail "Bazel and direct findings differ"
import json, sys
bazel, direct = (json.load(open(p))["findings"] for p in sys.argv[1:])
if not bazel or bazel != direct:
    print("bazel:", json.dumps(bazel, indent=1)); print("direct:", json.dumps(direct, indent=1)); sys.exit(1)
PY

# 3. A clean output tree, the disk cache warm: nothing is extracted again.
bz clean >/dev/null 2>&1 || fail "bazel clean failed"
build warm //:lockcheck_json
ran=$(spawns "$work/warm.json" LockcheckExtract | sed -n 1p)
hits=$(spawns "$work/warm.json" LockcheckExtract --cache-hits | sed -n 1p)
[[ $ran == 0 && $hits == 3 ]] || fail "after clean with --disk_cache: $ran extracts ran, $hits from the cache (want 0 and 3)"

# 4. One source changes (its facts too): exactly its extract and the link run again.
echo 'int lockcheck_touched() { return 1; }' >>"$ws/src/store.cc"
build touched //:lockcheck_json
spawns "$work/touched.json" LockcheckExtract >"$work/touched.extract"
[[ $(head -1 "$work/touched.extract") == 1 ]] && grep -q "store.lockcheck/src/store.cc.lcfacts" "$work/touched.extract" ||
  { cat "$work/touched.extract"; fail "expected exactly the store.cc extract to rerun"; }
[[ $(spawns "$work/touched.json" LockcheckLink | sed -n 1p) == 1 ]] || fail "expected exactly one link to rerun"
echo "PASSED: Bazel aspect, report, gate, disk cache and incremental extract"
