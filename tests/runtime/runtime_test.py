#!/usr/bin/env python3
"""Runs runtime_scenarios under liblockcheck-runtime.so and checks each report: exactly the
expected events (blocking function and source line, found by the markers in the source), the
lock's acquisition line, and the options (abort, categories, minimum hold, signal, fork).

usage: runtime_test.py LIBRUNTIME SCENARIOS_BINARY SCENARIOS_SOURCE"""
import atexit
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

LIB, BINARY, SOURCE = map(os.path.abspath, sys.argv[1:4])
MARKS = {}
for number, text in enumerate(open(SOURCE, encoding="utf-8"), 1):
    for kind, name in re.findall(r"// (expect-event|lock): (\w+)", text):
        MARKS[(kind, name)] = number

failures = []
# Every run's report lives under one directory, removed when the test ends.
SCRATCH = tempfile.mkdtemp(prefix="lockcheck-rt-")
atexit.register(shutil.rmtree, SCRATCH, ignore_errors=True)


def line(kind, name):
    return MARKS[(kind, name)]


def run(scenario, env=None, args=()):
    out_dir = tempfile.mkdtemp(dir=SCRATCH)
    path = os.path.join(out_dir, "report.json")
    full_env = dict(os.environ, LD_PRELOAD=LIB, LOCKCHECK_RUNTIME_OUTPUT=path)
    full_env.pop("LOCKCHECK_RUNTIME_OWNER_PID", None)
    full_env.update(env or {})
    proc = subprocess.run([BINARY, scenario, *[a.replace("{out}", path) for a in args]], env=full_env,
                          capture_output=True, text=True, timeout=60)
    return proc, path


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def events(report):
    return sorted((f["blocking"], f["line"]) for f in report["findings"])


def check(name, condition, detail=""):
    print(("ok    " if condition else "FAIL  ") + name + (": " + detail if detail and not condition else ""))
    if not condition:
        failures.append(name)


def expect(scenario, expected, env=None, locks=None):
    """Runs `scenario`; its report must hold exactly `expected` [(function, line)]."""
    proc, path = run(scenario, env)
    check(f"{scenario}: exits 0", proc.returncode == 0, proc.stderr)
    if not os.path.exists(path):
        check(f"{scenario}: report written", False, path)
        return None
    report = load(path)
    got = events(report)
    check(f"{scenario}: events {expected}", got == sorted(expected), f"got {got}")
    for f in report["findings"]:
        check(f"{scenario}: schema", f["rule"] == "blocking-under-lock" and f["observed"] is True and
              f["file"].endswith("runtime_scenarios.cpp") and f["count"] >= 1, json.dumps(f)[:400])
        if locks and f["line"] in locks:
            acquired = [t["line"] for t in f["trace"] if t["note"].endswith("acquired here")]
            check(f"{scenario}: lock of line {f['line']} acquired at {locks[f['line']]}",
                  acquired == [locks[f["line"]]], f"got {acquired}")
    return report


expect("mutex_read", [("read", line("expect-event", "mutex_read"))],
       locks={line("expect-event", "mutex_read"): line("lock", "mutex_read")})
# The slow mode that unwinds at every lock finds the same acquisition lines.
expect("mutex_read", [("read", line("expect-event", "mutex_read"))], env={"LOCKCHECK_RUNTIME_LOCK_STACKS": "full"},
       locks={line("expect-event", "mutex_read"): line("lock", "mutex_read")})
report = expect("nested", [("read", line("expect-event", "helper")), ("pread", line("expect-event", "nested_outer_only"))],
                locks={line("expect-event", "helper"): line("lock", "nested_inner")})
if report:
    held = {f["blocking"]: f["locks_held"] for f in report["findings"]}
    check("nested: two locks, then one", held == {"read": 2, "pread": 1}, str(held))
expect("trylock", [("read", line("expect-event", "trylock_success"))],
       locks={line("expect-event", "trylock_success"): line("lock", "trylock_success")})
