#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""The performance table of issue 6 (`make bench`): syscall cost side by side, replay
throughput, rules scaling, start-up time and memory, in one run.

Syscall cost follows docs/perf-notes.md: the benchmark runs pinned to one CPU and
the monitor to the other; blocks without a monitor (OFF) are interleaved with blocks under
each monitor configuration, and every ratio is a block divided by the mean of the two OFF
blocks around it, so slow phases of a shared host cancel. Tables give medians and min-max.

Configurations:  base              no monitor
                 llmwatch-unwatched  llmwatch running, the benchmark not watched
                 llmwatch-watched    llmwatch watching the benchmark (--watch its name)
                 and, when installed, peers on the same events (opensnoop, bpftrace,
                 auditd), each filtered to the watched name the way llmwatch is.
Writes the numbers to --out (JSON) and the Markdown table next to it (.md).
Needs root. Knobs are environment variables, listed by --help.
"""
import json
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import time

KNOBS = {
    "BENCH_SECONDS": ("1", "seconds per timed syscall loop"),
    "BENCH_REPS": ("5", "interleaved repetitions of {OFF, monitor} blocks"),
    "BENCH_CPU": ("1", "CPU the benchmark runs on"),
    "BENCH_MON_CPU": ("0", "CPU the monitors run on"),
    "BENCH_START_RUNS": ("10", "start-up time: runs of llmwatch --ready-file"),
    "BENCH_REPLAY_SECONDS": ("1", "replay: seconds per round"),
    "BENCH_REPLAY_ROUNDS": ("5", "replay: rounds per configuration"),
    "BENCH_LOSS_SECONDS": ("3", "seconds of the watched flat-out open loop (loss check)"),
    "BENCH_PEERS": ("1", "0: leave out the peer monitors even when installed"),
    "BENCH_REPORT_RECORDS": ("1000000", "report: records in the capture reported"),
    "BENCH_REPORT_RUNS": ("3", "report: runs of llmwatch report per format"),
    "BENCH_LIVE_SECONDS": ("1", "live view: seconds per absorb round (and frames / rounds)"),
    "BENCH_LIVE_ROUNDS": ("5", "live view: absorb rounds"),
    "BENCH_HASH_FILES": ("4", "audit hashing: model files hashed"),
    "BENCH_HASH_MIB": ("512", "audit hashing: MiB per file"),
    "BENCH_HASH_RUNS": ("3", "audit hashing: timed runs of each hasher"),
    "BENCH_FLOOR_DROP": ("", "comma list of floor program prefixes to leave out, each "
                         "with a leading '-' (-f_egress: the floor without that hook)"),
    "BENCH_ONLY": ("", "comma list of sections: syscalls,programs,loss,replay,report,rules,"
                   "live,audit_hash,startup,memory"),
}

CASES = ["open", "connect", "sendto", "getppid"]
CASE_LABEL = {"open": "openat+close", "connect": "connect iteration", "sendto": "sendto 64 B",
              "getppid": "getppid (untraced)", "spin": "spin (no syscall)"}
W_NAME = "lwbench-w"	# watched: llmwatch --watch lwbench-w
U_NAME = "lwbench-u"	# unwatched

BUILD = os.environ.get("BUILD", "build")


def knob(name):
    return os.environ.get(name, KNOBS[name][0])


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def stats(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return None
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "n": len(xs)}


def monotonic():
    return time.monotonic()


class Bench:
    def __init__(self):
        self.secs = float(knob("BENCH_SECONDS"))
        self.reps = int(knob("BENCH_REPS"))
        ncpu = os.cpu_count() or 1
        self.cpu = knob("BENCH_CPU") if ncpu > 1 else "0"
        self.mon_cpu = knob("BENCH_MON_CPU")
        self.llmwatch = os.path.abspath(os.path.join(BUILD, "llmwatch"))
        self.dir = os.path.abspath(os.path.join(BUILD, "bench"))
        self.tmp = os.path.join(self.dir, "run")
        os.makedirs(self.tmp, exist_ok=True)
        src = os.path.join(self.dir, "syscalls")
        self.bin = {}
        for name in (W_NAME, U_NAME):
            dst = os.path.join(self.dir, name)
            shutil.copy2(src, dst)	# a copy, not a link: comm and exe both carry the name
            self.bin[name] = dst
        self.open_file = os.path.join(self.tmp, "open-target")
        with open(self.open_file, "w") as f:
            f.write("x\n")
        self.children = []
        self.cgroup2 = next((l.split()[1] for l in open("/proc/mounts")
                             if l.split()[2] == "cgroup2"), None)
        # whether llmwatch pairs enter and exit tracepoints here (the floor must match it)
        ver = subprocess.run([self.llmwatch, "--version"], capture_output=True, text=True).stdout
        self.llmwatch_enters = "syscalls: exit tracepoints alone" not in ver
        # which datagram hooks it attaches: sock_create/release, or sendmsg4/6 (5.10)
        self.llmwatch_sendmsg = ("datagrams: cgroup sendmsg4/6" in ver or
                                 os.environ.get("LLMWATCH_SENDMSG_HOOKS") == "1")

    # ---- running things ------------------------------------------------------------

    def run_case(self, name, case, secs=None):
        """Runs one timed loop; returns (wall ns_per_iter, iterations, ops_total, pid,
        CPU ns_per_iter, CPU ns_per_iter over the whole loop). The first CPU figure is the
        10th percentile over chunks of 256 iterations (tools/bench/syscalls.c): the host's
        bursts of interference only add time, so the low percentile is the least disturbed
        estimate of what the hooks charge."""
        secs = self.secs if secs is None else secs
        argv = ["taskset", "-c", self.cpu, self.bin[name], case, str(secs)]
        if case == "open":
            argv.append(self.open_file)
        out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout.split()
        return (float(out[2]), int(out[1]), int(out[3]), int(out[4]), float(out[6]),
                float(out[5]))

    def block(self, name, mon=None):
        """One block: the noise probe, then every case. Returns {case: result dict}."""
        res = {}
        for case in ["spin"] + CASES:
            cpu0 = mon.cpu_ns() if mon else 0
            ns, iters, _, _, cpu, mean = self.run_case(name, case,
                                                       0.3 if case == "spin" else None)
            r = {"wall": ns, "cpu": cpu, "cpu_mean": mean, "iters": iters}
            if mon:
                r["mon_cpu_ns_per_iter"] = (mon.cpu_ns() - cpu0) / iters
            res[case] = r
        return res


class Monitor:
    """A monitor process pinned to the monitor CPU; subclasses say how to start it."""
    name = "?"
    modes = ("unwatched", "watched")

    def __init__(self, b):
        self.b = b
        self.proc = None
        self.stderr_path = os.path.join(b.tmp, f"{self.name}.err")

    def argv(self):
        raise NotImplementedError

    stop_signal = signal.SIGINT
    running = set()	# every monitor started and not yet stopped, stopped at exit

    def start(self):
        self.err = open(self.stderr_path, "w")
        self.out = open(self.out_path(), "w")
        self.proc = subprocess.Popen(["taskset", "-c", self.b.mon_cpu] + self.argv(),
                                     stdout=self.out, stderr=self.err, start_new_session=True)
        Monitor.running.add(self)
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise

    def out_path(self):
        return os.devnull

    def wait_ready(self):
        raise NotImplementedError

    def cpu_ns(self):
        """CPU time of every thread of the monitor (schedstat), in ns."""
        total = 0
        for pid in self.pids():
            try:
                for t in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{t}/schedstat") as f:
                        total += int(f.read().split()[0])
            except (FileNotFoundError, ProcessLookupError):
                pass
        return total

    def pids(self):
        return [self.proc.pid]

    def stop(self):
        Monitor.running.discard(self)
        if not self.proc:
            return ""
        try:
            os.kill(self.proc.pid, self.stop_signal)
            self.proc.wait(timeout=20)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            self.proc.kill()
            self.proc.wait()
        self.proc = None
        self.out.close()
        self.err.close()
        with open(self.stderr_path) as f:
            return f.read()


def wait_for(pred, timeout, what):
    end = monotonic() + timeout
    while monotonic() < end:
        if pred():
            return
        time.sleep(0.005)
    raise RuntimeError(f"timed out waiting for {what}")


class Llmwatch(Monitor):
    name = "llmwatch"

    def __init__(self, b, extra=()):
        super().__init__(b)
        self.ready = os.path.join(b.tmp, "ready")
        self.extra = list(extra)

    def argv(self):
        return [self.b.llmwatch, "--watch", W_NAME, "--ready-file", self.ready] + self.extra

    def start(self):
        if os.path.exists(self.ready):
            os.unlink(self.ready)
        super().start()

    def wait_ready(self):
        def ok():
            if self.proc.poll() is not None:
                raise RuntimeError(f"llmwatch exited: {open(self.stderr_path).read()}")
            return os.path.exists(self.ready)
        wait_for(ok, 30, "llmwatch --ready-file")


class Floor(Llmwatch):
    """No-op programs on llmwatch's hooks (tools/bench/floor.bpf.c): the hooks' own cost."""
    name = "floor"
    modes = ("unwatched",)

    def argv(self):
        argv = [os.path.join(self.b.dir, "floor"), os.path.join(self.b.dir, "floor.bpf.o"),
                self.ready]
        # the same syscall tracepoints as llmwatch: no enters where it reads the registers
        drop = [] if self.b.llmwatch_enters else ["-f_enter_"]
        # and the datagram hooks it attaches (BENCH_FLOOR_DROP adds prefixes: a hook's share)
        drop.append("-f_sock_" if self.b.llmwatch_sendmsg else "-f_sendmsg")
        drop += [p for p in os.environ.get("BENCH_FLOOR_DROP", "").split(",") if p]
        argv.append(",".join(drop))
        return argv


class LlmwatchCgroups(Llmwatch):
    """llmwatch --cgroups watched, watching an idle tool in a cgroup of its own: the
    benchmark runs outside it, as a machine's other processes would."""
    name = "llmwatch-cgwatched"
    modes = ("unwatched",)
    IDLE = "lwbench-idle"

    def __init__(self, b):
        super().__init__(b, ["--cgroups", "watched", "--watch", self.IDLE])
        self.cg = os.path.join(b.cgroup2, "llmwatch-bench")
        self.idle = None

    def start(self):
        os.makedirs(self.cg, exist_ok=True)
        exe = os.path.join(self.b.tmp, self.IDLE)
        shutil.copy2(shutil.which("sleep"), exe)
        cg = self.cg

        def into_cgroup():
            with open(os.path.join(cg, "cgroup.procs"), "w") as f:
                f.write(str(os.getpid()))
        super().start()
        self.idle = subprocess.Popen([exe, "100000"], preexec_fn=into_cgroup)
        # the row means nothing unless the programs went to that cgroup and nowhere else
        def attached(path):
            out = subprocess.run(["bpftool", "cgroup", "show", path], capture_output=True,
                                 text=True).stdout
            return out.count(" lw_cg_")
        wait_for(lambda: attached(self.cg) >= 8, 10, "the cgroup programs on " + self.cg)
        if attached(self.b.cgroup2):
            raise RuntimeError("--cgroups watched attached to the root cgroup")

    def stop(self):
        err = super().stop()
        if self.idle:
            self.idle.kill()
            self.idle.wait()
            self.idle = None
        for _ in range(50):
            try:
                os.rmdir(self.cg)
                break
            except OSError:
                time.sleep(0.05)
        return err


