#!/usr/bin/env python3
"""The reference deployment, end to end, from the built package (docs/deployment.md).

usage: deployment_test.py BUILD_DIR SOURCE_DIR

Builds the lockcheck-server .deb with cpack, unpacks it into a scratch root,
checks the systemd unit (systemd-analyze verify + offline security score),
the example env file against --help and docs/server.md, the Prometheus rules
(promtool), then against a throwaway PostgreSQL: the roles script, the
--check-config gate, migrations as the owner (twice; the second a no-op), a
start with the run-time role, smoke checks, a restart with a changed config,
refusal of a newer schema, and the breakdown tool on the logs produced.
"""
import collections
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pgcluster import PgCluster, free_port  # noqa: E402
from server_test import FAILED, PASSED, Client, check, wait_health  # noqa: E402

PACKAGED = ["usr/bin/lockcheck-server", "usr/bin/lockcheck-log-breakdown",
            "usr/lib/systemd/system/lockcheck-server.service", "usr/share/lockcheck-server/env.example",
            "usr/share/lockcheck-server/db-roles.sql", "usr/share/lockcheck-server/prometheus/prometheus.yml",
            "usr/share/lockcheck-server/prometheus/lockcheck-server.rules.yml",
            "usr/share/lockcheck-server/prometheus/lockcheck-server.rules.test.yml",
            "usr/share/doc/lockcheck-server/deployment.md", "usr/share/doc/lockcheck-server/runbook.md"]
HARDENING = ["DynamicUser=yes", "NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes",
             "Restart=on-failure", "EnvironmentFile=/etc/lockcheck-server/env",
             "ExecStartPre=/usr/bin/lockcheck-server --check-config", "ExecStart=/usr/bin/lockcheck-server"]


