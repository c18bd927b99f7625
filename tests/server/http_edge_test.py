#!/usr/bin/env python3
"""The server's HTTP edge (issue 25), over raw sockets against a throwaway PostgreSQL.

usage: http_edge_test.py /path/to/lockcheck-server

Message framing that could smuggle a second request (RFC 9112 §6.1, §6.3): Transfer-Encoding other
than exactly `chunked`, or with Content-Length, is answered and the connection closed, and the bytes
after the header are never served; HTTP/1.0 with Transfer-Encoding closes after the message; a
missing or duplicate Host is 400; `Expect: 100-continue` is answered before the body is read, other
expectations get 417; a body with a NUL byte is 400, not truncated; the `Bearer` scheme is
case-insensitive; numbers in item data keep every digit.
"""
import json
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pgcluster import free_port  # noqa: E402
from server_test import Client, check, launch, main_for, server_env, wait_health  # noqa: E402


def read_responses(sock, timeout=3.0):
    """Every response the server sends until it closes the connection (or `timeout` of silence):
    [(status, headers, body)], and whether it closed."""
    sock.settimeout(timeout)
    data = b""
    closed = False
    while True:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            closed = True
            break
        if not chunk:
            closed = True
            break
        data += chunk
    responses = []
    while data:
        head, sep, rest = data.partition(b"\r\n\r\n")
        if not sep:
            break
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        responses.append((status, headers, rest[:length]))
        data = rest[length:]
    return responses, closed


def exchange(port, raw, timeout=3.0):
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(raw)
        return read_responses(s, timeout)


def request(method, path, headers=(), body=b"", version="HTTP/1.1"):
    head = "%s %s %s\r\n" % (method, path, version) + "".join("%s: %s\r\n" % h for h in headers) + "\r\n"
    return head.encode() + body


SMUGGLED = request("GET", "/version", [("Host", "x")])


def chunked(body):
    return b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)


def text_call(port, method, path, headers=(), body=b""):
    """One request on its own connection: (status, body text), the body not parsed (json.loads
    would turn long decimals into doubles)."""
    headers = [("Host", "x"), ("Connection", "close")] + list(headers)
    if body:
        headers.append(("Content-Length", str(len(body))))
    responses, _ = exchange(port, request(method, path, headers, body))
    return (responses[0][0], responses[0][2].decode()) if responses else (None, "")


def expect_refused(port, name, raw, status):
    """`raw` is answered with `status` and the connection closed: the bytes after the header
    (a complete GET /version) are never served as a second request."""
    responses, closed = exchange(port, raw)
    statuses = [r[0] for r in responses]
    check(name + ": %d" % status, statuses[:1] == [status], statuses)
    check(name + ": nothing else served", len(responses) == 1, statuses)
    check(name + ": Connection: close, then closed",
          bool(responses) and responses[0][1].get("connection") == "close" and closed, (responses[:1], closed))
    if responses:
        check(name + ": JSON error body", b'"error"' in responses[0][2], responses[0][2])