expect("cv_own", [])
expect("cv_other", [("pthread_cond_wait", line("expect-event", "cv_other")),
                    ("pthread_join", line("expect-event", "cv_other_join"))],
       locks={line("expect-event", "cv_other"): line("lock", "cv_other")})
report = expect("rwlock", [("read", line("expect-event", "rw_read")), ("pread", line("expect-event", "rw_write"))],
                locks={line("expect-event", "rw_read"): line("lock", "rw_read"),
                       line("expect-event", "rw_write"): line("lock", "rw_write")})
if report:
    kinds = {f["blocking"]: f["lock"] for f in report["findings"]}
    check("rwlock: read and write kinds", kinds == {"read": "pthread_rwlock (read)", "pread": "pthread_rwlock (write)"},
          str(kinds))
expect("spin", [("usleep", line("expect-event", "spin"))], locks={line("expect-event", "spin"): line("lock", "spin")})
expect("dropped", [])
expect("nonblocking", [("write", line("expect-event", "pipe_write")), ("close", line("expect-event", "pipe_close"))])
expect("early_thread", [("usleep", line("expect-event", "early"))], env={"RUNTIME_SCENARIO_EARLY": "1"},
       locks={line("expect-event", "early"): line("lock", "early")})

report = expect("sleep", [("usleep", line("expect-event", "sleep"))])
if report:
    f = report["findings"][0]
    check("sleep: longest hold measured", f["longest_hold_us"] >= 2000, str(f["longest_hold_us"]))
    check("sleep: category", f["category"] == "sleep", f["category"])
expect("sleep", [], env={"LOCKCHECK_RUNTIME_MIN_HOLD_US": "1000000"})
expect("sleep", [], env={"LOCKCHECK_RUNTIME_CATEGORIES": "io,net"})
expect("sleep", [("usleep", line("expect-event", "sleep"))], env={"LOCKCHECK_RUNTIME_CATEGORIES": "sleep"})

# Fork: the child's event lands in <path>.<pid>, never in the parent's report.
proc, path = run("fork")
check("fork: exits 0", proc.returncode == 0, proc.stderr)
if os.path.exists(path):
    got = events(load(path))
    check("fork: parent report", got == sorted([("read", line("expect-event", "fork_parent")),
                                                ("waitpid", line("expect-event", "fork_wait"))]), str(got))
children = glob.glob(path + ".*")
check("fork: one child report", len(children) == 1, str(children))
if len(children) == 1:
    got = events(load(children[0]))
    check("fork: child report", got == [("pread", line("expect-event", "fork_child"))], str(got))

def expect_killed(name, scenario, signal_number, reason, env=None):
    """`scenario` dies by `signal_number`; its report, written first, has the sleep event and `reason`."""
    proc, path = run(scenario, env=env)
    check(f"{name}: killed by signal {signal_number}", proc.returncode == -signal_number,
          str(proc.returncode) + proc.stderr)
    if not os.path.exists(path):
        check(f"{name}: report written", False)
        return
    report = load(path)
    check(f"{name}: report says why", report["runtime"]["reason"] == reason and
          events(report) == [("usleep", line("expect-event", "sleep"))], json.dumps(report)[:300])


# Abort mode: the report is written, then the process aborts at the first event.
expect_killed("abort", "sleep", 6, "abort", env={"LOCKCHECK_RUNTIME_ABORT": "1"})
# A crash: the report is written from the fatal signal's handler, then the signal kills.
expect_killed("crash", "crash", 11, "fatal-signal")

# SIGUSR2: the report is written at the next blocking call, without exit handlers.
proc, path = run("signal", args=["{out}"])
check("signal: report written before _exit", proc.stdout.strip() == "dumped", proc.stdout + proc.stderr)
if os.path.exists(path):
    report = load(path)
    check("signal: reason and event", report["runtime"]["reason"] == "signal" and
          events(report) == [("usleep", line("expect-event", "sleep"))], json.dumps(report)[:300])

