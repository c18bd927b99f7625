#!/usr/bin/env python3
"""What the Clang plugin adds to a project's own build, and what the gate then costs
(issue 29; docs/performance.md, "The plugin").

For each project it configures two Ninja build directories with clang++-19, no compiler
launcher (ccache off), the same options, one of them with the plugin in CMAKE_CXX_FLAGS,
and then:
  1. builds each once, untimed (warm-up: the file cache, the facts directory);
  2. RUNS times, alternating (plain, plugin, plain, plugin, ...): `ninja -t clean`, then
     `ninja -j J` timed (wall, and the CPU of the compiler processes); the ratio plugin/plain
     is taken pair by pair, so a machine whose speed drifts still gives a fair ratio;
  3. times `lockcheck link FACTS_DIR` RUNS times (from the project's source directory);
  4. runs `lockcheck -p PLAIN_BUILD <every source of the build>` (no cache) and checks that its
     findings are exactly the link's.
Medians are printed; exit status 1 if the findings differ or a build fails.

Projects:
  leveldb:DIR  leveldb's sources (copied; no third_party needed): C++17, tests and benchmarks off
  server       the bundled server (this repository with the checker and runtime off)

usage: plugin_build_bench.py [--build-dir BUILD] [--runs N] [--build-type T] [-j J] [--work DIR] PROJECT...
  BUILD: lockcheck's build tree (bin/lockcheck, lib/liblockcheck-plugin.so); default build/
"""
import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def c_compiler(clangxx):
    """clang++-19 -> clang-19, /usr/bin/clang++ -> /usr/bin/clang."""
    head, name = os.path.split(clangxx)
    return os.path.join(head, name.replace("clang++", "clang", 1))


