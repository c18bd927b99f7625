#!/usr/bin/env python3
"""Integration test of lockcheck-server against a throwaway PostgreSQL.

usage: server_test.py /path/to/lockcheck-server
Drives the server over HTTP (urllib) and checks the SERVER.md contract.
With LOCKCHECK_TEST_RUNTIME=/path/to/liblockcheck-runtime.so the server runs under the runtime
twin (docs/runtime.md), is stopped with SIGTERM, and must have observed no blocking under a lock.
"""
import http.client
import base64
import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pgcluster import PgCluster, free_port  # noqa: E402

PASSED = []
FAILED = []


def check(name, cond, detail=""):
    (PASSED if cond else FAILED).append(name)
    print("%s %s%s" % ("PASS" if cond else "FAIL", name, "" if cond else "  -- %s" % (detail,)), flush=True)


class Client:
    def __init__(self, port):
        self.base = "http://127.0.0.1:%d" % port

    def call(self, method, path, body=None, headers=None, raw=None, timeout=10):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers or {})
        if data is not None:
            req.add_header("Content-Type", "application/json")
        t0 = time.monotonic()
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                status, hdrs, text = r.status, r.headers, r.read().decode()
        except urllib.error.HTTPError as e:
            status, hdrs, text = e.code, e.headers, e.read().decode()
        elapsed = time.monotonic() - t0
        try:
            payload = json.loads(text)
        except ValueError:
            payload = text
        return status, hdrs, payload, elapsed


SECRET = "test-secret-0123456789"


def b64url(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def make_token(header, payload, secret=SECRET):
    """An HS256-signed JWT with exactly the given header and payload."""
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(payload).encode())
    mac = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64url(mac)


def token_sub(token):
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))["sub"]


def nested(levels):
    """An object whose value nests `levels` containers in all (the object included)."""
    return ('{"a":' + "[" * (levels - 1) + "]" * (levels - 1) + "}").encode()


def wait_health(c, want, timeout=15):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = c.call("GET", "/health", timeout=3)
            if last[0] == want:
                return last
        except OSError:
            pass
        time.sleep(0.1)
    return last


def server_env(pg, port, **overrides):
    """The test servers' environment: a fast bcrypt, small pools, the debug endpoint."""
    env = dict(os.environ,
               LOCKCHECK_SERVER_PORT=str(port), DATABASE_URL=pg.url, JWT_SECRET=SECRET,
               BCRYPT_COST="4", WORKERS="2", JWT_EXPIRY_S="2", DB_POOL_SIZE="3", BODY_LIMIT="65536",
               LOCKCHECK_DEBUG_ENDPOINTS="1", POOL_LOG_INTERVAL_S="1")
    env.update(overrides)
    return env


def launch(server_bin, env, log, **popen):
    """Starts the server, its stdout and stderr to the file `log`. LOCKCHECK_TEST_SERVER_WRAPPER:
    e.g. "setarch x86_64 -R" for the TSan run (ci/sanitize-server.sh)."""
    wrapper = os.environ.get("LOCKCHECK_TEST_SERVER_WRAPPER", "").split()
    return subprocess.Popen(wrapper + [server_bin], env=env, stdout=log, stderr=subprocess.STDOUT, **popen)


