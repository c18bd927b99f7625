#!/usr/bin/env bash
# Validates lockcheck's SARIF against the official SARIF 2.1.0 JSON schema (final, "rtm.5").
#
# usage: sarif_schema_test.sh SAMPLE_BIN [LOCKCHECK_BIN] [CACHE_DIR]
#
# The schema is not kept in this repository (we do not commit other projects' files). It is
# taken at test time from the npm package @microsoft/jest-sarif (MIT, Microsoft's SARIF SDK),
# pinned by version and by the schema's SHA-256, and cached in CACHE_DIR. LOCKCHECK_SARIF_SCHEMA
# may point at a copy instead. The validator is Debian's python3-jsonschema.
# Exit 77 (ctest: skipped) only when the validator or the schema cannot be had.
set -euo pipefail

sample_bin=${1:?usage: $0 SAMPLE_BIN [LOCKCHECK_BIN] [CACHE_DIR]}
lockcheck_bin=${2:-}
cache_dir=${3:-${XDG_CACHE_HOME:-$HOME/.cache}/lockcheck-tests}

npm_package=@microsoft/jest-sarif@1.0.0-beta.0
schema_in_package=package/lib/schemas/sarif-2.1.0-rtm.5.json
schema_sha256=2d99159ae54a3eea97f81781cff48780548657c35949f4b7f25e99a2ba4de4f8

