#!/usr/bin/env bash
# ci/lockcheck-gate.sh as another project's CI runs it: the exit status is lockcheck's, the
# text report is printed, and SARIF is written for upload (also when the gate fails).
#
# usage: gate_script_test.sh LOCKCHECK_BIN
set -uo pipefail

lockcheck_bin=${1:?usage: $0 LOCKCHECK_BIN}
gate=$(cd "$(dirname "$0")/../.." && pwd)/ci/lockcheck-gate.sh
samples=$(cd "$(dirname "$0")" && pwd)

fail() { echo "FAILED: $*"; exit 1; }
[[ -x $lockcheck_bin ]] || fail "no lockcheck binary at $lockcheck_bin"
lockcheck_bin=$(cd "$(dirname "$lockcheck_bin")" && pwd)/$(basename "$lockcheck_bin")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work/home XDG_CACHE_HOME=$work/cache
unset BUILD_DIR SARIF_OUT BASELINE CHANGED_SINCE LOCKCHECK_CONFIG LOCKCHECK_PATHS JOBS
mkdir -p "$HOME" "$work/project/bad" "$work/project/clean"
cd "$work/project" || fail "no project dir"

cp "$samples/bcrypt_under_lock.cpp" bad/auth.cpp
cat >clean/auth.cpp <<'CPP'
#include <crypt.h>
#include <mutex>
#include <string>

std::mutex mu;
std::string stored_hash;

bool login(const std::string &password) {
  std::string hash;
  {
    std::lock_guard<std::mutex> lock(mu);
    hash = stored_hash;
  }
  struct crypt_data data{};
  const char *out = crypt_r(password.c_str(), hash.c_str(), &data);
  return out != nullptr && hash == out;
}
CPP

# sarif_results FILE: prints "RESULTS RULE_IDS..." after checking FILE is SARIF 2.1.0 JSON.
sarif_results() {
  python3 - "$1" <<'PY'
import json, sys
with open(sys.argv[1]) as f:
    log = json.load(f)
assert log.get("version") == "2.1.0", "not SARIF 2.1.0"
results = log["runs"][0].get("results", [])
print(len(results), *sorted({r["ruleId"] for r in results}))
PY
}

# 1. A bad file: exit 1, the finding in the log, SARIF (default name) with that finding.
LOCKCHECK_BIN=$lockcheck_bin "$gate" -j 1 bad >"$work/out" 2>"$work/err"
rc=$?
[[ $rc -eq 1 ]] || { cat "$work/out" "$work/err"; fail "bad file: exit $rc, expected 1"; }
grep -Eq "^bad/auth.cpp:13:[0-9]+: error: .*crypt_r.*\[blocking-under-lock\]" "$work/out" ||
  { cat "$work/out"; fail "bad file: no blocking-under-lock finding at bad/auth.cpp:13 in the report"; }
[[ -s lockcheck.sarif ]] || fail "bad file: lockcheck.sarif not written"
got=$(sarif_results lockcheck.sarif) || fail "bad file: lockcheck.sarif is not SARIF JSON"
[[ $got == "1 blocking-under-lock" ]] || fail "bad file: SARIF has '$got', expected one blocking-under-lock result"

# 2. A clean file, options as flags and SARIF elsewhere: exit 0, SARIF with no results.
"$gate" --lockcheck "$lockcheck_bin" -j 1 --sarif "$work/clean.sarif" clean >"$work/out" 2>"$work/err"
rc=$?
[[ $rc -eq 0 ]] || { cat "$work/out" "$work/err"; fail "clean file: exit $rc, expected 0"; }
[[ ! -s $work/out ]] || { cat "$work/out"; fail "clean file: the report is not empty"; }
got=$(sarif_results "$work/clean.sarif") || fail "clean file: SARIF is not SARIF JSON"
[[ $got == "0" ]] || fail "clean file: SARIF has '$got', expected no results"

