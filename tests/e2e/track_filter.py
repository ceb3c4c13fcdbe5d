#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Reads a running llmwatch's tracked map and its filter (bpf/common.bpf.h) with bpftool.

  track_filter.py LW_PID byte TGID   prints TGID's filter byte (0 or 1)
  track_filter.py LW_PID tracked     prints the tgids in `tracked`, one per line
  track_filter.py LW_PID consistent  exits 1 naming each tgid in `tracked` whose byte is 0

The maps are the ones LW_PID holds (map ids from /proc/LW_PID/fdinfo), so that another
llmwatch running at the same time is never read by mistake.
"""
import glob
import json
import subprocess
import sys

SPAN = 64  # LW_TRACK_FILTER_SPAN in include/llmwatch/events.h


def bpftool(*args):
    out = subprocess.run(["bpftool", "-j", *args], check=True, capture_output=True, text=True).stdout
    return json.loads(out) if out.strip() else None


def held_map_ids(pid):
    ids = set()
    for path in glob.glob(f"/proc/{pid}/fdinfo/*"):
        try:
            with open(path) as f:
                for line in f:
                    if line.startswith("map_id:"):
                        ids.add(int(line.split()[1]))
        except OSError:
            pass  # a descriptor closed under the walk
    return ids


def map_id(pid, name):
    shown = bpftool("map", "show", "name", name)
    shown = shown if isinstance(shown, list) else [shown]
    ids = [m["id"] for m in shown if m and m["id"] in held_map_ids(pid)]
    if len(ids) != 1:
        sys.exit(f"track_filter.py: llmwatch {pid} holds {len(ids)} maps named {name}")
    return ids[0]


def le32(v):
    return [str(b) for b in v.to_bytes(4, "little")]


def filter_byte(pid, tgid):
    got = bpftool("map", "lookup", "id", str(map_id(pid, "track_filter")), "key", *le32(tgid // SPAN))
    return int(got["value"][tgid % SPAN], 16)


def tracked(pid):
    entries = bpftool("map", "dump", "id", str(map_id(pid, "tracked"))) or []
    return [int.from_bytes(bytes(int(b, 16) for b in e["key"]), "little") for e in entries]


def main():
    pid, what = int(sys.argv[1]), sys.argv[2]
    if what == "byte":
        print(filter_byte(pid, int(sys.argv[3])))
    elif what == "tracked":
        print("\n".join(str(t) for t in tracked(pid)))
    elif what == "consistent":
        bad = [t for t in tracked(pid) if filter_byte(pid, t) != 1]
        for t in bad:
            print(f"tgid {t} is in tracked with its filter byte 0", file=sys.stderr)
        sys.exit(1 if bad else 0)
    else:
        sys.exit(f"track_filter.py: unknown request {what}")


main()
