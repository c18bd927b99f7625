#!/usr/bin/env bash
# Login throughput of the reference server with and without liblockcheck-runtime.so
# (docs/runtime.md). Builds nothing; runs ROUNDS alternating pairs so machine noise hits both.
#
#   bench/runtime_overhead.sh [--build-dir DIR]     env: BCRYPT_COST (4), DURATION (10), ROUNDS (3)
#
# BCRYPT_COST=4 makes a login cheap (~1 ms), so the interposer's share of it shows; at the
# deployed cost (12) bcrypt hides it entirely. Besides requests per second (sensitive to
# whatever else the machine runs) it reports the server's CPU time per request (utime+stime
# from /proc), which other load disturbs much less.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench_lib.sh"
repo=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-$repo/build}
[[ ${1:-} == --build-dir ]] && build_dir=$2
server=$build_dir/bin/lockcheck-server
loadgen=$build_dir/bin/loadgen
runtime=$build_dir/lib/liblockcheck-runtime.so
for b in "$server" "$loadgen" "$runtime"; do
  [[ -e $b ]] || { echo "missing $b (build first, or pass --build-dir)" >&2; exit 2; }
done
export BCRYPT_COST=${BCRYPT_COST:-4}
duration=${DURATION:-10}
rounds=${ROUNDS:-3}

tmp=$(mktemp -d /tmp/lockcheck-rtbench.XXXXXX)
chmod 755 "$tmp"  # PostgreSQL runs as `postgres` when we are root
server_pid=
stop_server() {
  if [[ -n $server_pid ]]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  server_pid=
}
cleanup() {
  stop_server
  python3 "$repo/tests/server/pgcluster.py" destroy "$tmp/pg" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
db_url=$(python3 "$repo/tests/server/pgcluster.py" start "$tmp/pg")

# One run: prints "requests-per-second cpu-ms-per-request". $1: "runtime" or "plain".
run_once() {
  local port preload=
  port=$(free_port)
  [[ $1 == runtime ]] && preload=$runtime
  LD_PRELOAD=$preload LOCKCHECK_RUNTIME_OUTPUT=$tmp/runtime.json SHUTDOWN_TIMEOUT_S=2 \
    LOCKCHECK_SERVER_PORT=$port DATABASE_URL=$db_url JWT_SECRET=bench-secret-0123456789 WORKERS=$(nproc) \
    "$server" >"$tmp/server-$1.log" 2>&1 &
  server_pid=$!
  wait_http "http://127.0.0.1:$port/health" || true
  local summary ticks
  summary=$("$loadgen" --port "$port" -c 10 -d "$duration" --mix login=1 | sed -n 's/^SUMMARY //p')
  ticks=$(awk '{print $14 + $15}' "/proc/$server_pid/stat")
  python3 -c 'import json,sys,os; s=json.loads(sys.argv[1]); t=int(sys.argv[2])/os.sysconf("SC_CLK_TCK")
print(s["rps"], 1000*t/max(1,s["requests"]))' "$summary" "$ticks"
  stop_server
}

plain=() with=()
for _ in $(seq 1 "$rounds"); do
  plain+=("$(run_once plain)")
  with+=("$(run_once runtime)")
done
IFS=,
events=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$tmp/runtime.json")
python3 - "$BCRYPT_COST" "$duration" "$events" "${plain[*]}" "${with[*]}" <<'PY'
import statistics, sys
cost, duration, events = sys.argv[1], sys.argv[2], sys.argv[3]
runs = {name: [tuple(map(float, r.split())) for r in arg.split(",")] for name, arg in (("plain", sys.argv[4]), ("runtime", sys.argv[5]))}
print(f"login, BCRYPT_COST={cost}, 10 clients, {duration} s per run, {len(runs['plain'])} runs each (medians)")
med = {}
for name, rs in runs.items():
    med[name] = (statistics.median(r[0] for r in rs), statistics.median(r[1] for r in rs))
    print(f"  {name:8} {med[name][0]:8.1f} req/s  {med[name][1]:6.3f} CPU ms/request   "
          f"(runs: {', '.join(f'{r[0]:.0f}/{r[1]:.2f}' for r in rs)})")
(pr, pc), (rr, rc) = med["plain"], med["runtime"]
print(f"  overhead: throughput {100 * (pr - rr) / pr:+.1f} %, CPU per request {100 * (rc - pc) / pc:+.1f} %; "
      f"events in the last runtime run: {events}")
PY
