#!/usr/bin/env python3
"""End to end: the bcrypt-under-lock sample, built in a scratch directory and run under
liblockcheck-runtime.so, yields one event at the crypt_r line; `lockcheck compare` finds it
covered by the static report (exit 0). A second program hides crypt_r behind a function pointer
the static analysis cannot follow: compare lists that line as a static miss (exit 1).

usage: bcrypt_compare_test.py LIBRUNTIME LOCKCHECK SAMPLE.cpp"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

LIB, LOCKCHECK, SAMPLE = map(os.path.abspath, sys.argv[1:4])
work = tempfile.mkdtemp(prefix="lockcheck-bcrypt-")
failures = []


def check(name, condition, detail=""):
    print(("ok    " if condition else "FAIL  ") + name + ("" if condition else ": " + detail))
    if not condition:
        failures.append(name)


def line_of(path, text):
    with open(path, encoding="utf-8") as f:
        return next(n for n, l in enumerate(f, 1) if text in l)


MAIN = r"""#include <string>
extern std::string stored_hash;
bool login(const std::string &password);
int main() {
  stored_hash = "$2b$04$abcdefghijklmnopqrstuu"; // a bcrypt salt: login() hashes once
  login("secret");
  return 0;
}
"""
HIDDEN = r"""#include <crypt.h>
#include <mutex>
std::mutex mu;
// The callee is chosen at run time: no static call graph has an edge to crypt_r here.
char *(*volatile hash)(const char *, const char *, struct crypt_data *) = crypt_r;
int main() {
  std::lock_guard<std::mutex> lock(mu);
  struct crypt_data data{};
  return hash("secret", "$2b$04$abcdefghijklmnopqrstuu", &data) ? 0 : 1; // hidden call
}
"""


def build_and_observe(name, sources):
    exe = os.path.join(work, name)
    subprocess.run(["c++", "-std=c++20", "-g", "-O2", *sources, "-o", exe, "-lcrypt", "-pthread"], check=True)
    report = os.path.join(work, name + ".runtime.json")
    env = dict(os.environ, LD_PRELOAD=LIB, LOCKCHECK_RUNTIME_OUTPUT=report)
    env.pop("LOCKCHECK_RUNTIME_OWNER_PID", None)
    proc = subprocess.run([exe], env=env, cwd=work, capture_output=True, text=True, timeout=60)
    check(f"{name}: runs", proc.returncode == 0, proc.stderr)
    with open(report, encoding="utf-8") as f:
        return report, json.load(f)


def static_report(name, source):
    report = os.path.join(work, name + ".static.json")
    subprocess.run([LOCKCHECK, source, "--format", "json", "-o", report, "--quiet", "--no-cache"], cwd=work)
    return report


def compare(static, runtime):
    return subprocess.run([LOCKCHECK, "compare", static, runtime], capture_output=True, text=True)


sample = os.path.join(work, "bcrypt_under_lock.cpp")
shutil.copy(SAMPLE, sample)
with open(os.path.join(work, "main.cpp"), "w") as f:
    f.write(MAIN)
runtime, report = build_and_observe("login", [sample, os.path.join(work, "main.cpp")])
crypt_line = line_of(sample, "crypt_r(")
got = [(f["blocking"], os.path.basename(f["file"]), f["line"]) for f in report["findings"]]
check("login: one event at the crypt_r line", got == [("crypt_r", "bcrypt_under_lock.cpp", crypt_line)], str(got))
if report["findings"]:
    acquired = [t["line"] for t in report["findings"][0]["trace"] if t["note"].endswith("acquired here")]
    check("login: lock taken at the lock_guard", acquired == [line_of(sample, "lock_guard")], str(acquired))
    check("login: names the function", report["findings"][0]["function"] == "login", report["findings"][0]["function"])
static = static_report("login", sample)
with open(static, encoding="utf-8") as f:
    static_json = json.load(f)
# Same schema as `lockcheck --format json` (docs/spec.md §6): its keys, in its order, then the runtime's own.
check("schema: top-level keys", list(report)[:len(static_json)] == list(static_json),
      f"{list(report)} vs {list(static_json)}")
if report["findings"] and static_json["findings"]:
    s_keys, r_keys = list(static_json["findings"][0]), list(report["findings"][0])
    check("schema: finding keys", r_keys[:len(s_keys)] == s_keys, f"{r_keys} vs {s_keys}")
    s_step, r_step = static_json["findings"][0]["trace"][0], report["findings"][0]["trace"][0]
    check("schema: trace step keys", list(r_step) == list(s_step), f"{list(r_step)} vs {list(s_step)}")
result = compare(static, runtime)
check("login: compare exits 0 (covered)", result.returncode == 0, result.stdout + result.stderr)
check("login: compare counts it covered", "covered by the static report: 1" in result.stdout, result.stdout)

hidden = os.path.join(work, "hidden.cpp")
with open(hidden, "w") as f:
    f.write(HIDDEN)
runtime, report = build_and_observe("hidden", [hidden])
hidden_line = line_of(hidden, "// hidden call")
result = compare(static_report("hidden", hidden), runtime)
check("hidden: compare exits 1 (static miss)", result.returncode == 1, result.stdout + result.stderr)
check("hidden: the miss names the line", f"hidden.cpp:{hidden_line}: crypt_r() blocks" in result.stdout, result.stdout)

shutil.rmtree(work, ignore_errors=True)
print(f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
