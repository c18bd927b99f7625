#!/usr/bin/env bash
# The command-line contract of docs/spec.md §6 and §8, end to end with the real binary:
# exit codes and messages on bad input, compile_commands.json discovery and the
# defaults without one, extract/link equal to the one-shot run, deterministic facts,
# and the facts cache (reuse, corrupted entries rebuilt, edits noticed).
set -uo pipefail
lockcheck=$1
fixtures=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/cli_test_lib.sh"
broken="$tmp/broken.cpp"
printf 'int main() { return undeclared_name; }\n' > "$broken"

# 1. Missing path: exit 2, the path named; the other file is still analysed.
run "$lockcheck" --quiet --no-cache "$tmp/nope.cpp" "$bad"
check "missing path exits 2" test "$rc" -eq 2
check "missing path is named" grep -q "nope.cpp: error: no such file or directory" <<<"$out"
check "other files still analysed" grep -q "blocking-under-lock" <<<"$out"

# 2. A file that does not parse: exit 2, the file and the compiler's error named, others reported.
run "$lockcheck" --quiet --no-cache "$broken" "$bad"
check "unparsable file exits 2" test "$rc" -eq 2
check "unparsable file named with the error" grep -q "broken.cpp.*undeclared_name" <<<"$out"
check "parsable file still reported" grep -q "bad.cpp:6:3: error: usleep() blocks (sleep) while 'mu' is held" <<<"$out"

# 3. A bad rule pack: exit 2, file, JSON path and problem named.
printf '{"lockcheck_pack": 1, "name": "x", "blocking": [{"name": "f", "category": "slep"}]}' > "$tmp/pack.json"
run "$lockcheck" --quiet --rules "$tmp/pack.json" "$bad"
check "bad pack exits 2" test "$rc" -eq 2
check "bad pack message" grep -q "pack.json: /blocking/0/category: unknown category 'slep'" <<<"$out"
printf '{"lockcheck_pack": 1, "name": "y", "blockng": []}' > "$tmp/pack2.json"
run "$lockcheck" --quiet --rules "$tmp/pack2.json" "$bad"
check "unknown pack key named" grep -q "pack2.json: /blockng: unknown key 'blockng'" <<<"$out"

# 4. A bad config: exit 2 naming the key.
mkdir -p "$tmp/proj"
cp "$bad" "$tmp/proj/"
printf '{"rulez": {}}' > "$tmp/proj/.lockcheck.json"
run "$lockcheck" --quiet --no-cache "$tmp/proj"
check "bad config exits 2" test "$rc" -eq 2
check "bad config names the key" grep -q "rulez" <<<"$out"
rm "$tmp/proj/.lockcheck.json"

# 5. Usage errors.
run "$lockcheck" --format xml "$bad"
check "bad format exits 2" test "$rc" -eq 2
run "$lockcheck" --bogus
check "unknown option exits 2" test "$rc" -eq 2

# 6. Without compile_commands.json: defaults, said once on stderr; with one: its flags.
run "$lockcheck" --no-cache "$tmp/proj"
check "defaults notice" grep -q "no compile_commands.json found" <<<"$out"
check "finding with defaults" test "$rc" -eq 1
mkdir -p "$tmp/proj/build"
cat > "$tmp/proj/guarded.cpp" <<'CPP'
#include <mutex>
#include <unistd.h>
std::mutex mu;
void g() {
  std::lock_guard<std::mutex> lock(mu);
#ifdef SLOW_PATH
  sleep(1);
#endif
}
CPP
printf '[{"directory": "%s", "file": "guarded.cpp", "command": "c++ -std=c++17 -DSLOW_PATH -c guarded.cpp"}]' "$tmp/proj" \
  > "$tmp/proj/build/compile_commands.json"
run "$lockcheck" --no-cache --quiet "$tmp/proj/guarded.cpp"
check "compile_commands.json in build/ found upward and its -D used" grep -q "guarded.cpp:7:3: error: sleep() blocks" <<<"$out"
cp "$tmp/proj/guarded.cpp" "$tmp/proj/unlisted.cpp"
sed -i 's/SLOW_PATH/EXTRA_FLAG/' "$tmp/proj/unlisted.cpp"
run "$lockcheck" --no-cache --quiet "$tmp/proj/unlisted.cpp" -- -DEXTRA_FLAG
check "file not in the database: inferred command plus -- flags" grep -q "unlisted.cpp:7:3: error: sleep() blocks" <<<"$out"
run "$lockcheck" --no-cache --quiet -p "$tmp/none" "$tmp/proj/guarded.cpp"
check "-p without a database exits 2" test "$rc" -eq 2

# 7. extract + link == the one-shot run, and facts are byte-for-byte deterministic.
multi="$fixtures/blocking-under-lock/cross_file_bcrypt_two_calls_away"
for f in auth crypto verify; do
  "$lockcheck" extract "$multi/$f.cpp" -o "$tmp/$f.lcfacts" || echo "extract $f failed"
