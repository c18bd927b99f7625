#!/usr/bin/env bash
# The checker under AddressSanitizer + UndefinedBehaviorSanitizer: builds it into
# ${ASAN_BUILD_DIR:-build-asan} and runs the unit tests (parsers' fuzz test included) and
# every fixture. Any sanitizer report fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${ASAN_BUILD_DIR:-build-asan}
# -O1 -g1 (line tables only): readable stacks at a fraction of full debug info's build time.
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
  -DLOCKCHECK_SANITIZE=ON -DLOCKCHECK_BUILD_SERVER=OFF >/dev/null
cmake --build "$dir" -j"$(nproc)" --target lockcheck lockcheck_unit_tests lockcheck_fixture_tests
# LLVM's libraries are not instrumented: container-overflow annotations would disagree
# across that boundary, so that one check is off; everything else halts on the first error.
export ASAN_OPTIONS=detect_leaks=1:detect_container_overflow=0:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$PWD/ci/lsan.supp
ctest --test-dir "$dir" --output-on-failure -j"$(nproc)" -L 'fixtures|unit' 