def lost_of(stderr):
    m = re.search(r"(\d+) records, (\d+) lost", stderr)
    return (int(m.group(1)), int(m.group(2))) if m else (None, None)


class Opensnoop(Monitor):
    """libbpf-tools opensnoop -n NAME: it has no kernel-side name filter, so every open on
    the machine reaches it and it drops the other names in user space."""
    name = "opensnoop"
    exe = "/usr/sbin/opensnoop"

    def argv(self):
        # line-buffered, so its header (printed once attached) shows up in the file
        return ["stdbuf", "-oL", self.exe, "-n", W_NAME]

    def out_path(self):
        return os.path.join(self.b.tmp, "opensnoop.out")

    def wait_ready(self):
        # its header line is printed once the programs are attached
        wait_for(lambda: os.path.getsize(self.out_path()) > 0 or self.proc.poll() is not None,
                 30, "opensnoop's header")
        if self.proc.poll() is not None:
            raise RuntimeError(f"opensnoop exited: {open(self.stderr_path).read()}")


class Bpftrace(Monitor):
    """bpftrace printing the three calls of the watched name, filtered by comm."""
    name = "bpftrace"
    exe = "/usr/bin/bpftrace"

    def argv(self):
        f = f'/comm == "{W_NAME}"/'
        return ["stdbuf", "-oL", self.exe, "-e",
                f'tracepoint:syscalls:sys_enter_openat {f} '
                '{ printf("%d %s openat %s\\n", pid, comm, str(args->filename)); } '
                f'tracepoint:syscalls:sys_enter_connect {f} '
                '{ printf("%d %s connect fd=%d\\n", pid, comm, args->fd); } '
                f'tracepoint:syscalls:sys_enter_sendto {f} '
                '{ printf("%d %s sendto fd=%d len=%d\\n", pid, comm, args->fd, args->len); }']

    def out_path(self):
        return os.path.join(self.b.tmp, "bpftrace.out")

    def wait_ready(self):
        def ok():
            if self.proc.poll() is not None:
                raise RuntimeError(f"bpftrace exited: {open(self.stderr_path).read()}")
            with open(self.out_path()) as f:
                return "Attaching" in f.read(4096)
        wait_for(ok, 60, "bpftrace to attach")
        time.sleep(0.3)	# "Attaching" is printed before the last probe is live


