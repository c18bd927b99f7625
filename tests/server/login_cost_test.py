#!/usr/bin/env python3
"""Logins after BCRYPT_COST is raised (issue 25): no user enumeration by timing, and stale hashes
are replaced at the configured cost on a successful login.

usage: login_cost_test.py /path/to/lockcheck-server

Users are registered by a server at cost 4, then a server at cost 9 answers their logins.
Timing: the medians of interleaved wrong-password logins of a known user with a cost-4 hash and of
unknown users must be close (before the fix: ~2 ms against ~40 ms, a ratio near 0.1). The bounds
are loose (0.6-1.7) so that a loaded 2-core machine cannot make the test flake; they still fail
the old behaviour by a wide margin.
"""
import os
import re
import signal
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pgcluster import free_port  # noqa: E402
from server_test import Client, check, launch, main_for, server_env, wait_health  # noqa: E402

OLD_COST, NEW_COST = 4, 9
ROUNDS = 9


def stored_hash(pg, username):
    out = pg.psql("SELECT password_hash FROM users WHERE username = '%s'" % username).stdout
    m = re.search(r"\$2[aby]\$\d\d\$\S+", out)
    return m.group(0) if m else None


def start(server_bin, pg, port, cost, log):
    proc = launch(server_bin, server_env(pg, port, BCRYPT_COST=str(cost), JWT_EXPIRY_S="600"), log)
    r = wait_health(Client(port), 200)
    check("server at cost %d up" % cost, r is not None and r[0] == 200, r)
    return proc


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(20)
    except Exception:  # noqa: BLE001
        proc.kill()
        proc.wait()


def run(server_bin, pg):
    port = free_port()
    log = open(os.path.join(pg.root, "server.log"), "w")
    c = Client(port)
    stale = ["stale-a", "stale-b"]
    proc = start(server_bin, pg, port, OLD_COST, log)
    try:
        for u in stale:
            s, _, b, _ = c.call("POST", "/api/auth/register", {"username": u, "password": "correct-horse"})
            check("register %s at cost %d" % (u, OLD_COST), s == 201, (s, b))
    finally:
        stop(proc)
    before = {u: stored_hash(pg, u) for u in stale}
    check("hashes stored at cost %d" % OLD_COST, all(h and h.startswith("$2b$%02d$" % OLD_COST) for h in before.values()),
          before)

    proc = start(server_bin, pg, port, NEW_COST, log)
    try:
        s, _, b, _ = c.call("POST", "/api/auth/register", {"username": "current", "password": "correct-horse"})
        check("register at cost %d" % NEW_COST, s == 201, (s, b))

        def login_time(username):
            s, _, _, elapsed = c.call("POST", "/api/auth/login", {"username": username, "password": "wrong-horse"})
            check("wrong password for %s is 401" % username.split("-")[0], s == 401, s)
            return elapsed

        login_time("nobody-warmup")
        times = {"stale": [], "unknown": [], "current": []}
        for i in range(ROUNDS):  # interleaved, so load changes hit all three alike
            times["stale"].append(login_time("stale-a"))
            times["unknown"].append(login_time("nobody-%d" % i))
            times["current"].append(login_time("current"))
        med = {k: statistics.median(v) for k, v in times.items()}
        ratio = med["stale"] / med["unknown"]
        print("median wrong-password login: %s; stale/unknown %.2f" %
              (", ".join("%s %.1f ms" % (k, v * 1000) for k, v in med.items()), ratio))
        check("known user with a cost-%d hash takes as long as an unknown user (0.6-1.7x)" % OLD_COST,
              0.6 <= ratio <= 1.7, "ratio %.2f, medians %s" % (ratio, med))
        check("a known user at the configured cost too (0.6-1.7x)", 0.6 <= med["current"] / med["unknown"] <= 1.7, med)
        check("wrong passwords do not rehash", stored_hash(pg, "stale-a") == before["stale-a"], stored_hash(pg, "stale-a"))

        # A right password: rehashed at the configured cost and stored, the old hash gone.
        s, _, b, _ = c.call("POST", "/api/auth/login", {"username": "stale-a", "password": "correct-horse"})
        check("login with a stale hash 200", s == 200 and "token" in b, (s, b))
        after = stored_hash(pg, "stale-a")
        check("stored hash now at cost %d" % NEW_COST, after is not None and after.startswith("$2b$%02d$" % NEW_COST),
              after)
        s, _, b, _ = c.call("GET", "/api/me", headers={"Authorization": "Bearer " + (b or {}).get("token", "")})
        check("its token works", s == 200 and b.get("username") == "stale-a", (s, b))
        s, _, b, _ = c.call("POST", "/api/auth/login", {"username": "stale-a", "password": "correct-horse"})
        check("the new hash verifies", s == 200, (s, b))
        check("a hash at the configured cost is not rewritten", stored_hash(pg, "stale-a") == after,
              stored_hash(pg, "stale-a"))
        check("other stale users untouched until they log in", stored_hash(pg, "stale-b") == before["stale-b"],
              stored_hash(pg, "stale-b"))
        current = stored_hash(pg, "current")
        c.call("POST", "/api/auth/login", {"username": "current", "password": "correct-horse"})
        check("a current hash stays as it is", stored_hash(pg, "current") == current, stored_hash(pg, "current"))
    finally:
        stop(proc)
        log.close()
    text = open(os.path.join(pg.root, "server.log")).read()
    check("no hashes in the log", "$2b$" not in text)


if __name__ == "__main__":
    sys.exit(main_for(run, __doc__))
