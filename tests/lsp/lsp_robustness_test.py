#!/usr/bin/env python3
"""Issue 25: `lockcheck lsp` against what an editor session can bring (docs/editors.md).

- a buffer that crashes Clang on didOpen: that file is "not analysed", the server lives on;
- a cache entry with a valid checksum and CBOR a million deep, met while indexing: a miss;
- didClose of an edited, unsaved buffer: its facts give way to the file on disk, and the
  findings it caused in other open files go;
- two Content-Length headers: one protocol error, and the next message is served.

usage: lsp_robustness_test.py LOCKCHECK
"""
import json, os, shutil, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench"))
import lsp_client  # noqa: E402

LOCKCHECK = os.path.abspath(sys.argv[1])
failures = 0


def check(name, ok, detail=""):
    global failures
    print(("ok   " if ok else "FAIL ") + name + ("" if ok or not detail else f" ({detail})"))
    failures += 0 if ok else 1


class Client(lsp_client.Client):
    def __init__(self, root, *args):
        super().__init__([LOCKCHECK, "lsp", *args], root)
        self.next_id = 1

    def request(self, method, params=None):
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params or {}})
        return self.next_id

    def notify(self, method, params):
        self.send({"method": method, "params": params})

    def diagnostics(self, path, accept=lambda diags: True, timeout=300):
        """The first diagnostics published for `path` that `accept` takes (indexing may
        republish in between); None when none came."""
        uri = "file://" + path
        m = self.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                          and m["params"]["uri"] == uri and accept(m["params"]["diagnostics"]), timeout)
        return None if m is None else m["params"]["diagnostics"]

    def alive(self):
        rid = self.request("shutdown")
        return self.wait_for(lambda m: m.get("id") == rid, 120) is not None

    def close(self):
        self.notify("exit", {})
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def start(root, *args):
    c = Client(root, *args)
    rid = c.request("initialize", {"rootUri": "file://" + root, "capabilities": {}})
    answer = c.wait_for(lambda m: m.get("id") == rid, 120)
    c.notify("initialized", {})
    return c, answer


def open_doc(c, path, text=None):
    text = open(path).read() if text is None else text
    c.notify("textDocument/didOpen", {"textDocument": {"uri": "file://" + path, "languageId": "cpp",
                                                       "version": 1, "text": text}})


def blocking(diags):
    return [d for d in diags or [] if d.get("code") == "blocking-under-lock"]


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def main():
    tmp = tempfile.mkdtemp()
    try:
        root = os.path.join(tmp, "ws")
        os.makedirs(root)
        write(os.path.join(root, "util.h"), "void helper();\n")
        a = os.path.join(root, "a.cpp")
        write(a, '#include <mutex>\n#include "util.h"\nstd::mutex mu;\nvoid f() {\n'
                 '  std::lock_guard<std::mutex> lock(mu);\n  helper();\n}\n')
        b = os.path.join(root, "b.cpp")
        quiet_b = '#include "util.h"\nvoid helper() {}\n'
        write(b, quiet_b)
        huge = os.path.join(tmp, "elsewhere", "huge.cpp")  # outside the workspace: only opened
        os.makedirs(os.path.dirname(huge))
        write(huge, "int huge() { return " + " + ".join(["1"] * 70000) + "; }\n")
        cache = os.path.join(tmp, "cache")

        # 1. didOpen of a file that crashes Clang.
        c, answer = start(root, "--cache-dir", cache)
        check("initialize answered", answer is not None and "result" in answer)
        open_doc(c, huge)
        diags = c.diagnostics(huge)
        check("crashing buffer: diagnostics published, the server alive", diags is not None)
        check("crashing buffer: said not analysed",
              diags is not None and any("parser crashed" in d["message"] for d in diags), str(diags)[:300])
        check("crashing buffer: the server alive after it", c.alive())
        c.close()

        # 2. didClose of an edited, unsaved buffer.
        c, answer = start(root, "--cache-dir", cache)
        open_doc(c, a)
        check("a.cpp clean while helper() does not block", c.diagnostics(a) is not None)
        open_doc(c, b, '#include "util.h"\n#include <unistd.h>\nvoid helper() { usleep(1); }\n')
        check("unsaved b.cpp whose helper() sleeps: a.cpp has the finding",
              c.diagnostics(a, lambda d: len(blocking(d)) == 1) is not None)
        c.notify("textDocument/didClose", {"textDocument": {"uri": "file://" + b}})
        c.notify("workspace/didChangeConfiguration", {"settings": {}})  # republishes a.cpp
        check("b.cpp closed unsaved: a.cpp's finding is gone (the disk's helper() does not block)",
              c.diagnostics(a, lambda d: blocking(d) == [], 90) is not None)
        c.close()

        # 3. A cache entry with a valid checksum and CBOR a million deep, met while indexing.
        subprocess.run([LOCKCHECK, "--quiet", "--cache-dir", cache, root], cwd=root, capture_output=True)
        payload = b"\x81" * 1000000 + b"\xf6"
        h = 14695981039346656037
        for byte in payload:
            h = ((h ^ byte) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
        entries = [os.path.join(cache, e) for e in os.listdir(cache) if e.endswith(".cbor")]
        for e in entries:
            with open(e, "wb") as f:
                f.write(b"%016x" % h + payload)
        c, answer = start(root, "--cache-dir", cache)
        open_doc(c, a)
        c.diagnostics(a)
        time.sleep(2)  # indexing reads the entries meanwhile
        check("deep CBOR cache entries at indexing: the server alive", c.alive())
        c.close()

        # 4. Two Content-Length headers: a protocol error, then the next message is served.
        c, answer = start(root, "--no-cache")
        body = json.dumps({"jsonrpc": "2.0", "id": 77, "method": "no/such/method"}).encode()
        c.write(b"Content-Length: 3\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        rid = c.request("no/such/method/either")
        error = c.wait_for(lambda m: "error" in m and m.get("id") is None, 60)
        check("two Content-Length headers: a protocol error",
              error is not None and "Content-Length given 2 times" in error["error"]["message"], str(error))
        reply = c.wait_for(lambda m: m.get("id") == rid, 60)
        check("two Content-Length headers: the next message is served", reply is not None)
        c.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
