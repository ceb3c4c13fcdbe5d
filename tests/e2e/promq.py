#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Reads llmwatch's --metrics file (Prometheus text format) strictly, for the e2e tests.

  promq.py check FILE                   exit 0 if every line parses, else 2 naming the line
  promq.py get FILE NAME [LABEL=VALUE...]  print the value of the series with exactly those
                                        labels (exit 1 if there is none)

Strict: only "# HELP" and "# TYPE" comments, a TYPE before its family's samples and once,
counter names ending in _total, label values with only the \\\\, \\" and \\n escapes, numbers
that parse, no series twice, a final newline.
"""
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"


def fail(path, n, why, line):
    print(f"{path}:{n}: {why}: {line[:200]!r}", file=sys.stderr)
    sys.exit(2)


def parse_labels(s, path, n, line):
    labels, i = {}, 0
    while i < len(s):
        m = re.match(LABEL + "=\"", s[i:])
        if not m:
            fail(path, n, "bad label", line)
        key = m.group(0)[:-2]
        i += len(m.group(0))
        val = []
        while True:
            if i >= len(s):
                fail(path, n, "unterminated label value", line)
            c = s[i]
            if c == "\\":
                nxt = s[i + 1:i + 2]
                if nxt not in ("\\", "\"", "n"):
                    fail(path, n, "bad escape", line)
                val.append("\n" if nxt == "n" else nxt)
                i += 2
            elif c == "\"":
                i += 1
                break
            else:
                val.append(c)
                i += 1
        if key in labels:
            fail(path, n, "label twice", line)
        labels[key] = "".join(val)
        if i < len(s):
            if s[i] != ",":
                fail(path, n, "expected ,", line)
            i += 1
    return labels


def parse(path):
    raw = open(path, encoding="utf-8").read()
    if not raw.endswith("\n"):
        fail(path, 0, "no final newline", raw[-50:])
    types, series = {}, {}
    for n, line in enumerate(raw.split("\n")[:-1], 1):
        if line.startswith("#"):
            m = re.fullmatch(r"# HELP (" + NAME + r") (.*)", line)
            if m:
                if re.search(r"\\[^\\n]", m.group(2).replace("\\\\", "")):
                    fail(path, n, "bad escape in HELP", line)
                continue
            m = re.fullmatch(r"# TYPE (" + NAME + r") (counter|gauge|untyped)", line)
            if not m:
                fail(path, n, "not HELP or TYPE", line)
            name = m.group(1)
            if name in types or any(k[0] == name for k in series):
                fail(path, n, "TYPE twice or after samples", line)
            types[name] = m.group(2)
            continue
        m = re.fullmatch("(" + NAME + r")(?:\{(.*)\})? (\S+)", line)
        if not m:
            fail(path, n, "not a sample", line)
        name, lab, value = m.groups()
        if name not in types:
            fail(path, n, "no TYPE for the family", line)
        if types[name] == "counter" and not name.endswith("_total"):
            fail(path, n, "counter not named _total", line)
        labels = parse_labels(lab or "", path, n, line)
        try:
            v = float(value)
        except ValueError:
            fail(path, n, "not a number", line)
        key = (name, tuple(sorted(labels.items())))
        if key in series:
            fail(path, n, "series twice", line)
        series[key] = value
    return series


def main():
    cmd, path, *rest = sys.argv[1:]
    series = parse(path)
    if cmd == "check":
        return
    if cmd != "get":
        sys.exit(f"unknown command {cmd}")
    name, want = rest[0], dict(kv.split("=", 1) for kv in rest[1:])
    v = series.get((name, tuple(sorted(want.items()))))
    if v is None:
        sys.exit(1)
    print(v)


if __name__ == "__main__":
    main()
