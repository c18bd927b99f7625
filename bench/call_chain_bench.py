#!/usr/bin/env python3
"""Cost of lockcheck against call-chain depth (docs/spec.md §7: linear in program size; issue 12).

For each N writes one translation unit with a chain c0 -> c1 -> ... -> cN: c0 holds a
mutex while it calls c1, cN sleeps. lockcheck must report one blocking-under-lock
finding at c0 whose trace is the whole chain. Prints wall seconds, peak RSS of lockcheck
and its worker (KiB), and the ratio to the previous N (4x the depth should cost <= 4.5x).

usage: bench/call_chain_bench.py --lockcheck build/bin/lockcheck [N...]
"""
import argparse, json, os, subprocess, sys, tempfile, threading, time


def write_chain(path, n):
    with open(path, "w") as f:
        f.write("#include <mutex>\n#include <unistd.h>\nstd::mutex mu;\n")
        f.write(f"void c{n}() {{ sleep(1); }}\n")
        for i in range(n - 1, 0, -1):
            f.write(f"void c{i}() {{ c{i + 1}(); }}\n")
        f.write("void c0() {\n  std::lock_guard<std::mutex> lock(mu);\n  c1();\n}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lockcheck", required=True)
    ap.add_argument("sizes", nargs="*", type=int, default=[1000, 2000, 4000, 10000, 20000, 40000])
    args = ap.parse_args()
    lockcheck = os.path.abspath(args.lockcheck)
    print(f"{'N':>7} {'seconds':>8} {'peak RSS KiB':>13} {'x time':>7} {'x RSS':>6} {'trace':>6}")
    previous = None
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            source = os.path.join(tmp, f"chain{n}.cpp")
            write_chain(source, n)
            start = time.monotonic()
            # Run in the scratch directory: a build/compile_commands.json under the caller's
            # directory would lend the chain another project's flags and headers.
            proc = subprocess.Popen([lockcheck, "--no-cache", "--quiet", "-j", "1", "--format", "json", source],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp)
            # Reads the report while waiting; wait4 gives the usage of lockcheck and the
            # worker it waited for (ru_maxrss: the larger of the two).
            chunks = []
            reader = threading.Thread(target=lambda: chunks.append(proc.stdout.read()))
            reader.start()
            errors = proc.stderr.read()
            reader.join()
            _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.monotonic() - start
            rc = os.waitstatus_to_exitcode(status)
            if rc != 1:
                sys.exit(f"N={n}: exit {rc}, expected 1 (one finding)\n{errors.decode()}")
            findings = json.loads(chunks[0])["findings"]
            trace = len(findings[0]["trace"]) if findings else 0
            rss = usage.ru_maxrss
            ratio = f"{seconds / previous[0]:7.2f} {rss / previous[1]:6.2f}" if previous else f"{'':7} {'':6}"
            print(f"{n:>7} {seconds:8.2f} {rss:13d} {ratio} {trace:6d}", flush=True)
            previous = (seconds, rss)


if __name__ == "__main__":
    main()
