#!/usr/bin/env bash
# The Clang plugin inside single compiles (docs/user-guide.md, "Facts from the build"):
#  - it links no Clang or LLVM of its own and exports nothing that could stand in for the host's;
#  - it never changes the compile: the same object, diagnostics and exit status, also when
#    the analysis fails or crashes (a warning), with -fsyntax-only and with -Xclang spelling;
#  - strict turns an internal failure into an error; bad arguments or a bad pack are errors;
#  - a rebuild replaces the facts file, a failed compile removes it, C files get none;
#  - `lockcheck link` leaves out facts whose source is gone, with a notice;
#  - another Clang (clang++-14, when installed) refuses it with a message naming both versions.
#
# usage: plugin_compile_test.sh LOCKCHECK PLUGIN CLANGXX
set -uo pipefail

lockcheck=${1:?usage: $0 LOCKCHECK PLUGIN CLANGXX}
plugin=${2:?usage: $0 LOCKCHECK PLUGIN CLANGXX}
clangxx=${3:?usage: $0 LOCKCHECK PLUGIN CLANGXX}
fail() { echo "FAILED: $*"; exit 1; }
lockcheck=$(realpath "$lockcheck") plugin=$(realpath "$plugin") # the test runs in its own directory
impl=$(ls "$(dirname "$plugin")"/liblockcheck-plugin-clang*.so 2>/dev/null | head -1)
[[ -f $plugin && -f $impl ]] || fail "no plugin at $plugin (and liblockcheck-plugin-clang*.so beside it)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work/home XDG_CACHE_HOME=$work/cache
mkdir -p "$HOME" "$work/src"
cd "$work" || fail "no $work"

# --- The modules: no second Clang or LLVM in the process, nothing exported to bind to.
readelf -d "$impl" | grep NEEDED >"$work/needed"
! grep -Eq "libclang|libLLVM" "$work/needed" || { cat "$work/needed"; fail "the plugin links its own Clang/LLVM"; }
readelf -d "$plugin" | grep NEEDED >"$work/needed"
! grep -Eq "libclang|libLLVM" "$work/needed" || { cat "$work/needed"; fail "liblockcheck-plugin.so links Clang/LLVM"; }
# (std::exception's typeinfo stays visible, as it must for a catch to match libstdc++'s.)
nm -D -C --defined-only "$impl" | grep -E "clang::|llvm::|lockcheck::" >"$work/exported"
[[ ! -s $work/exported ]] || { head "$work/exported"; fail "the plugin exports Clang, LLVM or its own symbols ($(wc -l <"$work/exported"))"; }

# (Few headers: the test compiles it two dozen times.)
cat >src/store.cc <<'EOF'
#include <mutex>
#include <unistd.h>
std::mutex mu;
int unused_result() { int x; return 0; }
void flush() {
  std::lock_guard<std::mutex> lock(mu);
  ::usleep(5000);
}
EOF
flags=(-std=c++20 -O2 -g -Wall -Wextra)
with_plugin=(-fplugin="$plugin" -fplugin-arg-lockcheck-out="$work/facts")

# Compiles `src` to $work/<tag>.o with the given extra flags; records exit status and stderr.
compile() {
  local tag=$1 src=$2
  shift 2
  "$clangxx" "${flags[@]}" -c "$src" -o "$work/$tag.o" "$@" 2>"$work/$tag.err"
  echo $? >"$work/$tag.rc"
}
same_compile() {
  local a=$1 b=$2 what=$3
  cmp -s "$work/$a.o" "$work/$b.o" || fail "$what: the object differs"
  diff "$work/$a.err" "$work/$b.err" >/dev/null || { diff "$work/$a.err" "$work/$b.err"; fail "$what: the diagnostics differ"; }
  diff "$work/$a.rc" "$work/$b.rc" >/dev/null || fail "$what: the exit status differs ($(cat "$work/$a.rc") vs $(cat "$work/$b.rc"))"
}
facts_of() { find "$work/facts" -name "$(basename "$1").*.lcfacts" 2>/dev/null; }

