#!/usr/bin/env python3
"""Counts the spawns of one mnemonic in a Bazel --execution_log_json_file.

usage: bazel_spawns.py LOG MNEMONIC [--cache-hits]
Prints how many spawns ran (or, with --cache-hits, were served from the disk or
remote cache), then one line per spawn with its listed outputs. The log is a
stream of JSON objects, not one document.
"""
import json
import sys


def spawns(path):
    text = open(path, encoding="utf-8").read()
    decoder = json.JSONDecoder()
    at = 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at >= len(text):
            return
        spawn, at = decoder.raw_decode(text, at)
        yield spawn


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    want_hits = sys.argv[3:] == ["--cache-hits"]
    chosen = [s for s in spawns(sys.argv[1])
              if s.get("mnemonic") == sys.argv[2] and bool(s.get("remoteCacheHit")) == want_hits]
    print(len(chosen), flush=True)
    for s in chosen:
        print(" ".join(o if isinstance(o, str) else o.get("path", "") for o in s.get("listedOutputs", [])))


if __name__ == "__main__":
    main()