# quick_exit runs at_quick_exit handlers, not atexit ones: the report comes from the former.
report = expect("quick_exit", [("usleep", line("expect-event", "sleep"))])
if report:
    check("quick_exit: reason", report["runtime"]["reason"] == "quick_exit", report["runtime"]["reason"])

# A bad option value is refused on stderr, naming the variable; the runtime is then off for the
# process (nothing recorded, no report), and the program itself runs on and exits 0.
BAD_OPTIONS = [("LOCKCHECK_RUNTIME_MIN_HOLD_US", v) for v in ["10ms", "-5", "abc", " 5", "99999999999999999999"]] + \
              [("LOCKCHECK_RUNTIME_CATEGORIES", v) for v in ["IO", "io,,net", "disk", ",", "io,"]] + \
              [("LOCKCHECK_RUNTIME_ABORT", "yes"), ("LOCKCHECK_RUNTIME_LIBRARY_LOCKS", "true"),
               ("LOCKCHECK_RUNTIME_LOCK_STACKS", "slow"), ("LOCKCHECK_RUNTIME_OUTPUT", "x" * 5000)]
for variable, value in BAD_OPTIONS:
    proc, path = run("sleep", env={variable: value})
    name = f"bad {variable}={value[:24]!r}"
    check(f"{name}: program exits 0", proc.returncode == 0, str(proc.returncode))
    check(f"{name}: refused on stderr", f"{variable}=" in proc.stderr and "not valid" in proc.stderr and
          "the runtime is off" in proc.stderr, proc.stderr)
    check(f"{name}: no report", not os.path.exists(path) and not glob.glob(path + "*"), path)
# Valid spellings the parser must keep accepting.
expect("sleep", [("usleep", line("expect-event", "sleep"))], env={"LOCKCHECK_RUNTIME_CATEGORIES": "io, sleep",
                                                                   "LOCKCHECK_RUNTIME_MIN_HOLD_US": "0",
                                                                   "LOCKCHECK_RUNTIME_LOCK_STACKS": "fast"})


def expect_write_failure(name, output, error_text, preexec=None, setup=None):
    """The report cannot be written to `output`: stderr says so with the reason; nothing is left
    behind in the output's directory but what `setup(dir)` put there (returned as a list)."""
    out_dir = tempfile.mkdtemp(dir=SCRATCH)
    expected = setup(out_dir) if setup else []
    env = dict(os.environ, LD_PRELOAD=LIB, LOCKCHECK_RUNTIME_OUTPUT=output.replace("{dir}", out_dir))
    env.pop("LOCKCHECK_RUNTIME_OWNER_PID", None)
    proc = subprocess.run([BINARY, "sleep"], env=env, capture_output=True, text=True, timeout=60,
                          preexec_fn=preexec)
    check(f"{name}: program exits 0", proc.returncode == 0, str(proc.returncode) + proc.stderr)
    check(f"{name}: failure on stderr", "lockcheck-runtime: the report (1 finding) was not written" in proc.stderr
          and error_text in proc.stderr, proc.stderr)
    left = sorted(os.listdir(out_dir))
    check(f"{name}: nothing left behind", left == expected, str(left))
    return out_dir


# /dev/full accepts the open and fails the write. Through a link, so that a runtime that renames
# over the path replaces the link, never the device itself (the test runs as root in CI).
def link_to_dev_full(out_dir):
    os.symlink("/dev/full", os.path.join(out_dir, "report.json"))
    return ["report.json"]


out_dir = expect_write_failure("write to /dev/full", "{dir}/report.json", "No space left on device",
                               setup=link_to_dev_full)
check("/dev/full written in place, the link kept", os.path.islink(os.path.join(out_dir, "report.json")))
expect_write_failure("missing directory", "{dir}/no/such/dir/report.json", "No such file or directory")


def small_file_limit():
    # A 100-byte file size limit: the first write is cut short, the next fails with EFBIG
    # (SIGXFSZ ignored, as a program that handles the error would).
    import resource
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (100, 100))


expect_write_failure("partial write", "{dir}/report.json", "File too large", preexec=small_file_limit)

print(f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