def run(cmd, ok=(0,), **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode not in ok:
        sys.exit(f"failed ({r.returncode}): {' '.join(cmd)}\n{r.stdout[-3000:]}{r.stderr[-3000:]}")
    return r


def children_cpu():
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime


def timed(cmd, ok=(0,), env=None, cwd=None):
    """Wall and CPU seconds of cmd (which must exit with a status in `ok`)."""
    cpu, start = children_cpu(), time.monotonic()
    run(cmd, ok=ok, env=env, cwd=cwd)
    return time.monotonic() - start, children_cpu() - cpu


def configure(project, args, work, plugin, facts, env):
    """(source dir, plain build dir, plugin build dir) of a PROJECT argument."""
    name, _, path = project.partition(":")
    common = ["-G", "Ninja", "-DCMAKE_CXX_COMPILER=" + args.clangxx, "-DCMAKE_C_COMPILER=" + c_compiler(args.clangxx),
              "-DCMAKE_CXX_COMPILER_LAUNCHER=", "-DCMAKE_C_COMPILER_LAUNCHER=", "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON",
              "-DCMAKE_BUILD_TYPE=" + args.build_type]
    if name == "leveldb":
        src = os.path.join(work, "leveldb-src")
        # Build trees at the top only: db/builder.cc is a source.
        top = os.path.abspath(path)
        shutil.copytree(path, src, ignore=lambda d, names: [
            n for n in names if n == ".git" or (os.path.abspath(d) == top and n.startswith("build"))])
        common += ["-DCMAKE_CXX_STANDARD=17", "-DLEVELDB_BUILD_TESTS=OFF", "-DLEVELDB_BUILD_BENCHMARKS=OFF"]
    elif name == "server":
        src = REPO
        common += ["-DLOCKCHECK_BUILD_CHECKER=OFF", "-DLOCKCHECK_BUILD_RUNTIME=OFF"]
    else:
        sys.exit(f"unknown project {project!r} (leveldb:DIR or server)")
    plain, with_plugin = os.path.join(work, name + "-plain"), os.path.join(work, name + "-plugin")
    flags = f"-fplugin={plugin} -fplugin-arg-lockcheck-out={facts}"
    run(["cmake", "-S", src, "-B", plain] + common, env=env)
    run(["cmake", "-S", src, "-B", with_plugin, "-DCMAKE_CXX_FLAGS=" + flags] + common, env=env)
    return src, plain, with_plugin


def findings(report):
    with open(report) as f:
        return json.load(f)["findings"]


def bench(project, args, work):
    name = project.partition(":")[0]
    lockcheck = os.path.join(args.build_dir, "bin", "lockcheck")
    plugin = os.path.join(args.build_dir, "lib", "liblockcheck-plugin.so")
    facts = os.path.join(work, name + "-facts")
    env = dict(os.environ, CCACHE_DISABLE="1")
    src, plain, with_plugin = configure(project, args, work, plugin, facts, env)
    ninja = lambda d: ["ninja", "-C", d, f"-j{args.jobs}"]
    for d in (plain, with_plugin):  # warm-up
        run(ninja(d), env=env)
    tus = len(json.load(open(os.path.join(plain, "compile_commands.json"))))
    rows = []
    for i in range(args.runs):
        pair = {}
        for label, d in (("plain", plain), ("plugin", with_plugin)):
            run(["ninja", "-C", d, "-t", "clean"], env=env)
            pair[label] = timed(ninja(d), env=env)
        rows.append(pair)
        print(f"  {name} run {i + 1}: plain {pair['plain'][0]:.1f} s, plugin {pair['plugin'][0]:.1f} s, "
              f"ratio {pair['plugin'][0] / pair['plain'][0]:.3f}", flush=True)
    link_report = os.path.join(work, name + "-link.json")
    link_cmd = [lockcheck, "link", "--quiet", "--format", "json", "-o", link_report, facts]
    link = [timed(link_cmd, ok=(0, 1), cwd=src)[0] for _ in range(args.runs)]  # 1: findings
    sources = sorted({e["file"] for e in json.load(open(os.path.join(plain, "compile_commands.json")))})
    standalone = os.path.join(work, name + "-standalone.json")
    run([lockcheck, "--quiet", "--no-cache", "--format", "json", "-o", standalone, "-p", plain] + sources,
        ok=(0, 1), cwd=src)
    same = findings(link_report) == findings(standalone)
    med = lambda xs: statistics.median(xs)
    wall_ratio = med([p["plugin"][0] / p["plain"][0] for p in rows])
    cpu_ratio = med([p["plugin"][1] / p["plain"][1] for p in rows])
    print(f"{name}: {tus} TUs, -j{args.jobs}, {args.runs} alternating runs")
    print(f"  build without plugin: {med([p['plain'][0] for p in rows]):.2f} s wall, {med([p['plain'][1] for p in rows]):.2f} s CPU")
    print(f"  build with plugin:    {med([p['plugin'][0] for p in rows]):.2f} s wall, {med([p['plugin'][1] for p in rows]):.2f} s CPU")
    print(f"  plugin / plain (median of pairs): wall {wall_ratio:.3f}, CPU {cpu_ratio:.3f}   (target <= 1.10)")
    print(f"  lockcheck link of {sum(1 for _ in walk_facts(facts))} facts files: "
          f"{med(link):.3f} s median (target <= 1 s)")
    print(f"  findings: {len(findings(link_report))} from the link, {len(findings(standalone))} standalone: "
          f"{'identical' if same else 'DIFFERENT'}")
    return same


def walk_facts(d):
    for root, _, files in os.walk(d):
        for f in files:
            if f.endswith(".lcfacts"):
                yield os.path.join(root, f)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build-dir", default=os.path.join(REPO, "build"))
    p.add_argument("--runs", type=int, default=5)
    # Empty: the project's own default (leveldb's: no optimisation, the cheapest compile,
    # where the plugin's share is largest).
    p.add_argument("--build-type", default="", help="CMAKE_BUILD_TYPE of both builds")
    p.add_argument("-j", "--jobs", type=int, default=len(os.sched_getaffinity(0)))
    p.add_argument("--clangxx", default=shutil.which("clang++-19") or "clang++-19")
    p.add_argument("--work", help="keep the build directories here (default: a temporary directory)")
    p.add_argument("projects", nargs="+")
    args = p.parse_args()
    args.build_dir = os.path.abspath(args.build_dir)
    work = args.work or tempfile.mkdtemp(prefix="plugin-bench-")
    os.makedirs(work, exist_ok=True)
    try:
        ok = all([bench(project, args, work) for project in args.projects])
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
