#!/usr/bin/env python3
"""Issue 29: the Clang plugin writes the same facts as `lockcheck extract`, byte for byte.

Every fixture source (tests/fixtures/**/*.cpp) is compiled once by clang with the plugin
loaded and once extracted by `lockcheck extract -p`, both from one compile_commands.json
entry (the fixtures' flags: -std=c++20 -pthread, and the source's folder on the include
path) and both from the fixtures folder, so files below it are named relatively in both.
The facts must be identical; so must the set of sources that have facts (a fixture that
does not compile has none either way).

Objects: a full compile (-c) of every fixture, as a build does, in which the plugin runs
after code generation. FIXTURE_COMPILE=syntax-only compiles with -fsyntax-only instead.

usage: plugin_fixture_facts_test.py LOCKCHECK PLUGIN CLANGXX FIXTURES_DIR
"""
import concurrent.futures
import glob
import json
import os
import subprocess
import sys
import tempfile


def main():
    lockcheck, plugin, fixtures = (os.path.realpath(p) for p in (sys.argv[1], sys.argv[2], sys.argv[4]))
    clangxx = sys.argv[3]
    sources = sorted(glob.glob(os.path.join(fixtures, "**", "*.cpp"), recursive=True))
    sources = [s for s in sources if not s.endswith("fixture_runner_test.cpp")]
    if not sources:
        print("FAILED: no fixture sources under", fixtures)
        return 1
    syntax_only = os.environ.get("FIXTURE_COMPILE") == "syntax-only"

    with tempfile.TemporaryDirectory() as work:
        env = dict(os.environ, HOME=work, XDG_CACHE_HOME=os.path.join(work, "cache"))
        plugin_out = os.path.join(work, "plugin")
        db, commands = [], {}
        for i, src in enumerate(sources):
            obj = os.path.join(work, "obj", f"{i}.o")
            args = [clangxx, "-std=c++20", "-pthread", "-I" + os.path.dirname(src)]
            args += ["-fsyntax-only", src] if syntax_only else ["-c", src, "-o", obj]
            db.append({"directory": fixtures, "file": src, "arguments": args})
            commands[src] = args + ["-fplugin=" + plugin, "-fplugin-arg-lockcheck-out=" + plugin_out]
        os.makedirs(os.path.join(work, "obj"))
        with open(os.path.join(work, "compile_commands.json"), "w") as f:
            json.dump(db, f)

        def compile_one(src):
            r = subprocess.run(commands[src], cwd=fixtures, env=env, capture_output=True, text=True)
            return src, r.returncode, r.stderr

        def extract_one(i_src):
            i, src = i_src
            out = os.path.join(work, "extract", f"{i}.lcfacts")
            r = subprocess.run([lockcheck, "extract", src, "-p", work, "-o", out, "--quiet"],
                               cwd=fixtures, env=env, capture_output=True, text=True)
            return src, r.returncode, out, r.stderr

        os.makedirs(os.path.join(work, "extract"))
        jobs = os.cpu_count() or 2
        with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
            compiled = list(pool.map(compile_one, sources))
            extracted = list(pool.map(extract_one, enumerate(sources)))

        # The plugin's files: <out>/<absolute source>.<hash>.lcfacts, one per source here.
        by_source = {}
        for path in glob.glob(os.path.join(plugin_out, "**", "*.lcfacts"), recursive=True):
            rel = os.path.relpath(path, plugin_out)
            source = "/" + rel[: -len(".0123456789abcdef.lcfacts")]
            by_source.setdefault(source, []).append(path)

        failures = []
        for (src, rc, err), (_, xrc, xout, xerr) in zip(compiled, extracted):
            name = os.path.relpath(src, fixtures)
            if "lockcheck plugin" in err:
                failures.append(f"{name}: the plugin complained: {err.strip()}")
                continue
            files = by_source.get(src, [])
            if rc != 0 or xrc != 0:
                # A fixture that does not compile: no facts from either.
                if rc == 0 or xrc == 0 or files:
                    failures.append(f"{name}: compile exit {rc}, extract exit {xrc}, plugin facts {files}: "
                                    f"{err.strip()} {xerr.strip()}")
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
        print(f"{len(failures)} of {len(sources)} fixture sources differ")
        return 1
    print(f"PASSED: {len(sources)} fixture sources, plugin facts identical to extract's"
          f" ({'-fsyntax-only' if syntax_only else '-c'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