def run(server_bin, pg):
    port = free_port()
    env = server_env(pg, port)
    log_path = os.path.join(pg.root, "server.log")
    log = open(log_path, "w")
    runtime_lib = os.environ.get("LOCKCHECK_TEST_RUNTIME")
    runtime_report = os.path.join(pg.root, "runtime.json")
    if runtime_lib:
        env.update(LD_PRELOAD=os.path.abspath(runtime_lib), LOCKCHECK_RUNTIME_OUTPUT=runtime_report,
                   SHUTDOWN_TIMEOUT_S="2")
        env.pop("LOCKCHECK_RUNTIME_OWNER_PID", None)
    proc = launch(server_bin, env, log)
    try:
        c = Client(port)
        r = wait_health(c, 200)
        check("health 200 on start", r is not None and r[0] == 200 and r[2].get("db") == "ok", r)

        s, _, b, _ = c.call("GET", "/version")
        check("version", s == 200 and {"version", "commit", "build_time"} <= set(b), b)

        creds = {"username": "alice", "password": "correct-horse"}
        s, _, b, _ = c.call("POST", "/api/auth/register", creds)
        check("register 201", s == 201 and b.get("username") == "alice", (s, b))
        s, _, b, _ = c.call("POST", "/api/auth/register", creds)
        check("duplicate register 409", s == 409 and "error" in b, (s, b))
        s, _, b, _ = c.call("POST", "/api/auth/register", {"username": "bob"})
        check("register missing password 400", s == 400 and "error" in b, (s, b))
        s, _, b, _ = c.call("POST", "/api/auth/register", {"username": "b o b", "password": "correct-horse"})
        check("register bad username 400", s == 400 and "error" in b, (s, b))
        s, _, b, _ = c.call("POST", "/api/auth/register", raw=b'{"username": "carol", "password":')
        check("malformed JSON 400", s == 400 and "error" in b, (s, b))

        s, _, b, _ = c.call("POST", "/api/auth/login", creds)
        token = b.get("token") if isinstance(b, dict) else None
        check("login 200 with token", s == 200 and token and token.count(".") == 2, (s, b))
        s, h, b, _ = c.call("POST", "/api/auth/login", {"username": "alice", "password": "wrong-horse"})
        check("login wrong password 401", s == 401 and "error" in b, (s, b))
        s, _, b, _ = c.call("POST", "/api/auth/login", {"username": "nobody", "password": "wrong-horse"})
        check("login unknown user 401", s == 401, (s, b))

        s, _, b, _ = c.call("GET", "/api/me", headers={"Authorization": "Bearer " + token})
        check("me good token 200", s == 200 and b.get("username") == "alice", (s, b))
        s, _, b, _ = c.call("GET", "/api/me", headers={"Authorization": "Bearer " + token[:-2] + "xx"})
        check("me bad signature 401", s == 401 and "error" in b, (s, b))
        s, _, b, _ = c.call("GET", "/api/me")
        check("me no token 401", s == 401, (s, b))
        s, _, b, _ = c.call("GET", "/api/me", headers={"Authorization": "Bearer garbage"})
        check("me garbage token 401", s == 401, (s, b))

        auth = {"Authorization": "Bearer " + token}
        s, _, b, _ = c.call("GET", "/api/items/42")
        check("item missing 404", s == 404 and "error" in b, (s, b))
        s, _, b, _ = c.call("PUT", "/api/items/42", {"name": "widget", "qty": 1}, headers=auth)
        check("item put 200", s == 200 and b.get("data", {}).get("qty") == 1, (s, b))
        s, _, b, _ = c.call("PUT", "/api/items/42", {"name": "widget"})
        check("item put without token 401", s == 401, (s, b))
        s, h, b, _ = c.call("GET", "/api/items/42")
        check("item get after put (cache hit)", s == 200 and h.get("X-Cache") == "hit" and b["data"]["qty"] == 1, (s, dict(h), b))
        s, _, b, _ = c.call("PUT", "/api/items/42", {"name": "widget", "qty": 2}, headers=auth)
        s, h, b, _ = c.call("GET", "/api/items/42")
        check("item update visible", s == 200 and b["data"]["qty"] == 2 and b["version"] == 2, (s, b))
        # A row written straight into the table is read through on a miss, then cached.
        pg.psql("INSERT INTO items (id, data) VALUES (77, '{\"name\": \"direct\"}')")
        s, h, b, _ = c.call("GET", "/api/items/77")
        check("item read-through miss", s == 200 and h.get("X-Cache") == "miss" and b["data"]["name"] == "direct", (s, dict(h), b))
        s, h, b, _ = c.call("GET", "/api/items/77")
        check("item second get is a cache hit", s == 200 and h.get("X-Cache") == "hit", (s, dict(h), b))
        s, h, b, _ = c.call("GET", "/api/items/abc")
        check("item bad id 400", s == 400, (s, b))

        # Input PostgreSQL would refuse is the client's fault: 400 before the database (issue 12, item 8).
        # A fresh token: the first one lives 2 s (JWT_EXPIRY_S), which a loaded machine can use up by now.
        auth = {"Authorization": "Bearer " + c.call("POST", "/api/auth/login", creds)[2]["token"]}
        s, _, b, _ = c.call("PUT", "/api/items/43", raw=b'{"a":"\\u0000"}', headers=auth)
        check("item put NUL in string 400", s == 400 and "u0000" in b.get("error", ""), (s, b))
        s, _, b, _ = c.call("PUT", "/api/items/43", raw=b'{"ok":{"\\u0000k":1}}', headers=auth)
        check("item put NUL in key 400", s == 400 and "u0000" in b.get("error", ""), (s, b))
        s, _, b, _ = c.call("PUT", "/api/items/43", raw=nested(20000), headers=auth)
        check("item put 20000-deep nesting 400", s == 400 and "nested" in b.get("error", ""), (s, b))
        s, _, b, _ = c.call("PUT", "/api/items/43", raw=nested(65), headers=auth)
        check("item put 65 levels 400", s == 400 and "nested" in b.get("error", ""), (s, b))
        s, _, b, _ = c.call("PUT", "/api/items/43", raw=nested(64), headers=auth)
        check("item put 64 levels 200", s == 200 and b.get("version") == 1, (s, b))
        s, _, b, _ = c.call("POST", "/api/auth/register",
                            raw=b'{"username":"deep","password":"correct-horse","x":' + nested(20000) + b'}')
        check("register deep nesting 400", s == 400 and "nested" in b.get("error", ""), (s, b))
        s, _, b, _ = c.call("POST", "/api/auth/login",
                            raw=b'{"username":"alice","password":"correct-horse","x":"\\u0000"}')
        check("login NUL in a field 400", s == 400 and "u0000" in b.get("error", ""), (s, b))

        # JWT claims read strictly (issue 12, item 9): tokens signed with the right key but wrong claims.
        sub = token_sub(token)
        now = int(time.time())
        hs256 = {"alg": "HS256", "typ": "JWT"}

        def me_with(header, payload):
            return c.call("GET", "/api/me", headers={"Authorization": "Bearer " + make_token(header, payload)})[:3]

        s, _, b = me_with(hs256, {"sub": sub, "exp": now + 60})
        check("crafted valid token 200", s == 200 and b.get("username") == "alice", (s, b))
        for bad_sub in [sub + " OR 1=1", sub + "abc", "0" + sub, "+" + sub, " " + sub, "-" + sub, "0", ""]:
            s, _, b = me_with(hs256, {"sub": bad_sub, "exp": now + 60})
            check("sub %r 401" % bad_sub, s == 401, (s, b))
        s, _, b = me_with(hs256, {"sub": sub, "exp": now + 60, "nbf": now + 60})
        check("nbf in the future 401", s == 401, (s, b))
        s, _, b = me_with(hs256, {"sub": sub, "exp": now + 60, "nbf": now - 5})
        check("nbf in the past 200", s == 200, (s, b))
        s, _, b = me_with(hs256, {"sub": sub, "exp": now + 60, "nbf": "0"})
        check("nbf not a number 401", s == 401, (s, b))
        s, _, b = me_with(dict(hs256, crit=["exp"]), {"sub": sub, "exp": now + 60})
        check("crit header 401", s == 401, (s, b))
        for alg in ["hs256", "HS256 ", "none", 256, None]:
            s, _, b = me_with({"alg": alg, "typ": "JWT"}, {"sub": sub, "exp": now + 60})
            check("alg %r 401" % (alg,), s == 401, (s, b))
        s, _, b = me_with(hs256, {"sub": sub, "exp": now + 60, "name": 5})
        check("non-string name 401", s == 401, (s, b))
        ghost = {"Authorization": "Bearer " + make_token(hs256, {"sub": "999999", "exp": now + 60})}
        s, _, b, _ = c.call("PUT", "/api/items/44", {"by": "ghost"}, headers=ghost)
        check("put as a user that does not exist 401", s == 401, (s, b))
        s, _, b, _ = c.call("GET", "/api/items/44")
        check("nothing stored for the unknown user", s == 404, (s, b))
        s, _, b, _ = c.call("GET", "/api/me", headers=ghost)
        check("me as a user that does not exist 401", s == 401, (s, b))

        s, h, b, _ = c.call("GET", "/version", headers={"X-Request-Id": "trace-abc-123"})
        check("X-Request-Id echoed", h.get("X-Request-Id") == "trace-abc-123", dict(h))
        s, h, b, _ = c.call("GET", "/version")
        check("X-Request-Id generated", len(h.get("X-Request-Id", "")) >= 16, dict(h))

        s, _, b, _ = c.call("POST", "/api/auth/register", raw=b'{"username":"big","password":"' + b"x" * 70000 + b'"}')
        check("oversized body 413", s == 413 and "error" in b, (s, b))
        s, _, b, _ = c.call("GET", "/nope")
        check("unknown path 404 JSON", s == 404 and "error" in b, (s, b))
        s, _, b, _ = c.call("DELETE", "/api/me")
        check("wrong method 405 JSON", s == 405 and "error" in b, (s, b))

        s, _, b, _ = c.call("GET", "/metrics")
        needed = ["lockcheck_http_requests_total{", "lockcheck_http_request_duration_seconds_bucket{",
                  "lockcheck_lock_wait_seconds_bucket", "lockcheck_lock_timeouts_total", "lockcheck_db_pool_size",
                  "lockcheck_db_pool_in_use", "lockcheck_db_pool_waiters", "lockcheck_bcrypt_queue_depth",
                  "lockcheck_db_up 1"]
        missing = [n for n in needed if n not in b]
        check("metrics series present", s == 200 and not missing, missing)

        # Idle pool workers wait on a condition variable, not in a loop of bounded lock
        # attempts: with no requests, no lock wait (or timeout) is recorded (issue 13).
        def lock_metrics():
            text = c.call("GET", "/metrics")[2]
            return [l for l in text.splitlines()
                    if l.startswith(("lockcheck_lock_wait_seconds_count", "lockcheck_lock_timeouts_total"))]

        before = lock_metrics()
        time.sleep(1.0)
        after = lock_metrics()
        check("idle workers record no lock waits", len(before) == 2 and before == after, (before, after))

        time.sleep(2.5)
        s, _, b, _ = c.call("GET", "/api/me", headers={"Authorization": "Bearer " + token})
        check("me expired token 401", s == 401, (s, b))

        # Database down: /health says so within ~1 s; back to ok after restart.
        pg.stop()
        s, _, b, el = c.call("GET", "/health")
        check("health 503 db down", s == 503 and b.get("db") == "down", (s, b))
        check("health 503 within 1.2 s", el < 1.2, el)
        s, h, b, _ = c.call("GET", "/api/items/7")
        check("item miss while db down 503 + Retry-After", s == 503 and h.get("Retry-After"), (s, b))
        s, _, b, _ = c.call("GET", "/metrics")
        check("metrics db_up 0 while db down", "\nlockcheck_db_up 0\n" in b, [l for l in b.split("\n") if "db_up" in l])
        pg.start()
        # No request touches the DB now: the server's own ping (every POOL_LOG_INTERVAL_S,
        # 1 s here, while marked down) must notice that it is back.
        deadline, b = time.monotonic() + 5, ""
        while time.monotonic() < deadline and "\nlockcheck_db_up 1\n" not in b:
            time.sleep(0.25)
            b = c.call("GET", "/metrics")[2]
        check("metrics db_up 1 after db restart, without traffic", "\nlockcheck_db_up 1\n" in b,
              [l for l in b.split("\n") if "db_up" in l])
        r = wait_health(c, 200, timeout=10)
        check("health 200 after db restart", r is not None and r[0] == 200, r)
        s, _, b, _ = c.call("POST", "/api/auth/login", creds)
        check("login after db restart", s == 200, (s, b))

        s, _, b, _ = c.call("GET", "/debug/slow?ms=6000", timeout=15)
        check("statement_timeout 504", s == 504 and "error" in b, (s, b))

        # SIGTERM with a slow request in flight: it completes (with Connection: close although
        # it asked for keep-alive), exit code 0. A keep-alive connection that is idle at the
        # signal is closed: a request sent on it afterwards is not served (issue 12, item 10).
        idle = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        idle.request("GET", "/version")
        r = idle.getresponse()
        r.read()
        check("keep-alive connection open before SIGTERM", r.status == 200 and not r.will_close,
              (r.status, r.getheaders()))
        result = {}

        def slow():
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
            conn.request("GET", "/debug/slow?ms=1500")
            res = conn.getresponse()
            result["r"] = (res.status, res.getheader("Connection"), res.read())

        t = threading.Thread(target=slow)
        t.start()
        time.sleep(0.4)
        proc.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        try:
            idle.request("GET", "/version")
            late = idle.getresponse().status
        except (http.client.HTTPException, OSError) as e:
            late = type(e).__name__
        check("request on an idle keep-alive connection after SIGTERM is not served", not isinstance(late, int), late)
        check("server still draining when the late request was sent", proc.poll() is None, proc.poll())
        t.join(20)
        r = result.get("r")
        check("in-flight request completes on SIGTERM", r is not None and r[0] == 200, r)
        check("in-flight response says Connection: close", r is not None and r[1] == "close", r)
        try:
            rc = proc.wait(15)
        except subprocess.TimeoutExpired:
            rc = None
        check("exit code 0 after SIGTERM", rc == 0, rc)
        try:
            c.call("GET", "/version", timeout=2)
            refused = False
        except OSError:
            refused = True
        check("no longer accepting after SIGTERM", refused)
    finally:
        if runtime_lib and proc.poll() is None:  # the runtime writes its report on a clean exit
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
    if runtime_lib:
        check_runtime_report(runtime_report)

    # Logs: one JSON object per line, no secrets.
    lines = open(log_path).read().splitlines()
    bad = [l for l in lines if not l.startswith("{")]
    parsed = [json.loads(l) for l in lines if l.startswith("{")]
    check("log lines are JSON", not bad and parsed, bad[:3])
    reqs = [p for p in parsed if "status" in p]
    fields = {"ts", "level", "trace_id", "method", "endpoint", "status", "error_kind", "duration_ms"}
    check("request log fields", reqs and all(fields <= set(p) for p in reqs), reqs[:1])
    check("bcrypt phase times logged", any("bcrypt_ms" in p and "bcrypt_queue_ms" in p for p in reqs))
    check("pool stats logged", any(p.get("event") == "db_pool_stats" for p in parsed))
    text = "\n".join(lines)
    check("no passwords or tokens in logs", "correct-horse" not in text and token not in text and "$2b$" not in text)


