#!/usr/bin/env bash
# Issue 24, "the gate never lets a finding through", end to end with the real binary:
#  1. identity of definitions: several programs in one tree (each its own main, its own run());
#  2. --changed-since: a finding the change creates away from the lines it touches, and an old
#     finding beside an edit (matched without line numbers);
#  3. the compilation database's scope: a directory means the sources it lists;
#  4. relative "directory", @response files, the .lockcheck.json notice, outputs that fail.
# Every case here failed (or passed for the wrong reason) before issue 24.
#
# usage: gate_soundness_test.sh LOCKCHECK_BIN
set -uo pipefail
lockcheck=${1:?usage: $0 LOCKCHECK_BIN}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp/home XDG_CACHE_HOME=$tmp/cache
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=test GIT_AUTHOR_EMAIL=test@example.invalid
export GIT_COMMITTER_NAME=test GIT_COMMITTER_EMAIL=test@example.invalid
mkdir -p "$HOME"
source "$(dirname "$0")/cli_test_lib.sh"
cd "$tmp" || exit 1

# count FILE:LINE SEVERITY: how many findings of that severity the last $out anchors there.
count() { grep -c "^$1:[0-9]*: $2: " <<<"$out"; }

# --- 1. Identity of definitions -------------------------------------------------------------

# Two programs, each with a main that sleeps under its own lock: both reported, whatever the
# file order (the names decide the order in which files are read).
mkdir -p two/tools
for prog in a b; do
  cat > "two/tools/${prog}_main.cpp" <<CPP
#include <mutex>
#include <unistd.h>
static std::mutex ${prog}_mu;
int main() {
  std::lock_guard<std::mutex> lock(${prog}_mu);
  sleep(1);
  return 0;
}
CPP
done
run "$lockcheck" --quiet --no-cache two/tools
check "two mains: both reported" test "$(count two/tools/a_main.cpp:6 error)$(count two/tools/b_main.cpp:6 error)" = 11
check "two mains: exit 1" test "$rc" -eq 1
mv two/tools/a_main.cpp two/tools/z_main.cpp
run "$lockcheck" --quiet --no-cache two/tools
check "two mains, other order: both reported" test "$(count two/tools/z_main.cpp:6 error)$(count two/tools/b_main.cpp:6 error)" = 11

# Two programs with their own run(): one sleeps, one does not; each main calls its own run()
# (in the same file) under a lock. Only the sleeping program's main is reported, in either order.
mkdir -p same/one same/two
cat > same/one/main.cpp <<'CPP'
#include <mutex>
#include <unistd.h>
std::mutex mu;
void run() { sleep(1); }
int main() {
  std::lock_guard<std::mutex> lock(mu);
  run();
}
CPP
cat > same/two/main.cpp <<'CPP'
#include <mutex>
std::mutex mu;
int counter;
void run() { ++counter; }
int main() {
  std::lock_guard<std::mutex> lock(mu);
  run();
}
CPP
# The folders swap in between, so the other program is read first.
for sleepy in one two; do
  other=$([[ $sleepy == one ]] && echo two || echo one)
  run "$lockcheck" --quiet --no-cache same/one same/two
  check "same-file run() (sleeping program in $sleepy): reported" test "$(count "same/$sleepy/main.cpp:7" error)" = 1
  check "same-file run() (sleeping program in $sleepy): the other clean" test "$(count "same/$other/main.cpp:7" '[a-z]*')" = 0
  mv same/one same/tmp && mv same/two same/one && mv same/tmp same/two
done

# run() defined in separate files of two programs, called from a third file of each: the call
# may run either definition, so both mains get a warning naming the one that sleeps.
mkdir -p split/prog_a split/prog_b
cat > split/prog_a/run.cpp <<'CPP'
#include <unistd.h>
void run() { usleep(10); }
CPP
cat > split/prog_b/run.cpp <<'CPP'
int ticks;
void run() { ++ticks; }
CPP
for prog in a b; do
  cat > "split/prog_$prog/main.cpp" <<'CPP'
