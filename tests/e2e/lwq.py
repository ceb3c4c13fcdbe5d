#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Queries llmwatch's JSON-lines output for the end-to-end tests.

  lwq.py count N FILE KEY=VALUE...      print how many lines match; exit 0
  lwq.py count-min N FILE KEY=VALUE...  exit 0 if at least N lines match, else 1
  lwq.py get FIELD FILE KEY=VALUE...    print FIELD of the first match (exit 1 if none)

A filter KEY=VALUE compares the field's JSON value as text (numbers as decimal); KEY~VALUE
tests for a substring; KEY! tests that the key is absent. Every line must be valid JSON:
an invalid line is itself a failure (exit 2).
"""
import json
import sys


def matches(obj, filters):
    for f in filters:
        if f.endswith("!"):
            if f[:-1] in obj:
                return False
            continue
        op = "~" if "~" in f and ("=" not in f or f.index("~") < f.index("=")) else "="
        key, want = f.split(op, 1)
        if key not in obj:
            return False
        v = obj[key]
        got = json.dumps(v) if isinstance(v, (dict, list)) else ("null" if v is None else str(v).lower() if isinstance(v, bool) else str(v))
        if op == "=" and got != want:
            return False
        if op == "~" and want not in got:
            return False
    return True


def main():
    cmd, arg, path, *filters = sys.argv[1:]
    hits = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if not line:
                continue
            try:
                obj = json.loads(line)
            except ValueError as e:
                print(f"{path}:{n}: not JSON: {e}: {line[:200]!r}", file=sys.stderr)
                sys.exit(2)
            if matches(obj, filters):
                hits.append(obj)
    if cmd == "count":
        print(len(hits))
    elif cmd == "count-min":
        sys.exit(0 if len(hits) >= int(arg) else 1)
    elif cmd == "get":
        if not hits:
            sys.exit(1)
        v = hits[0].get(arg)
        print(json.dumps(v) if isinstance(v, (dict, list)) else v)
    else:
        sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
