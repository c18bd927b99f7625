#!/usr/bin/env bash
# Runs the real `pre-commit` against a throwaway project that takes lockcheck's hook from this
# repository (.pre-commit-hooks.yaml) the way a user's project would: by `repo:` and `rev:`.
# No network: the hook source is a local git repository holding this working tree's hook files.
#
# usage: pre_commit_test.sh LOCKCHECK_BIN
# Exit 77 (ctest: skipped) when pre-commit or git is not installed (ci/setup.sh installs both).
set -uo pipefail

lockcheck_bin=${1:?usage: $0 LOCKCHECK_BIN}
src_root=$(cd "$(dirname "$0")/../.." && pwd)

skip() { echo "SKIPPED: $*"; exit 77; }
fail() { echo "FAILED: $*"; exit 1; }

command -v git >/dev/null || skip "git is not installed"
command -v pre-commit >/dev/null || skip "pre-commit is not installed (apt-get install pre-commit)"
[[ -x $lockcheck_bin ]] || fail "no lockcheck binary at $lockcheck_bin"
lockcheck_bin=$(cd "$(dirname "$lockcheck_bin")" && pwd)/$(basename "$lockcheck_bin")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Nothing outside $work: pre-commit's clone cache, git's and lockcheck's caches, configuration.
export HOME=$work/home PRE_COMMIT_HOME=$work/pre-commit-home XDG_CACHE_HOME=$work/cache
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null PRE_COMMIT_COLOR=never
export GIT_AUTHOR_NAME=test GIT_AUTHOR_EMAIL=test@example.invalid
export GIT_COMMITTER_NAME=test GIT_COMMITTER_EMAIL=test@example.invalid
unset LOCKCHECK LOCKCHECK_CHANGED_SINCE SKIP PRE_COMMIT_FROM_REF PRE_COMMIT_TO_REF
mkdir -p "$HOME"

# lockcheck found on PATH, as a user would have it (a symlink: the binary still finds its packs).
mkdir "$work/bin"
ln -s "$lockcheck_bin" "$work/bin/lockcheck"
base_path=$PATH
export PATH=$work/bin:$base_path

# The hook source: this working tree's hook definition and script, committed so that a `rev`
# names them (pre-commit clones the repository at that commit).
hooks=$work/hooks
mkdir -p "$hooks/ci"
cp "$src_root/.pre-commit-hooks.yaml" "$hooks/"
cp -p "$src_root/ci/pre-commit-hook.sh" "$hooks/ci/"
git -C "$hooks" init -q
git -C "$hooks" add -A
git -C "$hooks" commit -q -m "lockcheck hook" || fail "cannot commit the hook source"
rev=$(git -C "$hooks" rev-parse HEAD)

project=$work/project
mkdir -p "$project/src"
cd "$project" || fail "no $project"
git init -q
cat >.pre-commit-config.yaml <<YAML
repos:
  - repo: $hooks
    rev: $rev
    hooks:
      - id: lockcheck
YAML

# crypto.cpp blocks (crypt_r); store.cpp calls it. The bad change is in store.cpp only, so the
# hook must analyse both files together to see it.
cat >src/crypto.h <<'CPP'
#pragma once
#include <string>
bool verify_password(const std::string &password, const std::string &hash);
CPP
cat >src/crypto.cpp <<'CPP'
#include "crypto.h"
#include <crypt.h>

bool verify_password(const std::string &password, const std::string &hash) {
  struct crypt_data data{};
  const char *out = crypt_r(password.c_str(), hash.c_str(), &data);
  return out != nullptr && hash == out;
}
CPP
cat >src/store.cpp <<'CPP'
#include "crypto.h"
#include <map>
#include <mutex>
#include <string>

std::mutex store_mu;
std::map<std::string, std::string> hashes;

void set_hash(const std::string &user, const std::string &hash) {
  std::lock_guard<std::mutex> lock(store_mu);
  hashes[user] = hash;
}
CPP

pre-commit install >"$work/install.log" 2>&1 || { cat "$work/install.log"; fail "pre-commit install failed"; }

# commit MESSAGE: runs `git commit` (and so the hook); sets $rc and $out.
commit() {
  out=$(git commit -m "$1" 2>&1)
  rc=$?
}

# 1. The first commit (no HEAD yet: every finding counts) is clean and passes.
git add -A
commit "initial"
[[ $rc -eq 0 ]] || { echo "$out"; fail "a clean first commit was refused (exit $rc)"; }
grep -q "lockcheck (locks held across blocking work).*Passed" <<<"$out" ||
  { echo "$out"; fail "the lockcheck hook did not run on the first commit"; }
first=$(git rev-parse HEAD)

# 2. A commit that calls the bcrypt verifier under the store's lock is refused.
cat >>src/store.cpp <<'CPP'

bool login(const std::string &user, const std::string &password) {
  std::lock_guard<std::mutex> lock(store_mu);
  return verify_password(password, hashes[user]);
}
CPP
git add src/store.cpp
commit "login under the lock"
[[ $rc -ne 0 ]] || { echo "$out"; fail "the commit adding crypt_r under a lock_guard was accepted"; }
grep -q "lockcheck (locks held across blocking work).*Failed" <<<"$out" ||
  { echo "$out"; fail "the lockcheck hook is not what refused the commit"; }