#include <mutex>
void run();
std::mutex mu;
int main() {
  std::lock_guard<std::mutex> lock(mu);
  run();
}
CPP
done
run "$lockcheck" --quiet --no-cache split
check "split run(): a warning in each program" test "$(count split/prog_a/main.cpp:6 warning)$(count split/prog_b/main.cpp:6 warning)" = 11
check "split run(): it may block" grep -q "run() may block (sleep: usleep) while 'mu' is held" <<<"$out"
check "split run(): the note names the definition" grep -q "split/prog_a/run.cpp:2:6: note: may run this definition of run (1 of 2 definitions block)" <<<"$out"
check "split run(): exit 1 (warnings fail by default)" test "$rc" -eq 1

# A header's inline function read by three TUs is one function, reported once; a same-named
# non-inline function of another program is another, reported too.
mkdir -p inl/lib inl/tool
cat > inl/lib/log.h <<'CPP'
#pragma once
#include <mutex>
#include <unistd.h>
inline std::mutex log_mu;
inline void log_line() {
  std::lock_guard<std::mutex> lock(log_mu);
  usleep(1);
}
CPP
for n in 1 2 3; do printf '#include "log.h"\nvoid user%s() { log_line(); }\n' "$n" > "inl/lib/user$n.cpp"; done
cat > inl/tool/tool.cpp <<'CPP'
#include <mutex>
#include <unistd.h>
std::mutex tool_mu;
void log_line() {
  std::lock_guard<std::mutex> lock(tool_mu);
  sleep(1);
}
CPP
run "$lockcheck" --quiet --no-cache inl
check "inline function in three TUs: reported once" test "$(count inl/lib/log.h:7 error)" = 1
check "same-named function of another program: reported" test "$(count inl/tool/tool.cpp:6 error)" = 1

# The same through extract + link (the facts reader skips only a definition met before).
mkdir -p facts
for f in two/tools/z_main.cpp two/tools/b_main.cpp; do
  "$lockcheck" extract "$f" -o "facts/$(basename "$f").lcfacts" 2>/dev/null
done
run "$lockcheck" link --quiet facts/z_main.cpp.lcfacts facts/b_main.cpp.lcfacts
check "link: two mains both reported" test "$(count two/tools/z_main.cpp:6 error)$(count two/tools/b_main.cpp:6 error)" = 11

# --- 2. --changed-since ----------------------------------------------------------------------

mkdir repo && cd repo || exit 1
git init -q
mkdir src
cat > src/old.cpp <<'CPP'
#include <mutex>
#include <unistd.h>
std::mutex old_mu;
void legacy() {
  std::lock_guard<std::mutex> lock(old_mu);
  usleep(5);
}
CPP
cat > src/work.cpp <<'CPP'
#include <mutex>
#include <unistd.h>
std::mutex mu;
int state;
void tick() {
  {
    std::lock_guard<std::mutex> lock(mu);
    ++state;
  }
  state += 2;
  state *= 3;
  sleep(1);
  ++state;
}
void manual() {
  mu.lock();
  ++state;
  mu.unlock();
  ++state;
  ++state;
}
CPP
git add -A && git commit -q -m base
cache=(--cache-dir "$tmp/repo-cache")
run "$lockcheck" --quiet "${cache[@]}" --changed-since HEAD src
check "nothing changed: exit 0" test "$rc" -eq 0
check "nothing changed: no finding (the old one is not new)" test "$(grep -c '\[blocking-under-lock\]' <<<"$out")" = 0