def check_runtime_report(path):
    """The whole run, observed: no blocking call was made while a lock was held."""
    if not os.path.exists(path):
        check("runtime report written on exit", False, path)
        return
    with open(path) as f:
        report = json.load(f)
    events = ["%s:%s: %s" % (e["file"], e["line"], e["message"]) for e in report["findings"]]
    check("runtime: no blocking under a lock observed", not events, events[:5])


def run_with_cluster(test, *args):
    """Runs test(*args, pg) against a throwaway PostgreSQL; prints the tally, returns the exit code."""
    root = tempfile.mkdtemp(prefix="lockcheck-pg-")
    pg = PgCluster(root)
    try:
        pg.create()
        test(*args, pg)
    except Exception as e:  # noqa: BLE001 - report and fail
        import traceback
        traceback.print_exc()
        FAILED.append("exception: %s" % e)
    finally:
        pg.destroy()
    print("server tests: %d passed, %d failed" % (len(PASSED), len(FAILED)))
    return 1 if FAILED else 0


def main_for(test, usage):
    """The command line of a test file: `SCRIPT /path/to/lockcheck-server`, run against a cluster."""
    if len(sys.argv) != 2:
        print(usage)
        return 2
    return run_with_cluster(test, os.path.abspath(sys.argv[1]))


if __name__ == "__main__":
    sys.exit(main_for(run, __doc__))