class Auditd(Monitor):
    """auditd with a syscall rule on the watched executable (-F exe=), Debian defaults."""
    name = "auditd"
    exe = "/usr/sbin/auditd"
    stop_signal = signal.SIGTERM	# its clean shutdown

    def argv(self):
        return [self.exe, "-n", "-c", self.confdir]

    def start(self):
        self.confdir = os.path.join(self.b.tmp, "audit")
        os.makedirs(self.confdir, exist_ok=True)
        with open(os.path.join(self.confdir, "auditd.conf"), "w") as f:
            f.write(f"log_file = {self.confdir}/audit.log\nlog_format = ENRICHED\n"
                    "flush = INCREMENTAL_ASYNC\nfreq = 50\nmax_log_file = 200\nnum_logs = 2\n"
                    "max_log_file_action = ROTATE\nspace_left = 75\nadmin_space_left = 50\n"
                    "disk_full_action = SUSPEND\ndisk_error_action = SUSPEND\n"
                    "write_logs = yes\nlocal_events = yes\n")
        super().start()
        for rule in (["-D"], ["-b", "8192"], ["--backlog_wait_time", "60000"], ["-f", "1"],
                     ["-e", "1"],
                     ["-a", "always,exit", "-F", "arch=b64", "-S", "openat", "-S", "connect",
                      "-S", "sendto", "-F", f"exe={self.b.bin[W_NAME]}"]):
            subprocess.run(["auditctl"] + rule, check=True, capture_output=True)

    def wait_ready(self):
        def ok():
            if self.proc.poll() is not None:
                raise RuntimeError(f"auditd exited: {open(self.stderr_path).read()}")
            st = subprocess.run(["auditctl", "-s"], capture_output=True, text=True).stdout
            return f"pid {self.proc.pid}" in st
        wait_for(ok, 30, "auditd to register")

    def pids(self):
        # kauditd does the kernel side of the work
        k = subprocess.run(["pgrep", "-x", "kauditd"], capture_output=True, text=True).stdout
        return [self.proc.pid] + [int(p) for p in k.split()]

    def stop(self):
        subprocess.run(["auditctl", "-D"], capture_output=True)
        subprocess.run(["auditctl", "-e", "0"], capture_output=True)
        return super().stop()


def peers(b):
    out = []
    if knob("BENCH_PEERS") == "0":
        return out
    if os.access(Opensnoop.exe, os.X_OK):
        out.append(Opensnoop)
    if os.access(Bpftrace.exe, os.X_OK):
        out.append(Bpftrace)
    if os.access(Auditd.exe, os.X_OK) and shutil.which("auditctl"):
        st = subprocess.run(["auditctl", "-s"], capture_output=True, text=True).stdout
        m = re.search(r"^pid (\d+)$", st, re.M)
        # the kernel forgets a dead daemon's pid only when it next sends to it
        if m and (m.group(1) == "0" or not os.path.exists(f"/proc/{m.group(1)}")):
            out.append(Auditd)
        else:
            log("bench: an audit daemon is already running: auditd row left out")
    return out


# ---- sections ---------------------------------------------------------------------------

def section_syscalls(b):
    """Interleaved OFF / llmwatch (unwatched, watched) / peer blocks."""
    peer_classes = [Floor] + ([LlmwatchCgroups] if b.cgroup2 else []) + peers(b)
    configs = ["base", "llmwatch-unwatched", "llmwatch-watched"]
    for p in peer_classes:
        configs += [f"{p.name}-{m}" for m in p.modes]
    blocks = {c: [] for c in configs}	# per config: list of (rep, block)
    offs = []
    lw_summary = []
    for rep in range(b.reps):
        log(f"bench: syscalls repetition {rep + 1}/{b.reps}")
        offs.append(b.block(U_NAME))
        for cls in [Llmwatch] + peer_classes:
            mon = cls(b)
            mon.start()
            order = [(U_NAME, "unwatched"), (W_NAME, "watched")][:len(mon.modes)]
            if rep % 2:
                order.reverse()	# drift inside a repetition cancels over two
            try:
                for name, what in order:
                    blocks[f"{mon.name}-{what}"].append((rep, b.block(name, mon)))
            finally:
                err = mon.stop()
            if cls is Llmwatch:
                lw_summary.append(lost_of(err))
    offs.append(b.block(U_NAME))

    # "cpu": the benchmark's own CPU time per iteration (what the hooks charge it);
    # "wall": elapsed time, which also counts waiting behind other work on a busy machine
    out = {"configs": {}, "llmwatch_records_lost": lw_summary}
    out["configs"]["base"] = {
        c: {m: stats([o[c][m] for o in offs]) for m in ("cpu", "cpu_mean", "wall")}
        for c in ["spin"] + CASES}
    for cfg in configs[1:]:
        row = {}
        for case in ["spin"] + CASES:
            r = {"monitor_cpu_ns_per_iter":
                 stats([blk[case].get("mon_cpu_ns_per_iter") for _, blk in blocks[cfg]])}
            for m in ("cpu", "cpu_mean", "wall"):
                ns, ratios = [], []
                for rep, blk in blocks[cfg]:
                    ref = (offs[rep][case][m] + offs[rep + 1][case][m]) / 2
                    ns.append(blk[case][m])
                    ratios.append(blk[case][m] / ref)
                r[m] = stats(ns)
                r[m + "_ratio"] = stats(ratios)
            row[case] = r
        out["configs"][cfg] = row
    return out