skip() { echo "SKIPPED: $*"; exit 77; }
fail() { echo "FAILED: $*"; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 -c 'import jsonschema' 2>/dev/null ||
  skip "python3-jsonschema is not installed (apt-get install python3-jsonschema)"

schema=${LOCKCHECK_SARIF_SCHEMA:-$cache_dir/sarif-2.1.0-rtm.5.json}
if [[ ! -s $schema ]] || ! echo "$schema_sha256  $schema" | sha256sum --quiet -c - 2>/dev/null; then
  [[ -z ${LOCKCHECK_SARIF_SCHEMA:-} ]] || fail "LOCKCHECK_SARIF_SCHEMA=$schema is missing or not the pinned schema"
  command -v npm >/dev/null || skip "npm is not installed and no cached schema in $cache_dir"
  mkdir -p "$cache_dir"
  if ! (cd "$work" && timeout 120 npm pack --loglevel=error "$npm_package" >/dev/null 2>"$work/npm.log"); then
    skip "cannot fetch $npm_package from the npm registry: $(tail -n 3 "$work/npm.log" | tr '\n' ' ')"
  fi
  tar -xzf "$work"/*.tgz -C "$work" "$schema_in_package" || fail "$npm_package has no $schema_in_package"
  echo "$schema_sha256  $work/$schema_in_package" | sha256sum --quiet -c - ||
    fail "$npm_package: schema does not have the pinned SHA-256 (update the pin only after reading the diff)"
  cp "$work/$schema_in_package" "$schema.tmp.$$" && mv "$schema.tmp.$$" "$schema"
fi

# Schema validity plus what code-scanning uploaders rely on beyond the schema.
validate() {
  python3 - "$schema" "$1" "$2" <<'PY'
import json, re, sys
import jsonschema

schema_path, log_path, label = sys.argv[1:4]
with open(schema_path) as f:
    schema = json.load(f)
with open(log_path) as f:
    log = json.load(f)
errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(log), key=lambda e: list(e.path))
for e in errors[:20]:
    print(f"{label}: /{'/'.join(map(str, e.path))}: {e.message}")
if errors:
    sys.exit(1)
run = log["runs"][0]
rules = run["tool"]["driver"]["rules"]
problems = []
if not run.get("results"):
    problems.append("no results (the input has findings)")
for i, r in enumerate(run.get("results", [])):
    if rules[r["ruleIndex"]]["id"] != r["ruleId"]:
        problems.append(f"results[{i}]: ruleIndex does not point at {r['ruleId']}")
    if not r.get("partialFingerprints"):
        problems.append(f"results[{i}]: no partialFingerprints")
    uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    if "\\" in uri or " " in uri:
        problems.append(f"results[{i}]: uri {uri!r} is not a URI")
    # Issue 14: the trace as a code flow, and message links that name related locations.
    related = {loc["id"]: loc for loc in r.get("relatedLocations", [])}
    links = [int(m) for m in re.findall(r"(?<!\\)\]\((\d+)\)", r["message"]["text"])]
    for target in links:
        if target not in related:
            problems.append(f"results[{i}]: message links to ({target}), which is no relatedLocations id")
    if related:
        if not links:
            problems.append(f"results[{i}]: has related locations but the message links to none")
        flows = r.get("codeFlows", [])
        steps = flows[0]["threadFlows"][0]["locations"] if flows else []
        if len(steps) != len(related) + 1:
            problems.append(f"results[{i}]: code flow has {len(steps)} steps, expected the {len(related)} trace steps and the finding")
        if any(not s["location"].get("message", {}).get("text") for s in steps):
            problems.append(f"results[{i}]: a code flow step has no message")
        if [s.get("executionOrder") for s in steps] != list(range(1, len(steps) + 1)):
            problems.append(f"results[{i}]: code flow steps are not numbered in order")
        flow_lines = [s["location"]["physicalLocation"]["region"]["startLine"] for s in steps]
        anchor_line = r["locations"][0]["physicalLocation"]["region"]["startLine"]
        if anchor_line not in flow_lines:
            problems.append(f"results[{i}]: the finding's own line {anchor_line} is not in its code flow")
for rule in rules:
    if not rule.get("help", {}).get("markdown"):
        problems.append(f"rule {rule['id']}: no help")
for p in problems:
    print(f"{label}: {p}")
if problems:
    sys.exit(1)
print(f"{label}: valid SARIF 2.1.0 ({len(run['results'])} results, {len(rules)} rules)")
PY
}

"$sample_bin" >"$work/sample.sarif" || fail "$sample_bin exited with $?"
validate "$work/sample.sarif" "writeReport"

if [[ -z $lockcheck_bin || ! -x $lockcheck_bin ]]; then
  echo "lockcheck binary not built ('$lockcheck_bin'): checked the writer's output only"
  exit 0
fi

mkdir -p "$work/fixture"
cat >"$work/fixture/blocking.cpp" <<'CPP'
#include <chrono>
#include <mutex>
#include <thread>

std::mutex mu;

void slow_under_lock() {
  std::lock_guard<std::mutex> guard(mu);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
}

void locked_twice() {
  mu.lock();
  mu.lock();
  mu.unlock();
}
CPP
status=0
(cd "$work/fixture" && "$lockcheck_bin" --quiet --format sarif -o out.sarif blocking.cpp) || status=$?
[[ $status == 1 ]] || fail "lockcheck --format sarif exited with $status, expected 1 (findings)"
validate "$work/fixture/out.sarif" "lockcheck --format sarif"

# The path a viewer walks: lock taken on line 8, then the sleep on line 9 under it.
python3 - "$work/fixture/out.sarif" <<'PY' || fail "lockcheck --format sarif: code flow of the blocking finding"
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]
r = next(r for r in run["results"] if r["ruleId"] == "blocking-under-lock")
steps = r["codeFlows"][0]["threadFlows"][0]["locations"]
lines = [s["location"]["physicalLocation"]["region"]["startLine"] for s in steps]
texts = [s["location"]["message"]["text"] for s in steps]
print("code flow:", list(zip(lines, texts)))
assert lines == [8, 9], lines
assert texts[0] == "'mu' acquired here", texts
assert "[\\'mu\\' acquired here](1)" not in r["message"]["text"]
assert "['mu' acquired here](1)" in r["message"]["text"], r["message"]["text"]
PY
echo "lockcheck --format sarif: code flow acquire -> blocking call"
