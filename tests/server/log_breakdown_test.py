#!/usr/bin/env python3
"""Unit tests of server/tools/log_breakdown.py on synthetic log lines."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

TOOL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "server", "tools", "log_breakdown.py")
sys.path.insert(0, os.path.dirname(TOOL))
import log_breakdown  # noqa: E402


def req(second, status, endpoint="/api/auth/login", kind=None, **phases):
    line = {"ts": "2026-11-30T04:00:%02d.000Z" % second, "level": "info", "trace_id": "t%d" % second,
            "method": "POST", "endpoint": endpoint, "status": status, "error_kind": kind, "duration_ms": 1.0}
    line.update(phases)
    return json.dumps(line)


SAMPLE = [
    req(0, 200, bcrypt_ms=100.0, bcrypt_queue_ms=1.0, db_ms=2.0),
    req(1, 200, bcrypt_ms=300.0, bcrypt_queue_ms=3.0, db_ms=4.0),
    req(2, 503, kind="bcrypt_queue_full"),
    req(3, 503, kind="lock_timeout", lock_wait_ms=50.5),
    req(4, 401, kind="bad_credentials", bcrypt_ms=200.0),
    req(5, 200, endpoint="GET /api/items/{id}", lock_wait_ms=0.01),
    '{"ts":"2026-11-30T04:00:06.000Z","level":"info","event":"db_pool_stats","in_use":0}',
    "Nov 30 04:00:07 host lockcheck-server[42]: " + req(7, 504, endpoint="/api/me", kind="db_timeout"),
    "not json at all",
    "",
]



class Breakdown(unittest.TestCase):
    def report(self, lines=SAMPLE, **window):
        records, skipped = log_breakdown.read_records([[line + "\n" for line in lines]])
        return log_breakdown.breakdown(log_breakdown.in_window(records, **window), skipped)

    def test_counts_and_shares(self):
        r = self.report()
        self.assertEqual(r["requests"], 7)
        status = {row["key"]: row["count"] for row in r["by_status"]}
        self.assertEqual(status, {"200": 3, "503": 2, "401": 1, "504": 1})
        self.assertAlmostEqual(r["share_5xx"], 3 / 7)
        kinds = {row["key"]: (row["count"], round(row["share"], 4)) for row in r["by_error_kind"]}
        self.assertEqual(kinds["(none)"], (3, round(3 / 7, 4)))
        self.assertEqual(kinds["lock_timeout"], (1, round(1 / 7, 4)))
        self.assertEqual(kinds["db_timeout"], (1, round(1 / 7, 4)))
        login = [row for row in r["by_endpoint"] if row["key"] == "/api/auth/login"][0]
        self.assertEqual(login["count"], 5)
        self.assertEqual(login["by_status"], {"200": 2, "401": 1, "503": 2})
        # The syslog prefix was skipped, the non-JSON line counted, the blank one ignored.
        self.assertEqual(r["skipped_lines"], 1)
        self.assertEqual(r["events"], {"db_pool_stats": 1})
        self.assertEqual(r["from"], "2026-11-30T04:00:00+00:00")
        self.assertEqual(r["to"], "2026-11-30T04:00:07+00:00")

    def test_phase_percentiles_nearest_rank(self):
        lines = [req(i % 60, 200, bcrypt_ms=float(i)) for i in range(1, 101)]
        p = self.report(lines)["phases_ms"]["bcrypt_ms"]
        self.assertEqual((p["count"], p["p50"], p["p90"], p["p99"], p["max"]), (100, 50.0, 90.0, 99.0, 100.0))
        self.assertNotIn("db_ms", self.report(lines)["phases_ms"])  # no line had it
        r = self.report()["phases_ms"]
        self.assertEqual(r["bcrypt_ms"]["count"], 3)
        self.assertEqual(r["bcrypt_ms"]["p50"], 200.0)
        self.assertEqual(r["lock_wait_ms"]["max"], 50.5)

    def test_window(self):
        since = log_breakdown.parse_ts("2026-11-30T04:00:02Z")
        until = log_breakdown.parse_ts("2026-11-30T04:00:04Z")
        self.assertEqual(self.report(since=since, until=until)["requests"], 3)
        # --last is relative to the newest line (04:00:07): 04:00:04 .. 04:00:07.
        self.assertEqual(self.report(last=log_breakdown.parse_duration("3s"))["requests"], 3)
        self.assertEqual(self.report(last=log_breakdown.parse_duration("1h"))["requests"], 7)
        with self.assertRaises(ValueError):
            log_breakdown.parse_duration("3 minutes")

    def test_cli_stdin_json_and_text(self):
        data = "\n".join(SAMPLE) + "\n"
        out = subprocess.run([sys.executable, TOOL, "--json", "--since", "2026-11-30T04:00:03Z"], input=data,
                             capture_output=True, text=True, check=True).stdout
        self.assertEqual(json.loads(out)["requests"], 4)
        with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as f:
            f.write(data)
        try:
            text = subprocess.run([sys.executable, TOOL, f.name], capture_output=True, text=True, check=True).stdout
        finally:
            os.unlink(f.name)
        self.assertIn("requests: 7", text)
        self.assertRegex(text, r"\n  503\s+2\s+28\.6 %")
        self.assertRegex(text, r"\n  lock_timeout\s+1\s+14\.3 %")
        self.assertRegex(text, r"\n  bcrypt_ms\s+3\s+200\.00")

    def test_cli_errors(self):
        r = subprocess.run([sys.executable, TOOL, "/nonexistent/log"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 2)
        self.assertIn("/nonexistent/log", r.stderr)
        r = subprocess.run([sys.executable, TOOL, "--last", "soon"], capture_output=True, text=True, input="")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--last", r.stderr)


if __name__ == "__main__":
    unittest.main()
