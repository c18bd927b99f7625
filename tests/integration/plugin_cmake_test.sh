#!/usr/bin/env bash
# lockcheck_add_plugin() from an install (docs/cmake.md) on tests/integration/plugin_project
# (examples/kvstore's sources plus its own), with Ninja and with Unix Makefiles:
#  1. `cmake --build . --target lockcheck` compiles with the plugin, links the facts and fails
#     on the findings; they are exactly those of `lockcheck -p BUILD src` run in the project
#     (a cross-file chain, a lock type from the project's own pack, a suppressed finding left
#     out), in JSON and in text, and a baseline written by either run silences the other;
#  2. nothing changed: no compile, no link;
#  3. a change to the project's pack recompiles every source (no facts older than the packs);
#  4. a source deleted from the build: its facts are left out with a notice, and the findings
#     are again those of the standalone run;
#  5. with g++ as the compiler, configuring fails with a message saying what to do.
#
# usage: plugin_cmake_test.sh LOCKCHECK_BUILD_DIR CLANGXX
set -uo pipefail

build_dir=${1:?usage: $0 LOCKCHECK_BUILD_DIR CLANGXX}
clangxx=${2:?usage: $0 LOCKCHECK_BUILD_DIR CLANGXX}
project=$(cd "$(dirname "$0")/plugin_project" && pwd)
kvstore=$(cd "$(dirname "$0")/../../examples/kvstore/src" && pwd)
source "$(dirname "$0")/install_prefix_lib.sh"
lockcheck=$work/prefix/bin/lockcheck

# The findings of a JSON report, without the summary (it holds the run's duration).
findings() { python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["findings"], indent=1, sort_keys=True))' "$1"; }
count() { grep -c "$1" "$2"; }