# Moving the scope's `}` below sleep(1): the finding is at sleep(1), a line the diff does not touch.
python3 - <<'PY'
p = "src/work.cpp"
s = open(p).read().replace("  }\n  state += 2;\n  state *= 3;\n  sleep(1);\n", "  state += 2;\n  state *= 3;\n  sleep(1);\n  }\n")
open(p, "w").write(s)
PY
run "$lockcheck" --quiet "${cache[@]}" --changed-since HEAD src
check "moved }: exit 1" test "$rc" -eq 1
check "moved }: the new finding" grep -q "src/work.cpp:11:3: error: sleep() blocks (sleep) while 'mu' is held" <<<"$out"
check "moved }: the old finding is not reported" test "$(count src/old.cpp:6 error)" = 0
run "$lockcheck" --quiet --no-cache --changed-since HEAD src
check "moved }, no cache: exit 1" test "$rc" -eq 1
git checkout -q -- src/work.cpp

# Deleting the unlock(): lock-not-released at the lock() three lines up.
sed -i '/mu.unlock();/d' src/work.cpp
run "$lockcheck" --quiet "${cache[@]}" --changed-since HEAD src
check "deleted unlock(): exit 1" test "$rc" -eq 1
check "deleted unlock(): the new finding" grep -q "src/work.cpp:16:.*: error: .*\[lock-not-released\]" <<<"$out"
check "deleted unlock(): only it" test "$(grep -c ': error: ' <<<"$out")" = 1
git checkout -q -- src/work.cpp

# An edit on the old finding's own line and lines added above it: still the same finding.
sed -i 's/^  usleep(5);$/  usleep(5); \/\/ why so slow/' src/old.cpp
sed -i 's/^std::mutex old_mu;$/std::mutex old_mu;\nint unrelated;\nint more_unrelated;/' src/old.cpp
run "$lockcheck" --quiet "${cache[@]}" --changed-since HEAD src
check "edit beside an old finding: exit 0" test "$rc" -eq 0
check "edit beside an old finding: not reported" test "$(count src/old.cpp:8 error)" = 0

# A renamed file with its old finding: not new. A new file with a finding: new.
git checkout -q -- src/old.cpp
git mv src/old.cpp src/renamed.cpp
run "$lockcheck" --quiet "${cache[@]}" --changed-since HEAD src
check "renamed file: its old finding is not new" test "$rc" -eq 0
cp src/renamed.cpp src/added.cpp && sed -i 's/legacy/fresh/; s/old_mu/fresh_mu/g' src/added.cpp
run "$lockcheck" --quiet "${cache[@]}" --changed-since HEAD src
check "added file: its finding is new" test "$(count src/added.cpp:6 error)" = 1
rm src/added.cpp
git mv src/renamed.cpp src/old.cpp

# A header function that a change makes block, called under a lock from an unchanged file.
cat > src/io.h <<'CPP'
#pragma once
inline int flush_state(int v) { return v + 1; }
CPP
cat > src/user.cpp <<'CPP'
#include "io.h"
#include <mutex>
std::mutex user_mu;
int save(int v) {
  std::lock_guard<std::mutex> lock(user_mu);
  return flush_state(v);
}
CPP
git add -A && git commit -q -m header
printf '#pragma once\n#include <unistd.h>\ninline int flush_state(int v) { usleep(1); return v + 1; }\n' > src/io.h
run "$lockcheck" --quiet "${cache[@]}" --changed-since HEAD src
check "header change: the finding in the unchanged caller is new" grep -q "src/user.cpp:6:.*blocks (sleep: usleep)" <<<"$out"
check "header change: exit 1" test "$rc" -eq 1
git checkout -q -- src/io.h

