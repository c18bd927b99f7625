#!/usr/bin/env python3
"""Errors breakdown over lockcheck-server's JSON logs (docs/runbook.md).

usage: lockcheck-log-breakdown [FILE ...] [--since TS] [--until TS] [--last DUR] [--json]

Reads one JSON object per line from the FILEs or stdin ("-" or none), e.g.
    journalctl -u lockcheck-server -o cat --since -1h | lockcheck-log-breakdown
Text before the first "{" on a line (syslog prefixes) is skipped. Request
lines (those with "status" and "endpoint") are counted by status, error_kind
and endpoint, with shares, and the phase times (duration_ms, lock_wait_ms,
db_queue_ms, db_ms, bcrypt_queue_ms, bcrypt_ms) get percentiles; other lines
are counted by "event". The window: --since/--until take ISO 8601 times
(2026-11-30T04:00:00Z); --last 15m|2h|30s is the span before the newest line.
Exit 0, or 2 on bad arguments or an unreadable file.
"""
import argparse
import json
import math
import re
import sys
from collections import Counter
from datetime import datetime, timedelta, timezone

PHASES = ("duration_ms", "lock_wait_ms", "db_queue_ms", "db_ms", "bcrypt_queue_ms", "bcrypt_ms")
PERCENTILES = (50, 90, 99)


def parse_ts(text):
    """An ISO 8601 time (Z or offset; naive means UTC) as an aware datetime."""
    t = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def parse_duration(text):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([smhd])", text.strip())
    if not m:
        raise ValueError("duration must look like 30s, 15m, 2h or 1d, not %r" % text)
    unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[m.group(2)]
    return timedelta(**{unit: float(m.group(1))})


def percentile(sorted_values, p):
    """Nearest rank: the smallest value with at least p % of the values at or below it."""
    rank = max(1, math.ceil(p / 100.0 * len(sorted_values)))
    return sorted_values[rank - 1]


def read_records(streams):
    """(records, skipped): each JSON object with its parsed ts (None if absent/bad)."""
    records, skipped = [], 0
    for stream in streams:
        for line in stream:
            start = line.find("{")
            if start < 0:
                skipped += line.strip() != ""
                continue
            try:
                obj = json.loads(line[start:])
            except ValueError:
                skipped += 1
                continue
            if not isinstance(obj, dict):
                skipped += 1
                continue
            try:
                ts = parse_ts(obj["ts"]) if isinstance(obj.get("ts"), str) else None
            except ValueError:
                ts = None
            records.append((ts, obj))
    return records, skipped


def in_window(records, since=None, until=None, last=None):
    if last is not None:
        stamps = [ts for ts, _ in records if ts is not None]
        if stamps:
            since = max(since or datetime.min.replace(tzinfo=timezone.utc), max(stamps) - last)
    if since is None and until is None:
        return records
    return [(ts, o) for ts, o in records
            if ts is not None and (since is None or ts >= since) and (until is None or ts <= until)]


def shares(counter, total):
    return [{"key": k, "count": n, "share": n / total if total else 0.0}
            for k, n in sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))]


def breakdown(records, skipped=0):
    """The report as a dict (what --json prints)."""
    requests = [(ts, o) for ts, o in records if "status" in o and "endpoint" in o]
    events = Counter(o.get("event", "(no event)") for _, o in records if not ("status" in o and "endpoint" in o))
    total = len(requests)
    by_status = Counter(str(o["status"]) for _, o in requests)
    by_kind = Counter(o.get("error_kind") or "(none)" for _, o in requests)
    by_endpoint = Counter(o["endpoint"] for _, o in requests)
    endpoint_status = Counter((o["endpoint"], str(o["status"])) for _, o in requests)
    phases = {}
    for name in PHASES:
        values = sorted(float(o[name]) for _, o in requests if isinstance(o.get(name), (int, float)))
        if values:
            row = {"count": len(values), "max": values[-1]}
            row.update({"p%d" % p: percentile(values, p) for p in PERCENTILES})
            phases[name] = row
    stamps = [ts for ts, _ in requests if ts is not None]
    fivexx = sum(n for s, n in by_status.items() if s.startswith("5"))
    return {
        "requests": total,
        "from": min(stamps).isoformat() if stamps else None,
        "to": max(stamps).isoformat() if stamps else None,
        "share_5xx": fivexx / total if total else 0.0,
        "by_status": shares(by_status, total),
        "by_error_kind": shares(by_kind, total),
        "by_endpoint": [dict(row, by_status={s: n for (e, s), n in sorted(endpoint_status.items())
                                               if e == row["key"]})
                        for row in shares(by_endpoint, total)],
        "phases_ms": phases,
        "events": dict(sorted(events.items())),
        "skipped_lines": skipped,
    }


def render_text(report):
    out = []
    window = " (%s .. %s)" % (report["from"], report["to"]) if report["from"] else ""
    out.append("requests: %d%s, 5xx %.1f %%" % (report["requests"], window, 100 * report["share_5xx"]))
    for title, key in (("status", "by_status"), ("error_kind", "by_error_kind"), ("endpoint", "by_endpoint")):
        out.append("by %s:" % title)
        for row in report[key]:
            extra = ""
            if key == "by_endpoint":
                extra = "  " + " ".join("%s:%d" % kv for kv in row["by_status"].items())
            out.append("  %-24s %8d %6.1f %%%s" % (row["key"], row["count"], 100 * row["share"], extra))
    if report["phases_ms"]:
        out.append("phase times (ms):          count      p50      p90      p99      max")
        for name, row in report["phases_ms"].items():
            out.append("  %-20s %10d %8.2f %8.2f %8.2f %8.2f" % (name, row["count"], row["p50"], row["p90"],
                                                               row["p99"], row["max"]))
    if report["events"]:
        out.append("other lines by event: " + ", ".join("%s %d" % kv for kv in report["events"].items()))
    if report["skipped_lines"]:
        out.append("skipped %d line(s) that are not JSON objects" % report["skipped_lines"])
    return "\n".join(out) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(prog="lockcheck-log-breakdown",
                                 description="Errors breakdown over lockcheck-server's JSON logs.")
    ap.add_argument("files", nargs="*", help="log files ('-' or none: stdin)")
    ap.add_argument("--since", type=parse_ts, help="only lines at or after this ISO 8601 time")
    ap.add_argument("--until", type=parse_ts, help="only lines at or before this ISO 8601 time")
    ap.add_argument("--last", type=parse_duration, help="only the last DURATION before the newest line (15m, 2h)")
    ap.add_argument("--json", action="store_true", help="print the report as JSON")
    args = ap.parse_args(argv)
    streams = []
    try:
        for name in args.files or ["-"]:
            streams.append(sys.stdin if name == "-" else open(name, encoding="utf-8", errors="replace"))
    except OSError as e:
        print("lockcheck-log-breakdown: %s" % e, file=sys.stderr)
        return 2
    records, skipped = read_records(streams)
    report = breakdown(in_window(records, args.since, args.until, args.last), skipped)
    sys.stdout.write(json.dumps(report, indent=1) + "\n" if args.json else render_text(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