# 3. A baseline holding the bad file's finding (env BASELINE): exit 0 — only new findings fail.
"$lockcheck_bin" --quiet bad --baseline "$work/baseline.json" --write-baseline >/dev/null 2>&1 ||
  fail "cannot write a baseline"
LOCKCHECK_BIN=$lockcheck_bin BASELINE=$work/baseline.json SARIF_OUT=$work/base.sarif \
  "$gate" -j 1 bad >"$work/out" 2>"$work/err"
rc=$?
[[ $rc -eq 0 ]] || { cat "$work/out" "$work/err"; fail "bad file with its baseline: exit $rc, expected 0"; }

# 4. Input errors pass through as 2: a path that does not exist.
LOCKCHECK_BIN=$lockcheck_bin "$gate" -j 1 --sarif "$work/missing.sarif" no-such-dir >"$work/out" 2>"$work/err"
rc=$?
[[ $rc -eq 2 ]] || { cat "$work/out" "$work/err"; fail "missing path: exit $rc, expected 2"; }

# 5. No lockcheck to be found: 2 and a message, never a silent pass.
PATH=/usr/bin:/bin "$gate" clean >"$work/out" 2>"$work/err"
rc=$?
[[ $rc -eq 2 ]] && grep -q "lockcheck not found" "$work/err" ||
  { cat "$work/err"; fail "no lockcheck: exit $rc, expected 2 with a message"; }

# 6. A pull request (CHANGED_SINCE: the base commit): only what it introduces fails. An old
#    finding beside the edited lines does not; one the change creates away from them does.
if command -v git >/dev/null; then
  export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
  export GIT_AUTHOR_NAME=test GIT_AUTHOR_EMAIL=test@example.invalid
  export GIT_COMMITTER_NAME=test GIT_COMMITTER_EMAIL=test@example.invalid
  git init -q && git add -A && git commit -q -m base || fail "cannot commit the project"
  base=$(git rev-parse HEAD)
  sed -i 's|^\(.*crypt_r.*\)$|\1 // checked by the login service|' bad/auth.cpp
  LOCKCHECK_BIN=$lockcheck_bin CHANGED_SINCE=$base SARIF_OUT=$work/pr.sarif "$gate" -j 1 bad clean >"$work/out" 2>"$work/err"
  rc=$?
  [[ $rc -eq 0 ]] || { cat "$work/out" "$work/err"; fail "pull request editing the old finding's line: exit $rc, expected 0"; }
  got=$(sarif_results "$work/pr.sarif") || fail "pull request: SARIF is not SARIF JSON"
  [[ $got == "0" ]] || fail "pull request editing the old finding's line: SARIF has '$got', expected no results"
  python3 - <<'PY'
p = "clean/auth.cpp"
tail = "  struct crypt_data data{};\n  const char *out = crypt_r(password.c_str(), hash.c_str(), &data);\n" \
       "  return out != nullptr && hash == out;\n"
s = open(p).read()
assert "  }\n" + tail in s
s = s.replace("  }\n" + tail, tail + "  }\n")
open(p, "w").write(s)
PY
  LOCKCHECK_BIN=$lockcheck_bin CHANGED_SINCE=$base SARIF_OUT=$work/pr.sarif "$gate" -j 1 bad clean >"$work/out" 2>"$work/err"
  rc=$?
  [[ $rc -eq 1 ]] || { cat "$work/out" "$work/err"; fail "pull request putting crypt_r under the lock: exit $rc, expected 1"; }
  grep -Eq "^clean/auth.cpp:[0-9]+:[0-9]+: error: .*crypt_r" "$work/out" ||
    { cat "$work/out"; fail "pull request: the new finding is not in the report"; }
  got=$(sarif_results "$work/pr.sarif") || fail "pull request: SARIF is not SARIF JSON"
  [[ $got == "1 blocking-under-lock" ]] || fail "pull request: SARIF has '$got', expected the new finding only"
fi

echo "PASSED: gate exits 1/0/0/2/2, only a pull request's own findings fail it, and it writes SARIF"
