#!/usr/bin/env bash
# Replays the incident's load test against the reference server and prints
# the numbers SERVER.md's targets are judged by. Builds nothing.
#
#   bench/incident_replay.sh [--short] [--runtime] [--build-dir DIR]
#
# Starts a throwaway PostgreSQL and lockcheck-server, measures one bcrypt
# hash at BCRYPT_COST (default 12) on this machine, runs 10 concurrent
# logins for 60 s (--short: 10 s), then an overload run of 100 concurrent
# logins. Results (CSV, logs) go to $BUILD_DIR/bench-results.
# --runtime: the server runs under liblockcheck-runtime.so (docs/runtime.md); its
# report (runtime.json there) must hold no event, else the script exits 1.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-$repo/build}
duration=60
overload_duration=20
runtime=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --short) duration=10; overload_duration=10 ;;
    --runtime) runtime=1 ;;
    --build-dir) build_dir=$2; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
server=$build_dir/bin/lockcheck-server
loadgen=$build_dir/bin/loadgen
for b in "$server" "$loadgen"; do
  [[ -x $b ]] || { echo "missing $b (build first, or pass --build-dir)" >&2; exit 2; }
done
export BCRYPT_COST=${BCRYPT_COST:-12}
cores=$(nproc)
out=$build_dir/bench-results
mkdir -p "$out"

tmp=$(mktemp -d /tmp/lockcheck-bench.XXXXXX)
chmod 755 "$tmp"  # PostgreSQL runs as `postgres` when we are root
server_pid=
cleanup() {
  if [[ -n $server_pid ]]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  python3 "$repo/tests/server/pgcluster.py" destroy "$tmp/pg" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

db_url=$(python3 "$repo/tests/server/pgcluster.py" start "$tmp/pg")
source "$(dirname "${BASH_SOURCE[0]}")/bench_lib.sh"
port=$(free_port)

bench_json=$("$server" --bcrypt-bench)
hash_ms=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["hash_ms"])' "$bench_json")
parallel=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["parallel_hashes_per_s"])' "$bench_json")

LOCKCHECK_SERVER_PORT=$port DATABASE_URL=$db_url JWT_SECRET=bench-secret-0123456789 WORKERS=$cores \
  LD_PRELOAD=$([[ $runtime == 1 ]] && echo "$build_dir/lib/liblockcheck-runtime.so") \
  LOCKCHECK_RUNTIME_OUTPUT=$out/runtime.json SHUTDOWN_TIMEOUT_S=5 \
  "$server" >"$out/server.log" 2>&1 &
server_pid=$!
wait_http "http://127.0.0.1:$port/health" || true  # a server that never answers shows in the load generator's errors

echo "== replay: 10 concurrent logins, ${duration} s, BCRYPT_COST=$BCRYPT_COST, $cores cores =="
"$loadgen" --port "$port" -c 10 -d "$duration" --mix login=1 --csv "$out/replay.csv" | tee "$out/replay.txt"
cp "$out/server.log" "$out/server-replay.log"
echo "== overload: 100 concurrent logins, ${overload_duration} s =="
# Clients honour Retry-After (as the incident's follow-up plan intends);
# OVERLOAD_IMPATIENT=1 makes them retry at once instead.
polite=--honor-retry-after
[[ ${OVERLOAD_IMPATIENT:-0} == 1 ]] && polite=
"$loadgen" --port "$port" -c 100 -d "$overload_duration" --mix login=1 $polite --csv "$out/overload.csv" | tee "$out/overload.txt"

python3 - "$hash_ms" "$cores" "$out/replay.txt" "$out/overload.txt" "$parallel" "$out/server-replay.log" <<'PY'
import json, sys
hash_ms, cores = float(sys.argv[1]), int(sys.argv[2])
parallel = float(sys.argv[5])
in_run = [json.loads(l) for l in open(sys.argv[6]) if l.startswith("{")]
in_run = [x["bcrypt_ms"] for x in in_run if x.get("endpoint") == "/api/auth/login" and "bcrypt_ms" in x]
mean_bcrypt = sum(in_run) / len(in_run) if in_run else float("nan")
def summary(path):
    for line in open(path):
        if line.startswith("SUMMARY "):
            return json.loads(line[8:])
    raise SystemExit("no SUMMARY in " + path)
r, o = summary(sys.argv[3]), summary(sys.argv[4])
limit = cores / (hash_ms / 1000.0)
ratio = r["rps"] / limit
p99_target = 1.25 * 10 / limit * 1000
other_err = sum(v for k, v in o["status"].items() if k not in ("200", "503"))
print()
print("== incident replay results ==")
print("bcrypt hash %.1f ms at cost -> limit %d cores / %.3f s = %.2f logins/s" % (hash_ms, cores, hash_ms / 1000, limit))
print("replay       %.2f req/s = %.2f x limit (target >= 0.90)   5xx %.2f %% (target 0)" % (r["rps"], ratio, r["error_5xx_pct"]))
print("latency      p50 %.0f ms  p95 %.0f ms  p99 %.0f ms (target <= %.0f)  max %.0f ms" % (
    r["p50_ms"], r["p95_ms"], r["p99_ms"], p99_target, r["max_ms"]))
print("measured    %d threads hashing at once: %.2f hashes/s (%.2f x cores/hash time); in-server mean hash %.0f ms"
      " -> %.2f logins/s possible; replay = %.2f x that" % (
    cores, parallel, parallel / limit, mean_bcrypt, cores * 1000 / mean_bcrypt, r["rps"] / (cores * 1000 / mean_bcrypt)))
print("overload     %d req, 503 share %.1f %% (%d with Retry-After), max 503 latency %.1f ms (target <= 100), "
      "other non-200 %d, p99 all %.0f ms, max all %.0f ms" % (
    o["requests"], o["share_503_pct"], o["n503_with_retry_after"], o["max_503_ms"], other_err, o["p99_ms"], o["max_ms"]))
print("incident     before 0.42 req/s, 42 % errors, p99 901,405 ms; after 7.83 req/s, 16.6 % errors, p99 898 ms")
PY
if [[ $runtime == 1 ]]; then
  kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=
  python3 - "$out/runtime.json" <<'PY'
import json, sys
findings = json.load(open(sys.argv[1]))["findings"]
print("runtime      %d blocking call(s) observed under a lock" % len(findings))
for f in findings[:10]:
    print("  %s:%s: %s" % (f["file"], f["line"], f["message"]))
sys.exit(1 if findings else 0)
PY
fi
