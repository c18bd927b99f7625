#!/usr/bin/env bash
# The pre-commit hook (id `lockcheck` in .pre-commit-hooks.yaml): analyses the repository's
# program and refuses the commit when it has a finding that HEAD's version of the program
# does not have (`--changed-since HEAD`: HEAD's version of the changed files is analysed
# too, and findings are matched as a baseline matches them, without line numbers). Findings
# the code already had do not block it, wherever the change is.
#
# usage: pre-commit-hook.sh [LOCKCHECK_OPTIONS...] [-- EXTRA_COMPILER_FLAGS]
#   The options come from the hook's `args:` (e.g. [-p, build]). The program: with a
#   compilation database (-p/--build-dir given, or build/compile_commands.json or
#   compile_commands.json at the root) the repository root, which lockcheck reads as the
#   sources the database lists (another platform's sources, unlisted, are skipped); without
#   one, every C++ source git tracks. Files not to analyse: `exclude` in .lockcheck.json.
#   pre-commit runs this from the repository root with unstaged changes stashed, so the
#   tree is what is being committed.
# Environment:
#   LOCKCHECK                the lockcheck binary (default: `lockcheck` on PATH)
#   LOCKCHECK_CHANGED_SINCE  the revision changes are measured from (default: pre-commit's
#                            PRE_COMMIT_FROM_REF when it sets one — pre-push, --from-ref —
#                            else HEAD; with no commit yet every finding counts)
# Exit status: lockcheck's own (0 clean, 1 findings, 2 usage or input error); 2 if lockcheck
# or git cannot be found.
set -euo pipefail

bin=${LOCKCHECK:-}
if [[ -z $bin ]]; then
  bin=$(command -v lockcheck || true)
  if [[ -z $bin ]]; then
    echo "lockcheck: not found on PATH. Install it (docs/user-guide.md) or set LOCKCHECK=/path/to/lockcheck;" \
         "SKIP=lockcheck git commit ... skips this hook once." >&2
    exit 2
  fi
elif [[ ! -x $bin ]]; then
  echo "lockcheck: LOCKCHECK=$bin is not an executable file" >&2
  exit 2
fi
command -v git >/dev/null || { echo "lockcheck: git is not on PATH" >&2; exit 2; }

# Options before `--`, compiler flags after it: the paths have to go between them.
options=() flags=()
while (($#)); do
  if [[ $1 == -- ]]; then
    shift
    flags=(-- "$@")
    break
  fi
  options+=("$1")
  shift
done

# With a compilation database, the root: lockcheck analyses what the database lists under it.
database=no
for ((i = 0; i < ${#options[@]}; i++)); do
  case ${options[i]} in
    -p | --build-dir | -p?*) database=yes ;;
  esac
done
[[ -f build/compile_commands.json || -f compile_commands.json ]] && database=yes

paths=()
if [[ $database == yes ]]; then
  paths=(.)
else
  # Tracked C++ sources, as lockcheck recognises them (headers are analysed through them).
  while IFS= read -r -d '' f; do
    case $f in
      *.cpp | *.cc | *.cxx | *.c++ | *.cp | *.C | *.CPP) [[ -f $f ]] && paths+=("$f") ;;
    esac
  done < <(git ls-files -z --cached)
  ((${#paths[@]})) || exit 0
fi

since=${LOCKCHECK_CHANGED_SINCE:-${PRE_COMMIT_FROM_REF:-HEAD}}
changed=()
if git rev-parse --verify --quiet "$since^{commit}" >/dev/null; then
  changed=(--changed-since "$since")
fi

exec "$bin" --quiet "${changed[@]}" "${options[@]}" "${paths[@]}" "${flags[@]}"
