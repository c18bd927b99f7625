#!/usr/bin/env bash
# The checker under AddressSanitizer + UndefinedBehaviorSanitizer: builds it into
# ${ASAN_BUILD_DIR:-build-asan} and runs the unit tests (parsers' fuzz test included) and
# every fixture. Any sanitizer report fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${ASAN_BUILD_DIR:-build-asan}
# -O0 -g1 (line tables only): readable stacks. -O0, not -O1: GCC compiles an instrumented
# source in 0.38 x the time, and the run is no slower, since Clang's uninstrumented parse
# dominates it (docs/design.md "CI's time").
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O0 -g1" \
  -DLOCKCHECK_SANITIZE=ON -DLOCKCHECK_BUILD_SERVER=OFF >/dev/null
cmake --build "$dir" -j"$(nproc)" --target lockcheck lockcheck_unit_tests lockcheck_fixture_tests
# LLVM's libraries are not instrumented: container-overflow annotations, and the manual
# poisoning of LLVM's bump allocator (its slabs are poisoned by header code inlined here and
# carved by library code that never unpoisons), would disagree across that boundary, so
# those two checks are off; everything else halts on the first error.
# Reports also go to files: lockcheck analyses each file in a worker process, and a worker's
# report at exit (a leak) reaches the parent only as a warning, so the files are the verdict.
reports="$PWD/$dir/sanitizer-reports"
rm -rf "$reports" && mkdir -p "$reports"
export ASAN_OPTIONS=detect_leaks=1:detect_container_overflow=0:allow_user_poisoning=0:abort_on_error=0:halt_on_error=1:log_path=$reports/asan
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$reports/ubsan
export LSAN_OPTIONS=suppressions=$PWD/ci/lsan.supp
ctest --test-dir "$dir" --output-on-failure -j"$(nproc)" -L 'fixtures|unit'
if compgen -G "$reports/*" >/dev/null; then
  echo "sanitize-checker: sanitizer reports found:" >&2
  for f in "$reports"/*; do echo "== $f" >&2; head -60 "$f" >&2; done
  exit 1
fi
echo "sanitize-checker: no sanitizer report"