grep -Eq "src/store.cpp:16:[0-9]+: error: .*\[blocking-under-lock\]" <<<"$out" ||
  { echo "$out"; fail "no blocking-under-lock finding at src/store.cpp:16"; }
grep -q "crypt_r" <<<"$out" || { echo "$out"; fail "the finding does not name crypt_r"; }
[[ $(git rev-parse HEAD) == "$first" ]] || fail "HEAD moved although the hook failed"

# 3. The same commit, lockcheck named by $LOCKCHECK and absent from PATH: still refused.
export PATH=$base_path
export LOCKCHECK=$lockcheck_bin
commit "login under the lock, LOCKCHECK set"
unset LOCKCHECK
[[ $rc -ne 0 ]] && grep -q "\[blocking-under-lock\]" <<<"$out" ||
  { echo "$out"; fail "with LOCKCHECK set (exit $rc) the bad commit was not refused for blocking-under-lock"; }
# ... and with neither, the hook fails and says why rather than passing silently.
commit "login under the lock, no lockcheck"
[[ $rc -ne 0 ]] && grep -q "lockcheck: not found on PATH" <<<"$out" ||
  { echo "$out"; fail "without a lockcheck binary the hook did not fail with its message (exit $rc)"; }
export PATH=$work/bin:$base_path

# 4. The fix (acquire, read, drop, then hash) commits, while an old finding elsewhere that this
#    commit does not touch (legacy.cpp, committed with --no-verify) does not block it.
cat >src/legacy.cpp <<'CPP'
#include "crypto.h"
#include <mutex>
#include <string>

std::mutex legacy_mu;

bool legacy_check(const std::string &password, const std::string &hash) {
  std::lock_guard<std::mutex> lock(legacy_mu);
  return verify_password(password, hash);
}
CPP
git reset -q
git checkout -q -- src/store.cpp
git add src/legacy.cpp
git commit -q --no-verify -m "legacy code with a finding" || fail "cannot commit legacy.cpp"
legacy=$(git rev-parse HEAD)
cat >>src/store.cpp <<'CPP'

bool login(const std::string &user, const std::string &password) {
  std::string hash;
  {
    std::lock_guard<std::mutex> lock(store_mu);
    hash = hashes[user];
  }
  return verify_password(password, hash);
}
CPP
git add src/store.cpp
commit "login: hash outside the lock"
[[ $rc -eq 0 ]] || { echo "$out"; fail "the fixed commit was refused (exit $rc)"; }
grep -q "lockcheck (locks held across blocking work).*Passed" <<<"$out" ||
  { echo "$out"; fail "the lockcheck hook did not run on the fixed commit"; }
[[ $(git rev-parse HEAD^) == "$legacy" ]] || fail "the fixed commit did not land"

# 5. A commit that creates a finding away from the lines it touches: the guard's scope closed
#    below a slow call instead of above it (the finding is at the call, which the diff does not
#    touch). HEAD's version of the program does not have it: refused.
cat >src/cache.cpp <<'CPP'
#include "crypto.h"
#include <mutex>
#include <string>

std::mutex cache_mu;
std::string cached;

bool check_cached(const std::string &password) {
  std::string hash;
  {
    std::lock_guard<std::mutex> lock(cache_mu);
    hash = cached;
  }
  hash += "";
  hash += "";
  return verify_password(password, hash);
}
CPP
git add src/cache.cpp
commit "cache check"
[[ $rc -eq 0 ]] || { echo "$out"; fail "a clean cache.cpp was refused (exit $rc)"; }
python3 - <<'PY'
p = "src/cache.cpp"
s = open(p).read().replace('  }\n  hash += "";\n  hash += "";\n  return verify_password(password, hash);\n',
                           '  hash += "";\n  hash += "";\n  return verify_password(password, hash);\n  }\n')
open(p, "w").write(s)
PY
git add src/cache.cpp
commit "the lock now covers the hash"
[[ $rc -ne 0 ]] || { echo "$out"; fail "the commit moving the scope's end below verify_password was accepted"; }
grep -Eq "src/cache.cpp:15:[0-9]+: error: .*\[blocking-under-lock\]" <<<"$out" ||
  { echo "$out"; fail "no new finding at src/cache.cpp:15 (the unchanged line the change puts under the lock)"; }
grep -q "src/legacy.cpp" <<<"$out" && { echo "$out"; fail "the old finding in legacy.cpp blocked the commit"; }
git checkout -q -- src/cache.cpp
git reset -q

# 6. With a compilation database (here build/compile_commands.json at the root), the program is
#    what it lists: another platform's source git tracks but the build does not compile is not
#    analysed, so it cannot make every commit fail with "does not parse".
mkdir -p build
cat >src/env_windows.cpp <<'CPP'
#include <windows.h>
void nap() { Sleep(1); }
CPP
python3 - "$project" >build/compile_commands.json <<'PY'
import json, sys
root = sys.argv[1]
print(json.dumps([{"directory": root, "file": "src/%s.cpp" % name, "arguments": ["c++", "-std=c++17", "-c", "src/%s.cpp" % name]}
                  for name in ("crypto", "store", "legacy", "cache")]))
PY
git add src/env_windows.cpp
commit "a Windows-only source"
[[ $rc -eq 0 ]] || { echo "$out"; fail "with a compilation database the unlisted env_windows.cpp still failed the commit (exit $rc)"; }

echo "PASSED: pre-commit refuses crypt_r under a lock_guard, a finding created away from the change, and accepts the fix"
