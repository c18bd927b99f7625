#!/usr/bin/env python3
"""Issue 29: the Clang plugin writes the same facts as `lockcheck extract`, byte for byte.

Every fixture source (tests/fixtures/**/*.cpp) is compiled by clang with the plugin loaded
and extracted by `lockcheck extract -p`, both from one compile_commands.json entry (the
fixtures' flags as the fixture runner passes them: -std=c++20 -pthread and the source's
folder on the include path) and both from the fixtures folder, so files below it are named
relatively in both. The facts must be identical; so must the set of sources that have facts
(a fixture that does not compile has none either way).

Speed (CI runs this on every change): the compiles are -fsyntax-only (the plugin runs after
the main action either way; plugin_compile_test.sh checks an object compile's facts) and
one clang command compiles a batch of sources of one folder (the same flags; its driver
runs a -cc1 per source); batches and extracts run in parallel, one per processor. FIXTURE_COMPILE=object compiles objects (-c) instead, one process per source.
Both sides parse every fixture with its standard headers, about 2 s of CPU for a source
(both sides), so all of them cost some 12 minutes of CPU (2026-12-05: 342 sources, 719 s
of CPU, 363 s with 2 jobs, every one identical): ctest (CI) takes every FIXTURE_EVERY-th
fixture in path order (6: 57, spread over every rule's folder) to keep CI within its 45
minutes; FIXTURE_EVERY=1 takes them all (run it after a change to extract or the plugin).

usage: plugin_fixture_facts_test.py LOCKCHECK PLUGIN CLANGXX FIXTURES_DIR
"""
import concurrent.futures
import glob
import json
import os
import resource
import subprocess
import sys
import tempfile
import time


def flags(src):
    return ["-std=c++20", "-pthread", "-I" + os.path.dirname(src)]


def cpu_seconds():
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def batches(sources, jobs):
    """Sources grouped by folder (one set of flags), in batches small enough that `jobs`
    workers finish together (a batch compiles one source after another)."""
    folders = {}
    for src in sources:
        folders.setdefault(os.path.dirname(src), []).append(src)
    size = max(1, min(12, len(sources) // (4 * jobs)))
    return [group[i:i + size] for group in folders.values() for i in range(0, len(group), size)]


def main():
    lockcheck, plugin, fixtures = (os.path.realpath(p) for p in (sys.argv[1], sys.argv[2], sys.argv[4]))
    clangxx = sys.argv[3]
    sources = sorted(glob.glob(os.path.join(fixtures, "**", "*.cpp"), recursive=True))
    sources = [s for s in sources if not s.endswith("fixture_runner_test.cpp")]
    if not sources:
        print("FAILED: no fixture sources under", fixtures)
        return 1
    every = int(os.environ.get("FIXTURE_EVERY", "1"))
    sources = sources[::every]
    objects = os.environ.get("FIXTURE_COMPILE") == "object"
    started = time.monotonic()

    with tempfile.TemporaryDirectory() as work:
        env = dict(os.environ, HOME=work, XDG_CACHE_HOME=os.path.join(work, "cache"))
        plugin_out = os.path.join(work, "plugin")
        with_plugin = ["-fplugin=" + plugin, "-fplugin-arg-lockcheck-out=" + plugin_out]
        db, compiles = [], []
        for i, src in enumerate(sources):
            obj = os.path.join(work, "obj", f"{i}.o")
            args = [clangxx] + flags(src) + (["-c", src, "-o", obj] if objects else ["-fsyntax-only", src])
            db.append({"directory": fixtures, "file": src, "arguments": args})
            if objects:
                compiles.append(([src], args + with_plugin))
        jobs = os.cpu_count() or 2
        if not objects:
            compiles = [(batch, [clangxx] + flags(batch[0]) + ["-fsyntax-only"] + batch + with_plugin)
                        for batch in batches(sources, jobs)]
        os.makedirs(os.path.join(work, "obj"))
        os.makedirs(os.path.join(work, "extract"))
        with open(os.path.join(work, "compile_commands.json"), "w") as f:
            json.dump(db, f)

        def compile_batch(batch_args):
            r = subprocess.run(batch_args[1], cwd=fixtures, env=env, capture_output=True, text=True)
            return r.returncode, r.stderr

        def extract_one(i):
            out = os.path.join(work, "extract", f"{i}.lcfacts")
            r = subprocess.run([lockcheck, "extract", sources[i], "-p", work, "-o", out, "--quiet"],
                               cwd=fixtures, env=env, capture_output=True, text=True)
            return r.returncode, out, r.stderr

        with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
            compiled = [pool.submit(compile_batch, c) for c in compiles]
            extracted = [pool.submit(extract_one, i) for i in range(len(sources))]
            compiled = [c.result() for c in compiled]
            extracted = [x.result() for x in extracted]

        # The plugin's files: <out>/<absolute source>.<hash>.lcfacts, one per source here.
        by_source = {}
        for path in glob.glob(os.path.join(plugin_out, "**", "*.lcfacts"), recursive=True):
            rel = os.path.relpath(path, plugin_out)
            by_source.setdefault("/" + rel[: -len(".0123456789abcdef.lcfacts")], []).append(path)

        failures = []
        compile_rc = {}
        for (batch, _), (rc, err) in zip(compiles, compiled):
            compile_rc.update((src, rc) for src in batch)
            if "lockcheck plugin" in err:
                failures.append(f"the plugin complained: {err.strip()}")
            elif rc != 0 and not any(src in err for src in batch):
                failures.append(f"a compile failed without an error in its sources: {err.strip()}")
        for src, (xrc, xout, xerr) in zip(sources, extracted):
            name = os.path.relpath(src, fixtures)
            files = by_source.get(src, [])
            if xrc != 0:
                # A fixture that does not compile: no facts from the plugin either.
                if files or compile_rc[src] == 0:
                    failures.append(f"{name}: extract exit {xrc} ({xerr.strip()}), compile exit"
                                    f" {compile_rc[src]}, plugin facts {files}")
                continue
            if len(files) != 1:
                failures.append(f"{name}: expected one plugin facts file, found {files}")
                continue
            with open(files[0], "rb") as a, open(xout, "rb") as b:
                mine, theirs = a.read(), b.read()
            if mine != theirs:
                at = next((k for k in range(min(len(mine), len(theirs))) if mine[k] != theirs[k]),
                          min(len(mine), len(theirs)))
                failures.append(f"{name}: facts differ from extract's at byte {at}: "
                                f"plugin {mine[max(0, at - 60):at + 60]!r} extract {theirs[max(0, at - 60):at + 60]!r}")
        extra = set(by_source) - set(sources)
        if extra:
            failures.append(f"plugin facts for sources that were not compiled: {sorted(extra)}")

    for f in failures:
        print("FAILED:", f)
    if failures:
        print(f"{len(failures)} failures over {len(sources)} fixture sources")
        return 1
    print(f"PASSED: {len(sources)} fixture sources ({f'every {every}th, ' if every > 1 else ''}{len(compiles)} clang commands,"
          f" {'-c' if objects else '-fsyntax-only'}), plugin facts identical to extract's,"
          f" {time.monotonic() - started:.1f} s with {jobs} jobs, {cpu_seconds():.1f} s of CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
