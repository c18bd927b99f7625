#!/usr/bin/env bash
# Builds lockcheck-server with ThreadSanitizer and runs the server
# integration tests (tests/server/server_test.py, http_edge_test.py,
# login_cost_test.py) against it.
#
#   ci/sanitize-server.sh            # build dir: ${BUILD_DIR:-build-tsan}
#
# TSAN_OPTIONS gets halt_on_error=1 (a reported race kills the server, so
# the test fails) and ci/tsan.supp if present (third-party code only —
# never suppress a report in server/). Then, since that test sends its
# requests mostly one at a time, a concurrent phase: loadgen with 16 clients
# for STRESS_SECONDS (default 10; 0 skips) on a mix of logins, item GETs,
# /api/me, /health and /version while a loop PUTs the same item, then
# SIGTERM (the server must exit 0). Prints PASS/FAIL and wall seconds.
# JOBS (default 2) limits the build's parallelism.
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-$repo/build-tsan}
jobs=${JOBS:-2}
start=$(date +%s)
finish() {
  local rc=$1 what=$2
  local secs=$(( $(date +%s) - start ))
  if [[ $rc -eq 0 ]]; then echo "sanitize-server: PASS ($what, ${secs} s wall)"
  else echo "sanitize-server: FAIL ($what, ${secs} s wall)"; fi
  exit "$rc"
}

cmake -S "$repo" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DLOCKCHECK_BUILD_CHECKER=OFF -DLOCKCHECK_BUILD_SERVER=ON -DLOCKCHECK_TSAN=ON >/dev/null \
  || finish 1 "configure"
cmake --build "$build_dir" --target lockcheck-server loadgen -j"$jobs" || finish 1 "build"
build_secs=$(( $(date +%s) - start ))
server=$build_dir/bin/lockcheck-server

# Make sure TSan really is in the binary.
# (no grep -q: under pipefail it would SIGPIPE the producer and fail the pipe)
if ! ldd "$server" | grep libtsan >/dev/null && ! nm "$server" 2>/dev/null | grep __tsan_init >/dev/null; then
  echo "sanitize-server: $server is not built with -fsanitize=thread" >&2
  finish 1 "no TSan in binary"
fi

tsan_opts="halt_on_error=1 second_deadlock_stack=1 history_size=4"
[[ -f $repo/ci/tsan.supp ]] && tsan_opts="$tsan_opts suppressions=$repo/ci/tsan.supp"
export TSAN_OPTIONS="$tsan_opts ${TSAN_OPTIONS:-}"

# Some kernels randomise mmap beyond what TSan's shadow layout allows
# ("unexpected memory mapping"); run without ASLR there.
runner=()
if ! "$server" --help >/dev/null 2>&1; then
  if setarch "$(uname -m)" -R "$server" --help >/dev/null 2>&1; then
    runner=(setarch "$(uname -m)" -R)
    echo "sanitize-server: running with ASLR off (setarch -R)"
  else
    "$server" --help 2>&1 | tail -5
    finish 1 "TSan binary does not start"
  fi
fi

# server_test.py, then the HTTP-edge and login-cost tests of issue 25 (the header-first read,
# 100 Continue, the rehash's DB write from a bcrypt worker). Not fd_limit_test.py: it starves
# the process of descriptors, which TSan's own reporting needs.
tests="server_test http_edge_test login_cost_test"
echo "sanitize-server: build ${build_secs} s; running tests/server/{${tests// /,}}.py with TSAN_OPTIONS=$TSAN_OPTIONS"
# The test's server log lives in the temp cluster dir, which is removed; keep a copy
# of TSan's reports in $build_dir/tsan.*.
export TSAN_OPTIONS="$TSAN_OPTIONS log_path=$build_dir/tsan"
rm -f "$build_dir"/tsan.*
rc=0
for t in $tests; do
  LOCKCHECK_TEST_SERVER_WRAPPER="${runner[*]}" python3 "$repo/tests/server/$t.py" "$server" || rc=1
done
if compgen -G "$build_dir/tsan.*" >/dev/null; then
  echo "sanitize-server: ThreadSanitizer reports:"
  cat "$build_dir"/tsan.*
  [[ $rc -eq 0 ]] && rc=1
fi
[[ $rc -eq 0 ]] || finish "$rc" "TSan server test"

stress=${STRESS_SECONDS:-10}
if [[ $stress -gt 0 ]]; then
  tmp=$(mktemp -d /tmp/lockcheck-tsan.XXXXXX)
  chmod 755 "$tmp"  # PostgreSQL runs as `postgres` when we are root
  server_pid=
  cleanup() {
    [[ -n $server_pid ]] && kill -KILL "$server_pid" 2>/dev/null
    python3 "$repo/tests/server/pgcluster.py" destroy "$tmp/pg" >/dev/null 2>&1
    rm -rf "$tmp"
  }
  trap cleanup EXIT
  db_url=$(python3 "$repo/tests/server/pgcluster.py" start "$tmp/pg") || finish 1 "stress: PostgreSQL start"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  LOCKCHECK_SERVER_PORT=$port DATABASE_URL=$db_url JWT_SECRET=tsan-secret-0123456789 BCRYPT_COST=4 \
    WORKERS=2 IO_THREADS=2 DB_POOL_SIZE=3 ITEM_CACHE_MAX=64 \
    "${runner[@]}" "$server" >"$build_dir/tsan-stress-server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 150); do curl -fs -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 0.2; done
  base=http://127.0.0.1:$port
  creds='{"username":"tsanuser","password":"tsan-password-1"}'
  curl -fs -o /dev/null -X POST -H 'Content-Type: application/json' -d "$creds" "$base/api/auth/register"
  token=$(curl -fs -X POST -H 'Content-Type: application/json' -d "$creds" "$base/api/auth/login" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  echo "sanitize-server: concurrent phase, ${stress} s"
  ( end=$(( $(date +%s) + stress )); i=0
    while [[ $(date +%s) -lt $end ]]; do
      i=$((i + 1))
      curl -s -o /dev/null -X PUT -H 'Content-Type: application/json' -H "Authorization: Bearer $token" \
        -d "{\"n\":$i}" "$base/api/items/$(( i % 3 + 1 ))"
      curl -s -o /dev/null "$base/api/items/$(( 100 + i % 200 ))"  # DB round trips (404s)
    done ) &
  putter=$!
  "$build_dir/bin/loadgen" --port "$port" -c 16 -d "$stress" --item-id 1 --timeout-ms 20000 \
    --mix login=1,items=4,me=1,health=1,version=1 >"$build_dir/tsan-stress-loadgen.txt"
  python3 - "$build_dir/tsan-stress-loadgen.txt" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    if line.startswith("SUMMARY "):
        s = json.loads(line[8:])
        for name, e in sorted(s.get("endpoints", {}).items()):
            print("  %-8s %5d requests  status %s" % (name, e["requests"], e["status"]))
PY
  wait "$putter"
  kill -TERM "$server_pid"
  wait "$server_pid"; src=$?
  server_pid=
  echo "sanitize-server: server exit code after SIGTERM: $src"
  if compgen -G "$build_dir/tsan.*" >/dev/null; then
    echo "sanitize-server: ThreadSanitizer reports:"; cat "$build_dir"/tsan.*
    finish 1 "TSan concurrent phase"
  fi
  [[ $src -eq 0 ]] || finish 1 "TSan concurrent phase: server exit $src"
fi
finish 0 "TSan server test + ${stress} s concurrent phase"
