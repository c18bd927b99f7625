# Shared by the tests of lockcheck's CMake integration (sourced after `build_dir` is set):
# fail-fast `fail`, a scratch `work` directory removed at exit with HOME and the cache in it,
# and lockcheck installed from `build_dir` into `$work/prefix`, as a user's project finds it.
fail() { echo "FAILED: $*"; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work/home XDG_CACHE_HOME=$work/cache
mkdir -p "$HOME"
cmake --install "$build_dir" --prefix "$work/prefix" >"$work/install.log" 2>&1 ||
  { cat "$work/install.log"; fail "cmake --install failed"; }