# --- Same object, diagnostics (a warning) and exit status; facts as extract's.
compile plain src/store.cc
compile plugin src/store.cc "${with_plugin[@]}"
same_compile plain plugin "a compile with a warning"
grep -q "warning: unused variable" "$work/plain.err" || fail "the sample has no warning to compare"
[[ $(facts_of store.cc | wc -l) == 1 ]] || fail "expected one facts file for store.cc"
printf '[{"directory":"%s","file":"%s","arguments":["%s","-std=c++20","-O2","-g","-Wall","-Wextra","-c","%s","-o","%s"]}]' \
  "$work" "$work/src/store.cc" "$clangxx" "$work/src/store.cc" "$work/plain.o" >compile_commands.json
"$lockcheck" extract src/store.cc -p "$work" -o "$work/extract.lcfacts" --quiet || fail "extract failed"
cmp -s "$(facts_of store.cc)" "$work/extract.lcfacts" || fail "the plugin's facts differ from extract's"
grep -q '"file": "src/store.cc"' "$work/extract.lcfacts" || fail "facts do not name src/store.cc relative to the compile's directory"

# --- -fsyntax-only: the plugin runs after the (empty) main action too; -Xclang spelling.
rm -rf facts
"$clangxx" "${flags[@]}" -fsyntax-only src/store.cc "${with_plugin[@]}" 2>/dev/null || fail "-fsyntax-only with the plugin failed"
[[ $(facts_of store.cc | wc -l) == 1 ]] && cmp -s "$(facts_of store.cc)" "$work/extract.lcfacts" ||
  fail "-fsyntax-only: no facts, or not extract's"
rm -rf facts
compile xclang src/store.cc -Xclang -load -Xclang "$plugin" -Xclang -add-plugin -Xclang lockcheck \
  -Xclang -plugin-arg-lockcheck -Xclang out="$work/facts"
same_compile plain xclang "-Xclang -load ... -add-plugin lockcheck"
cmp -s "$(facts_of store.cc)" "$work/extract.lcfacts" || fail "-Xclang spelling: facts differ from extract's"

# --- A rebuild of the object replaces its file; a failed compile removes it (as it leaves
# no object); another object of the same source is another file.
rm -rf facts
compile rebuilt src/store.cc "${with_plugin[@]}"
compile rebuilt src/store.cc "${with_plugin[@]}"
[[ $(facts_of store.cc | wc -l) == 1 ]] || fail "a rebuild left two facts files"
[[ -z $(find facts -name '*.tmp.*') ]] || fail "a temporary file was left behind"
compile second_object src/store.cc "${with_plugin[@]}"
[[ $(facts_of store.cc | wc -l) == 2 ]] || fail "two objects of one source should have two facts files"
cp src/store.cc src/store.cc.good
echo 'int broken( {' >>src/store.cc
compile broken_plain src/store.cc
compile rebuilt src/store.cc "${with_plugin[@]}"
[[ $(cat rebuilt.rc) != 0 ]] || fail "the broken source compiled"
diff broken_plain.err rebuilt.err >/dev/null && diff broken_plain.rc rebuilt.rc >/dev/null ||
  fail "a failing compile: diagnostics or exit status differ with the plugin"
[[ $(facts_of store.cc | wc -l) == 1 ]] || fail "a failed compile left its old facts"
mv src/store.cc.good src/store.cc
rm -rf facts

# --- Internal failures: a warning and no facts, the compile unchanged; strict: an error.
compile nodir src/store.cc -fplugin="$plugin" -fplugin-arg-lockcheck-out=/dev/null/facts
same_compile_but_warning() {
  local tag=$1 what=$2
  cmp -s "$work/plain.o" "$work/$tag.o" || fail "$what: the object differs"
  [[ $(cat "$work/$tag.rc") == 0 ]] || fail "$what: exit $(cat "$work/$tag.rc")"
  grep -v "^warning: lockcheck plugin: no facts written for $work/src/store.cc: " "$work/$tag.err" | diff - "$work/plain.err" >/dev/null ||
    { cat "$work/$tag.err"; fail "$what: expected the compiler's diagnostics plus one lockcheck warning"; }
  [[ $(grep -c "lockcheck plugin" "$work/$tag.err") == 1 ]] || { cat "$work/$tag.err"; fail "$what: not one warning"; }
}
same_compile_but_warning nodir "an unwritable facts directory"
compile nodir_strict src/store.cc -fplugin="$plugin" -fplugin-arg-lockcheck-out=/dev/null/facts -fplugin-arg-lockcheck-strict
[[ $(cat nodir_strict.rc) != 0 ]] && grep -q "error: lockcheck plugin: no facts written for $work/src/store.cc" nodir_strict.err ||
  { cat nodir_strict.err; fail "strict: an unwritable facts directory is not an error"; }