def sh(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


class CountingClient(Client):
    """Counts the statuses of the requests that reached the server, to compare with its log."""

    def __init__(self, port, counts):
        super().__init__(port)
        self.counts = counts

    def call(self, *args, **kw):
        r = super().call(*args, **kw)
        self.counts[r[0]] += 1
        return r


def read_env(path):
    env = {}
    for line in open(path):
        line = line.strip()
        if line and not line.startswith("#"):
            k, _, v = line.partition("=")
            env[k] = v
    return env


def write_env(path, base, **changes):
    """The example file with the given variables changed in place (as an operator edits it)."""
    lines = []
    for line in open(base):
        key = line.split("=", 1)[0]
        lines.append("%s=%s\n" % (key, changes.pop(key)) if key in changes and "=" in line else line)
    assert not changes, "not in the example: %s" % changes
    with open(path, "w") as f:
        f.writelines(lines)


def with_env(env_file, *args):
    """Runs the installed binary the way docs/deployment.md does: the env file sourced into a clean shell."""
    return ["env", "-i", "PATH=/usr/bin:/bin", "bash", "-c", 'set -a && . "$0" && set +a && exec "$@"',
            env_file] + list(args)


def package(build_dir, work):
    out = os.path.join(work, "pkg")
    r = sh(["cpack", "-G", "DEB", "-D", "CPACK_COMPONENTS_ALL=server", "--config",
            os.path.join(build_dir, "CPackConfig.cmake"), "-B", out])
    debs = [f for f in os.listdir(out) if f.endswith(".deb")] if os.path.isdir(out) else []
    check("cpack builds lockcheck-server_*.deb", r.returncode == 0 and len(debs) == 1
          and debs[0].startswith("lockcheck-server_"), (r.returncode, debs, r.stdout[-800:], r.stderr[-800:]))
    deb = os.path.join(out, debs[0])
    fields = sh(["dpkg-deb", "-f", deb, "Package", "Depends"]).stdout
    check("package name and depends", "Package: lockcheck-server" in fields and "libpqxx" in fields
          and "python3" in fields, fields)
    root = os.path.join(work, "root")
    sh(["dpkg-deb", "-x", deb, root])
    missing = [f for f in PACKAGED if not os.path.isfile(os.path.join(root, f))]
    check("package contents", not missing, missing)
    ldd = sh(["ldd", os.path.join(root, "usr/bin/lockcheck-server")]).stdout
    check("installed binary's libraries resolve", "not found" not in ldd, ldd)
    return root


def check_unit(root, work, source_dir):
    unit = open(os.path.join(root, "usr/lib/systemd/system/lockcheck-server.service")).read()
    absent = [d for d in HARDENING if not re.search("^%s$" % re.escape(d), unit, re.M)]
    check("unit hardening and restart directives", not absent, absent)
    env = read_env(os.path.join(root, "usr/share/lockcheck-server/env.example"))
    stop = re.search(r"^TimeoutStopSec=(\d+)s$", unit, re.M)
    check("TimeoutStopSec = SHUTDOWN_TIMEOUT_S + 5", stop and int(stop.group(1)) == int(env["SHUTDOWN_TIMEOUT_S"]) + 5,
          (stop and stop.group(0), env.get("SHUTDOWN_TIMEOUT_S")))
    # systemd is not running here: verify the unit offline, its binary paths pointed into the scratch root.
    verify_dir = os.path.join(work, "units")
    os.makedirs(verify_dir)
    local = os.path.join(verify_dir, "lockcheck-server.service")
    with open(local, "w") as f:
        f.write(unit.replace("/usr/bin/", os.path.join(root, "usr/bin/")))
    r = sh(["systemd-analyze", "verify", local])
    check("systemd-analyze verify: clean", r.returncode == 0 and not r.stderr.strip() and not r.stdout.strip(),
          (r.returncode, r.stdout, r.stderr))
    r = sh(["systemd-analyze", "security", "--offline=yes", "--threshold=20", local])
    score = re.search(r"Overall exposure level for \S+: ([\d.]+)", r.stdout)
    check("systemd-analyze security: exposure <= 2.0", r.returncode == 0 and score is not None,
          (r.returncode, score and score.group(0), r.stderr[-300:]))
    # The verify check itself catches a mistyped directive.
    with open(local, "w") as f:
        f.write(unit.replace("ProtectSystem=strict", "ProtectSytem=strict").replace("/usr/bin/",
                                                                                  os.path.join(root, "usr/bin/")))
    r = sh(["systemd-analyze", "verify", local])
    check("systemd-analyze verify flags a typo", "ProtectSytem" in r.stderr, r.stderr)

    # env.example lists exactly the variables of --help and of docs/server.md's table.
    helped = set(re.findall(r"^  ([A-Z][A-Z0-9_]+) ", sh([os.path.join(root, "usr/bin/lockcheck-server"),
                                                         "--help"]).stdout, re.M))
    doc = open(os.path.join(source_dir, "docs/server.md")).read()
    table = doc[doc.index("## Configuration"):doc.index("## The lock rule")]
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", table))
    check("env.example = --help = docs/server.md variables", set(env) == helped == documented,
          (sorted(set(env) ^ helped), sorted(helped ^ documented)))


def check_prometheus(root, work):
    if shutil.which("promtool") is None:
        check("promtool installed (ci/setup.sh: prometheus)", False)
        return set()
    prom = os.path.join(work, "prometheus")
    shutil.copytree(os.path.join(root, "usr/share/lockcheck-server/prometheus"), prom)
    for cmd in (["check", "rules", "lockcheck-server.rules.yml"], ["check", "config", "prometheus.yml"],
                ["test", "rules", "lockcheck-server.rules.test.yml"]):
        r = sh(["promtool"] + cmd, cwd=prom)
        check("promtool " + " ".join(cmd[:2]), r.returncode == 0, (r.stdout[-1500:], r.stderr[-1500:]))
    rules = open(os.path.join(prom, "lockcheck-server.rules.yml")).read()
    return set(re.findall(r"\b(lockcheck_[a-z_]+)", rules))


def psql(pg, *args, user="lockcheck", db="lockcheck", check=True):
    return pg._run(os.path.join(pg.bindir, "psql"), "-h", "127.0.0.1", "-p", str(pg.port), "-U", user, "-d", db,
                   "-v", "ON_ERROR_STOP=1", "-At", *args, check=check)


def start_server(root, env_file, log_path):
    log = open(log_path, "a")
    return subprocess.Popen(with_env(env_file, os.path.join(root, "usr/bin/lockcheck-server")),
                            stdout=log, stderr=subprocess.STDOUT)


def stop_server(proc, name):
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(timeout=35)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = "killed"
    check(name + ": SIGTERM exit 0", rc == 0, rc)


def smoke(c, user):
    r = wait_health(c, 200)
    check("health 200", r is not None and r[0] == 200 and r[2].get("db") == "ok", r)
    s, _, b, _ = c.call("GET", "/version")
    check("version", s == 200 and {"version", "commit", "build_time"} <= set(b), (s, b))
    creds = {"username": user, "password": "correct-horse-battery"}
    s, _, b, _ = c.call("POST", "/api/auth/register", creds)
    check("register 201", s == 201, (s, b))
    s, _, b, _ = c.call("POST", "/api/auth/login", {"username": user, "password": "wrong-password-1"})
    check("wrong password 401", s == 401, (s, b))
    s, _, b, _ = c.call("POST", "/api/auth/login", creds)
    check("login 200", s == 200 and "token" in b, (s, b))
    s, _, b, _ = c.call("GET", "/api/me", headers={"Authorization": "Bearer " + b.get("token", "")})
    check("me 200", s == 200 and b.get("username") == user, (s, b))
    return creds


def logged(log_path, event):
    for line in open(log_path):
        if line.startswith("{") and json.loads(line).get("event") == event:
            yield json.loads(line)


def run(build_dir, source_dir, work):
    root = package(build_dir, work)
    check_unit(root, work, source_dir)
    rule_metrics = check_prometheus(root, work)
    binary = os.path.join(root, "usr/bin/lockcheck-server")
    example = os.path.join(root, "usr/share/lockcheck-server/env.example")

    r = sh(with_env(example, binary, "--check-config"))
    check("--check-config refuses the example until JWT_SECRET is set",
          r.returncode == 2 and "JWT_SECRET" in r.stderr, (r.returncode, r.stderr))

    pg = PgCluster(os.path.join(work, "pg"))
    pg.create()
    try:
        roles = os.path.join(root, "usr/share/lockcheck-server/db-roles.sql")
        r = psql(pg, "-v", "app_password=app-secret-1", "-f", roles, db="postgres", check=False)
        check("db-roles.sql", r.returncode == 0, r.stdout)
        app_url = "postgresql://lockcheck_app:app-secret-1@127.0.0.1:%d/lockcheck" % pg.port
        owner_url = "postgresql://lockcheck@127.0.0.1:%d/lockcheck?options=-c%%20role%%3Dlockcheck_owner" % pg.port
        env_file = os.path.join(work, "env")
        port = free_port()
        write_env(env_file, example, LOCKCHECK_SERVER_PORT=port, DATABASE_URL=app_url,
                  JWT_SECRET="deployment-test-secret-0123", BCRYPT_COST=4, IO_THREADS=2, WORKERS=2)
        r = sh(with_env(env_file, binary, "--check-config"))
        check("--check-config accepts the adapted env", r.returncode == 0 and "configuration OK" in r.stdout
              and "app-secret-1" not in r.stdout + r.stderr, (r.returncode, r.stdout, r.stderr))

        log_path = os.path.join(work, "server.log")
        proc = start_server(root, env_file, log_path)
        rc = proc.wait(timeout=30)
        failed = list(logged(log_path, "startup_failed"))
        check("unmigrated schema + LOCKCHECK_SERVER_MIGRATE=0: refuses to start",
              rc == 1 and failed and "lockcheck-server migrate" in failed[-1]["message"], (rc, failed))

        migrate = with_env(env_file, "env", "DATABASE_URL=" + owner_url, binary, "migrate")
        runs = [sh(migrate) for _ in range(2)]
        outs = [[json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")] for r in runs]
        first = [o for o in outs[0] if o.get("event") == "migrate"]
        second = [o for o in outs[1] if o.get("event") == "migrate"]
        check("migrate applies version 1", runs[0].returncode == 0 and first and first[0]["applied"] == [1]
              and first[0]["from_version"] == 0, (runs[0].returncode, outs[0], runs[0].stderr))
        check("migrate again is a no-op", runs[1].returncode == 0 and second and second[0]["applied"] == []
              and second[0]["from_version"] == 1, (runs[1].returncode, outs[1], runs[1].stderr))
        owners = psql(pg, "-c", "SELECT string_agg(tablename || ':' || tableowner, ',' ORDER BY tablename)"
                                " FROM pg_tables WHERE schemaname = 'public'").stdout.strip()
        check("tables belong to lockcheck_owner",
              owners == "items:lockcheck_owner,schema_version:lockcheck_owner,users:lockcheck_owner", owners)
        r = psql(pg, "-c", "CREATE TABLE intruder (x int)", user="lockcheck_app", check=False)
        check("the run-time role cannot create tables", r.returncode != 0 and "permission denied" in r.stdout,
              r.stdout)

        counts = collections.Counter()
        c = CountingClient(port, counts)
        proc = start_server(root, env_file, log_path)
        try:
            creds = smoke(c, "deploy-user")
            s, _, body, _ = c.call("GET", "/metrics")
            exported = set(re.findall(r"^(lockcheck_[a-z_]+)", body, re.M))
            unknown = sorted(m for m in rule_metrics if m not in exported)
            check("every metric the alert rules use is exported", s == 200 and rule_metrics and not unknown,
                  unknown)
        finally:
            stop_server(proc, "first start")

        # Restart with a changed config: another port and bcrypt cost; the old user still logs in.
        port2 = free_port()
        write_env(env_file, example, LOCKCHECK_SERVER_PORT=port2, DATABASE_URL=app_url,
                  JWT_SECRET="deployment-test-secret-0123", BCRYPT_COST=5, IO_THREADS=2, WORKERS=2)
        c = CountingClient(port2, counts)
        proc = start_server(root, env_file, log_path)
        try:
            r = wait_health(c, 200)
            check("restart: health 200 on the new port", r is not None and r[0] == 200, r)
            s, _, b, _ = c.call("POST", "/api/auth/login", creds)
            check("restart: old user logs in", s == 200, (s, b))
            listening = list(logged(log_path, "listening"))
            check("restart: new settings in effect", listening and listening[-1]["port"] == port2
                  and listening[-1]["bcrypt_cost"] == 5, listening[-1:])
        finally:
            stop_server(proc, "restart")

        # A schema newer than the binary: start-up and migrate refuse, naming the versions.
        psql(pg, "-c", "INSERT INTO schema_version (version, name) VALUES (99, 'from the future')")
        proc = start_server(root, env_file, log_path)
        rc = proc.wait(timeout=30)
        failed = list(logged(log_path, "startup_failed"))
        check("newer schema: refuses to start", rc == 1 and failed and
              "schema is at version 99, newer than this lockcheck-server knows (1)" in failed[-1]["message"],
              (rc, failed[-1:]))
        r = sh(migrate)
        check("newer schema: migrate refuses", r.returncode == 1 and "version 99" in r.stdout, (r.returncode, r.stdout))

        # The breakdown tool (the installed copy) on this test's logs: the statuses it made.
        r = sh([os.path.join(root, "usr/bin/lockcheck-log-breakdown"), "--json", log_path])
        report = json.loads(r.stdout) if r.returncode == 0 else {}
        got = {row["key"]: row["count"] for row in report.get("by_status", [])}
        want = {str(k): v for k, v in counts.items()}
        check("breakdown: status counts = requests made", r.returncode == 0 and got == want, (got, want, r.stderr))
        kinds = {row["key"]: row["count"] for row in report.get("by_error_kind", [])}
        check("breakdown: one bad_credentials", kinds.get("bad_credentials") == 1, kinds)
        check("breakdown: bcrypt phase percentiles", report.get("phases_ms", {}).get("bcrypt_ms", {}).get("count") == 4,
              report.get("phases_ms"))
        check("breakdown: startup failures counted", report.get("events", {}).get("startup_failed") == 2,
              report.get("events"))
    finally:
        pg.destroy()


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    start = time.monotonic()
    work = tempfile.mkdtemp(prefix="lockcheck-deploy-")
    os.chmod(work, 0o755)  # the cluster runs as postgres under it
    try:
        run(os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]), work)
    except Exception as e:  # noqa: BLE001 - report and fail
        import traceback
        traceback.print_exc()
        FAILED.append("exception: %s" % e)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("deployment tests: %d passed, %d failed (%.1f s)" % (len(PASSED), len(FAILED), time.monotonic() - start))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
