#!/usr/bin/env python3
"""Issue 31: the build must not depend on what else sits in LLVM's include folder.

libc++abi-19-dev installs its own cxxabi.h into LLVM's include folder; a target that
searches that folder ahead of libstdc++ then compiles GoogleTest against the wrong ABI
header. This test puts a stand-in cxxabi.h (an #error) into a copy of that folder (links
to every entry, plus the stand-in) and recompiles, -fsyntax-only, one translation unit of
every first-party target with that copy in place of the real folder. A target that reaches
the folder itself (today's fix reaches only its llvm/ and clang/ trees, through links in
the build tree) finds the stand-in and fails.

usage: llvm_headers_isolated_test.py BUILD_DIR LLVM_INCLUDE_DIR
"""
import concurrent.futures
import json
import os
import shlex
import subprocess
import sys
import tempfile

STAND_IN = '#error "a cxxabi.h from LLVM\'s include folder was reached (libc++abi\'s, issue 31)"\n'


def main():
    build_dir, llvm_include = sys.argv[1], os.path.realpath(sys.argv[2])
    with open(os.path.join(build_dir, "compile_commands.json")) as f:
        entries = json.load(f)
    # One translation unit per target: the object folder CMakeFiles/<target>.dir names it.
    per_target = {}
    for e in entries:
        args = e["arguments"] if "arguments" in e else shlex.split(e["command"])
        out = args[args.index("-o") + 1] if "-o" in args else e["file"]
        target = out.split(".dir/")[0] if ".dir/" in out else out
        per_target.setdefault((e["directory"], target), (e, args))
    if not per_target:
        print("no compile commands in", build_dir)
        return 1

    with tempfile.TemporaryDirectory() as tmp:
        overlay = os.path.join(tmp, "llvm-include")
        os.mkdir(overlay)
        for name in os.listdir(llvm_include):
            if name != "cxxabi.h":
                os.symlink(os.path.join(llvm_include, name), os.path.join(overlay, name))
        with open(os.path.join(overlay, "cxxabi.h"), "w") as f:
            f.write(STAND_IN)

        def with_overlay(arg):
            # -isystem DIR, -isystemDIR, -IDIR, -idirafter DIR: any spelling that names the folder.
            for prefix in ("-isystem", "-idirafter", "-I", ""):
                if arg.startswith(prefix) and os.path.isdir(arg[len(prefix):]) and \
                        os.path.realpath(arg[len(prefix):]) == llvm_include:
                    return prefix + overlay
            return arg

        def check(item):
            (directory, target), (entry, args) = item
            cmd, skip = [], False
            for a in args:
                if skip:
                    skip = False
                    continue
                if a == "-o":
                    skip = True
                    continue
                if a == "-c":
                    continue
                cmd.append(with_overlay(a))
            cmd.append("-fsyntax-only")
            r = subprocess.run(cmd, cwd=directory, capture_output=True, text=True)
            return target, entry["file"], r.returncode, r.stderr

        failed = 0
        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            for target, file, rc, err in pool.map(check, sorted(per_target.items())):
                if rc != 0:
                    failed += 1
                    first = next((l for l in err.splitlines() if "error" in l), err.strip()[:300])
                    print(f"FAIL {target}: {file}\n  {first}")
                else:
                    print(f"ok   {target}: {file}")
        print(f"{len(per_target) - failed} of {len(per_target)} targets compile with a foreign cxxabi.h "
              f"in {llvm_include}")
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
