#!/usr/bin/env python3
"""Compiles every server source with clang's thread-safety analysis as an error.

usage: thread_safety_check.py clean|planted BUILD_DIR SOURCE_DIR [CLANG]

The normal build uses g++, which ignores the attributes of
server/src/thread_annotations.h; this replays the server's entries of
BUILD_DIR/compile_commands.json with `clang++-19 -fsyntax-only
-Wthread-safety -Werror=thread-safety`.
  clean:   every server TU must compile without a thread-safety diagnostic.
  planted: a copy of server/src whose ItemCache::get reads map_ without taking
           mu_ must be refused with "requires holding mutex 'mu_'" (so the
           check, and the GUARDED_BY it relies on, can fail).
"""
import concurrent.futures
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile


def server_commands(build_dir, source_dir):
    server = os.path.join(os.path.realpath(source_dir), "server") + os.sep
    for entry in json.load(open(os.path.join(build_dir, "compile_commands.json"))):
        path = os.path.realpath(os.path.join(entry["directory"], entry["file"]))
        if path.startswith(server):
            args = entry.get("arguments") or shlex.split(entry["command"])
            yield entry["directory"], path, args


def clang_args(args, clang, src_file):
    out, skip = [clang, "-fsyntax-only", "-Wthread-safety", "-Werror=thread-safety"], False
    for a in args[1:]:
        if skip:
            skip = False
        elif a == "-o":
            skip = True
        elif a != "-c" and not a.startswith("-fsanitize") and os.path.realpath(a) != src_file:
            out.append(a)
    return out


def compile_one(directory, args):
    p = subprocess.run(args, cwd=directory, capture_output=True, text=True)
    return p.returncode, p.stderr


def main():
    if len(sys.argv) not in (4, 5) or sys.argv[1] not in ("clean", "planted"):
        print(__doc__)
        return 2
    mode, build_dir, source_dir = sys.argv[1:4]
    clang = sys.argv[4] if len(sys.argv) == 5 else "clang++-19"
    if shutil.which(clang) is None:
        print("FAIL: %s not found (ci/setup.sh installs clang-19)" % clang)
        return 1
    commands = list(server_commands(build_dir, source_dir))
    if not commands:
        print("FAIL: no server sources in %s/compile_commands.json" % build_dir)
        return 1

    if mode == "clean":
        jobs = [(d, clang_args(a, clang, f) + [f], f) for d, f, a in commands]
        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            results = list(pool.map(lambda j: (j[2],) + compile_one(j[0], j[1]), jobs))
        bad = [(f, rc, err) for f, rc, err in results if rc != 0 or "thread-safety" in err]
        for f, rc, err in bad:
            print("FAIL: %s (exit %d)\n%s" % (f, rc, err))
        if bad:
            return 1
        print("PASS: %d server sources clean under clang -Wthread-safety -Werror" % len(results))
        return 0

    src = os.path.join(os.path.realpath(source_dir), "server", "src")
    target = os.path.join(src, "item_cache.cpp")
    entry = next(((d, a) for d, f, a in commands if f == target), None)
    if entry is None:
        print("FAIL: %s is not in the compile database" % target)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, "src")
        shutil.copytree(src, copy)
        planted = os.path.join(copy, "item_cache.cpp")
        text = open(planted).read()
        anchor = "  if (!lk.try_lock(lock_wait_ms)) return Result::lock_timeout;\n"
        if text.count(anchor) != 1:
            print("FAIL: the bounded lock in ItemCache::get was not found; update this test")
            return 1
        open(planted, "w").write(text.replace(anchor, ""))
        args = [a.replace(src, copy) if a.startswith("-I") else a for a in clang_args(entry[1], clang, target)]
        rc, err = compile_one(entry[0], args + [planted])
    want = "requires holding mutex 'mu_'"
    if rc != 0 and want in err and "-Werror,-Wthread-safety" in err:
        print("PASS: map_ read without mu_ refused: " + next(l for l in err.splitlines() if want in l))
        return 0
    print("FAIL: the planted unlocked read compiled (exit %d):\n%s" % (rc, err))
    return 1


if __name__ == "__main__":
    sys.exit(main())
