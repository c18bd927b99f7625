#!/usr/bin/env bash
# Issue 12, end to end with the real binary: the cache never hides a finding (an edit
# during a run, a header that shadows another, an altered entry), no input takes the run
# down (symlink loops, a TU that crashes the parser), no silent green (a path without
# sources), strict configuration files, an unwritable cache directory said once, and
# long traces shortened in text only.
set -uo pipefail
lockcheck=$(realpath "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/cli_test_lib.sh"
cd "$tmp" # so that no build/compile_commands.json of the caller's directory is found

# A project whose only blocking call is in a header helper, once the helper sleeps.
helper_project() { # dir
  mkdir -p "$1/src" "$1/inc_a" "$1/inc_b"
  cat > "$1/src/main.cpp" <<'CPP'
#include <mutex>
#include "util.h"
std::mutex mu;
void f() {
  std::lock_guard<std::mutex> lock(mu);
  helper();
}
CPP
  printf 'inline void helper() {}\n' > "$1/inc_b/util.h"
}
sleeping_helper='#include <unistd.h>\ninline void helper() { usleep(1); }\n'

# 1. An input edited between parse and store: the entry must not vouch for the new bytes.
p="$tmp/race"; helper_project "$p"
LOCKCHECK_TEST_PAUSE_AFTER_PARSE="$tmp/gate" "$lockcheck" --quiet --cache-dir "$tmp/race-cache" "$p/src" \
  -- -I"$p/inc_b" > "$tmp/race.out" 2>&1 &
pid=$!
for _ in $(seq 600); do [ -e "$tmp/gate.paused" ] && break; sleep 0.1; done
check "the run paused after parsing" test -e "$tmp/gate.paused"
printf "$sleeping_helper" > "$p/inc_b/util.h"
touch "$tmp/gate"
wait "$pid"; first_rc=$?
check "the paused run reports what it parsed (clean)" test "$first_rc" -eq 0
run "$lockcheck" --quiet --cache-dir "$tmp/race-cache" "$p/src" -- -I"$p/inc_b"
check "rerun after an edit during the run finds it (exit 1)" test "$rc" -eq 1
check "rerun names the helper's sleep" grep -q "helper() blocks (sleep: usleep)" <<<"$out"

# 2. A header created earlier on the include path shadows the one that was read.
p="$tmp/shadow"; helper_project "$p"
run "$lockcheck" --quiet --cache-dir "$tmp/shadow-cache" "$p/src" -- -I"$p/inc_a" -I"$p/inc_b"
check "clean before the shadowing header exists" test "$rc" -eq 0
entry=$(ls "$tmp/shadow-cache"/*.cbor | head -1); inode=$(stat -c %i "$entry")
run "$lockcheck" --quiet --cache-dir "$tmp/shadow-cache" "$p/src" -- -I"$p/inc_a" -I"$p/inc_b"
check "unchanged rerun is served from the cache" test "$(stat -c %i "$entry")" = "$inode"
printf "$sleeping_helper" > "$p/inc_a/util.h"
run "$lockcheck" --quiet --cache-dir "$tmp/shadow-cache" "$p/src" -- -I"$p/inc_a" -I"$p/inc_b"
check "new inc_a/util.h shadows inc_b/util.h (exit 1)" test "$rc" -eq 1
rm "$p/inc_a/util.h"; printf "$sleeping_helper" > "$p/src/util.h"
run "$lockcheck" --quiet --cache-dir "$tmp/shadow-cache" "$p/src" -- -I"$p/inc_a" -I"$p/inc_b"
check "new util.h next to the includer shadows the search path (exit 1)" test "$rc" -eq 1

# 3. A cache entry altered but still decodable is detected by its checksum.
run "$lockcheck" --quiet --cache-dir "$tmp/sum-cache" "$bad"
entry=$(ls "$tmp/sum-cache"/*.cbor | head -1)
perl -pi -e 's/usleep/usleeq/g' "$entry"
run "$lockcheck" --quiet --cache-dir "$tmp/sum-cache" "$bad"
check "altered entry not trusted (exit 1)" test "$rc" -eq 1
check "altered entry re-analysed" grep -q "usleep() blocks" <<<"$out"
check "altered entry rewritten" bash -c "! grep -q usleeq '$entry'"

# 4. An unwritable cache directory: said once, the run goes on without a cache.
touch "$tmp/plainfile"
sed 's/void f()/void g()/' "$bad" > "$tmp/bad2.cpp"
run "$lockcheck" --quiet --cache-dir "$tmp/plainfile/cache" "$bad" "$tmp/bad2.cpp"
check "unwritable cache: findings still reported (exit 1)" test "$rc" -eq 1
check "unwritable cache: said once" test "$(grep -c "cannot write the cache in '$tmp/plainfile/cache'" <<<"$out")" -eq 1

# 5. Symlink loops, inside a directory and named as a path: named, exit 2, the rest analysed.
mkdir -p "$tmp/loops"; cp "$bad" "$tmp/loops/"
ln -s loop.cpp "$tmp/loops/loop.cpp"
ln -s b.cc "$tmp/loops/a.cc"; ln -s a.cc "$tmp/loops/b.cc"
run "$lockcheck" --quiet --no-cache "$tmp/loops"
check "loop in a directory: exit 2" test "$rc" -eq 2
check "loop in a directory: named" grep -q "loop.cpp: error: cannot read: Too many levels of symbolic links" <<<"$out"
check "loop in a directory: two-link loop named" grep -q "a.cc: error: cannot read" <<<"$out"
check "loop in a directory: the rest analysed" grep -q "bad.cpp:6:3: error: usleep() blocks" <<<"$out"
run "$lockcheck" --quiet --no-cache "$tmp/loops/loop.cpp" "$bad"
check "loop named as a path: exit 2" test "$rc" -eq 2
check "loop named as a path: named" grep -q "loop.cpp: error: cannot read: Too many levels of symbolic links" <<<"$out"
check "loop named as a path: the rest analysed" grep -q "usleep() blocks" <<<"$out"

# 6. A path without C++ sources must not pass a gate.
mkdir -p "$tmp/empty/sub"; printf 'int x;\n' > "$tmp/empty/sub/only.h"
run "$lockcheck" --quiet --no-cache "$tmp/empty"
check "no sources: exit 2" test "$rc" -eq 2
check "no sources: said" grep -q "empty: error: no C++ sources" <<<"$out"
run "$lockcheck" --quiet --no-cache "$tmp/empty" "$bad"
check "no sources next to a real file: exit 2, file analysed" \
  bash -c "[ $rc -eq 2 ] && grep -q 'usleep() blocks' <<<'$out'"

# 7. A TU that crashes the parser (stack overflow on a 70,000-term expression) costs that file only.
python3 -c "print('int huge() { return ' + ' + '.join(['1'] * 70000) + '; }')" > "$tmp/huge.cpp"
run "$lockcheck" --quiet --no-cache "$tmp/huge.cpp" "$bad"
check "crashing TU: exit 2" test "$rc" -eq 2
check "crashing TU: named as crashed" grep -q "huge.cpp: error: the parser crashed on this file" <<<"$out"
check "crashing TU: the other file reported" grep -q "bad.cpp:6:3: error: usleep() blocks" <<<"$out"
run "$lockcheck" --quiet --cache-dir "$tmp/crash-cache" -j 1 "$tmp/huge.cpp" "$bad" "$tmp/bad2.cpp"
check "crashing TU, one job: the worker restarts for the next files" \
  test "$(grep -c "usleep() blocks" <<<"$out")" -eq 2

# 8. Configuration: duplicate keys and NUL bytes are errors naming file and key.
mkdir -p "$tmp/cfg"; cp "$bad" "$tmp/cfg/"
printf '{"version": 1, "fail_on": "error", "fail_on": "note"}' > "$tmp/cfg/.lockcheck.json"
run "$lockcheck" --quiet --no-cache "$tmp/cfg"
check "duplicate key: exit 2" test "$rc" -eq 2
check "duplicate key: file and key named" grep -q ".lockcheck.json: fail_on: duplicate key" <<<"$out"
printf '{"version": 1, "rules": {"double-lock": "off", "double-lock": "on"}}' > "$tmp/cfg/.lockcheck.json"
run "$lockcheck" --quiet --no-cache "$tmp/cfg"
check "nested duplicate key named with its path" grep -q ".lockcheck.json: rules.double-lock: duplicate key" <<<"$out"
printf '{"version": 1}\0{"exclude": ["**"]}' > "$tmp/cfg/.lockcheck.json"
run "$lockcheck" --quiet --no-cache "$tmp/cfg"
check "NUL byte: exit 2" test "$rc" -eq 2
check "NUL byte: said" grep -q ".lockcheck.json: line 1: NUL byte" <<<"$out"
printf '{"version": 1, "exclude": ["bad.cpp\\u0000x"]}' > "$tmp/cfg/.lockcheck.json"
run "$lockcheck" --quiet --no-cache "$tmp/cfg"
check "escaped NUL: exit 2, key named" grep -q '.lockcheck.json: exclude\[0\]: NUL character' <<<"$out"

# 9. A call chain 40 calls deep: text shows its ends and says how much it left out; JSON keeps it all.
write_chain() { # file, depth
  python3 - "$1" "$2" <<'PY'
import sys
n = int(sys.argv[2])
with open(sys.argv[1], "w") as f:
    f.write("#include <mutex>\n#include <unistd.h>\nstd::mutex mu;\n")
    f.write(f"void c{n}() {{ sleep(1); }}\n")
    for i in range(n - 1, 0, -1):
        f.write(f"void c{i}() {{ c{i + 1}(); }}\n")
    f.write("void c0() {\n  std::lock_guard<std::mutex> lock(mu);\n  c1();\n}\n")
PY
}
write_chain "$tmp/chain.cpp" 40
run "$lockcheck" --quiet --no-cache "$tmp/chain.cpp"
check "long chain: text leaves out the middle" grep -q "note: ... 31 steps left out (--format json or sarif shows all)" <<<"$out"
check "long chain: text shows the top" grep -q "note: calls c2" <<<"$out"
check "long chain: text shows the bottom" grep -q "note: calls sleep (sleep)" <<<"$out"
check "long chain: text has 10 notes, the ellipsis and the fix" test "$(grep -c ': note: ' <<<"$out")" -eq 12
check "long chain: the last note says what to move out of the lock" \
  bash -c '[[ "$(tail -n 2 <<<"$1" | head -n 1)" == *": note: to fix: copy what sleep needs while '"'"'mu'"'"' is held, release it, then call c1()" ]]' _ "$out"
"$lockcheck" --quiet --no-cache --format json "$tmp/chain.cpp" > "$tmp/chain.json"
check "long chain: JSON has the whole trace (the lock, c2..c40, sleep)" \
  python3 -c "import json,sys; t=json.load(open('$tmp/chain.json'))['findings'][0]['trace']; sys.exit(len(t) != 41)"

# A chain 20,000 calls deep: summaries recurse along it; the link phase must not run out of stack.
write_chain "$tmp/deep.cpp" 20000
run "$lockcheck" --quiet --no-cache -j 1 --format json -o "$tmp/deep.json" "$tmp/deep.cpp"
check "20,000-deep chain: one finding (exit 1)" test "$rc" -eq 1
check "20,000-deep chain: JSON has the whole trace" \
  python3 -c "import json,sys; t=json.load(open('$tmp/deep.json'))['findings'][0]['trace']; sys.exit(len(t) != 20001)"

# 10. Facts name files relative to the directory lockcheck runs in: an entry made from one
# directory must not show its paths to a run from another (same compile database, same cache).
helper_project "$tmp/p10"
printf "$sleeping_helper" > "$tmp/p10/inc_b/util.h"
mkdir -p "$tmp/p10/build"
printf '[{"directory": "%s", "file": "%s", "arguments": ["clang++", "-std=c++17", "-I%s", "-c", "%s"]}]\n' \
  "$tmp/p10/build" "$tmp/p10/src/main.cpp" "$tmp/p10/inc_b" "$tmp/p10/src/main.cpp" > "$tmp/p10/build/compile_commands.json"
(cd "$tmp/p10" && "$lockcheck" --quiet -p build --cache-dir "$tmp/c10" src > /dev/null 2>&1)
cold=$(cd "$tmp/p10/src" && "$lockcheck" --quiet -p ../build --no-cache . 2>&1)
warm=$(cd "$tmp/p10/src" && "$lockcheck" --quiet -p ../build --cache-dir "$tmp/c10" . 2>&1)
check "cache from another directory: the finding is at main.cpp:6" grep -q "^main.cpp:6:" <<<"$cold"
check "cache from another directory: same output as --no-cache" test "$warm" = "$cold"

echo "$failures failed"
test "$failures" -eq 0
