#!/usr/bin/env bash
# Installs what lockcheck and its reference server need, from Debian's archive only,
# and only what is missing (a second run does nothing).
set -euo pipefail
packages=(
  cmake make g++ git python3 curl ca-certificates
  clang-19 libclang-19-dev libclang-cpp19-dev llvm-19-dev
  libclang-rt-19-dev  # -fsanitize=fuzzer for the fuzz targets (ci/fuzz.sh)
  nlohmann-json3-dev libgtest-dev
  libboost1.81-dev libpqxx-dev postgresql libcrypt-dev libssl-dev
  python3-jsonschema pre-commit
  neovim  # the language server test drives its built-in LSP client (docs/editors.md)
  prometheus systemd  # promtool, systemd-analyze: the deployment test (docs/deployment.md)
  bazel-bootstrap ninja-build
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "ci/setup.sh: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
