#!/usr/bin/env bash
# `cmake --install` into a temporary prefix, then the installed binary alone: it must find its
# rule packs and rule docs relative to itself (<prefix>/share/...), not in this source tree.
# With CLANGXX, the installed Clang plugin too (<prefix>/lib): it loads, finds the installed
# packs, and `lockcheck link` of its facts reports what the binary reports.
#
# usage: install_test.sh LOCKCHECK_BIN BUILD_DIR [CLANGXX]
set -uo pipefail

lockcheck_bin=${1:?usage: $0 LOCKCHECK_BIN BUILD_DIR}
build_dir=${2:?usage: $0 LOCKCHECK_BIN BUILD_DIR}
clangxx=${3:-}

fail() { echo "FAILED: $*"; exit 1; }
samples=$(cd "$(dirname "$0")" && pwd)
[[ -x $lockcheck_bin ]] || fail "no lockcheck binary at $lockcheck_bin (build it first)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work/home XDG_CACHE_HOME=$work/cache
mkdir -p "$HOME"
prefix=$work/prefix

cmake --install "$build_dir" --prefix "$prefix" >"$work/install.log" 2>&1 ||
  { cat "$work/install.log"; fail "cmake --install failed"; }
bin=$prefix/bin/lockcheck
[[ -x $bin ]] || fail "no $bin"
for f in share/doc/lockcheck/user-guide.md share/doc/lockcheck/rules/blocking-under-lock.md bin/lockcheck-gate; do
  [[ -s $prefix/$f ]] || fail "not installed: $f"
done
ls "$prefix"/share/lockcheck/rules/*.json >/dev/null 2>&1 || fail "no rule packs in share/lockcheck/rules"

# Shared libraries resolve (RPATH to LLVM's directory).
if command -v ldd >/dev/null; then
  ldd "$bin" >"$work/ldd" 2>&1
  ! grep -q "not found" "$work/ldd" || { cat "$work/ldd"; fail "unresolved shared libraries"; }
fi

out=$("$bin" --version 2>&1) || fail "--version: exit $?: $out"
grep -Eq "^lockcheck [0-9]+\.[0-9]+\.[0-9]+" <<<"$out" || fail "--version printed: $out"

out=$("$bin" --list-rules 2>&1) || fail "--list-rules: exit $?: $out"
for rule in blocking-under-lock lock-across-await unbounded-lock-wait double-lock unlock-not-held \
            lock-not-released lock-order-inversion unnamed-guard manual-lock; do
  grep -q "$rule" <<<"$out" || fail "--list-rules does not list $rule: $out"
done

# --explain prints the installed page: mark the installed copy and look for the mark.
echo "<!-- installed copy $$ -->" >>"$prefix/share/doc/lockcheck/rules/blocking-under-lock.md"
out=$("$bin" --explain blocking-under-lock 2>&1) || fail "--explain: exit $?: $out"
grep -q "^# blocking-under-lock" <<<"$out" || fail "--explain did not print the doc page: $out"
grep -q "installed copy $$" <<<"$out" || fail "--explain printed a page other than the installed one"

# Analysis with the installed packs.
mkdir "$work/src"
cp "$samples/bcrypt_under_lock.cpp" "$work/src/auth.cpp"
cd "$work" || fail "no $work"
out=$("$bin" --quiet --no-cache src 2>&1)
rc=$?
[[ $rc -eq 1 ]] || fail "installed binary on a bad file: exit $rc, expected 1: $out"
grep -Eq "^src/auth.cpp:13:[0-9]+: error: .*crypt_r.*\[blocking-under-lock\]" <<<"$out" ||
  fail "installed binary: no blocking-under-lock at src/auth.cpp:13: $out"

# The installed plugin: the same finding through a compile and a link.
plugin=$prefix/lib/liblockcheck-plugin.so
if [[ -n $clangxx ]]; then
  [[ -f $plugin ]] && ls "$prefix"/lib/liblockcheck-plugin-clang*.so >/dev/null 2>&1 || fail "the plugin is not installed in lib/"
  "$clangxx" -std=c++20 -c src/auth.cpp -o auth.o -fplugin="$plugin" -fplugin-arg-lockcheck-out=facts 2>"$work/plugin.err" ||
    { cat "$work/plugin.err"; fail "a compile with the installed plugin failed"; }
  [[ ! -s $work/plugin.err ]] || { cat "$work/plugin.err"; fail "the installed plugin printed something"; }
  out=$("$bin" link facts 2>&1)
  rc=$?
  [[ $rc -eq 1 ]] && grep -Eq "^src/auth.cpp:13:[0-9]+: error: .*crypt_r.*\[blocking-under-lock\]" <<<"$out" ||
    fail "link of the installed plugin's facts (exit $rc): $out"
fi

# ... and they are the installed packs: a broken pack dropped into the installed directory
# must make the installed binary (and plugin) refuse to run, naming that file.
echo '{ not json' >"$prefix/share/lockcheck/rules/zz-broken.json"
out=$("$bin" --quiet --no-cache src 2>&1)
rc=$?
[[ $rc -eq 2 ]] && grep -q "$prefix/share/lockcheck/rules/zz-broken.json" <<<"$out" ||
  fail "installed binary did not read its packs from $prefix/share/lockcheck/rules (exit $rc): $out"
if [[ -n $clangxx ]]; then
  out=$("$clangxx" -std=c++20 -c src/auth.cpp -o auth.o -fplugin="$plugin" -fplugin-arg-lockcheck-out=facts 2>&1)
  rc=$?
  [[ $rc -ne 0 ]] && grep -q "$prefix/share/lockcheck/rules/zz-broken.json" <<<"$out" ||
    fail "the installed plugin did not read its packs from $prefix/share/lockcheck/rules (exit $rc): $out"
fi

echo "PASSED: installed tree works on its own"
