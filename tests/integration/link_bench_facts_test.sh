#!/usr/bin/env bash
# The link benchmark's synthetic facts (bench/gen_facts.py) stay readable by `lockcheck link`
# (a facts-version bump once left them all rejected, unnoticed), and the parallel decode
# gives the same report as one thread. Usage: link_bench_facts_test.sh LOCKCHECK SOURCE_DIR
set -u
lockcheck=$1 source=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/cli_test_lib.sh"

python3 "$source/bench/gen_facts.py" 300 "$tmp/facts" > /dev/null || { echo "FAIL gen_facts.py"; exit 1; }
run "$lockcheck" link --quiet -j 1 --format json -o "$tmp/one.json" "$tmp/facts"
check "link exits 1 (findings) over the generated facts" test "$rc" = 1
run "$lockcheck" link --quiet -j 2 --format json -o "$tmp/two.json" "$tmp/facts"
check "link -j 2 exits 1 too" test "$rc" = 1
same_findings() { # the reports but their timing
  python3 -c 'import json,sys; a,b=(json.load(open(p)) for p in sys.argv[1:]); [r.pop("summary",None) for r in (a,b)]; sys.exit(a!=b)' "$@"
}
check "-j 1 and -j 2 find the same" same_findings "$tmp/one.json" "$tmp/two.json"

python3 - "$tmp/one.json" <<'PY' || failures=$((failures + 1))
import json, sys
report = json.load(open(sys.argv[1]))
problems = []
if report["errors"]:
    problems.append("errors: %s" % report["errors"][:2])
rules = [f["rule"] for f in report["findings"]]
if "double-lock" not in rules:
    problems.append("no double-lock (the hot header's h1 re-takes registry_mu)")
cross = [f for f in report["findings"] if f["rule"] == "blocking-under-lock"
         and len({step["file"] for step in f["trace"]} | {f["file"]}) > 1]
if not cross:
    problems.append("no blocking-under-lock whose trace crosses translation units")
print(("FAIL report: " + "; ".join(problems)) if problems else
      "ok   report: %d findings, %d blocking chains across files" % (len(rules), len(cross)))
sys.exit(1 if problems else 0)
PY
exit $((failures > 0))
