#!/usr/bin/env python3
"""Times lockcheck against the compiler on the same translation units (docs/spec.md §7).

For each project (a directory with compile_commands.json in it or in build/):
  clang++ -fsyntax-only over every TU, one after another (the baseline; after one
  untimed warm-up pass so that every measurement reads headers from the page cache),
  lockcheck cold (-j1, empty cache), lockcheck warm (-j1, same cache, nothing changed),
  lockcheck -j N cold, and the Clang Static Analyzer's BlockInCriticalSection checker
  on the same TUs (the peer). Prints seconds, ratios and peak memory (KiB).

usage: bench/checker_bench.py --lockcheck build/bin/lockcheck [-j 2] PROJECT_DIR[:BUILD_DIR]...
e.g.   bench/checker_bench.py --lockcheck build/bin/lockcheck server:build /path/to/leveldb
(a real project is configured by you: cmake -S leveldb -B leveldb/build -DCMAKE_EXPORT_COMPILE_COMMANDS=ON)
"""
import argparse, json, os, shlex, shutil, subprocess, sys, tempfile, time

CLANG = "clang++-19"


def find_db(project, build=None):
    for d in ([build] if build else [project, os.path.join(project, "build")]):
        if os.path.exists(os.path.join(d, "compile_commands.json")):
            return d
    sys.exit(f"{project}: no compile_commands.json (configure it with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON)")


def commands(db_dir, project):
    project = os.path.realpath(project)
    out = []
    for c in json.load(open(os.path.join(db_dir, "compile_commands.json"))):
        f = os.path.realpath(os.path.join(c["directory"], c["file"]))
        if not f.startswith(project + os.sep) or not f.endswith((".cc", ".cpp", ".cxx")):
            continue
        args = c.get("arguments") or shlex.split(c["command"])
        kept, skip = [], False
        for arg in args[1:]:
            if skip:
                skip = False
            elif arg == "-o":
                skip = True
            elif arg != "-c":
                kept.append(arg)
        args = kept
        out.append((c["directory"], f, args))
    return out


def run(cmd, cwd=None):
    """Wall seconds and this command's own peak RSS (KiB), from wait4()."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    took = time.perf_counter() - t
    p.returncode = os.waitstatus_to_exitcode(status)  # reaped here: keep Popen from waiting again
    return took, usage.ru_maxrss, p.returncode, err


def compiler_pass(cmds, extra):
    total, peak = 0.0, 0
    for cwd, f, args in cmds:
        args = [a for a in args if a != f and os.path.realpath(os.path.join(cwd, a)) != f]
        took, mem, _, _ = run([CLANG, "-fsyntax-only", "-w"] + args + extra + [f], cwd)
        total += took
        peak = max(peak, mem)
    return total, peak


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lockcheck", required=True)
    ap.add_argument("-j", type=int, default=os.cpu_count() or 2)
    ap.add_argument("projects", nargs="+")
    a = ap.parse_args()
    lockcheck = os.path.realpath(a.lockcheck)
    rows = []
    for spec in a.projects:
        project, _, build = spec.partition(":")
        db = find_db(project, build)
        cmds = commands(db, project)
        if not cmds:
            print(f"{project}: no C++ translation units under it in {db}/compile_commands.json")
            continue
        files = [f for _, f, _ in cmds]
        print(f"== {project}: {len(files)} translation units", flush=True)
        compiler_pass(cmds, [])  # warm-up: headers into the page cache, so that no pass pays for the disk
        syntax, syntax_mem = compiler_pass(cmds, [])
        # clang++ starts once per TU, lockcheck once in all: show the ratio without that too.
        start = sorted(run([CLANG, "-fsyntax-only", "-x", "c++", os.devnull])[0] for _ in range(5))[2]
        parse_only = syntax - start * len(cmds)
        sa, sa_mem = compiler_pass(cmds, ["--analyze", "--analyzer-no-default-checks", "-Xclang",
                                          "-analyzer-checker=unix.BlockInCriticalSection", "-o", os.devnull])
        cache = tempfile.mkdtemp(prefix="lockcheck-bench-")
        base = [lockcheck, "--quiet", "-p", db, "--format", "json", "-o", os.devnull]
        cold, cold_mem, rc, err = run(base + ["-j1", "--cache-dir", cache] + files)
        if rc not in (0, 1):
            print(f"   lockcheck exit {rc}: {err.strip()[:400]}")
        warm, warm_mem, _, _ = run(base + ["-j1", "--cache-dir", cache] + files)
        par, par_mem, _, _ = run(base + [f"-j{a.j}", "--no-cache"] + files)
        shutil.rmtree(cache, ignore_errors=True)
        rows.append((project, len(files), syntax, cold, warm, par, sa, max(cold_mem, par_mem)))
        print(f"   clang++ -fsyntax-only   {syntax:8.2f} s   (peak {syntax_mem} KiB; {start * 1000:.0f} ms of it per TU is process start)")
        print(f"   lockcheck cold -j1      {cold:8.2f} s   ratio {cold / syntax:5.2f} x syntax-only   (target <= 1.00)")
        print(f"                                       ratio {cold / parse_only:5.2f} x syntax-only without its process starts")
        print(f"   lockcheck warm -j1      {warm:8.2f} s   ratio {warm / cold:5.2f} x cold          (target <= 0.05)")
        print(f"   lockcheck cold -j{a.j:<2}     {par:8.2f} s   speed-up {cold / par:5.2f} x on {a.j} jobs")
        print(f"   SA BlockInCriticalSection {sa:6.2f} s   ratio {sa / syntax:5.2f} x syntax-only (the peer)")
        print(f"   lockcheck peak memory   {max(cold_mem, par_mem)} KiB", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
