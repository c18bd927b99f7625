"""A minimal LSP client over a server's pipes, for bench/lsp_roundtrip.py and the language
server's tests (tests/lsp): a reader thread queues each message the server writes."""
import json, queue, subprocess, threading, time


class Client:
    def __init__(self, cmd, cwd):
        self.proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self.inbox = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    self.inbox.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            self.inbox.put(json.loads(out.read(length)))

    def write(self, raw):
        """Bytes as they are (a test's malformed frame); a gone server is not an error here."""
        try:
            self.proc.stdin.write(raw)
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass

    def send(self, message):
        body = json.dumps(dict(message, jsonrpc="2.0")).encode()
        self.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))

    def wait_for(self, accept, timeout=600):
        """The first message `accept` takes (answering progress-token requests on the way);
        None when the server is gone or `timeout` seconds passed."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                m = self.inbox.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                return None
            if m is None:
                self.inbox.put(None)  # and stays gone
                return None
            if m.get("method") == "window/workDoneProgress/create":
                self.send({"id": m["id"], "result": None})
            if accept(m):
                return m