def prog_stats(prefix):
    """{program name: (run_cnt, run_time_ns)} of the loaded programs named prefix*:
    llmwatch's (lw_), the floor's (f_)."""
    out = subprocess.run(["bpftool", "-j", "prog", "show"], check=True, capture_output=True,
                         text=True).stdout
    return {p["name"]: (p.get("run_cnt", 0), p.get("run_time_ns", 0))
            for p in json.loads(out) if p.get("name", "").startswith(prefix)}


def section_programs(b):
    """Where the time goes: the kernel's own accounting of each llmwatch program
    (kernel.bpf_stats_enabled, on only for this section) while each loop runs watched and
    unwatched. Runs per iteration and ns per run, per program. The accounting itself costs
    each run two clock reads, and more in some program types than others (a no-op cgroup
    sendmsg4 program reads ~120 ns here): the floor's no-op programs on the same hooks are
    measured the same way, as the zero of each figure."""
    key = "/proc/sys/kernel/bpf_stats_enabled"
    with open(key) as f:
        was = f.read().strip()
    res = {}
    with open(key, "w") as f:
        f.write("1")
    try:
        for mon, prefix, modes in ((Llmwatch(b), "lw_", (("watched", W_NAME),
                                                         ("unwatched", U_NAME))),
                                   (Floor(b), "f_", (("floor", U_NAME),))):
            mon.start()
            try:
                for mode, name in modes:
                    for case in CASES:
                        if case == "getppid":
                            continue
                        before = prog_stats(prefix)
                        _, iters, _, _, _, _ = b.run_case(name, case)
                        after = prog_stats(prefix)
                        progs = {}
                        for prog, (cnt, ns) in after.items():
                            c0, t0 = before.get(prog, (0, 0))
                            runs = cnt - c0
                            if runs >= iters // 2:	# the programs this loop drives
                                progs[prog] = {"runs_per_iter": round(runs / iters, 2),
                                               "ns_per_run": round((ns - t0) / runs, 1)}
                        res.setdefault(mode, {})[case] = progs
            finally:
                mon.stop()
    finally:
        with open(key, "w") as f:
            f.write(was)
    return res


def section_loss(b):
    """The watched open loop flat out on one core, llmwatch --json on the other: every
    open must arrive, and the summary must count no loss."""
    path = os.path.join(b.tmp, "loss.jsonl")
    mon = Llmwatch(b, ["--json"])
    mon.out_path = lambda: path
    mon.start()
    try:
        ns, iters, ops, pid, _, _ = b.run_case(W_NAME, "open",
                                               float(knob("BENCH_LOSS_SECONDS")))
    finally:
        err = mon.stop()
    seen, lost, summary = 0, None, None
    with open(path, "rb") as f:
        for line in f:
            if b'"summary"' in line[:40]:
                summary = json.loads(line)
                lost = summary.get("lost")
                continue
            if b'"open"' not in line:
                continue
            ev = json.loads(line)
            if ev.get("type") == "open" and ev.get("pid") == pid and ev.get("path") == b.open_file:
                seen += 1
    size = os.path.getsize(path)
    os.unlink(path)
    return {"ops": ops, "iters": iters, "ns_per_iter": ns, "events_seen": seen,
            "summary_lost": lost, "missing": ops - seen, "json_bytes": size,
            "rate_per_s": 1e9 / ns, "stderr": err.strip().splitlines()[-3:]}


def section_replay(b):
    out = subprocess.run(["taskset", "-c", b.cpu, os.path.join(b.dir, "replay"),
                          knob("BENCH_REPLAY_SECONDS"), knob("BENCH_REPLAY_ROUNDS")],
                         check=True, capture_output=True, text=True,
                         env=dict(os.environ, BENCH_CAPTURE_DIR=b.dir)).stdout
    res = {}
    for line in out.splitlines():
        f = line.split()
        if f[0] == "replay-stream":
            res["stream"] = {"records": int(f[1]), "bytes": int(f[2])}
        elif f[0] == "capture":
            res["capture"] = {"records_per_s": {"median": float(f[1]), "min": float(f[2]),
                                                "max": float(f[3])},
                              "ns_per_record": float(f[4]), "file_bytes_per_pass": int(f[5])}
        elif f[0] == "replay":
            res[f[1]] = {"records_per_s": {"median": float(f[2]), "min": float(f[3]),
                                           "max": float(f[4])},
                         "ns_per_record": float(f[5]), "events_per_pass": int(f[6]),
                         "verdicts_per_pass": int(f[7])}
    if "null" in res and "null10k" in res:
        res["ratio_10k_vs_default"] = res["null"]["records_per_s"]["median"] / \
            res["null10k"]["records_per_s"]["median"]
    return res


def section_report(b):
    """llmwatch report of a capture of the replay's stream: wall seconds per run, by format."""
    cap = os.path.join(b.tmp, "report.lwc")
    out = subprocess.run([os.path.join(b.dir, "replay"), "--write-capture", cap,
                          knob("BENCH_REPORT_RECORDS")],
                         check=True, capture_output=True, text=True).stdout.split()
    res = {"records": int(out[1]), "capture_bytes": int(out[2])}
    for fmt in ("json", "text"):
        times, cpu = [], []
        for _ in range(int(knob("BENCH_REPORT_RUNS"))):
            # CPU too: on a shared host the wall time holds other tasks' time
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = monotonic()
            subprocess.run(["taskset", "-c", b.cpu, b.llmwatch, "report", cap, "--format", fmt,
                            "-o", os.devnull], check=True, capture_output=True)
            times.append(monotonic() - t0)
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime)
        res[fmt] = {"seconds": stats(times), "runs_s": times, "cpu_seconds": stats(cpu)}
    os.unlink(cap)
    return res


