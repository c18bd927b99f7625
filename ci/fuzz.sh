#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, docs/design.md "Fuzzing") with clang++-19 and
# runs each for FUZZ_SECONDS (default 5: the six targets take about 30 s in all, CI has a
# 45-minute budget) over its seed corpus. Any crash, sanitizer report, leak, timeout or
# failed check fails the job; the input is saved as ${FUZZ_BUILD_DIR}/<target>-crash-*:
# add it to tests/fuzz/<target>/corpus/ with the fix. Longer runs by hand: FUZZ_SECONDS=600.
# New inputs the fuzzers find go to a scratch directory, not into the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${FUZZ_BUILD_DIR:-build-fuzz}
seconds=${FUZZ_SECONDS:-5}
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S tests/fuzz -B "$build" -DCMAKE_CXX_COMPILER=clang++-19 -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
start=$SECONDS
for corpus in tests/fuzz/*/corpus; do
  target=$(basename "$(dirname "$corpus")")
  mkdir -p "$scratch/$target"
  echo "ci/fuzz.sh: $target for ${seconds} s"
  # -max_len: mutate small inputs fast (the deep seeds are read truncated to it).
  # -timeout: one input taking 10 s is a finding (a hang), and it bounds the run's length.
  rc=0
  timeout --kill-after=10 $((seconds + 60)) \
    "$build/${target}_fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=3072 -max_len=8192 \
    -print_final_stats=1 -artifact_prefix="$build/$target-" "$scratch/$target" "$corpus" > "$scratch/$target.log" 2>&1 || rc=$?
  grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units)" "$scratch/$target.log" || true
  if [ "$rc" -ne 0 ]; then
    tail -n 60 "$scratch/$target.log"
    echo "ci/fuzz.sh: $target failed (exit $rc); the input is in $build/$target-*"
    exit 1
  fi
done
echo "ci/fuzz.sh: every target ran ${seconds} s without a finding ($((SECONDS - start)) s in all)"
