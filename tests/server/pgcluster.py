#!/usr/bin/env python3
"""A throwaway PostgreSQL cluster for the server tests and benchmarks.

initdb + pg_ctl on a temp dir, a free TCP port on 127.0.0.1 and the unix
socket inside the temp dir. As root, PostgreSQL runs as the `postgres` user.

CLI (for shell scripts):  pgcluster.py start DIR  -> prints DATABASE_URL
                          pgcluster.py stop DIR | restart DIR | destroy DIR
"""
import glob
import os
import shutil
import socket
import subprocess
import sys


def _bindir():
    for cand in [os.environ.get("PG_BINDIR", "")] + sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if cand and os.path.exists(os.path.join(cand, "pg_ctl")):
            return cand
    path = shutil.which("pg_ctl")
    if path:
        return os.path.dirname(path)
    raise RuntimeError("PostgreSQL binaries (initdb, pg_ctl) not found")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgCluster:
    def __init__(self, root):
        self.root = root
        self.data = os.path.join(root, "data")
        self.log = os.path.join(root, "postgres.log")
        self.bindir = _bindir()
        self.as_root = os.geteuid() == 0
        port_file = os.path.join(root, "port")
        self.port = int(open(port_file).read()) if os.path.exists(port_file) else None

    def _run(self, *args, check=True):
        cmd = list(args)
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if check and r.returncode != 0:
            raise RuntimeError("%s failed (%d):\n%s" % (" ".join(cmd), r.returncode, r.stdout))
        return r

    @property
    def url(self):
        return "postgresql://lockcheck@127.0.0.1:%d/postgres" % self.port

    def create(self):
        os.makedirs(self.root, exist_ok=True)
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")
        self.port = free_port()
        with open(os.path.join(self.root, "port"), "w") as f:
            f.write(str(self.port))
        self._run(os.path.join(self.bindir, "initdb"), "-D", self.data, "-A", "trust", "-U", "lockcheck",
                  "--no-sync", "-E", "UTF8")
        self.start()

    def start(self):
        opts = "-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50" % (self.port, self.root)
        self._run(os.path.join(self.bindir, "pg_ctl"), "-D", self.data, "-l", self.log, "-o", opts, "-w", "start")

    def stop(self):
        self._run(os.path.join(self.bindir, "pg_ctl"), "-D", self.data, "-m", "fast", "-w", "stop", check=False)

    def psql(self, sql):
        return self._run(os.path.join(self.bindir, "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "lockcheck",
                         "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c", sql)

    def destroy(self):
        if os.path.exists(os.path.join(self.data, "postmaster.pid")):
            self._run(os.path.join(self.bindir, "pg_ctl"), "-D", self.data, "-m", "immediate", "-w", "stop",
                      check=False)
        shutil.rmtree(self.root, ignore_errors=True)


def main(argv):
    if len(argv) != 3 or argv[1] not in ("start", "stop", "restart", "destroy"):
        print(__doc__, file=sys.stderr)
        return 2
    c = PgCluster(argv[2])
    if argv[1] == "start":
        c.create()
        print(c.url)
    elif argv[1] == "stop":
        c.stop()
    elif argv[1] == "restart":
        c.start()
    else:
        c.destroy()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
