#!/usr/bin/env bash
# usage: server_gate_test.sh clean|planted LOCKCHECK SOURCE_DIR BUILD_DIR
#   clean:   `lockcheck -p BUILD_DIR server/` prints nothing and exits 0.
#   planted: a copy of server/src with bcrypt_verify() called inside ItemCache::get's
#            locked region must give blocking-under-lock at exactly that line, with the
#            chain down to crypt_r, and exit 1.
set -euo pipefail
mode=$1 lockcheck=$2 src=$3 build=$4
cd "$src"

if [ "$mode" = clean ]; then
  out=$("$lockcheck" --quiet -p "$build" server/) && rc=0 || rc=$?
  if [ "$rc" -ne 0 ] || [ -n "$out" ]; then
    echo "FAIL: lockcheck server/ exited $rc and printed:"; echo "$out"; exit 1
  fi
  echo "PASS: lockcheck server/ is clean"
  exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r server/src "$tmp/src"
file="$tmp/src/item_cache.cpp"
anchor=$(grep -n 'return Result::lock_timeout;' "$file" | head -1 | cut -d: -f1)
if [ -z "$anchor" ]; then
  echo "FAIL: the locked region to plant into (ItemCache::get) was not found; update this test"; exit 1
fi
planted=$((anchor + 1))
sed -i "${anchor}a\\  (void)bcrypt_verify(\"planted\", \"\$2b\$12\$planted\");  // planted: bcrypt under the cache lock" "$file"
sed -i '1i #include "bcrypt.h"' "$file"
planted=$((planted + 1)) # the include moved everything down one line

json=$("$lockcheck" --quiet --no-cache --format json "$file" "$tmp/src/bcrypt.cpp" \
        -- -std=c++20 -I"$tmp/src" -I"$build/server") && rc=0 || rc=$?
echo "$json" | python3 -c '
import json, sys
planted = int(sys.argv[1]); rc = int(sys.argv[2])
doc = json.load(sys.stdin)
hits = [f for f in doc["findings"] if f["rule"] == "blocking-under-lock" and f["file"].endswith("item_cache.cpp")]
lines = [f["line"] for f in hits]
assert rc == 1, f"exit status {rc}, expected 1"
assert planted in lines, f"no blocking-under-lock at item_cache.cpp:{planted}; got {lines}"
f = next(f for f in hits if f["line"] == planted)
notes = " | ".join(t["note"] for t in f["trace"])
assert "crypt_r" in notes or "crypt" in f["message"], f"chain does not reach crypt_r: {notes}"
lock = f["lock"]
assert lock == "mu_", f"lock is {lock!r}"
extra = [f for f in doc["findings"] if f not in hits]
assert not extra, f"unexpected findings: {extra}"
message = f["message"]
print(f"PASS: planted bcrypt caught at item_cache.cpp:{planted}: {message}")
' "$planted" "$rc"
