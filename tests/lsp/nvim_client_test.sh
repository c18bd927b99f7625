#!/usr/bin/env bash
# Issue 14: lockcheck lsp under a real client, neovim's built-in LSP client, headless.
# usage: nvim_client_test.sh LOCKCHECK_BIN
# Skips (77) only when nvim is not installed and CI is not set; in CI it must run.
set -euo pipefail
lockcheck=$(realpath "${1:?usage: $0 LOCKCHECK_BIN}")
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v nvim >/dev/null; then
  [[ -n ${CI:-} ]] && { echo "FAILED: nvim is not installed (ci/setup.sh installs neovim)"; exit 1; }
  echo "SKIPPED: nvim is not installed (apt-get install neovim; ci/setup.sh does)"; exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$here/project" "$work/project"
mkdir -p "$work/home"
# HOME and XDG dirs in the temp dir: no user config, shada or log of the machine is touched.
out=$(cd "$work/project" && HOME="$work/home" XDG_CONFIG_HOME="$work/home" XDG_DATA_HOME="$work/home" \
  XDG_STATE_HOME="$work/home" XDG_CACHE_HOME="$work/home" \
  LOCKCHECK="$lockcheck" PROJECT="$work/project" CACHE="$work/cache" \
  timeout 60 nvim --headless -u NONE -i NONE -n -c "luafile $here/nvim_client_test.lua" 2>&1) && status=0 || status=$?
echo "$out"
if [[ $status != 0 ]]; then
  echo "FAILED: nvim exited with $status"
  log="$work/home/nvim/lsp.log"
  [[ -f $log ]] && tail -n 40 "$log"
  exit 1
fi
grep -q "^FAILED" <<<"$out" && exit 1
grep -q "^ok: the diagnostic disappears" <<<"$out" || { echo "FAILED: the script did not reach its last step"; exit 1; }
echo "PASSED"