def framing(port):
    login = b'{"username":"edge","password":"wrong-horse"}'
    host = ("Host", "x")
    for te in ["gzip", "xchunked", "chunked, gzip", "gzip, chunked", "chunked"]:
        # Transfer-Encoding with Content-Length: whatever the coding, 400 and close (§6.3 item 3).
        raw = request("POST", "/api/auth/login",
                      [host, ("Transfer-Encoding", te), ("Content-Length", str(len(login)))], login + SMUGGLED)
        expect_refused(port, "TE %r + Content-Length" % te, raw, 400)
    raw = request("POST", "/api/auth/login", [host, ("Content-Length", str(len(login))), ("Transfer-Encoding", "chunked")],
                  login + SMUGGLED)
    expect_refused(port, "Content-Length then TE chunked", raw, 400)
    # The final coding must be chunked, else the length is unknown: 400 and close (§6.3 item 4).
    for te in ["gzip", "xchunked", "chunked, gzip", "chunked;q=1"]:
        raw = request("POST", "/api/auth/login", [host, ("Transfer-Encoding", te)], chunked(login) + SMUGGLED)
        expect_refused(port, "TE %r" % te, raw, 400)
    # chunked twice, in one line or two.
    raw = request("POST", "/api/auth/login", [host, ("Transfer-Encoding", "chunked, chunked")], chunked(login) + SMUGGLED)
    expect_refused(port, "TE 'chunked, chunked'", raw, 400)
    raw = request("POST", "/api/auth/login", [host, ("Transfer-Encoding", "chunked"), ("Transfer-Encoding", "chunked")],
                  chunked(login) + SMUGGLED)
    expect_refused(port, "two TE chunked lines", raw, 400)
    # A coding we do not implement before chunked: 501 and close (§6.1); also split over two lines.
    raw = request("POST", "/api/auth/login", [host, ("Transfer-Encoding", "gzip, chunked")], chunked(login) + SMUGGLED)
    expect_refused(port, "TE 'gzip, chunked'", raw, 501)
    raw = request("POST", "/api/auth/login", [host, ("Transfer-Encoding", "deflate"), ("Transfer-Encoding", "chunked")],
                  chunked(login) + SMUGGLED)
    expect_refused(port, "TE deflate + TE chunked lines", raw, 501)

    # Plain chunked on HTTP/1.1 is served, and the connection stays usable.
    raw = request("POST", "/api/auth/login", [host, ("Transfer-Encoding", "Chunked")], chunked(login)) + SMUGGLED
    responses, _ = exchange(port, raw)
    check("TE chunked: served, then the next request", [r[0] for r in responses] == [401, 200],
          [r[0] for r in responses])
    # HTTP/1.0 with Transfer-Encoding: served, then closed; the next request is not (§6.1).
    raw = request("POST", "/api/auth/login", [host, ("Transfer-Encoding", "chunked"), ("Connection", "keep-alive")],
                  chunked(login), version="HTTP/1.0") + SMUGGLED
    responses, closed = exchange(port, raw)
    check("HTTP/1.0 + TE chunked: served once, then closed",
          [r[0] for r in responses] == [401] and closed and responses[0][1].get("connection") != "keep-alive",
          (responses, closed))
    # Without Transfer-Encoding, HTTP/1.0 keep-alive still works.
    raw = request("GET", "/version", [("Connection", "keep-alive")], version="HTTP/1.0") + SMUGGLED
    responses, _ = exchange(port, raw)
    check("HTTP/1.0 keep-alive without TE: both served", [r[0] for r in responses] == [200, 200],
          [r[0] for r in responses])


def host_header(port):
    expect_refused(port, "HTTP/1.1 without Host", request("GET", "/version") + SMUGGLED, 400)
    expect_refused(port, "two Host headers", request("GET", "/version", [("Host", "a"), ("Host", "b")]) + SMUGGLED, 400)
    expect_refused(port, "Host with a path", request("GET", "/version", [("Host", "a/b")]) + SMUGGLED, 400)
    for good in ["127.0.0.1:8080", "example.com", "[::1]:80", ""]:
        responses, _ = exchange(port, request("GET", "/version", [("Host", good), ("Connection", "close")]))
        check("Host %r accepted" % good, [r[0] for r in responses] == [200], responses)
    responses, _ = exchange(port, request("GET", "/version", version="HTTP/1.0"))
    check("HTTP/1.0 without Host accepted", [r[0] for r in responses] == [200], responses)


def expect_continue(port):
    body = b'{"username":"edge","password":"wrong-horse"}'
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(request("POST", "/api/auth/login", [("Host", "x"), ("Expect", "100-continue"),
                                                      ("Content-Length", str(len(body)))]))
        # The body is not sent until the 100 arrives (curl waits 1 s, then sends anyway; main's
        # server never answered, so clients stalled that second).
        s.settimeout(5.0)
        t0 = time.monotonic()
        try:
            interim = s.recv(4096)
        except socket.timeout:
            interim = b""
        print("100 Continue after %.3f s" % (time.monotonic() - t0))
        check("Expect: 100-continue answered before the body is sent", interim.startswith(b"HTTP/1.1 100 Continue\r\n"),
              interim)
        s.sendall(body)
        responses, _ = read_responses(s, timeout=2.0)
        check("then the final response", [r[0] for r in responses] == [401], responses)
    # A body over the limit is refused at once, without 100 Continue.
    responses, closed = exchange(port, request("POST", "/api/auth/login", [
        ("Host", "x"), ("Expect", "100-continue"), ("Content-Length", str(10 ** 7))]))
    check("Expect with an oversized body: 413 without 100", [r[0] for r in responses] == [413] and closed, responses)
    # Other expectations cannot be met: 417, and the body is not read.
    expect_refused(port, "Expect: something-else", request("POST", "/api/auth/login", [
        ("Host", "x"), ("Expect", "something-else"), ("Content-Length", str(len(body)))], body + SMUGGLED), 417)