def section_rules(b):
    p = subprocess.run(["taskset", "-c", b.cpu, os.path.join(BUILD, "bench_rules")],
                       capture_output=True, text=True)
    res = {"output": p.stdout.strip().splitlines()}
    m = re.search(r"default pack:\s+(\d+) rules\s+(\d+) events/s\s+([\d.]+) ns", p.stdout)
    if m:
        res["default"] = {"rules": int(m.group(1)), "events_per_s": float(m.group(2)),
                          "ns_per_event": float(m.group(3))}
    m = re.search(r"generated:\s+(\d+) rules\s+(\d+) events/s\s+([\d.]+) ns", p.stdout)
    if m:
        res["generated"] = {"rules": int(m.group(1)), "events_per_s": float(m.group(2)),
                            "ns_per_event": float(m.group(3))}
    m = re.search(r"cost ratio .*?: ([\d.]+)", p.stdout)
    res["ratio"] = float(m.group(1)) if m else None
    return res


def section_live(b):
    """The live view (issue 16): events/s its model absorbs, frame time at 100,000 events/s."""
    p = subprocess.run(["taskset", "-c", b.cpu, os.path.join(b.dir, "live"),
                        knob("BENCH_LIVE_SECONDS"), knob("BENCH_LIVE_ROUNDS")],
                       check=True, capture_output=True, text=True)
    res = {"output": [x for x in p.stdout.splitlines() if x.startswith("live ")]}
    for line in p.stdout.splitlines():
        f = line.split()
        if f and f[0] == "live-absorb":
            res["absorb"] = {"events_per_s": {"median": float(f[1]), "min": float(f[2]),
                                              "max": float(f[3])},
                             "ns_per_event": float(f[4])}
        elif f and f[0] == "live-frame":
            res["frame"] = {"ms": {"median": float(f[1]), "max": float(f[2])},
                            "at_events_per_s": int(f[3]), "core_share": float(f[4])}
    return res