check_generator() {
  local generator=$1 src=$work/$2 b=$work/$2-build
  cp -r "$project" "$src"
  cp "$kvstore"/* "$src/src/"
  cmake -S "$src" -B "$b" -G "$generator" -DCMAKE_CXX_COMPILER="$clangxx" -DCMAKE_PREFIX_PATH="$work/prefix" \
    >"$work/configure.log" 2>&1 || { cat "$work/configure.log"; fail "$generator: configuring failed"; }
  local facts=$b/lockcheck.lockcheck/facts

  # 1. The gate fails on the findings, which are the standalone run's.
  cmake --build "$b" --target lockcheck -j2 >"$work/first.log" 2>&1 &&
    { cat "$work/first.log"; fail "$generator: findings did not fail the build"; }
  [[ -f $facts/.lockcheck-plugin-facts ]] || { cat "$work/first.log"; fail "$generator: no plugin facts directory"; }
  [[ $(find "$facts" -name '*.lcfacts' | wc -l) == 4 ]] || { find "$facts"; fail "$generator: expected 4 facts files"; }
  (cd "$src" && "$lockcheck" --quiet --no-cache --format json -p "$b" src >"$work/standalone.json")
  [[ $? == 1 ]] || fail "$generator: the standalone run did not exit 1"
  findings "$b/lockcheck.json" >"$work/plugin.findings"
  findings "$work/standalone.json" >"$work/standalone.findings"
  diff -u "$work/standalone.findings" "$work/plugin.findings" >"$work/diff" ||
    { cat "$work/diff"; fail "$generator: the plugin's findings differ from the standalone run's"; }
  # The cross-file chain (auth.cc:6 -> store.cc's sleep), the write under the pack's lock
  # (audit.cc:12), not the suppressed one (audit.cc:19; with a reason: no note either).
  python3 - "$b/lockcheck.json" <<'PY' || fail "$generator: not the expected findings"
import json, sys
found = {(f["file"], f["line"], f["rule"]) for f in json.load(open(sys.argv[1]))["findings"]}
chain = [f for f in json.load(open(sys.argv[1]))["findings"] if (f["file"], f["line"]) == ("src/auth.cc", 6)]
assert ("src/auth.cc", 6, "blocking-under-lock") in found, found
assert any(step["file"] == "src/store.cc" for step in chain[0]["trace"]), chain
assert ("src/audit.cc", 12, "blocking-under-lock") in found, found
assert not any(f[:2] == ("src/audit.cc", 19) for f in found), found
PY
  # Text, and `lockcheck link DIR` by hand from the project: the standalone run's lines.
  (cd "$src" && "$lockcheck" link "$facts" >"$work/link.txt"; "$lockcheck" --no-cache -p "$b" src >"$work/standalone.txt")
  diff <(grep -v " in .* files\?$" "$work/standalone.txt") <(grep -v " in .* files\?$" "$work/link.txt") >"$work/diff" ||
    { cat "$work/diff"; fail "$generator: link's text report differs from the standalone run's"; }
  # A baseline from either run silences the other.
  (cd "$src" && "$lockcheck" --quiet --no-cache -p "$b" src --baseline "$work/base.json" --write-baseline) ||
    fail "$generator: writing a baseline failed"
  (cd "$src" && "$lockcheck" link --quiet "$facts" --baseline "$work/base.json") ||
    fail "$generator: link reported findings the standalone run's baseline holds"
  (cd "$src" && "$lockcheck" link --quiet "$facts" --baseline "$work/base2.json" --write-baseline &&
    "$lockcheck" --quiet --no-cache -p "$b" src --baseline "$work/base2.json") ||
    fail "$generator: the standalone run reported findings link's baseline holds"

  # 2. Nothing changed: nothing compiles, nothing links; the gate still fails.
  cmake --build "$b" --target lockcheck >"$work/second.log" 2>&1
  ! grep -q "Building CXX\|lockcheck link" "$work/second.log" ||
    { cat "$work/second.log"; fail "$generator: compiles or the link reran with nothing changed"; }
  grep -q "lockcheck: findings; report: $b/lockcheck.json" "$work/second.log" ||
    { cat "$work/second.log"; fail "$generator: the gate did not fail on the findings again"; }

  # 3. The project's pack changed: every source compiles again, then the link.
  sleep 1
  touch "$src/lockcheck/spin.json"
  cmake --build "$b" --target lockcheck >"$work/third.log" 2>&1
  [[ $(count "Building CXX" "$work/third.log") == 4 ]] && grep -q "lockcheck link" "$work/third.log" ||
    { cat "$work/third.log"; fail "$generator: a pack change should recompile the 4 sources and link again"; }

  # 4. audit.cc leaves the build (and the disk): its facts stay in the directory but are left out.
  rm "$src/src/audit.cc"
  sed -i 's| src/audit.cc||' "$src/CMakeLists.txt"
  cmake --build "$b" --target lockcheck >"$work/fourth.log" 2>&1
  [[ $(find "$facts" -name 'audit.cc.*.lcfacts' | wc -l) == 1 ]] || fail "$generator: audit.cc's facts file should still be there"
  (cd "$src" && "$lockcheck" link --format json "$facts" >"$work/after.json" 2>"$work/after.err")
  grep -q "src/audit.cc no longer exists; its facts from the plugin are left out" "$work/after.err" ||
    { cat "$work/after.err"; fail "$generator: no notice for the deleted source"; }
  (cd "$src" && "$lockcheck" --quiet --no-cache --format json -p "$b" src >"$work/standalone2.json")
  findings "$work/after.json" >"$work/plugin.findings"
  findings "$work/standalone2.json" >"$work/standalone.findings"
  diff -u "$work/standalone.findings" "$work/plugin.findings" >"$work/diff" ||
    { cat "$work/diff"; fail "$generator: after deleting a source, the findings differ from the standalone run's"; }
  ! grep -q "audit.cc" "$work/plugin.findings" || fail "$generator: findings in the deleted source"
  findings "$b/lockcheck.json" | diff -q - "$work/plugin.findings" >/dev/null ||
    fail "$generator: the CMake gate's report is not link's"
  echo "$generator: ok"
}

check_generator Ninja ninja
check_generator "Unix Makefiles" make

# 5. Another compiler: a configure-time error that says what to do.
if command -v g++ >/dev/null; then
  cp -r "$project" "$work/gcc"
  cmake -S "$work/gcc" -B "$work/gcc-build" -DCMAKE_CXX_COMPILER=g++ -DCMAKE_PREFIX_PATH="$work/prefix" \
    >"$work/gcc.log" 2>&1 && fail "configuring the plugin with g++ succeeded"
  message=$(tr -s ' \n' '  ' <"$work/gcc.log") # CMake wraps its messages
  grep -q "lockcheck's plugin runs inside Clang [0-9]*, but this project's C++ compiler is GNU" <<<"$message" &&
    grep -q "Configure with -DCMAKE_CXX_COMPILER=clang++-[0-9]*, or use lockcheck_add_check()" <<<"$message" ||
    { cat "$work/gcc.log"; fail "no clear message for g++"; }
fi
echo "PASSED: lockcheck_add_plugin (Ninja, Makefiles): findings as the standalone run, incremental, packs, deleted sources"
