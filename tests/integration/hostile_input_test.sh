#!/usr/bin/env bash
# Issue 25: no crash (and no hang) on hostile input. Each case must end in a clear error
# naming the file, exit 2, with the other inputs of the same command still analysed:
# a cache entry with a valid checksum and CBOR nested a million deep, rule packs and
# configurations nested 30,000 deep, facts files that break the format's rules, a TU that
# crashes Clang under `lockcheck extract`, endless files (/dev/zero) wherever lockcheck
# reads a file, and a path too long for the system to open.
set -uo pipefail
lockcheck=$(realpath "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/cli_test_lib.sh"
cd "$tmp" # so that no build/compile_commands.json of the caller's directory is found

# Stopped after a minute: a hang is a failure too (timeout's 124).
run_limited() { run timeout 60 "$@"; }
finds_bad() { grep -q "bad.cpp:6:3: error: usleep() blocks" <<<"$out"; }
no_crash() { [ "$rc" -lt 124 ] && ! grep -qi "segmentation\|terminate called\|abort" <<<"$out"; }

# 1. A cache entry whose checksum is right (the checksum tells an accident, not an attack)
# and whose CBOR is a million arrays deep: a miss, analysed again, rewritten.
run "$lockcheck" --quiet --cache-dir "$tmp/c1" "$bad"
entry=$(ls "$tmp/c1"/*.cbor | head -1)
python3 - "$entry" <<'PY'
import sys
payload = b"\x81" * 1000000 + b"\xf6"
h = 14695981039346656037
for b in payload:
    h = ((h ^ b) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
open(sys.argv[1], "wb").write(b"%016x" % h + payload)
PY
run_limited "$lockcheck" --quiet --cache-dir "$tmp/c1" "$bad"
check "deep CBOR cache entry: no crash, the finding (exit 1)" bash -c "[ $rc -eq 1 ]"
check "deep CBOR cache entry: analysed again" finds_bad
check "deep CBOR cache entry: rewritten" test "$(stat -c %s "$entry")" -lt 1000000

# 2. JSON nested 30,000 deep in a rule pack and in a .lockcheck.json found upward.
python3 -c "print('{\"lockcheck_pack\": 1, \"name\": \"deep\", \"nonblocking\": ' + '[' * 30000 + ']' * 30000 + '}')" > "$tmp/deep_pack.json"
run_limited "$lockcheck" --quiet --no-cache --rules "$tmp/deep_pack.json" "$bad"
check "deep rule pack: exit 2" test "$rc" -eq 2
check "deep rule pack: named, with the limit" grep -q "deep_pack.json: /nonblocking/0/0/...: nested deeper than 256 levels" <<<"$out"
mkdir -p "$tmp/cfg/sub"; cp "$bad" "$tmp/cfg/sub/"
python3 -c "print('{\"version\": 1, \"exclude\": ' + '[' * 30000 + ']' * 30000 + '}')" > "$tmp/cfg/.lockcheck.json"
run_limited "$lockcheck" --quiet --no-cache "$tmp/cfg/sub/bad.cpp"
check "deep .lockcheck.json in a parent directory: exit 2" test "$rc" -eq 2
check "deep .lockcheck.json: named" grep -q "cfg/.lockcheck.json: exclude\[0\]\[0\]...: nested deeper than 256 levels" <<<"$out"

# 3. `lockcheck link` on facts that break the format's rules, next to good facts: each bad
# file is an error naming it (exit 2), and the good file's finding is still reported.
run "$lockcheck" extract "$bad" -o "$tmp/good.lcfacts"
check "extract of the good file" test "$rc" -eq 0
spoil() { # name, python expression over the document d
  python3 - "$tmp/good.lcfacts" "$tmp/$1.lcfacts" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
fn = next(iter(d["functions"].values()))
exec(sys.argv[3])
text = json.dumps(d)
if "DUP" in text:  # a function key given twice in one object
    text = text.replace('"DUP": 0', '"k": {"where": ["a.cpp", 1, 1]}, "k": {"where": ["a.cpp", 2, 1]}')
open(sys.argv[2], "w").write(text)
PY
}
spoil pure_out_of_range 'd["classes"] = {"A": {"methods": [["c:@S@A@F@run#"]], "pure": [5]}}'
spoil final_out_of_range 'd["classes"] = {"A": {"methods": [["c:@S@A@F@run#"]], "final_methods": [1]}}'
spoil negative_line 'fn["where"][1] = -1'
spoil huge_column 'fn["where"][2] = 4294967296'
spoil duplicate_function 'd["functions"]["DUP"] = 0'
spoil unknown_key 'fn["colour"] = "blue"'
for name in pure_out_of_range final_out_of_range negative_line huge_column duplicate_function unknown_key; do
  run_limited "$lockcheck" link "$tmp/good.lcfacts" "$tmp/$name.lcfacts"
  check "link, $name: exit 2" test "$rc" -eq 2
  check "link, $name: the file named" grep -q "$name.lcfacts: error: malformed facts" <<<"$out"
  check "link, $name: the good file still linked" finds_bad
done
grep -h "malformed facts" <<<"$(for n in pure_out_of_range negative_line duplicate_function unknown_key; do
  "$lockcheck" link "$tmp/$n.lcfacts" 2>&1; done)" | sed 's/^/  (message) /'

# 4. `lockcheck extract` on a TU that crashes Clang (a stack overflow on a 70,000-term
# expression): an error naming the file, exit 2, not a signal.
python3 -c "print('int huge() { return ' + ' + '.join(['1'] * 70000) + '; }')" > "$tmp/huge.cpp"
run_limited "$lockcheck" extract "$tmp/huge.cpp" -o "$tmp/huge.lcfacts"
check "extract of a TU that crashes Clang: exit 2" test "$rc" -eq 2
check "extract of a TU that crashes Clang: said" grep -q "huge.cpp: the parser crashed on this file" <<<"$out"

# 5. Endless files wherever a file is read: facts, a list of facts, rules, config,
# baseline, sources. Refused at a documented size (docs/user-guide.md "Limits"), quickly.
run_limited "$lockcheck" link "$tmp/good.lcfacts" /dev/zero
check "/dev/zero as facts: exit 2, the good file linked" bash -c "[ $rc -eq 2 ] && grep -q 'bad.cpp:6:3' <<<'$out'"
check "/dev/zero as facts: the limit said" grep -q "/dev/zero: error: cannot read facts file: larger than the 256 MiB limit" <<<"$out"
run_limited "$lockcheck" link @/dev/zero
check "/dev/zero as @LIST: exit 2, said" bash -c "[ $rc -eq 2 ] && grep -q 'larger than the 64 MiB limit' <<<'$out'"
run_limited "$lockcheck" --quiet --no-cache --rules /dev/zero "$bad"
check "/dev/zero as a rule pack: exit 2, said" bash -c "[ $rc -eq 2 ] && grep -q '/dev/zero: cannot read the rule pack: larger than the 16 MiB limit' <<<'$out'"
run_limited "$lockcheck" --quiet --no-cache --config /dev/zero "$bad"
check "/dev/zero as a configuration: exit 2, said" bash -c "[ $rc -eq 2 ] && grep -q '/dev/zero: cannot read configuration file: larger than the 16 MiB limit' <<<'$out'"
run_limited "$lockcheck" --quiet --no-cache --baseline /dev/zero "$bad"
check "/dev/zero as a baseline: exit 2, said" bash -c "[ $rc -eq 2 ] && grep -q '/dev/zero: cannot read baseline: larger than the 256 MiB limit' <<<'$out'"
ln -s /dev/zero "$tmp/zero.cpp"; mkfifo "$tmp/pipe.cpp"
run_limited "$lockcheck" --quiet --no-cache "$tmp/zero.cpp" "$tmp/pipe.cpp" "$bad"
check "a device and a pipe as sources: exit 2, the rest analysed" bash -c "[ $rc -eq 2 ] && grep -q 'bad.cpp:6:3' <<<'$out'"
check "a device as a source: said" grep -q "zero.cpp: error: not a regular file or a directory" <<<"$out"
check "a pipe as a source: said" grep -q "pipe.cpp: error: not a regular file or a directory" <<<"$out"
check "no crash on any endless file" no_crash

# 6. A path the system cannot open: over 4,096 bytes once made absolute, while the
# relative name given works. Said, not "the parser crashed (exit status 0)".
first=""; half=""
for i in $(seq 1 20); do
  part=$(printf 'd%0250d' "$i")
  if [ "$i" -le 10 ]; then first="$first/$part"; else half="${half:+$half/}$part"; fi
done
# Made a directory at a time: no single path to it is short enough for mkdir -p or cp.
python3 - "$tmp/long$first" "$half" "$bad" <<'PY'
import os, shutil, sys
os.makedirs(sys.argv[1])
os.chdir(sys.argv[1])
for part in sys.argv[2].split("/"):
    os.mkdir(part)
    os.chdir(part)
shutil.copy(sys.argv[3], "long.cpp")
PY
run_limited bash -c "cd '$tmp/long$first' && '$lockcheck' --quiet --no-cache '$half/long.cpp' '$bad'"
check "path over 4,096 bytes: exit 2, the other file analysed" bash -c "[ $rc -eq 2 ] && grep -q 'bad.cpp:6:3' <<<'$out'"
check "path over 4,096 bytes: said what happened" grep -q "long.cpp: error: file name too long: its absolute path has" <<<"$out"

echo "$failures failed"
test "$failures" -eq 0
