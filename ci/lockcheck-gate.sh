#!/usr/bin/env bash
# CI gate for projects that use lockcheck: analyses the given paths as one program, prints the
# text report for the log, writes SARIF for code-scanning upload, and exits with lockcheck's own
# status so the job fails exactly when lockcheck says so.
#
# usage: lockcheck-gate.sh [OPTIONS] [PATH...] [-- EXTRA_COMPILER_FLAGS]
#   -b, --lockcheck BIN    lockcheck binary       (env LOCKCHECK_BIN; default: next to this
#                                                  script, else `lockcheck` on PATH)
#   -p, --build-dir DIR    compile_commands.json  (env BUILD_DIR; default: lockcheck's search,
#                                                  build/ and upward from the first path)
#   -s, --sarif FILE       SARIF output           (env SARIF_OUT; default lockcheck.sarif;
#                                                  "" or "-" writes none)
#   --baseline FILE        known findings         (env BASELINE; only new findings fail)
#   --changed-since REV    pull requests: only findings REV's version of the program does
#                          not have (REV's version of the changed files is analysed too;
#                          needs REV's commit in the clone)    (env CHANGED_SINCE)
#   --config FILE          .lockcheck.json        (env LOCKCHECK_CONFIG; default: found upward)
#   --cache-dir DIR        facts cache, worth keeping between CI runs (env CACHE_DIR; default:
#                                                  next to compile_commands.json)
#   -j N                   parallel jobs          (env JOBS; default: all processors)
#   PATH...                files or directories   (env LOCKCHECK_PATHS, space-separated; default .)
# Which severity fails is `fail_on` in .lockcheck.json (default: warning).
#
# Exit status, lockcheck's: 0 no findings at or above the failing severity, 1 findings,
# 2 usage or input error (also: lockcheck not found, SARIF not written).
# Run it from the repository root: paths in the report and in SARIF are relative to it.
set -uo pipefail

usage() { sed -n '2,/^set /{/^set /d;s/^# \{0,1\}//;p}' "$0"; }
die() { echo "lockcheck-gate: $*" >&2; exit 2; }

bin=${LOCKCHECK_BIN:-}
build_dir=${BUILD_DIR:-}
sarif=${SARIF_OUT-lockcheck.sarif}
baseline=${BASELINE:-}
changed_since=${CHANGED_SINCE:-}
config=${LOCKCHECK_CONFIG:-}
cache_dir=${CACHE_DIR:-}
jobs=${JOBS:-$(nproc 2>/dev/null || echo 1)}
paths=() flags=()

need() { (($# >= 2)) || die "$1 needs a value"; }
while (($#)); do
  case $1 in
    -b | --lockcheck) need "$@"; bin=$2; shift ;;
    -p | --build-dir) need "$@"; build_dir=$2; shift ;;
    -s | --sarif) need "$@"; sarif=$2; shift ;;
    --baseline) need "$@"; baseline=$2; shift ;;
    --changed-since) need "$@"; changed_since=$2; shift ;;
    --config) need "$@"; config=$2; shift ;;
    --cache-dir) need "$@"; cache_dir=$2; shift ;;
    -j) need "$@"; jobs=$2; shift ;;
    -h | --help) usage; exit 0 ;;
    --) shift; flags=(-- "$@"); break ;;
    -*) die "unknown option '$1' (see --help)" ;;
    *) paths+=("$1") ;;
  esac
  shift
done
if ((${#paths[@]} == 0)); then
  read -r -a paths <<<"${LOCKCHECK_PATHS:-.}"
fi

if [[ -z $bin ]]; then
  here=$(dirname "$0")
  if [[ -x $here/lockcheck && ! -d $here/lockcheck ]]; then bin=$here/lockcheck
  else bin=$(command -v lockcheck) || die "lockcheck not found: put it on PATH or set LOCKCHECK_BIN"
  fi
fi
[[ -x $bin ]] || die "LOCKCHECK_BIN=$bin is not an executable file"

args=(-j "$jobs")
[[ -n $build_dir ]] && args+=(-p "$build_dir")
[[ -n $baseline ]] && args+=(--baseline "$baseline")
[[ -n $changed_since ]] && args+=(--changed-since "$changed_since")
[[ -n $config ]] && args+=(--config "$config")
[[ -n $cache_dir ]] && args+=(--cache-dir "$cache_dir")

# The text report for the log. The SARIF run after it reuses the facts cache, so only the
# cheap whole-program link phase runs twice.
"$bin" "${args[@]}" "${paths[@]}" "${flags[@]}"
status=$?
case $status in 0 | 1 | 2) ;; *) die "lockcheck stopped with status $status" ;; esac

if [[ -n $sarif && $sarif != - ]]; then
  rm -f "$sarif"
  "$bin" --quiet "${args[@]}" --format sarif -o "$sarif" "${paths[@]}" "${flags[@]}"
  sarif_status=$?
  [[ -s $sarif ]] || { echo "lockcheck-gate: no SARIF written to $sarif (status $sarif_status)" >&2; exit 2; }
  ((sarif_status == status)) ||
    echo "lockcheck-gate: warning: the SARIF run ended with status $sarif_status, the report with $status" >&2
  echo "lockcheck-gate: SARIF written to $sarif" >&2
fi
exit "$status"