def run(server_bin, pg):
    port = free_port()
    log = open(os.path.join(pg.root, "server.log"), "w")
    proc = launch(server_bin, server_env(pg, port, JWT_EXPIRY_S="600"), log)
    try:
        c = Client(port)
        r = wait_health(c, 200)
        check("server up", r is not None and r[0] == 200, r)
        framing(port)
        host_header(port)
        expect_continue(port)

        creds = {"username": "edge", "password": "correct-horse"}
        c.call("POST", "/api/auth/register", creds)
        s, _, b, _ = c.call("POST", "/api/auth/login", creds)
        token = b["token"]
        # A NUL byte ends the parser's input: what follows must not be silently dropped.
        s, _, b, _ = c.call("POST", "/api/auth/login", raw=json.dumps(creds).encode() + b"\x00trailing")
        check("login body with NUL then more bytes 400", s == 400 and "NUL" in b.get("error", ""), (s, b))
        s, _, b, _ = c.call("PUT", "/api/items/5", raw=b'{"a":1}\x00{"b":2}', headers={"Authorization": "Bearer " + token})
        check("item body with NUL then more bytes 400", s == 400, (s, b))
        s, _, b, _ = c.call("GET", "/api/items/5")
        check("nothing stored from it", s == 404, (s, b))

        # The auth scheme is case-insensitive, one or more spaces before the token (RFC 9110 §11).
        for scheme in ["bearer ", "BEARER ", "bEaReR ", "Bearer   "]:
            s, _, b, _ = c.call("GET", "/api/me", headers={"Authorization": scheme + token})
            check("scheme %r accepted" % scheme, s == 200 and b.get("username") == "edge", (s, b))
        for bad in ["Bearer" + token, "Basic " + token, "Bearers " + token, "bearer"]:
            s, _, b, _ = c.call("GET", "/api/me", headers={"Authorization": bad})
            check("authorization %r refused" % bad[:12], s == 401, (s, b))

        # Numbers keep every digit: beyond 2^53, beyond 2^64, long decimals.
        auth = {"Authorization": "Bearer " + token}
        numbers = ['9007199254740993', '-9223372036854775809', '123456789012345678901234567890',
                   '0.1000000000000000055511151231257827', '3.14159265358979323846264338327950288419716939937510']
        raw = ('{"n":[' + ",".join(numbers) + ']}').encode()
        s, text = text_call(port, "PUT", "/api/items/9", [("Authorization", "Bearer " + token)], raw)
        check("PUT keeps every digit", s == 200 and all(n in text for n in numbers), (s, text))
        s, text = text_call(port, "GET", "/api/items/9")
        check("GET (cache hit) returns every digit", s == 200 and all(n in text for n in numbers), (s, text))
        stored = pg.psql("SELECT data::text FROM items WHERE id = 9").stdout
        check("the database holds every digit", all(n in stored for n in numbers), stored)
        big = "123456789012345678901234567890.000000000000000000001"
        pg.psql("INSERT INTO items (id, data) VALUES (10, '{\"n\": %s}')" % big)
        s, text = text_call(port, "GET", "/api/items/10")
        check("GET (cache miss) returns every digit", s == 200 and big in text, (s, text))
        # A number jsonb cannot hold is the client's fault: 400, not 500.
        s, _, b, _ = c.call("PUT", "/api/items/11", raw=b'{"n":1e999999}', headers=auth)
        check("number beyond numeric's range 400", s == 400 and "error" in b, (s, b))

        s, _, text, _ = c.call("GET", "/metrics")
        check("417 and 501 counted by status",
              'status="417"' in text and 'status="501"' in text, [l for l in text.splitlines() if "status=" in l][:5])
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(15)
            except Exception:  # noqa: BLE001
                proc.kill()
        log.close()


if __name__ == "__main__":
    sys.exit(main_for(run, __doc__))
