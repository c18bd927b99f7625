#!/usr/bin/env python3
"""Benchmarks `lockcheck link` on synthetic facts (gen_facts.py) for growing N.

usage: link_bench.py LOCKCHECK [--sizes 1000,10000,100000] [--work DIR]
                     [--timeout 900] [--memory-limit-gib 8]
Generates the facts once per N under --work (kept for reruns), runs
`lockcheck link --quiet --format json -o /dev/null DIR` and prints a Markdown table:
N, facts bytes, wall seconds, CPU seconds (user + system: what the run costs when the
machine is shared), peak RSS, findings. A run over the time or memory limit
(the limit protects a shared machine) is reported as such, not retried.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def facts_dir(work, n):
    path = os.path.join(work, "facts-%d" % n)
    done = os.path.join(path, ".complete")
    if not os.path.exists(done):
        subprocess.run([sys.executable, os.path.join(HERE, "gen_facts.py"), str(n), path], check=True,
                       stdout=subprocess.DEVNULL)
        open(done, "w").close()
    return path


def dir_bytes(path):
    return sum(e.stat().st_size for e in os.scandir(path) if e.name.endswith(".lcfacts"))


def run_link(lockcheck, path, timeout, memory_limit):
    report = os.path.join(os.path.dirname(path), "report-%s.json" % os.path.basename(path))

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))

    start = time.monotonic()
    proc = subprocess.Popen([lockcheck, "link", "--quiet", "--format", "json", "-o", report, path],
                            preexec_fn=limit, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            proc.kill()
            os.wait4(proc.pid, 0)
            return {"outcome": "killed after %d s" % timeout}
        time.sleep(0.05)
    wall = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    result = {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_mib": usage.ru_maxrss / 1024.0}
    if code not in (0, 1):
        result["outcome"] = "exit %d: %s" % (code, proc.stderr.read().decode(errors="replace")[-300:].strip())
        return result
    with open(report) as f:
        result["findings"] = len(json.load(f)["findings"])
    result["outcome"] = "ok"
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("lockcheck")
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--work", default="/tmp/lockcheck-link-bench")
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--memory-limit-gib", type=float, default=8)
    args = ap.parse_args()
    print("| TUs | facts | wall | CPU | peak RSS | findings | outcome |")
    print("|---:|---:|---:|---:|---:|---:|---|")
    for n in (int(s) for s in args.sizes.split(",")):
        path = facts_dir(args.work, n)
        size = dir_bytes(path)
        r = run_link(args.lockcheck, path, args.timeout, int(args.memory_limit_gib * 2**30))
        wall = "%.2f s" % r["wall"] if "wall" in r else "-"
        cpu = "%.2f s" % r["cpu"] if "cpu" in r else "-"
        rss = "%.0f MiB" % r["rss_mib"] if "rss_mib" in r else "-"
        print("| %d | %.1f MB | %s | %s | %s | %s | %s |" % (n, size / 1e6, wall, cpu, rss, r.get("findings", "-"),
                                                           r["outcome"]), flush=True)


if __name__ == "__main__":
    main()