def vm(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return None


def openssl_sha256_per_core():
    """OpenSSL's EVP SHA-256 on one core, 16 KiB blocks, in bytes/s (None without openssl)."""
    if not shutil.which("openssl"):
        return None
    p = subprocess.run(["openssl", "speed", "-evp", "sha256", "-bytes", "16384", "-seconds", "2"],
                       capture_output=True, text=True)
    # "type  16384 bytes" then "sha256  1561968.64k": thousands of bytes per second
    m = re.search(r"^(?:sha256|SHA2-256)\s+([\d.]+)k\s*$", p.stdout, re.M)
    return float(m.group(1)) * 1000 if m else None


def section_audit_hash(b):
    """Model hashing (issue 17): `llmwatch audit --only integrity-models` over files in the
    page cache (tmpfs when /dev/shm is there), against sha256sum on the same files and
    against OpenSSL's per-core figure times the cores used; then the cached second run."""
    n, mib, runs = (int(knob("BENCH_HASH_FILES")), int(knob("BENCH_HASH_MIB")),
                    int(knob("BENCH_HASH_RUNS")))
    need = n * mib * (1 << 20) * 1.1
    # tmpfs is the page cache itself; a container's small /dev/shm is not big enough
    parent = ("/dev/shm" if os.path.isdir("/dev/shm") and
              shutil.disk_usage("/dev/shm").free > need else b.tmp)
    base = os.path.join(parent, f"lwbench-hash-{os.getpid()}")
    home = os.path.join(base, "home")
    d = os.path.join(home, ".lmstudio", "models", "bench", "hash")
    os.makedirs(d)
    try:
        files = []
        block = os.urandom(1 << 20)
        for i in range(n):
            f = os.path.join(d, f"model-{i}.gguf")
            with open(f, "wb") as out:
                for k in range(mib):
                    # every MiB differs, so no file and no block is a copy of another
                    out.write(k.to_bytes(8, "little") + i.to_bytes(8, "little") + block[16:])
            files.append(f)
        total = n * mib * (1 << 20)
        subprocess.run(["cat"] + files, stdout=subprocess.DEVNULL, check=True)  # in cache
        cores = min(os.cpu_count() or 1, n)
        audit = [b.llmwatch, "audit", "--home", home, "--only", "integrity-models",
                 "--no-progress", "--jobs", str(cores), "--json", "-o", os.devnull]

        def timed(argv):
            """Wall and CPU (user + system) seconds of each run: on a shared host the wall
            time holds other tasks' time, the CPU time only the hasher's."""
            ts, cpu = [], []
            for _ in range(runs):
                r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
                t0 = monotonic()
                p = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                ts.append(monotonic() - t0)
                r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu.append(r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime)
                if p.returncode not in (0, 1):
                    raise RuntimeError(f"{argv[0]} exited {p.returncode}: {p.stderr[-300:]}")
            return ts, cpu

        t_audit, c_audit = timed(audit + ["--no-cache"])
        t_sum, _ = timed(["sha256sum"] + files)
        cache = os.path.join(base, "cache")
        subprocess.run(audit + ["--cache-dir", cache], check=True)	# fills the cache
        t_cached, _ = timed(audit + ["--cache-dir", cache])
        per_core = openssl_sha256_per_core()
        res = {"files": n, "mib_per_file": mib, "bytes": total, "cores_used": cores,
               "where": parent,
               "audit_gbps": stats([total / t / 1e9 for t in t_audit]),
               "audit_gbps_per_cpu_second": stats([total / t / 1e9 for t in c_audit]),
               "sha256sum_gbps": stats([total / t / 1e9 for t in t_sum]),
               "cached_seconds": stats(t_cached),
               "openssl_per_core_gbps": per_core / 1e9 if per_core else None}
        a = res["audit_gbps"]["median"]
        res["vs_sha256sum"] = a / res["sha256sum_gbps"]["median"]
        if per_core:
            res["openssl_x_cores_gbps"] = per_core * cores / 1e9
            res["vs_openssl_x_cores"] = a / res["openssl_x_cores_gbps"]
            # the same ratio from CPU time: what each core used delivers, whatever the load
            res["vs_openssl_per_cpu_second"] = (res["audit_gbps_per_cpu_second"]["median"] /
                                                (per_core / 1e9))
        return res
    finally:
        shutil.rmtree(base, ignore_errors=True)


def section_startup(b):
    """exec of llmwatch --ready-file F until F exists; idle RSS half a second later."""
    times, rss = [], []
    for i in range(int(knob("BENCH_START_RUNS"))):
        mon = Llmwatch(b)
        if os.path.exists(mon.ready):
            os.unlink(mon.ready)
        t0 = monotonic()
        mon.start()
        times.append((monotonic() - t0) * 1e3)
        time.sleep(0.5)
        rss.append(vm(mon.proc.pid, "VmRSS"))
        mon.stop()
    return {"ms": stats(times), "runs_ms": times, "idle_rss_bytes": stats(rss)}


def section_memory(b):
    """Peak resident memory (VmHWM) through a flood: the watched open, connect and sendto
    loops flat out, then a burst of short-lived watched processes."""
    mon = Llmwatch(b)
    mon.start()
    try:
        time.sleep(0.3)
        idle = vm(mon.proc.pid, "VmRSS")
        secs = max(1.0, float(knob("BENCH_LOSS_SECONDS")))
        for case in ("open", "connect", "sendto"):
            b.run_case(W_NAME, case, secs)
        # 300 short-lived watched processes: exec, fork and exit records, table entries
        for _ in range(300):
            subprocess.run([b.bin[W_NAME], "getppid", "0.001"], capture_output=True)
        time.sleep(0.2)
        hwm = vm(mon.proc.pid, "VmHWM")
        after = vm(mon.proc.pid, "VmRSS")
    finally:
        err = mon.stop()
    # the ring buffer is mapped twice (wrap-around) with every page present from the start:
    # 2 x --ring-size of the idle RSS is the ring; show how the rest compares
    small = Llmwatch(b, ["--ring-size", "4M"])
    small.start()
    try:
        time.sleep(0.3)
        idle4 = vm(small.proc.pid, "VmRSS")
    finally:
        small.stop()
    return {"idle_rss_bytes": idle, "peak_hwm_bytes": hwm, "rss_after_bytes": after,
            "idle_rss_ring_4m_bytes": idle4, "records_lost": lost_of(err)}


# ---- the table --------------------------------------------------------------------------

def fmt_ns(s):
    if not s:
        return "-"
    return f"{s['median']:.0f} ({s['min']:.0f}-{s['max']:.0f})"


def fmt_s(s):
    return f"{s['median']:.2f} ({s['min']:.2f}-{s['max']:.2f})"


def fmt_ratio(s):
    if not s:
        return "1"
    return f"**{s['median']:.2f}x** ({s['min']:.2f}-{s['max']:.2f})"


def goals(res):
    g = []

    def add(what, value, limit, met, unit=""):
        g.append({"goal": what, "value": value, "limit": limit, "met": bool(met),
                  "unit": unit})

    sc = res.get("syscalls", {}).get("configs", {})
    for case, lim in (("open", 1.06), ("connect", 1.06), ("sendto", 1.06)):
        r = sc.get("llmwatch-unwatched", {}).get(case, {}).get("cpu_ratio")
        if r:
            add(f"unwatched {CASE_LABEL[case]}", round(r["median"], 3), lim, r["median"] <= lim,
                "x")
        cg = sc.get("llmwatch-cgwatched-unwatched", {}).get(case, {}).get("cpu_ratio")
        if cg:
            add(f"unwatched {CASE_LABEL[case]}, --cgroups watched", round(cg["median"], 3), lim,
                cg["median"] <= lim, "x")
        f = sc.get("floor-unwatched", {}).get(case, {}).get("cpu_ratio")
        if r and f:
            # the hooks alone cost the floor; what llmwatch adds on top of it
            v = r["median"] / f["median"]
            add(f"unwatched {CASE_LABEL[case]}, vs the floor", round(v, 3), lim, v <= lim, "x")
    for case in ("open", "sendto"):
        r = sc.get("llmwatch-watched", {}).get(case, {}).get("cpu_ratio")
        if r:
            add(f"watched {CASE_LABEL[case]}", round(r["median"], 3), 1.3, r["median"] <= 1.3,
                "x")
    lo = res.get("loss")
    if lo:
        add("watched open flat out: events lost", lo["missing"], 0,
            lo["missing"] == 0 and lo["summary_lost"] == 0)
    rp = res.get("replay", {})
    if "null" in rp:
        v = rp["null"]["records_per_s"]["median"]
        add("replay decode+table+naming+rules", round(v), 1e6, v >= 1e6, "records/s")
    if "capture" in rp:
        v = rp["capture"]["records_per_s"]["median"]
        add("capture writer, zlib, one core", round(v), 1e6, v >= 1e6, "records/s")
    if "ratio_10k_vs_default" in rp:
        v = rp["ratio_10k_vs_default"]
        add("replay cost with 10,000 rules vs default pack", round(v, 2), 2, v < 2, "x")
    rr = res.get("report")
    if rr:
        v = rr["json"]["seconds"]["median"]
        add(f"report of a {rr['records']:,}-record capture (JSON)", round(v, 2), 3, v < 3, "s")
    lv = res.get("live", {})
    if "absorb" in lv:
        v = lv["absorb"]["events_per_s"]["median"]
        add("live view model absorbs, one core", round(v), 1e5, v >= 1e5, "events/s")
    if "frame" in lv:
        v = lv["frame"]["ms"]["max"]
        add(f"live view frame (all panes, 200x60) at {lv['frame']['at_events_per_s']:,} events/s",
            round(v, 2), 50, v < 50, "ms")
    ah = res.get("audit_hash")
    if ah and ah.get("vs_openssl_x_cores") is not None:
        v = ah["vs_openssl_x_cores"]
        add(f"audit hashing (wall) vs openssl speed -evp sha256 x {ah['cores_used']} cores",
            round(v, 3), 0.9, v >= 0.9, "of")
        v = ah["vs_openssl_per_cpu_second"]
        add("audit hashing per CPU second vs openssl speed per core", round(v, 3), 0.9,
            v >= 0.9, "of")
    if ah:
        v = ah["cached_seconds"]["median"]
        add(f"audit of {ah['files']} x {ah['mib_per_file']} MiB models again, cached", round(v, 3),
            1, v < 1, "s")
    st = res.get("startup")
    if st and st["ms"]:
        add("start to attached", round(st["ms"]["median"]), 300, st["ms"]["median"] <= 300, "ms")
        v = st["idle_rss_bytes"]["median"] / 2**20
        add("resident memory at idle", round(v, 1), 20, v <= 20, "MiB")
    me = res.get("memory")
    if me:
        v = me["peak_hwm_bytes"] / 2**20
        add("peak resident memory under flood", round(v, 1), None, True, "MiB")
    return g


def markdown(res):
    m = res["machine"]
    L = [f"Measured {m['date']} on {m['cpu']} x{m['ncpu']}, kernel {m['kernel']}, "
         f"llmwatch {m['version']}; {res['conditions']['note']}", ""]
    sc = res.get("syscalls")
    if sc:
        L += ["The benchmark's CPU ns per iteration (in each block, the 10th percentile over "
              "chunks of 256 calls: the host's bursts only ever add time): median (min-max) "
              f"over {res['conditions']['reps']} interleaved blocks of "
              f"{res['conditions']['bench_seconds']:g} s, and the ratio of each block to the "
              "mean of the two baseline blocks around it; then the same ratio on wall time, "
              "and the monitor's own CPU ns per iteration.", "",
              "| configuration | " + " | ".join(CASE_LABEL[c] for c in CASES) +
              " | wall-time ratio (open / connect / sendto) | monitor CPU ns/iter "
              "(open / sendto) |",
              "|---|" + "---|" * len(CASES) + "---|---|"]
        for cfg, row in sc["configs"].items():
            cells = []
            for c in CASES:
                cell = fmt_ns(row[c]["cpu"])
                if row[c].get("cpu_ratio"):
                    cell += " " + fmt_ratio(row[c]["cpu_ratio"])
                cells.append(cell)
            wr = mc = "-"
            if row["open"].get("wall_ratio"):
                wr = " / ".join(f"{row[c]['wall_ratio']['median']:.2f}"
                                for c in ("open", "connect", "sendto"))
            if row["open"].get("monitor_cpu_ns_per_iter"):
                mc = " / ".join(f"{row[c]['monitor_cpu_ns_per_iter']['median']:.0f}"
                                for c in ("open", "sendto"))
            L.append(f"| {cfg} | " + " | ".join(cells) + f" | {wr} | {mc} |")
        L.append("")
    g = res.get("goals", [])
    if g:
        L += ["| goal | measured | limit | met |", "|---|---|---|---|"]
        for x in g:
            lim = "-"
            if x["limit"] is not None:
                v = x["limit"]
                v = f"{int(v):,}" if float(v).is_integer() and v >= 1000 else f"{v:g}"
                lim = (f"<= {v}x" if x["unit"] == "x" else f">= {v} of it" if x["unit"] == "of"
                       else f"{v} {x['unit']}".strip())
            val = f"{x['value']:,}" if isinstance(x["value"], int) else f"{x['value']:g}"
            unit = "" if x["unit"] in ("x", "of") else " " + x["unit"]
            val = f"{val}x" if x["unit"] == "x" else val
            L.append(f"| {x['goal']} | {val}{unit} | {lim} | "
                     f"{'yes' if x['met'] else '**no**'} |")
        L.append("")
    pr = res.get("programs")
    if pr:
        L += ["llmwatch's programs while each loop runs (the kernel's accounting, "
              "kernel.bpf_stats_enabled, on for this alone): runs per iteration x ns per run. "
              "The accounting's own cost is in every figure, and differs by program type: the "
              "floor column is no-op programs on the same hooks, measured the same way.", "",
              "| loop | watched | unwatched | floor (no-op) |", "|---|---|---|---|"]
        for case in CASES:
            if case not in pr.get("watched", {}):
                continue
            cells = []
            for mode in ("watched", "unwatched", "floor"):
                progs = pr.get(mode, {}).get(case, {})
                cells.append(", ".join(
                    f"{n} {v['runs_per_iter']:g} x {v['ns_per_run']:.0f}"
                    for n, v in sorted(progs.items(), key=lambda kv: -kv[1]["ns_per_run"]))
                    or "-")
            L.append(f"| {CASE_LABEL[case]} | " + " | ".join(cells) + " |")
        L.append("")
    rp = res.get("replay")
    if rp and "null" in rp:
        L += ["Replay (one core, " + f"{rp['stream']['records']:,} recorded records replayed; "
              "records/s median (min-max)):", "",
              "| configuration | records/s | ns/record |", "|---|---|---|"]
        names = {"null": "decode + process table + naming + rules, null sink",
                 "text": "... + text sink to /dev/null", "json": "... + JSON sink to /dev/null",
                 "null10k": "null sink, default pack + 10,000 rules",
                 "text10k": "text sink, default pack + 10,000 rules",
                 "capture": "capture writer (--capture): zlib blocks, chained, synced"}
        for k, label in names.items():
            if k in rp:
                r = rp[k]["records_per_s"]
                L.append(f"| {label} | {r['median']:,.0f} ({r['min']:,.0f}-{r['max']:,.0f}) | "
                         f"{rp[k]['ns_per_record']:.0f} |")
        if "capture" in rp:
            L.append(f"(the capture of {rp['stream']['records']:,} records ({rp['stream']['bytes']:,} "
                     f"bytes) is {rp['capture']['file_bytes_per_pass']:,} bytes on disk)")
        L.append("")
    rr = res.get("report")
    if rr:
        L += [f"Report (`llmwatch report` of a capture of {rr['records']:,} records of the "
              f"replay's stream, {rr['capture_bytes'] / 2**20:.1f} MiB, on one core, to "
              f"/dev/null; wall seconds median (min-max)): JSON {fmt_s(rr['json']['seconds'])} "
              f"s, text {fmt_s(rr['text']['seconds'])} s; CPU seconds: JSON "
              f"{fmt_s(rr['json']['cpu_seconds'])}, text {fmt_s(rr['text']['cpu_seconds'])}.",
              ""]
    lo = res.get("loss")
    if lo:
        L += [f"Loss check: the watched open loop flat out ({lo['rate_per_s']:,.0f} opens/s) "
              f"with llmwatch --json to a file: {lo['ops']:,} opens done, {lo['events_seen']:,} "
              f"reported, summary lost = {lo['summary_lost']}.", ""]
    st, me, ru = res.get("startup"), res.get("memory"), res.get("rules")
    if st:
        L.append(f"Start-up (exec to --ready-file): {fmt_ns(st['ms'])} ms over "
                 f"{st['ms']['n']} runs; idle RSS {st['idle_rss_bytes']['median'] / 2**20:.1f} MiB.")
    if me:
        L.append(f"Memory under flood: peak VmHWM {me['peak_hwm_bytes'] / 2**20:.1f} MiB "
                 f"(idle {me['idle_rss_bytes'] / 2**20:.1f} MiB, after "
                 f"{me['rss_after_bytes'] / 2**20:.1f} MiB); idle with --ring-size 4M: "
                 f"{me['idle_rss_ring_4m_bytes'] / 2**20:.1f} MiB. The ring buffer is mapped "
                 "twice and fully present from the start: 2 x the ring size of any RSS is it.")
    lv = res.get("live", {})
    if "absorb" in lv and "frame" in lv:
        L.append(f"Live view (tools/bench/live.c): the model absorbs "
                 f"{lv['absorb']['events_per_s']['median']:,.0f} events/s on one core "
                 f"({lv['absorb']['ns_per_event']:.0f} ns per event); a frame of every pane at "
                 f"200x60 takes {lv['frame']['ms']['median']:.2f} ms (max "
                 f"{lv['frame']['ms']['max']:.2f} ms) while it absorbs "
                 f"{lv['frame']['at_events_per_s']:,} events/s, "
                 f"{lv['frame']['core_share'] * 100:.0f}% of a core in all.")
    ah = res.get("audit_hash")
    if ah:
        ossl = (f"; OpenSSL's EVP SHA-256 (16 KiB blocks) {ah['openssl_per_core_gbps']:.2f} GB/s "
                f"per core x {ah['cores_used']} = {ah['openssl_x_cores_gbps']:.2f} GB/s, so "
                f"{ah['vs_openssl_x_cores'] * 100:.0f}% of it (goal >= 90%); per CPU second "
                f"the audit hashes {ah['audit_gbps_per_cpu_second']['median']:.2f} GB/s, "
                f"{ah['vs_openssl_per_cpu_second'] * 100:.0f}% of OpenSSL's per-core figure"
                if ah.get("openssl_x_cores_gbps") else "; openssl not installed")
        L.append(f"Model hashing (`llmwatch audit --only integrity-models --no-cache --jobs "
                 f"{ah['cores_used']}`, {ah['files']} x {ah['mib_per_file']} MiB in "
                 f"{ah['where']}): {fmt_s(ah['audit_gbps'])} GB/s; sha256sum on the same files "
                 f"{fmt_s(ah['sha256sum_gbps'])} GB/s ({ah['vs_sha256sum']:.2f}x){ossl}. The "
                 f"second run, cached: {fmt_s(ah['cached_seconds'])} s (goal < 1 s).")
    if ru and ru.get("ratio"):
        L.append(f"Rules matcher alone (make bench-rules): {ru['default']['ns_per_event']:.0f} ns "
                 f"per event with the default pack, {ru['generated']['ns_per_event']:.0f} ns with "
                 f"{ru['generated']['rules']:,} rules (ratio {ru['ratio']:.2f}).")
    return "\n".join(L) + "\n"


def run_sections(b, res, only):
    for name, fn in (("syscalls", section_syscalls), ("programs", section_programs),
                     ("loss", section_loss),
                     ("replay", section_replay), ("report", section_report),
                     ("rules", section_rules), ("live", section_live),
                     ("audit_hash", section_audit_hash),
                     ("startup", section_startup), ("memory", section_memory)):
        if only and name not in only:
            continue
        log(f"bench: {name}")
        res[name] = fn(b)


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ver = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True,
                         text=True).stdout.strip() or "unknown"
    return {"cpu": cpu, "ncpu": os.cpu_count(), "kernel": os.uname().release,
            "version": ver, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "loadavg_start": open("/proc/loadavg").read().split()[:3]}