done
"$lockcheck" extract "$multi/auth.cpp" -o "$tmp/auth2.lcfacts"
check "facts deterministic" cmp -s "$tmp/auth.lcfacts" "$tmp/auth2.lcfacts"
run "$lockcheck" link "$tmp/auth.lcfacts" "$tmp/crypto.lcfacts" "$tmp/verify.lcfacts"
linked=$out; linked_rc=$rc
run "$lockcheck" --quiet --no-cache "$multi/auth.cpp" "$multi/crypto.cpp" "$multi/verify.cpp"
check "link exit status 1" test "$linked_rc" -eq 1
check "link output equals one-shot output" test "$linked" = "$out"
printf '{"lockcheck_facts": 99}' > "$tmp/old.lcfacts"
run "$lockcheck" link "$tmp/old.lcfacts"
check "wrong facts version exits 2" test "$rc" -eq 2
check "wrong facts version named" grep -q "facts version 99" <<<"$out"

# 8. The cache: the second run reuses facts, a corrupted entry is rebuilt, an edit is seen.
cache="$tmp/cache"
run "$lockcheck" --quiet --cache-dir "$cache" "$bad"; first=$out
entry=$(ls "$cache"/* 2>/dev/null | head -1)
check "cache entry written" test -n "$entry"
inode=$(stat -c %i "$entry" 2>/dev/null)
run "$lockcheck" --quiet --cache-dir "$cache" "$bad"
check "warm run, same findings" test "$out" = "$first"
check "warm run reused the entry (a miss rewrites it)" test "$(stat -c %i "$entry")" = "$inode"
size=$(stat -c %s "$entry")
head -c $((size / 2)) "$entry" > "$entry.half" && mv "$entry.half" "$entry"
run "$lockcheck" --quiet --cache-dir "$cache" "$bad"
check "truncated entry rebuilt, same findings" test "$out" = "$first"
check "truncated entry rewritten whole" test "$(stat -c %s "$entry")" -eq "$size"
printf '{"corrupt' > "$entry"
run "$lockcheck" --quiet --cache-dir "$cache" "$bad"
check "corrupted entry rebuilt, same findings" test "$out" = "$first"
check "corrupted entry rewritten" test "$(stat -c %s "$entry")" -eq "$size"
sed -i 's/usleep(1);/int x = 1; (void)x;/' "$bad"
run "$lockcheck" --quiet --cache-dir "$cache" "$bad"
check "edited file re-analysed" test "$rc" -eq 0

# 7b. Build-system support: extract --depfile, relative -I after --, link DIR and @LIST.
proj=$tmp/relproj
mkdir -p "$proj/inc" "$proj/src" "$tmp/factsdir/sub" "$tmp/emptydir"
printf '#pragma once\n#include <unistd.h>\ninline void nap() { usleep(1); }\n' > "$proj/inc/nap.h"
printf '#include <mutex>\n#include "nap.h"\nstd::mutex m;\nvoid g() {\n  std::lock_guard<std::mutex> l(m);\n  nap();\n}\n' > "$proj/src/g.cpp"
out=$(cd "$proj" && "$lockcheck" extract src/g.cpp -o "$tmp/g.lcfacts" --depfile "$tmp/g.d" -- -Iinc 2>&1); rc=$?
check "extract resolves a relative -I against the working directory" test "$rc" -eq 0
check "depfile rule names the facts file" grep -q "^$tmp/g.lcfacts:" "$tmp/g.d"
check "depfile lists the header the TU read" grep -q "$proj/inc/nap.h" "$tmp/g.d"
check "depfile lists the source" grep -q "$proj/src/g.cpp" "$tmp/g.d"
run "$lockcheck" link --depfile "$tmp/x.d" "$tmp/g.lcfacts"
check "--depfile outside extract is a usage error" test "$rc" -eq 2
cp "$tmp/auth.lcfacts" "$tmp/crypto.lcfacts" "$tmp/factsdir/" && cp "$tmp/verify.lcfacts" "$tmp/factsdir/sub/"
run "$lockcheck" link "$tmp/factsdir"
check "link of a directory reads every .lcfacts below it" test "$out" = "$linked"
printf '%s\n' "$tmp/auth.lcfacts" "$tmp/crypto.lcfacts" "$tmp/verify.lcfacts" > "$tmp/facts.list"
run "$lockcheck" link "@$tmp/facts.list"
check "link @LIST reads the listed files" test "$out" = "$linked"
run "$lockcheck" link "@$tmp/no-such.list"
check "link @missing list exits 2 naming it" test "$rc" -eq 2 -a -n "$(grep 'no-such.list.*cannot read the list' <<<"$out")"
run "$lockcheck" link "$tmp/emptydir"
check "link of a directory without facts exits 2" test "$rc" -eq 2 -a -n "$(grep 'no .lcfacts files' <<<"$out")"

echo "$failures failed"
test "$failures" -eq 0
