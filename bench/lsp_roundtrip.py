#!/usr/bin/env python3
"""Times the language server's round trip against the compiler (docs/spec.md §7, issue 14).

One file of the bundled server, the rest of the program warm (its facts in the cache, as
`lockcheck PATH` leaves them): `lockcheck lsp` gets textDocument/didSave and the time until
its textDocument/publishDiagnostics for that file is measured, against `clang++
-fsyntax-only` on the same file with the same flags, in the same run. Prints the medians
and the ratio (the contract's target: <= 1.5).

usage: bench/lsp_roundtrip.py --lockcheck build/bin/lockcheck [--build build]
                              [--root server/src] [--file server/src/handlers.cpp] [--runs 5]
(--root: the workspace the server opens, e.g. another project with its own --build.)
"""
import argparse, os, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lsp_client  # noqa: E402
from checker_bench import CLANG, commands, find_db, run  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Client(lsp_client.Client):
    def wait_for(self, accept, timeout=600):
        m = super().wait_for(accept, timeout)
        if m is None:
            sys.exit("lockcheck lsp exited or did not answer")
        return m


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lockcheck", required=True)
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--root", default=os.path.join(REPO, "server", "src"))
    ap.add_argument("--file", default=os.path.join(REPO, "server/src/handlers.cpp"))
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    lockcheck = os.path.abspath(a.lockcheck)
    root = os.path.realpath(a.root)
    db = os.path.abspath(find_db(REPO, a.build))
    target = os.path.realpath(a.file)
    found = [c for c in commands(db, root) if c[1] == target]
    if not found:
        sys.exit(f"{target}: not in {db}/compile_commands.json")
    cwd, f, args = found[0]

    with tempfile.TemporaryDirectory() as cache:
        # The rest of the program warm: a full run from the root fills the cache the server
        # reads (facts keep paths relative to the directory of the run that made them).
        subprocess.run([lockcheck, "--quiet", "-p", db, "--cache-dir", cache, "."], cwd=root, stdout=subprocess.DEVNULL)
        client = Client([lockcheck, "lsp", "-p", db, "--cache-dir", cache], root)
        uri = "file://" + target
        client.send({"id": 1, "method": "initialize", "params": {
            "processId": os.getpid(), "rootUri": "file://" + root,
            "capabilities": {"window": {"workDoneProgress": True}}}})
        client.wait_for(lambda m: m.get("id") == 1)
        client.send({"method": "initialized", "params": {}})
        client.wait_for(lambda m: m.get("method") == "$/progress" and m["params"]["value"]["kind"] == "end")
        # A publication is matched to its save by the buffer's version: the server republishes
        # open buffers on its own too (after indexing), which must not count as an answer.
        def published(version):
            return lambda m: (m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri
                              and m["params"].get("version") == version)
        text = open(target).read()
        client.send({"method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "cpp", "version": 1, "text": text}}})
        client.wait_for(published(1))
        args = [x for x in args if x != f and os.path.realpath(os.path.join(cwd, x)) != f]
        clang_cmd = [CLANG, "-fsyntax-only", "-w"] + args + [f]
        run(clang_cmd, cwd)  # warm-up: headers in the page cache for both
        # Interleaved, so that a change in the machine's load hits both columns alike.
        lsp_times, clang_times = [], []
        for run_index in range(a.runs):
            version = run_index + 2
            # The same text under a new version (as an editor sends before saving), then the save.
            client.send({"method": "textDocument/didChange", "params": {
                "textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}})
            t = time.perf_counter()
            client.send({"method": "textDocument/didSave", "params": {"textDocument": {"uri": uri}}})
            m = client.wait_for(published(version))
            lsp_times.append(time.perf_counter() - t)
            clang_times.append(run(clang_cmd, cwd)[0])
        findings = len(m["params"]["diagnostics"])
        client.send({"id": 2, "method": "shutdown"})
        client.wait_for(lambda m: m.get("id") == 2)
        client.send({"method": "exit"})
        client.proc.wait(timeout=30)

    lsp, clang = statistics.median(lsp_times), statistics.median(clang_times)
    print(f"file: {os.path.relpath(target, REPO)} ({findings} diagnostics), median of {a.runs}")
    print(f"lsp didSave -> publishDiagnostics: {lsp:.3f} s")
    print(f"clang++ -fsyntax-only:             {clang:.3f} s")
    print(f"ratio: {lsp / clang:.2f} x (target <= 1.5 x)")


if __name__ == "__main__":
    main()