# Errors: a REV that does not exist, a REV that is an option, outside a repository.
run "$lockcheck" --quiet --changed-since no-such-rev src
check "unknown REV: exit 2" test "$rc" -eq 2
check "unknown REV: named" grep -q "unknown revision 'no-such-rev'" <<<"$out"
run "$lockcheck" --quiet --changed-since --output=x src
check "REV that is an option: exit 2" test "$rc" -eq 2
run "$lockcheck" --quiet --changed-since HEAD --write-baseline --baseline b.json src
check "--changed-since with --write-baseline: exit 2" test "$rc" -eq 2
cd "$tmp" || exit 1
mkdir -p norepo && cp "$bad" norepo/
run env GIT_CEILING_DIRECTORIES="$tmp" "$lockcheck" --quiet --no-cache --changed-since HEAD norepo
check "outside a repository: exit 2" test "$rc" -eq 2
check "outside a repository: said" grep -q "not in a git repository" <<<"$out"

# --- 3. The compilation database's scope -----------------------------------------------------

mkdir -p scoped/src scoped/build
cat > scoped/src/clean.cpp <<'CPP'
#include <mutex>
std::mutex mu;
int v;
void f() { std::lock_guard<std::mutex> lock(mu); ++v; }
CPP
cat > scoped/src/env_windows.cpp <<'CPP'
#include <windows.h>
void g() { Sleep(1); }
CPP
printf '[{"directory": "%s", "file": "src/clean.cpp", "arguments": ["c++", "-std=c++17", "-c", "src/clean.cpp"]}]' \
  "$tmp/scoped" > scoped/build/compile_commands.json
run "$lockcheck" --no-cache -p scoped/build scoped/src
check "unlisted file: exit 0 on a clean tree" test "$rc" -eq 0
check "unlisted file: one line says so" grep -q "skipped 1 C++ source that scoped/build/compile_commands.json does not list (scoped/src/env_windows.cpp); --include-unlisted analyses them with guessed flags" <<<"$out"
run "$lockcheck" --no-cache --quiet -p scoped/build scoped/src
check "unlisted file, --quiet: no line" test -z "$out"
run "$lockcheck" --no-cache --quiet --include-unlisted -p scoped/build scoped/src
check "--include-unlisted: analysed with guessed flags (it does not parse: exit 2)" test "$rc" -eq 2
check "--include-unlisted: the file named" grep -q "env_windows.cpp" <<<"$out"
run "$lockcheck" --no-cache --quiet -p scoped/build scoped/src/env_windows.cpp
check "unlisted file named explicitly: still analysed" test "$rc" -eq 2
mkdir -p scoped/other && cp scoped/src/clean.cpp scoped/other/
run "$lockcheck" --no-cache --quiet -p scoped/build scoped/other
check "a directory with only unlisted sources: exit 2" test "$rc" -eq 2
check "a directory with only unlisted sources: said" grep -q "none of the 1 C++ sources under this directory is listed" <<<"$out"

# --- 4. Smaller holes ------------------------------------------------------------------------

# A relative "directory": resolved against the database's folder, so the entry's flags apply.
mkdir -p rel/src rel/out/build
cat > rel/src/guarded.cpp <<'CPP'
#include <mutex>
#include <unistd.h>
#include "config.h"
std::mutex mu;
void g() {
  std::lock_guard<std::mutex> lock(mu);
#ifdef SLOW_PATH
  sleep(1);
#endif
}
CPP
mkdir -p rel/src/gen && printf '#define UNUSED_CONFIG 1\n' > rel/src/gen/config.h
printf '[{"directory": "../../src", "file": "guarded.cpp", "arguments": ["c++", "-DSLOW_PATH", "-Igen", "-c", "guarded.cpp"]}]' \
  > rel/out/build/compile_commands.json
run "$lockcheck" --no-cache --quiet -p rel/out/build rel/src
check "relative directory: the entry's flags used" grep -q "rel/src/guarded.cpp:8:3: error: sleep() blocks" <<<"$out"

# A response file: its flags are the command's.
mkdir -p rsp/src rsp/build
cp rel/src/guarded.cpp rsp/src/ && sed -i '/config.h/d' rsp/src/guarded.cpp
printf -- '-DSLOW_PATH\n' > rsp/build/flags.rsp
printf '[{"directory": "%s", "file": "../src/guarded.cpp", "command": "c++ @flags.rsp -c ../src/guarded.cpp"}]' \
  "$tmp/rsp/build" > rsp/build/compile_commands.json