def main():
    if len(sys.argv) > 1 and sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        for k, (d, h) in KNOBS.items():
            print(f"  {k:22} {h} (default {d or 'all'})")
        return 0
    out = os.path.join(BUILD, "bench.json")
    if "--out" in sys.argv:
        out = sys.argv[sys.argv.index("--out") + 1]
    if os.geteuid() != 0:
        log("bench: needs root (llmwatch loads BPF programs); run: sudo make bench")
        return 2
    # a TERM (make interrupted) unwinds like ^C, so no monitor is left attached
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    only = [s for s in knob("BENCH_ONLY").split(",") if s]
    b = Bench()
    res = {"machine": machine(),
           "conditions": {"bench_seconds": b.secs, "reps": b.reps, "bench_cpu": b.cpu,
                          "monitor_cpu": b.mon_cpu}}
    t0 = monotonic()
    try:
        run_sections(b, res, only)
    finally:
        for mon in list(Monitor.running):
            mon.stop()
    res["machine"]["loadavg_end"] = open("/proc/loadavg").read().split()[:3]
    res["conditions"]["wall_seconds"] = round(monotonic() - t0, 1)
    res["conditions"]["note"] = (
        f"bench on CPU{b.cpu}, monitors on CPU{b.mon_cpu}, monitor output to /dev/null "
        f"(default text); load average {' '.join(res['machine']['loadavg_start'])} at start, "
        f"{' '.join(res['machine']['loadavg_end'])} at end; run took "
        f"{res['conditions']['wall_seconds']:.0f} s.")
    res["goals"] = goals(res)
    md = markdown(res)
    with open(out, "w") as f:
        json.dump(res, f, indent=1)
    with open(os.path.splitext(out)[0] + ".md", "w") as f:
        f.write(md)
    print(md)
    log(f"bench: wrote {out} and {os.path.splitext(out)[0]}.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