LOCKCHECK_PLUGIN_TEST_CRASH=1 compile crash src/store.cc "${with_plugin[@]}"
same_compile_but_warning crash "a crash in the analysis"
grep -q "the analysis crashed" crash.err || { cat crash.err; fail "the crash warning does not say what happened"; }
[[ -z $(facts_of store.cc) ]] || fail "a crashed analysis left facts"
LOCKCHECK_PLUGIN_TEST_CRASH=1 compile crash_strict src/store.cc "${with_plugin[@]}" -fplugin-arg-lockcheck-strict
[[ $(cat crash_strict.rc) != 0 ]] && grep -q "error: lockcheck plugin: .*the analysis crashed" crash_strict.err ||
  { cat crash_strict.err; fail "strict: a crash is not an error"; }

# --- Usage errors fail the compile with a message.
compile badarg src/store.cc -fplugin="$plugin" -fplugin-arg-lockcheck-out=facts -fplugin-arg-lockcheck-bogus=1
[[ $(cat badarg.rc) != 0 ]] && grep -q "error: lockcheck plugin: unknown argument 'bogus=1'" badarg.err ||
  { cat badarg.err; fail "an unknown argument is not an error"; }
compile noout src/store.cc -fplugin="$plugin"
[[ $(cat noout.rc) != 0 ]] && grep -q "error: lockcheck plugin: no output directory: add -fplugin-arg-lockcheck-out=DIR" noout.err ||
  { cat noout.err; fail "a missing out= is not an error"; }
echo '{ not json' >bad-pack.json
compile badpack src/store.cc "${with_plugin[@]}" -fplugin-arg-lockcheck-rules="$work/bad-pack.json"
[[ $(cat badpack.rc) != 0 ]] && grep -q "error: lockcheck plugin: $work/bad-pack.json" badpack.err ||
  { cat badpack.err; fail "a broken pack is not an error naming it"; }

# --- C is not analysed: no facts, no message.
rm -rf facts
echo 'int f(void) { return 0; }' >src/plain.c
"${clangxx%++}" -c src/plain.c -o plain_c.o "${with_plugin[@]}" 2>c.err || { cat c.err; fail "compiling C with the plugin failed"; }
[[ ! -s c.err && -z $(find facts -name '*.lcfacts' 2>/dev/null) ]] || fail "a C file got facts or a message"

# --- link: a facts file whose source is gone is left out, with a notice.
cp src/store.cc src/gone.cc
sed -i 's/flush()/flush_gone()/' src/gone.cc
compile s1 src/store.cc "${with_plugin[@]}"
compile s2 src/gone.cc "${with_plugin[@]}"
rm src/gone.cc
out=$("$lockcheck" link facts --format json 2>"$work/link.err")
[[ $? == 1 ]] || fail "link: expected findings (exit 1): $out"
grep -q "$work/src/gone.cc no longer exists; its facts from the plugin are left out" link.err || { cat link.err; fail "no notice for a gone source"; }
grep -q '"file": "src/store.cc"' <<<"$out" && ! grep -q "gone.cc" <<<"$out" || fail "link reported the gone source, or not store.cc: $out"

# --- Another Clang: a clear refusal, not the dynamic loader's unresolved symbol or a crash;
# also when the inner module is named directly (it loads: its symbols are bound lazily).
other=$(command -v clang++-14 || true)
if [[ -n $other ]]; then
  for module in "$plugin" "$impl"; do
    "$other" -std=c++17 -c src/store.cc -o other.o -fplugin="$module" -fplugin-arg-lockcheck-out=facts 2>other.err
    rc=$?
    [[ $rc == 1 ]] && grep -q "^error: $module: lockcheck's plugin is built for Clang [0-9]* and cannot run in Clang 14" other.err &&
      grep -q "compile with clang++-" other.err && [[ $(wc -l <other.err) == 1 ]] ||
      { cat other.err; fail "clang++-14 did not refuse $module with one clear line (exit $rc)"; }
  done
else
  echo "note: no clang++-14 here; the refusal of another Clang is not exercised"
fi
echo "PASSED: the plugin leaves compiles unchanged, writes extract's facts, fails clearly"
