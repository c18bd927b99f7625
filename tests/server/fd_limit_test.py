#!/usr/bin/env python3
"""File descriptors (issue 25): MAX_CONNECTIONS checked against RLIMIT_NOFILE at start, and an
acceptor out of descriptors that backs off instead of spinning.

usage: fd_limit_test.py /path/to/lockcheck-server

Start: with `ulimit -n 100` (soft and hard) and MAX_CONNECTIONS=1024 the server refuses to start
(exit 2, the numbers and the remedy named); with a soft limit of 100 under a hard one of 4096 it
raises the soft limit and starts. Run time: the limit of the running server is lowered (prlimit)
just above what it has open and more clients connect than it can take. Over 3 s it may use little
CPU and write at most two accept_error lines (before: 2.4 s of CPU and 47 MB of log in 3-5 s);
when the clients go, it serves again, and /metrics counts the failed accepts.
"""
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pgcluster import free_port  # noqa: E402
from server_test import Client, check, launch, main_for, server_env, wait_health  # noqa: E402


def nofile(soft, hard):
    return lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def cpu_seconds(pid):
    fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def count_events(path, event):
    with open(path, "rb") as f:
        return f.read().count(b'"event":"%s"' % event.encode())


def log_events(path, event):
    out = []
    for line in open(path, errors="replace"):
        if line.startswith("{") and '"%s"' % event in line:
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
    return out


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def refused(server_bin, args, env, preexec, timeout=30):
    """Runs the server expecting it to refuse at once: (exit code, stderr); (None, ...) if it
    was still running after `timeout` (then it is stopped)."""
    proc = subprocess.Popen([server_bin] + args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, preexec_fn=preexec)
    try:
        _, err = proc.communicate(timeout=timeout)
        return proc.returncode, err
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
        return None, err


def start_limits(server_bin, pg):
    port = free_port()
    env = server_env(pg, port, MAX_CONNECTIONS="1024")
    for args in ([], ["--check-config"]):
        rc, err = refused(server_bin, args, env, nofile(100, 100))
        name = "ulimit -n 100, MAX_CONNECTIONS=1024%s" % (" --check-config" if args else "")
        check(name + ": exit 2", rc == 2, (rc, err[-300:]))
        check(name + ": says why and what to do",
              "MAX_CONNECTIONS=1024 needs" in err and "RLIMIT_NOFILE allows 100" in err and
              "lower MAX_CONNECTIONS to at most" in err, err[-400:])
    # A hard limit too low even for the fixed part: only raising it helps.
    rc, err = refused(server_bin, ["--check-config"], dict(env, MAX_CONNECTIONS="1"), nofile(20, 20))
    check("ulimit -n 20: exit 2, raise the limit", rc == 2 and ": raise the limit" in err, (rc, err[-300:]))

    # The soft limit below what is needed, the hard one above: raised, and the server starts.
    log_path = os.path.join(pg.root, "soft.log")
    with open(log_path, "w") as log:
        proc = launch(server_bin, env, log, preexec_fn=nofile(100, 4096))
        try:
            r = wait_health(Client(port), 200)
            check("soft limit 100 under hard 4096: starts", r is not None and r[0] == 200, r)
            limit = open("/proc/%d/limits" % proc.pid).read()
            check("soft limit raised", any(l.startswith("Max open files") and l.split()[3] == "4096"
                                           for l in limit.splitlines()), limit)
        finally:
            stop(proc)
    listening = log_events(log_path, "listening")
    check("listening line states the budget", listening and listening[0].get("fd_limit") == 4096 and
          listening[0].get("fd_needed", 0) > 1024, listening)


def out_of_descriptors(server_bin, pg):
    port = free_port()
    log_path = os.path.join(pg.root, "fds.log")
    log = open(log_path, "w")
    proc = launch(server_bin, server_env(pg, port, MAX_CONNECTIONS="100", DB_POOL_SIZE="2"), log)
    clients = []
    try:
        c = Client(port)
        r = wait_health(c, 200)
        check("server up", r is not None and r[0] == 200, r)
        open_now = len(os.listdir("/proc/%d/fd" % proc.pid))
        limit = open_now + 4
        resource.prlimit(proc.pid, resource.RLIMIT_NOFILE, (limit, limit))
        for _ in range(20):  # more than it can take; the rest wait in the listen queue
            clients.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        time.sleep(1.0)  # the acceptor has hit the limit and settled into its back-off
        cpu0, errors0 = cpu_seconds(proc.pid), count_events(log_path, "accept_error")
        size0 = os.path.getsize(log_path)
        time.sleep(3.0)
        cpu = cpu_seconds(proc.pid) - cpu0
        errors = count_events(log_path, "accept_error") - errors0
        grown = os.path.getsize(log_path) - size0
        print("out of descriptors for 3 s: %.2f s CPU, %d accept_error lines, log +%d bytes" % (cpu, errors, grown))
        check("out of descriptors: accept failed", errors0 + errors >= 1, errors0 + errors)
        check("out of descriptors: < 0.3 s CPU in 3 s (no busy loop)", cpu < 0.3, cpu)
        check("out of descriptors: at most 1 accept_error line in 3 s", errors <= 1, errors)
        check("out of descriptors: log grows < 4 KB in 3 s", grown < 4096, grown)
        check("server still running", proc.poll() is None, proc.poll())

        for s in clients:
            s.close()
        clients = []
        t0 = time.monotonic()
        r = wait_health(c, 200, timeout=10)
        print("served again %.2f s after the clients left" % (time.monotonic() - t0))
        check("serves again once connections close", r is not None and r[0] == 200, r)
        s, _, text, _ = c.call("GET", "/metrics")
        counted = [l for l in text.splitlines() if l.startswith("lockcheck_accept_errors_total ")]
        check("failed accepts counted in /metrics", s == 200 and counted and int(counted[0].split()[1]) >= 1, counted)
        check("acceptor no longer paused", "\nlockcheck_accept_paused 0\n" in text,
              [l for l in text.splitlines() if "accept_paused" in l])
    finally:
        for s in clients:
            s.close()
        stop(proc)
        log.close()
    resumed = log_events(log_path, "accept_resumed")
    check("accept_resumed logged with the count", resumed and resumed[0].get("errors", 0) >= 1, resumed)


def run(server_bin, pg):
    start_limits(server_bin, pg)
    out_of_descriptors(server_bin, pg)


if __name__ == "__main__":
    sys.exit(main_for(run, __doc__))
