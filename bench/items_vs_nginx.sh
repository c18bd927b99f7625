#!/usr/bin/env bash
# SERVER.md target: cached GET /api/items/{id} >= 75 % of nginx serving a
# static file of the same size under the same wrk load. Builds nothing.
#
#   bench/items_vs_nginx.sh [--build-dir DIR] [--duration S] [--connections N] [--threads N]
#
# Installs nginx and wrk with apt-get if they are missing. Starts a throwaway
# PostgreSQL and lockcheck-server ($BUILD_DIR/bin, default build/), registers
# a user, logs in, PUTs one item and GETs it once (now cached), writes the
# same body bytes to a file in a temp nginx root, runs nginx in the
# foreground on a free loopback port (worker_processes = the server's
# IO_THREADS), then the same `wrk -tT -cC -dDs` against both. Prints
# requests/s for each and the ratio. Everything lives in a temp dir that is
# removed on exit. Defaults: -t2 -c32 -d10s, IO_THREADS = nproc.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-$repo/build}
duration=10 connections=32 wrk_threads=2
while [[ $# -gt 0 ]]; do
  case $1 in
    --build-dir) build_dir=$2; shift ;;
    --duration) duration=$2; shift ;;
    --connections) connections=$2; shift ;;
    --threads) wrk_threads=$2; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
server=$build_dir/bin/lockcheck-server
[[ -x $server ]] || { echo "missing $server (build first, or pass --build-dir)" >&2; exit 2; }

missing=()
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
command -v wrk >/dev/null || missing+=(wrk)
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "installing ${missing[*]}"
  sudo_=; [[ $(id -u) -eq 0 ]] || sudo_=sudo
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

io_threads=${IO_THREADS:-$(nproc)}
tmp=$(mktemp -d /tmp/lockcheck-items-bench.XXXXXX)
chmod 755 "$tmp"  # PostgreSQL runs as `postgres`, nginx workers as `nobody` when we are root
server_pid= nginx_pid=
cleanup() {
  for p in $server_pid $nginx_pid; do kill -TERM "$p" 2>/dev/null || true; done
  for p in $server_pid $nginx_pid; do wait "$p" 2>/dev/null || true; done
  python3 "$repo/tests/server/pgcluster.py" destroy "$tmp/pg" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
source "$(dirname "${BASH_SOURCE[0]}")/bench_lib.sh"

db_url=$(python3 "$repo/tests/server/pgcluster.py" start "$tmp/pg")
port=$(free_port)
LOCKCHECK_SERVER_ADDRESS=127.0.0.1 LOCKCHECK_SERVER_PORT=$port DATABASE_URL=$db_url \
  JWT_SECRET=bench-secret-0123456789 BCRYPT_COST=4 IO_THREADS=$io_threads \
  "$server" >"$tmp/server.log" 2>&1 &
server_pid=$!
base=http://127.0.0.1:$port
wait_http "$base/health"

creds='{"username":"benchuser","password":"bench-password-1"}'
curl -fs -o /dev/null -X POST -H 'Content-Type: application/json' -d "$creds" "$base/api/auth/register"
token=$(curl -fs -X POST -H 'Content-Type: application/json' -d "$creds" "$base/api/auth/login" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
curl -fs -o /dev/null -X PUT -H 'Content-Type: application/json' -H "Authorization: Bearer $token" \
  -d '{"name":"widget","qty":7,"tags":["bench","cached"],"note":"a typical small item"}' "$base/api/items/1"
item_url=$base/api/items/1
mkdir -p "$tmp/www/api/items"
curl -fs -D "$tmp/first.hdr" -o "$tmp/www/api/items/1" "$item_url"  # this GET fills the cache
curl -fs -D "$tmp/second.hdr" -o "$tmp/second.body" "$item_url"
grep -qi '^X-Cache: hit' "$tmp/second.hdr" || { echo "item is not served from the cache:" >&2; cat "$tmp/second.hdr" >&2; exit 1; }
cmp -s "$tmp/www/api/items/1" "$tmp/second.body" || { echo "item body changed between GETs" >&2; exit 1; }
chmod -R a+rX "$tmp/www"
body_bytes=$(stat -c %s "$tmp/www/api/items/1")

nginx_port=$(free_port)
mkdir -p "$tmp/nginx"
cat >"$tmp/nginx/nginx.conf" <<CONF
daemon off;
master_process on;
worker_processes $io_threads;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 1024; }
http {
  types { }
  default_type application/json;
  access_log $tmp/nginx/access.log;
  client_body_temp_path $tmp/nginx/client_body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nginx_port;
    root $tmp/www;
  }
}
CONF
"$nginx_bin" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" &
nginx_pid=$!
nginx_url=http://127.0.0.1:$nginx_port/api/items/1
wait_http "$nginx_url"
curl -fs -o "$tmp/nginx.body" "$nginx_url"
cmp -s "$tmp/nginx.body" "$tmp/second.body" || { echo "nginx serves different bytes" >&2; exit 1; }

run_wrk() {  # label url -> prints wrk output, leaves req/s in $tmp/label.rps
  local label=$1 url=$2
  wrk -t1 -c4 -d1s "$url" >/dev/null  # warm-up
  wrk -t"$wrk_threads" -c"$connections" -d"${duration}s" --latency "$url" >"$tmp/$label.wrk"
  echo "== $label: $url"
  grep -E 'Latency |Requests/sec|Non-2xx|Socket errors|requests in|  (50|99)%' "$tmp/$label.wrk" | sed 's/^/   /'
  awk '/^Requests\/sec:/ {print $2}' "$tmp/$label.wrk" >"$tmp/$label.rps"
  if grep -q 'Non-2xx' "$tmp/$label.wrk"; then echo "$label answered non-2xx responses" >&2; return 1; fi
}
echo "== wrk -t$wrk_threads -c$connections -d${duration}s, body $body_bytes bytes, IO_THREADS=$io_threads" \
     "(nginx worker_processes=$io_threads), $(nproc) cores shared with wrk"
run_wrk lockcheck-server "$item_url"
run_wrk nginx "$nginx_url"
hits=$(curl -fs "$base/metrics" | awk '/^[a-z_]*item_cache_hits[a-z_]* / {print $2; exit}')
python3 - "$(cat "$tmp/lockcheck-server.rps")" "$(cat "$tmp/nginx.rps")" "${hits:-?}" <<'PY'
import sys
s, n = float(sys.argv[1]), float(sys.argv[2])
print()
print("== cached GET /api/items/{id} vs nginx static file ==")
print("lockcheck-server %10.0f req/s   (item cache hits counted: %s)" % (s, sys.argv[3]))
print("nginx            %10.0f req/s" % n)
print("ratio            %10.2f   (target >= 0.75: %s)" % (s / n, "met" if s / n >= 0.75 else "NOT met"))
PY