run "$lockcheck" --no-cache --quiet -p rsp/build rsp/src
check "response file: its flags used" grep -q "rsp/src/guarded.cpp:7:3: error: sleep() blocks" <<<"$out"
# One that includes itself: the TU's error says why (exit 2), not a bare line on stderr.
printf -- '-DSLOW_PATH @flags.rsp\n' > rsp/build/flags.rsp
run "$lockcheck" --no-cache --quiet -p rsp/build rsp/src
check "response file in a cycle: exit 2" test "$rc" -eq 2
check "response file in a cycle: the TU's error says so" grep -q \
  "^rsp/src/guarded.cpp: error: the compile command's response file cannot be read: recursive expansion of: '$tmp/rsp/build/flags.rsp'$" <<<"$out"
check "response file in a cycle: nothing else printed" test "$(wc -l <<<"$out")" = 1

# The .lockcheck.json in use: named when it is above the repository (even with --quiet).
mkdir -p cfg/repo/src
printf '{"rules": {"blocking-under-lock": "off"}}' > cfg/.lockcheck.json
cp "$bad" cfg/repo/src/
git -C cfg/repo init -q
(cd cfg/repo && "$lockcheck" --quiet --no-cache src) > "$tmp/cfg.out" 2>&1
check "config above the repository: a warning naming it" \
  grep -q "warning: using the configuration $tmp/cfg/.lockcheck.json, which is outside the repository" "$tmp/cfg.out"
mv cfg/.lockcheck.json cfg/repo/src/
(cd cfg/repo && "$lockcheck" --no-cache src) > "$tmp/cfg.out" 2>&1
check "config in a subdirectory: a notice" grep -q "^lockcheck: using the configuration src/.lockcheck.json$" "$tmp/cfg.out"
(cd cfg/repo && "$lockcheck" --quiet --no-cache src) > "$tmp/cfg.out" 2>&1
check "config in a subdirectory, --quiet: no notice" test ! -s "$tmp/cfg.out"
mv cfg/repo/src/.lockcheck.json cfg/repo/
(cd cfg/repo && "$lockcheck" --no-cache src) > "$tmp/cfg.out" 2>&1
check "config at the repository root: nothing said" test "$(grep -c configuration "$tmp/cfg.out")" = 0

# Outputs that cannot be written: exit 2 and why, never a lost report.
if [[ -w /dev/full ]]; then
  for format in text json sarif; do
    run "$lockcheck" --quiet --no-cache --format "$format" -o /dev/full "$bad"
    check "-o /dev/full ($format): exit 2" test "$rc" -eq 2
    check "-o /dev/full ($format): said" grep -q "cannot write '/dev/full': No space left on device" <<<"$out"
  done
  "$lockcheck" --quiet --no-cache "$bad" > /dev/full 2> "$tmp/full.err"
  rc=$?
  check "stdout to /dev/full: exit 2" test "$rc" -eq 2
  check "stdout to /dev/full: said" grep -q "cannot write the standard output: No space left on device" "$tmp/full.err"
  "$lockcheck" --list-rules > /dev/full 2> "$tmp/full.err"
  check "--list-rules to /dev/full: exit 2" test $? -eq 2
  run "$lockcheck" --quiet --no-cache --baseline /dev/full --write-baseline "$bad"
  check "--write-baseline to /dev/full: exit 2" test "$rc" -eq 2
  check "--write-baseline to /dev/full: said" grep -q "cannot write '/dev/full'" <<<"$out"
  run "$lockcheck" extract "$bad" -o /dev/full
  check "extract -o /dev/full: exit 2" test "$rc" -eq 2
fi

echo "$failures failure(s)"
exit $((failures > 0))
