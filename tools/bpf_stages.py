#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Where a watched call's nanoseconds go, stage by stage (bpf/prof.bpf.h).

Runs one of tools/bench/syscalls.c's loops, watched, under an llmwatch built with
PROFILE=1, and prints each stage's time per run: percentiles over every run of the loop
(10 ns bins; 990 means 990 or more). Each figure still holds one clock read: the "empty"
stage is that read alone, to subtract. Percentiles of a whole loop's runs, unlike the
mean of kernel.bpf_stats_enabled, stay put on a host whose neighbours come and go.

    make BUILD=build-prof PROFILE=1 && make bench-build
    sudo tools/bpf_stages.py --llmwatch build-prof/llmwatch --case connect

Needs root; the loops come from $BUILD/bench (make bench-build).
"""
import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench	# noqa: E402  (the loops, and how llmwatch is started for them)

# bpf/prof.bpf.h's enum lw_prof_stage, in order
STAGES = ["empty (one clock read)", "prep: registers, stash, scratch", "header: clock",
          "header: tid, uid", "header: comm", "body: path read / address",
          "emit: size, ring fill query", "emit: bpf_ringbuf_output",
          "connect4: socket cookie", "connect4: conns insert",
          "connect4: socket mark (sk storage)", "connect4: stash entry",
          "exit: stash entry dropped"]
BINS, BIN_NS = 100, 10


def u64(v):
    """A bpftool JSON number: an int with BTF, else a list of hex bytes."""
    if isinstance(v, int):
        return v
    return int.from_bytes(bytes(int(x, 16) for x in v), "little")


def histograms(map_id):
    out = subprocess.run(["bpftool", "-j", "map", "dump", "id", str(map_id)], check=True,
                         capture_output=True, text=True).stdout
    h = {}
    for e in json.loads(out):
        k = u64(e["key"])
        if k >= len(STAGES) * BINS:
            continue
        n = sum(u64(v["value"]) for v in e["values"])
        if n:
            h.setdefault(k // BINS, {})[k % BINS] = n
    return h


def pct(bins, p):
    n, acc = sum(bins.values()), 0
    for b in sorted(bins):
        acc += bins[b]
        if acc >= p * n:
            return b * BIN_NS
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--llmwatch", required=True, help="an llmwatch built with PROFILE=1")
    ap.add_argument("--case", default="open", choices=["open", "connect", "sendto"])
    ap.add_argument("--seconds", type=float, default=2.0)
    args = ap.parse_args()
    b = bench.Bench()
    b.llmwatch = os.path.abspath(args.llmwatch)
    mon = bench.Llmwatch(b)
    mon.start()
    try:
        maps = json.loads(subprocess.run(["bpftool", "-j", "map", "show"], check=True,
                                         capture_output=True, text=True).stdout)
        ids = [m["id"] for m in maps if m.get("name") == "lw_prof"]
        if not ids:
            sys.exit("bpf_stages: no lw_prof map: is " + args.llmwatch + " built with PROFILE=1?")
        b.run_case(bench.W_NAME, args.case, args.seconds)
        h = histograms(max(ids))
    finally:
        err = mon.stop()
    print(f"{args.case}, watched, {args.seconds} s; llmwatch: "
          f"{(bench.lost_of(err))[0]} records, {(bench.lost_of(err))[1]} lost")
    print(f"{'stage':40s} {'runs':>9s} {'p10':>5s} {'p25':>5s} {'p50':>5s} {'p75':>5s}")
    for st in sorted(h):
        bins = h[st]
        print(f"{STAGES[st]:40s} {sum(bins.values()):9d} {pct(bins, .1):5d} "
              f"{pct(bins, .25):5d} {pct(bins, .5):5d} {pct(bins, .75):5d}")


if __name__ == "__main__":
    main()
