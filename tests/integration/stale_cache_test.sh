#!/usr/bin/env bash
# Issue 25, the cache: no path to a stale result. Each case runs a cached run that is
# clean, changes something the first run depended on without editing any file it read,
# and requires the cached rerun to find what --no-cache finds (exit 1): a missing include
# directory created with a shadowing header, a newer GCC installation, __has_include
# answers that change, an #embed file that appears earlier on the embed path, environment
# variables the compiler reads, and a file name holding a newline (the worker protocol).
# Then cache hygiene: a full cache file system gets one warning and no temporary files.
set -uo pipefail
lockcheck=$(realpath "$1")
tmp=$(mktemp -d)
cleanup() {
  [ -n "${mounted:-}" ] && umount "$mounted" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
source "$(dirname "$0")/cli_test_lib.sh"
cd "$tmp" # so that no build/compile_commands.json of the caller's directory is found

# main.cpp sleeps under `mu` if the util.h it includes says so. A macro, not a function:
# a header found through -isystem is a system header, whose functions are not analysed.
sleeping='#define HELPER_SLEEPS 1\n'
quiet='#define HELPER_SLEEPS 0\n'
project() { # dir, include spelling ("util.h" or <util.h>)
  mkdir -p "$1/src"
  printf '#include <mutex>\n#include <unistd.h>\n#include %s\nstd::mutex mu;\nvoid f() {\n  std::lock_guard<std::mutex> lock(mu);\n#if HELPER_SLEEPS\n  usleep(1);\n#endif\n}\n' \
    "${2:-\"util.h\"}" > "$1/src/main.cpp"
}
# cached DIR ARGS...: a run with the cache in DIR/cache; $rc and $out as run() sets them.
cached() {
  local dir=$1; shift
  run "$lockcheck" --quiet --cache-dir "$dir/cache" "$dir/src" "$@"
}
# expect_stale_free NAME DIR ARGS...: the cached rerun must agree with --no-cache, and find it.
expect_found() {
  local name=$1 dir=$2; shift 2
  cached "$dir" "$@"
  local warm=$rc
  run "$lockcheck" --quiet --no-cache "$dir/src" "$@"
  check "$name: --no-cache finds the blocking call (exit 1)" test "$rc" -eq 1
  check "$name: the cached rerun finds it too (exit $warm)" test "$warm" -eq 1
}

# 1. An include directory that did not exist at the first run (Clang drops it from its
# search path) is created with a header that shadows the one that was read; for each kind
# of search directory.
for kind in -I -isystem -idirafter -iquote; do
  p="$tmp/missing$kind"; project "$p"; mkdir -p "$p/inc_b"
  printf "$quiet" > "$p/inc_b/util.h"
  after=$kind; [ "$kind" = -iquote ] && after=-I # searched after the missing one
  cached "$p" -- "$kind$p/not_yet/inc" "$after$p/inc_b"
  check "missing $kind directory: clean at first" test "$rc" -eq 0
  mkdir -p "$p/not_yet/inc"; printf "$sleeping" > "$p/not_yet/inc/util.h"
  expect_found "missing $kind directory created with a shadowing header" "$p" -- "$kind$p/not_yet/inc" "$after$p/inc_b"
done

# 2. A newer GCC installation (what a new /usr/include/c++/N comes with): the driver picks
# the newest lib/gcc/<triple>/N that has crtbegin.o, and its include/c++/N. A toolchain of
# our own (--gcc-toolchain) stands in for /usr.
p="$tmp/gcc"; mkdir -p "$p/src"
triple=$(gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)
for v in 12 13; do mkdir -p "$p/tc/lib/gcc/$triple/$v" "$p/tc/include/c++/$v"; done
touch "$p/tc/lib/gcc/$triple/12/crtbegin.o"
printf "$quiet" > "$p/tc/include/c++/12/util.h"
printf "$sleeping" > "$p/tc/include/c++/13/util.h"
printf '#include <pthread.h>\n#include <unistd.h>\n#include <util.h>\npthread_mutex_t mu;\nvoid f() {\n  pthread_mutex_lock(&mu);\n#if HELPER_SLEEPS\n  usleep(1);\n#endif\n  pthread_mutex_unlock(&mu);\n}\n' > "$p/src/main.cpp"
cached "$p" -- --gcc-toolchain="$p/tc"
check "newer GCC: clean with GCC 12's headers" test "$rc" -eq 0
touch "$p/tc/lib/gcc/$triple/13/crtbegin.o"
expect_found "a newer GCC installation brings its own C++ headers" "$p" -- --gcc-toolchain="$p/tc"

# 3. __has_include: a file it found is deleted; one it did not find is created, also in a
# directory that did not exist.
p="$tmp/has"; mkdir -p "$p/src" "$p/inc"
cat > "$p/src/main.cpp" <<'CPP'
#include <mutex>
#include <unistd.h>
std::mutex mu;
void f() {
  std::lock_guard<std::mutex> lock(mu);
#if !__has_include("legacy.h")
  usleep(1);
#endif
}
void g() {
  std::lock_guard<std::mutex> lock(mu);
#if __has_include(<feature.h>)
  usleep(2);
#endif
}
CPP
touch "$p/inc/legacy.h"
cached "$p" -- -I"$p/inc" -I"$p/later"
check "__has_include: clean at first" test "$rc" -eq 0
rm "$p/inc/legacy.h"
expect_found "__has_include: the file it found is deleted" "$p" -- -I"$p/inc" -I"$p/later"
touch "$p/inc/legacy.h"
cached "$p" -- -I"$p/inc" -I"$p/later"
check "__has_include: clean again" test "$rc" -eq 0
mkdir -p "$p/later"; touch "$p/later/feature.h"
expect_found "__has_include: a file appears in a directory that did not exist" "$p" -- -I"$p/inc" -I"$p/later"

# 4. #embed (Clang 19: C23, an extension in C++): a file created earlier on the embed
# search path shadows the one that was embedded; the same for a quoted name next to the
# file that embeds it, and for __has_embed.
p="$tmp/embed"; mkdir -p "$p/src" "$p/ea" "$p/eb"
cat > "$p/src/main.cpp" <<'CPP'
#include <mutex>
#include <unistd.h>
std::mutex mu;
constexpr char flag[] = {
#embed <flag.txt>
};
constexpr char near[] = {
#embed "near.txt"
};
void f() {
  std::lock_guard<std::mutex> lock(mu);
  if constexpr (flag[0] == 'y' || near[0] == 'y') usleep(1);
#if __has_embed(<probe.txt>)
  usleep(2);
#endif
}
CPP
printf 'n' > "$p/eb/flag.txt"; printf 'n' > "$p/eb/near.txt"
embed_args=(-- --embed-dir="$p/ea" --embed-dir="$p/eb")
cached "$p" "${embed_args[@]}"
check "#embed: clean at first" test "$rc" -eq 0
printf 'y' > "$p/ea/flag.txt"
expect_found "#embed: a file created earlier on --embed-dir" "$p" "${embed_args[@]}"
rm "$p/ea/flag.txt"; cached "$p" "${embed_args[@]}"
printf 'y' > "$p/src/near.txt"
expect_found "#embed \"name\": a file created next to the source" "$p" "${embed_args[@]}"
rm "$p/src/near.txt"; cached "$p" "${embed_args[@]}"
printf 'x' > "$p/eb/probe.txt"
expect_found "__has_embed: a file appears" "$p" "${embed_args[@]}"

# 5. Environment variables the compiler driver reads between runs.
for var in CPATH CPLUS_INCLUDE_PATH; do
  p="$tmp/env-$var"; mkdir -p "$p/src" "$p/extra"
  printf '#include <mutex>\n#include <unistd.h>\nstd::mutex mu;\nvoid f() {\n  std::lock_guard<std::mutex> lock(mu);\n#if __has_include(<lc_extra.h>)\n  usleep(1);\n#endif\n}\n' > "$p/src/main.cpp"
  touch "$p/extra/lc_extra.h"
  cached "$p"
  check "$var: clean without it" test "$rc" -eq 0
  export "$var=$p/extra"
  expect_found "$var set between runs" "$p"
  unset "$var"
done
# SDKROOT, which the driver reads for Apple targets only: the SDK's headers change.
p="$tmp/sdk"; mkdir -p "$p/src" "$p/sdk-a/usr/include" "$p/sdk-b/usr/include"
cat > "$p/src/main.cpp" <<'CPP'
extern "C" int usleep(unsigned);
extern "C" int pthread_mutex_lock(void *);
extern "C" int pthread_mutex_unlock(void *);
struct M { long x[8]; } mu;
void f() {
  pthread_mutex_lock(&mu);
#if __has_include(<sdk_marker.h>)
  usleep(1);
#endif
  pthread_mutex_unlock(&mu);
}
CPP
touch "$p/sdk-b/usr/include/sdk_marker.h"
sdk_args=(-- -target arm64-apple-macos13 -nostdinc++)
SDKROOT="$p/sdk-a" cached "$p" "${sdk_args[@]}"
check "SDKROOT: clean with the first SDK" test "$rc" -eq 0
export SDKROOT="$p/sdk-b"
expect_found "SDKROOT changed between runs (Apple target)" "$p" "${sdk_args[@]}"
unset SDKROOT

# 6. A file name holding a newline: the parent and its worker pass names framed by length,
# so findings go to the right file and no file's facts are cached under another's key.
p="$tmp/newline"; mkdir -p "$p/src"
nl=$'\n'
odd="$p/src/odd${nl}name.cpp"
sed 's/void f()/void odd()/' "$bad" > "$odd"
printf '#include <mutex>\nstd::mutex m2;\nvoid clean() {\n  std::lock_guard<std::mutex> lock(m2);\n}\n' > "$p/src/plain.cpp"
# the name main.cpp sorts after it: a split name would shift every answer by one file
cp "$bad" "$p/src/z.cpp"
run "$lockcheck" --quiet --format json --cache-dir "$p/cache" -j 1 "$p/src"
check "newline in a name: exit 1" test "$rc" -eq 1
check "newline in a name: two findings, one in each sleeping file" python3 - "$out" "$odd" <<'PY'
import json, sys
report = json.loads(sys.argv[1][sys.argv[1].index("{"):])
files = sorted(f["file"] for f in report["findings"])
sys.exit(not (len(files) == 2 and files[0].endswith("odd\nname.cpp") and files[1].endswith("z.cpp")))
PY
rm "$odd"
run "$lockcheck" --quiet --cache-dir "$p/cache" -j 1 "$p/src"
warm="$out"
run "$lockcheck" --quiet --no-cache -j 1 "$p/src"
check "newline in a name, removed: the cached run reports what --no-cache does" test "$warm" = "$out"
check "newline in a name, removed: z.cpp still has its finding" grep -q "z.cpp:6:3: error: usleep() blocks" <<<"$warm"

# 7. Cache hygiene: a cache file system that is full. One warning for the run (not one per
# file), the findings still reported, and no temporary entry left behind. A 16 KiB tmpfs
# (mounted in a private mount namespace, as root) is the real thing; elsewhere a file size
# limit (ulimit -f, SIGXFSZ ignored) makes the same writes fail with EFBIG.
p="$tmp/full"; mkdir -p "$p/src" "$p/cache"
for i in 1 2 3 4 5 6; do sed "s/void f()/void f$i()/" "$bad" > "$p/src/b$i.cpp"; done
full_run() { # how: tmpfs or ulimit
  if [ "$1" = tmpfs ]; then
    unshare -m sh -c "mount -t tmpfs -o size=16k tmpfs '$p/cache' && \
      '$lockcheck' --quiet -j 2 --cache-dir '$p/cache' '$p/src' > '$p/out' 2>&1; echo \$? > '$p/rc'; ls -A '$p/cache' > '$p/left'"
  else
    rm -rf "$p/cache"; mkdir -p "$p/cache"
    (trap '' XFSZ; ulimit -f 4; "$lockcheck" --quiet -j 2 --cache-dir "$p/cache" "$p/src" > "$p/out" 2>&1; echo $? > "$p/rc")
    ls -A "$p/cache" > "$p/left"
  fi
}
ways=(ulimit)
if [ "$(id -u)" -eq 0 ] && unshare -m sh -c "mount -t tmpfs -o size=16k tmpfs '$p/cache'" 2>/dev/null; then
  ways+=(tmpfs)
else
  echo "skip full tmpfs cache: needs root and mount namespaces (the ulimit case runs)"
fi
for way in "${ways[@]}"; do
  full_run "$way"
  check "full cache ($way): findings reported (exit 1)" test "$(cat "$p/rc")" -eq 1
  check "full cache ($way): six findings" test "$(grep -c 'usleep() blocks' "$p/out")" -eq 6
  check "full cache ($way): one warning" test "$(grep -c 'warning: cannot store results in the cache' "$p/out")" -eq 1
  check "full cache ($way): no temporary files left" bash -c "! grep -q '\.tmp[0-9]' '$p/left'"
done

echo "$failures failed"
test "$failures" -eq 0
