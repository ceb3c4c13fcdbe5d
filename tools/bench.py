#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""The performance tables of issues 6 and 18 (`make bench`): syscall cost side by side,
replay throughput, rules scaling, start-up time and memory, and the curves of cost as work
grows (watched processes, open connections, host names, rules, distinct paths, event rate
per sink), in one run. Goals are against the floor measured in the same run.

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
    "BENCH_STOP_RUNS": ("10", "stop: runs of SIGTERM to exit, and of a restart"),
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
    "BENCH_CURVE_REPS": ("3", "curves: interleaved repetitions over the sizes"),
    "BENCH_CURVE_SECONDS": ("1", "curves: seconds per timed loop"),
    "BENCH_CURVE_PROCS": ("1,100,1000,10000", "curve_procs: watched processes"),
    "BENCH_CURVE_CONNS": ("10,1000,100000", "curve_conns: open watched connections"),
    "BENCH_CURVE_NAMES": ("1000,10000,100000,1000000", "curve_names: host names cached"),
    "BENCH_CURVE_RULES": ("0,1000,10000,100000", "curve_rules: rules beside the default pack"),
    "BENCH_CURVE_PATHS": ("1,10000", "curve_paths: distinct files the watched loop opens"),
    "BENCH_RATE_SINKS": ("text,json,journald,capture", "curve_rate: sinks measured"),
    "BENCH_RATE_STEPS": ("5000,10000,20000,50000,100000,0",
                         "curve_rate: opens/s tried per sink, rising (0: flat out)"),
    "BENCH_RATE_SECONDS": ("2", "curve_rate: seconds at each rate"),
    "BENCH_FLOOR_DROP": ("", "comma list of floor program prefixes to leave out, each "
                         "with a leading '-' (-f_egress: the floor without that hook)"),
    "BENCH_ONLY": ("", "comma list of sections: syscalls,programs,loss,replay,report,rules,"
                   "live,audit_hash,startup,stop,memory,curve_procs,curve_conns,curve_names,"
                   "curve_rules,curve_paths,curve_rate"),
}

CASES = ["open", "connect", "sendto", "getppid"]
# issue 18's goals, against the floor (no-op programs on the same hooks) of the same run
GOAL_UNWATCHED_VS_FLOOR = 1.02
GOAL_WATCHED_VS_FLOOR = {"open": 1.15, "sendto": 1.10, "connect": 1.10}
GOAL_CG_SENDTO_VS_BASE = 1.06	# unwatched sendto with --cgroups watched, vs the baseline
CASE_LABEL = {"open": "openat+close", "connect": "connect iteration", "sendto": "sendto 64 B",
              "getppid": "getppid (untraced)", "spin": "spin (no syscall)"}
# Names of the workload (15 characters at most: comm), one pair per run, so that benches
# running at the same time on a shared machine never watch each other's loops.
W_NAME = f"lwbench-w{os.getpid() % 100000}"	# watched: llmwatch --watch W_NAME
U_NAME = f"lwbench-u{os.getpid() % 100000}"	# unwatched

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

    def run_held(self, name, case, secs, env=None, args=(), mon=None):
        """run_case with the workload's environment (LWBENCH_*: what it holds while it
        loops) and extra arguments; samples the monitor's VmRSS meanwhile. Returns the
        parsed line as a dict, with "mon_rss_max" when mon is given."""
        argv = ["taskset", "-c", self.cpu, self.bin[name], case, str(secs)] + list(args)
        if case == "open" and not args:
            argv.append(self.open_file)
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=dict(os.environ, **(env or {})))
        rss = 0
        try:
            while p.poll() is None:
                if mon and mon.proc:
                    rss = max(rss, vm(mon.proc.pid, "VmRSS") or 0)
                time.sleep(0.05)
        finally:
            if p.poll() is None:	# interrupted: its children die with it (PDEATHSIG)
                p.kill()
        out, err = p.communicate()
        if p.returncode:
            raise RuntimeError(f"{argv[3]} {case} exited {p.returncode}: {err[-300:]}")
        f = out.split()
        return {"iters": int(f[1]), "wall": float(f[2]), "ops": int(f[3]), "pid": int(f[4]),
                "cpu_mean": float(f[5]), "cpu": float(f[6]), "mon_rss_max": rss}

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
    IDLE = f"lwbench-i{os.getpid() % 100000}"	# per run, as the workload's names

    def __init__(self, b):
        super().__init__(b, ["--cgroups", "watched", "--watch", self.IDLE])
        self.cg = os.path.join(b.cgroup2, f"llmwatch-bench-{os.getpid()}")
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
        # the row means nothing unless the programs went to that cgroup and nowhere else;
        # only this llmwatch's programs count (other instances may run on a shared machine)
        ours = fdinfo_ids(self.proc.pid, "prog_id")

        def attached(path):
            out = subprocess.run(["bpftool", "-j", "cgroup", "show", path],
                                 capture_output=True, text=True).stdout
            try:
                progs = json.loads(out or "[]")
            except ValueError:
                return 0
            return sum(1 for p in progs if isinstance(p, dict) and p.get("id") in ours and
                       p.get("name", "").startswith("lw_cg_"))
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
    # each configuration against the floor of the same repetition (issue 18's goals)
    fl = dict(blocks.get("floor-unwatched", []))
    out["vs_floor"] = {}
    for cfg in configs[1:]:
        if cfg == "floor-unwatched" or not fl:
            continue
        out["vs_floor"][cfg] = {
            case: stats([blk[case]["cpu"] / fl[rep][case]["cpu"]
                         for rep, blk in blocks[cfg] if rep in fl])
            for case in CASES}
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


def openssl_sha256_per_core(seconds=2):
    """OpenSSL's EVP SHA-256 on one core, 16 KiB blocks, in bytes/s (None without openssl).
    `openssl speed` divides by its user CPU time, so this is a per-CPU-second figure."""
    if not shutil.which("openssl"):
        return None
    p = subprocess.run(["openssl", "speed", "-evp", "sha256", "-bytes", "16384", "-seconds",
                        str(seconds)], capture_output=True, text=True)
    # "type  16384 bytes" then "sha256  1561968.64k": thousands of bytes per second
    m = re.search(r"^(?:sha256|SHA2-256)\s+([\d.]+)k\s*$", p.stdout, re.M)
    return float(m.group(1)) * 1000 if m else None


def section_audit_hash(b):
    """Model hashing (issue 17): `llmwatch audit --only integrity-models` over files in the
    page cache (tmpfs when /dev/shm is there), against sha256sum on the same files and
    against OpenSSL's per-core figure. Each audit run is paired with an `openssl speed` run
    just before it and judged against that one: on a shared host a core's speed moves by
    10% from one minute to the next, and one OpenSSL figure taken at another time would
    judge the audit by that drift. The goal is judged on CPU time (what each core used
    delivers); the wall-time figure is shown, but on a shared host it holds other tasks'
    time."""
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
            """Wall and CPU (user + system) seconds of one run: on a shared host the wall
            time holds other tasks' time, the CPU time only the hasher's."""
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = monotonic()
            p = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            t = monotonic() - t0
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            if p.returncode not in (0, 1):
                raise RuntimeError(f"{argv[0]} exited {p.returncode}: {p.stderr[-300:]}")
            return t, r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime

        t_audit, c_audit, t_sum, per_core = [], [], [], []
        for _ in range(runs):
            per_core.append(openssl_sha256_per_core(1))
            t, c = timed(audit + ["--no-cache"])
            t_audit.append(t)
            c_audit.append(c)
            t_sum.append(timed(["sha256sum"] + files)[0])
        cache = os.path.join(base, "cache")
        subprocess.run(audit + ["--cache-dir", cache], check=True)	# fills the cache
        t_cached = [timed(audit + ["--cache-dir", cache])[0] for _ in range(runs)]
        ossl = [x for x in per_core if x]
        res = {"files": n, "mib_per_file": mib, "bytes": total, "cores_used": cores,
               "where": parent,
               "audit_gbps": stats([total / t / 1e9 for t in t_audit]),
               "audit_gbps_per_cpu_second": stats([total / t / 1e9 for t in c_audit]),
               "sha256sum_gbps": stats([total / t / 1e9 for t in t_sum]),
               "cached_seconds": stats(t_cached),
               "openssl_per_core_gbps": statistics.median(ossl) / 1e9 if ossl else None}
        a = res["audit_gbps"]["median"]
        res["vs_sha256sum"] = a / res["sha256sum_gbps"]["median"]
        if len(ossl) == runs:
            res["openssl_per_core_runs_gbps"] = stats([x / 1e9 for x in ossl])
            res["openssl_x_cores_gbps"] = res["openssl_per_core_gbps"] * cores
            res["vs_openssl_x_cores"] = a / res["openssl_x_cores_gbps"]
            # each run's CPU-time rate against the OpenSSL run just before it
            res["vs_openssl_per_cpu_second_runs"] = stats(
                [total / c / o for c, o in zip(c_audit, ossl)])
            res["vs_openssl_per_cpu_second"] = res["vs_openssl_per_cpu_second_runs"]["median"]
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


def section_stop(b):
    """SIGTERM to exit (the final drain, the summary, every program detached), and a
    restart as systemd does it: SIGTERM to the old one, its exit, then the new one's exec
    until its --ready-file. That whole span is a restart's blind spot: the old programs are
    detached at its start and the new ones attached, and the running tools found, at its
    end."""
    stops, restarts = [], []
    old = None
    try:
        for i in range(int(knob("BENCH_STOP_RUNS"))):
            mon = old or Llmwatch(b)
            if not old:
                mon.start()
            time.sleep(0.3)
            t0 = monotonic()
            Monitor.running.discard(mon)
            os.kill(mon.proc.pid, signal.SIGTERM)
            mon.proc.wait(timeout=20)
            t1 = monotonic()
            mon.out.close()
            mon.err.close()
            stops.append((t1 - t0) * 1e3)
            old = Llmwatch(b)
            old.start()
            restarts.append((monotonic() - t0) * 1e3)
    finally:
        if old:
            old.stop()
    return {"stop_ms": stats(stops), "restart_ms": stats(restarts), "runs_stop_ms": stops,
            "runs_restart_ms": restarts}


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


# ---- cost as work grows (issue 18) --------------------------------------------------------
# Each curve runs one workload at several sizes, the sizes interleaved within each
# repetition (reversed every other one) so the host's slow phases spread over all of them;
# per-event cost is compared with the smallest size of the same repetition.

CURVE_FLAT = 1.10	# per-event cost at the largest size, at most this times the smallest's
PROC_BYTES_MAX = 4096	# llmwatch's resident memory per watched process, at most
CONN_BYTES_MAX = 1024	# llmwatch's resident memory per open watched connection, at most
NAME_BYTES_MAX = 512	# the host-name cache's heap per entry, at most
RULE_BYTES_MAX = 4096	# the compiled rules' heap per rule, at most
RULE_LOAD_US_MAX = 50	# loading (parsing and compiling) rules: CPU us per rule, at most
NAMES_FLAT = 1.5	# host-name cache operations, largest vs smallest number of names fed
# the least sustained rate with nothing lost, per sink (watched opens/s)
RATE_MIN = {"text": 20000, "json": 20000, "capture": 20000, "journald": 5000}


def knob_sizes(name):
    return [int(x) for x in knob(name).split(",") if x.strip()]


def loss_lines(stderr):
    """{"TYPE REASON": count} of the summary's per-reason kernel loss lines."""
    return {f"{m.group(2)} {m.group(3)}": int(m.group(1)) for m in
            re.finditer(r"lost (\d+) (\S+) records \((\w+)\)", stderr)}


def fdinfo_ids(pid, key):
    """The ids (`key`: prog_id, map_id) of the BPF objects process pid holds: its
    descriptors of programs, maps and links."""
    ids = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fdinfo"):
            try:
                with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                    m = re.search(rf"^{key}:\s+(\d+)", f.read(), re.M)
            except OSError:
                continue
            if m:
                ids.add(int(m.group(1)))
    except OSError:
        pass
    return ids


def map_of(pid, name):
    """bpftool's description of map `name` held by process pid (None if not found): the
    process's map descriptors from /proc/PID/fdinfo, then each map by id (other llmwatch
    instances on the machine hold maps of the same names)."""
    for i in sorted(fdinfo_ids(pid, "map_id")):
        out = subprocess.run(["bpftool", "-j", "map", "show", "id", str(i)], capture_output=True,
                             text=True).stdout
        m = json.loads(out or "{}")
        if m.get("name") == name:
            return m
    return None


def interleaved(sizes, reps, run):
    """run(size, rep) for every size in every repetition; {size: [results]}."""
    res = {n: [] for n in sizes}
    for rep in range(reps):
        for n in (sizes if rep % 2 == 0 else list(reversed(sizes))):
            log(f"bench: ... size {n:,} (repetition {rep + 1}/{reps})")
            res[n].append(run(n, rep))
    return res


def flat_curve(sizes, runs, key="cpu"):
    """Per size: the CPU ns per event, and its ratio to the smallest size of the same
    repetition."""
    out = []
    for n in sizes:
        out.append({"size": n, "ns": stats([r[key] for r in runs[n]]),
                    "vs_smallest": stats([r[key] / r0[key]
                                          for r, r0 in zip(runs[n], runs[sizes[0]])])})
    return out


def per_unit(sizes, runs, key):
    """Growth of runs' `key` from the smallest size to the largest, per unit of size."""
    lo, hi = sizes[0], sizes[-1]
    a = statistics.median(r[key] for r in runs[lo])
    z = statistics.median(r[key] for r in runs[hi])
    return (z - a) / (hi - lo) if hi > lo else None


def curve_run_fresh(b, case, env):
    """One run of the watched loop under a fresh llmwatch: what the size costs, what it
    lost (its own summary) and how llmwatch's resident memory grew from its idle start."""
    mon = Llmwatch(b)
    mon.start()
    try:
        time.sleep(0.2)
        idle = vm(mon.proc.pid, "VmRSS")
        tables = {n: map_of(mon.proc.pid, n) for n in ("tracked", "conns")}
        r = b.run_held(W_NAME, case, float(knob("BENCH_CURVE_SECONDS")), env, mon=mon)
    finally:
        err = mon.stop()
    r["rss_growth"] = r["mon_rss_max"] - idle
    r["lost"] = lost_of(err)[1]
    r["loss_lines"] = loss_lines(err)
    r["maps"] = {n: m and {"max_entries": m.get("max_entries"),
                           "bytes_memlock": m.get("bytes_memlock")} for n, m in tables.items()}
    return r


def curve_lost(sizes, runs):
    return [{"size": n, "lost": [r["lost"] for r in runs[n]],
             "lines": {k: max(r["loss_lines"].get(k, 0) for r in runs[n])
                       for k in set().union(*(r["loss_lines"] for r in runs[n]))}}
            for n in sizes]


def section_curve_procs(b):
    """Watched processes: the watched open loop while its process holds N - 1 children,
    each tracked from its fork (1 to 10,000 watched processes); a fresh llmwatch per run,
    so what each size lost and how much memory it took are its own."""
    sizes = knob_sizes("BENCH_CURVE_PROCS")
    runs = interleaved(sizes, int(knob("BENCH_CURVE_REPS")), lambda n, rep: curve_run_fresh(
        b, "open", {"LWBENCH_CHILDREN": str(n - 1)}))
    tmap = runs[sizes[0]][0]["maps"]["tracked"] or {}
    return {"curve": flat_curve(sizes, runs),
            "rss": [{"size": n, "growth": stats([r["rss_growth"] for r in runs[n]])}
                    for n in sizes],
            "bytes_per_unit": per_unit(sizes, runs, "rss_growth"),
            "tracked_max": tmap.get("max_entries"), "tracked_bytes": tmap.get("bytes_memlock"),
            "lost": curve_lost(sizes, runs)}


def section_curve_conns(b):
    """Open watched connections: the watched connect iteration while the process holds N
    loopback connections it made (the `conns` map holds one entry per connect); a fresh
    llmwatch per run."""
    sizes = knob_sizes("BENCH_CURVE_CONNS")
    runs = interleaved(sizes, int(knob("BENCH_CURVE_REPS")), lambda n, rep: curve_run_fresh(
        b, "connect", {"LWBENCH_CONNS": str(n)}))
    cmap = runs[sizes[0]][0]["maps"]["conns"] or {}
    return {"curve": flat_curve(sizes, runs),
            "rss": [{"size": n, "growth": stats([r["rss_growth"] for r in runs[n]])}
                    for n in sizes],
            "bytes_per_unit": per_unit(sizes, runs, "rss_growth"),
            "conns_max": cmap.get("max_entries"), "lost": curve_lost(sizes, runs)}


def section_curve_paths(b):
    """Distinct paths: the watched open loop over N different files in turn beside the
    same loop on one file, each against the same loop unwatched (a file's own cost in the
    kernel grows with N: the dentry and inode caches), so what is compared is the part
    llmwatch adds."""
    sizes, secs = knob_sizes("BENCH_CURVE_PATHS"), float(knob("BENCH_CURVE_SECONDS"))
    d = os.path.join(b.tmp, "paths")
    os.makedirs(d, exist_ok=True)
    for i in range(max(sizes)):
        with open(os.path.join(d, str(i)), "w") as f:
            f.write("x\n")
    mon = Llmwatch(b)
    mon.start()
    try:
        def run(n, rep):
            args = (d, str(n))
            u = b.run_held(U_NAME, "openmany", secs, args=args)
            w = b.run_held(W_NAME, "openmany", secs, args=args)
            return {"cpu": w["cpu"], "unwatched": u["cpu"], "added": w["cpu"] - u["cpu"],
                    "ratio": w["cpu"] / u["cpu"]}
        runs = interleaved(sizes, int(knob("BENCH_CURVE_REPS")), run)
    finally:
        err = mon.stop()
        shutil.rmtree(d, ignore_errors=True)
    return {"curve": [{"size": n, "watched_ns": stats([r["cpu"] for r in runs[n]]),
                       "unwatched_ns": stats([r["unwatched"] for r in runs[n]]),
                       "added_ns": stats([r["added"] for r in runs[n]]),
                       "ratio": stats([r["ratio"] for r in runs[n]]),
                       "vs_smallest": stats([r["ratio"] / r0["ratio"] for r, r0 in
                                             zip(runs[n], runs[sizes[0]])])}
                      for n in sizes],
            "lost": lost_of(err)[1]}


def section_curve_names(b):
    """The host-name cache (tools/bench/names.c), in process: no kernel involved."""
    sizes = knob_sizes("BENCH_CURVE_NAMES")
    out = subprocess.run(["taskset", "-c", b.cpu, os.path.join(b.dir, "names")] +
                         [str(n) for n in sizes], check=True, capture_output=True,
                         text=True).stdout
    res = {"size": [], "default": [], "shared": []}
    for line in out.splitlines():
        f = line.split()
        if f[0] == "names-size":
            res["size"].append({"size": int(f[1]), "heap_bytes": int(f[3]),
                                "put_ns": float(f[4]), "hit_ns": float(f[5]),
                                "miss_ns": float(f[6])})
        elif f[0] == "names-default":
            res["default"].append({"size": int(f[1]), "capacity": int(f[2]),
                                   "put_ns": float(f[3]), "evictions": int(f[4]),
                                   "newest_found": int(f[5]), "oldest_found": int(f[6]),
                                   "hit_ns": float(f[7])})
        elif f[0] == "names-shared":
            res["shared"].append({"names": int(f[1]), "lookup_ns": float(f[2]),
                                  "held": int(f[3])})
    return res


def section_curve_rules(b):
    """The rules: load (parse and compile) time, matcher cost and heap, default pack plus
    N generated rules (tools/bench_rules.c --curve)."""
    sizes = knob_sizes("BENCH_CURVE_RULES")
    runs = {n: [] for n in sizes}
    for rep in range(int(knob("BENCH_CURVE_REPS"))):
        out = subprocess.run(["taskset", "-c", b.cpu, os.path.join(BUILD, "bench_rules"),
                              "--curve"] + [str(n) for n in sizes], check=True,
                             capture_output=True, text=True).stdout
        for line in out.splitlines():
            f = line.split()
            if f and f[0] == "rules-curve":
                runs[int(f[1])].append({"rules": int(f[2]), "build_ms": float(f[3]),
                                        "cpu": float(f[4]), "heap_bytes": int(f[5])})
    res = {"curve": flat_curve(sizes, runs)}
    for c in res["curve"]:
        rs = runs[c["size"]]
        c["rules"] = rs[0]["rules"]
        c["build_ms"] = stats([r["build_ms"] for r in rs])
        c["heap_bytes"] = rs[0]["heap_bytes"]
    lo, hi = res["curve"][0], res["curve"][-1]
    if hi["rules"] > lo["rules"]:
        res["bytes_per_rule"] = (hi["heap_bytes"] - lo["heap_bytes"]) / (hi["rules"] - lo["rules"])
    return res


class Journald:
    """A systemd-journald of our own, the way tests/e2e/journald.bash runs one: in a mount
    and network namespace of its own with a tmpfs on /run, its journal in a directory of
    ours, so the machine's journal is never touched."""
    exe = "/lib/systemd/systemd-journald"
    SCRIPT = """set -e
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/systemd/journal /run/log/journal /run/systemd/journald.conf.d
mount --bind "$1" /run/log/journal
mount --bind /dev/null /dev/kmsg
cat >/run/systemd/journald.conf.d/50-bench.conf <<'CONF'
[Journal]
Storage=volatile
RateLimitBurst=0
ForwardToSyslog=no
ForwardToKMsg=no
ForwardToConsole=no
ForwardToWall=no
CONF
exec env SYSTEMD_LOG_TARGET=console /lib/systemd/systemd-journald
"""

    @staticmethod
    def available():
        return all(shutil.which(t) for t in ("journalctl", "unshare", "nsenter")) and \
            os.access(Journald.exe, os.X_OK)

    def __init__(self, b):
        self.dir = os.path.join(b.tmp, "journal")
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        script = os.path.join(b.tmp, "journald-ns.sh")
        with open(script, "w") as f:
            f.write(self.SCRIPT)
        self.log = open(os.path.join(b.tmp, "journald.log"), "w")
        self.proc = subprocess.Popen(["unshare", "-m", "-n", "--propagation", "private", "--",
                                      "/bin/sh", script, self.dir], stdout=self.log,
                                     stderr=self.log, start_new_session=True)
        sock = f"/proc/{self.proc.pid}/root/run/systemd/journal/socket"
        wait_for(lambda: os.path.exists(sock) or self.proc.poll() is not None, 10,
                 "systemd-journald's socket")
        if self.proc.poll() is not None:
            raise RuntimeError("systemd-journald did not start")

    def wrap(self, argv):
        """argv run inside journald's mount namespace (nsenter execs: the same pid)."""
        return ["nsenter", "-t", str(self.proc.pid), "-m", "--"] + argv

    def count(self, matches):
        """Entries matching every FIELD=VALUE of matches."""
        out = subprocess.run(["journalctl", f"--directory={self.dir}", "--no-pager", "-o",
                              "cat"] + matches, capture_output=True, text=True).stdout
        return out.count("\n")

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class LlmwatchSink(Llmwatch):
    """llmwatch with one sink, for the event-rate ladder."""

    def __init__(self, b, sink, path, journald=None):
        extra = {"text": ["--output", f"text:{path}"], "json": ["--output", f"json:{path}"],
                 "journald": ["--output", "journald:events"],
                 "capture": ["--capture", path]}[sink]
        super().__init__(b, extra)
        self.journald = journald

    def argv(self):
        a = super().argv()
        return self.journald.wrap(a) if self.journald else a


def section_curve_rate(b):
    """The largest rate of watched opens the whole pipeline (kernel, decode, rules, sink)
    keeps with nothing lost, per sink: the paced open loop at rising rates until one loses
    or falls short of its rate. Lost: the summary's count (kernel, decode, output and
    capture losses), and, where the output can be read back, the events missing in it."""
    secs = float(knob("BENCH_RATE_SECONDS"))
    steps = knob_sizes("BENCH_RATE_STEPS")
    res = {}
    for sink in [x for x in knob("BENCH_RATE_SINKS").split(",") if x]:
        jd = None
        if sink == "journald":
            if not Journald.available():
                res[sink] = {"skipped": "systemd-journald, journalctl, unshare or nsenter missing"}
                continue
            jd = Journald(b)
        rows = []
        try:
            for rate in steps:
                path = os.path.join(b.tmp, f"rate.{sink}")
                for p in (path,):
                    if os.path.exists(p):
                        os.unlink(p)
                mon = LlmwatchSink(b, sink, path, jd)
                mon.start()
                try:
                    r = b.run_held(W_NAME, "open", secs, {"LWBENCH_RATE": str(rate)}, mon=mon)
                finally:
                    err = mon.stop()
                ops, achieved = r["ops"], 1e9 / r["wall"]
                seen = None
                if sink in ("text", "json"):
                    with open(path, "rb") as f:
                        seen = sum(1 for line in f if b.open_file.encode() in line)
                elif sink == "journald":
                    seen = jd.count([f"LLMWATCH_PID={r['pid']}", f"LLMWATCH_PATH={b.open_file}"])
                lost = lost_of(err)[1]
                ok = lost == 0 and (seen is None or seen >= ops)
                rows.append({"target": rate, "achieved_per_s": round(achieved), "ops": ops,
                             "seen": seen, "lost": lost, "ok": ok,
                             "loss_lines": loss_lines(err),
                             "summary": [x for x in err.splitlines() if "lost" in x][:6],
                             "bytes": os.path.getsize(path) if os.path.exists(path) else None})
                if os.path.exists(path):
                    os.unlink(path)
                log(f"bench: ... {sink} at {rate or 'flat out'}: {achieved:,.0f}/s, "
                    f"lost {lost}, seen {seen} of {ops}")
                if not ok:
                    break
        finally:
            if jd:
                jd.stop()
        good = [x for x in rows if x["ok"]]
        res[sink] = {"steps": rows,
                     "max_zero_loss_per_s": max((x["achieved_per_s"] for x in good), default=0),
                     "flat_out_ok": bool(rows) and rows[-1]["target"] == 0 and rows[-1]["ok"]}
    return res


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

    def info(what, value, unit=""):
        """A row shown for information: no limit, never counted as missed."""
        g.append({"goal": what, "value": value, "limit": None, "met": True, "unit": unit,
                  "info": True})

    sc = res.get("syscalls", {}).get("configs", {})
    vf = res.get("syscalls", {}).get("vs_floor", {})

    def vs_floor(cfg, case):
        """cfg's CPU time over the floor's, paired within each repetition (issue 18: the
        goals are against no-op programs on the same hooks, measured in the same run)."""
        return vf.get(cfg, {}).get(case)

    # issue 18: what llmwatch adds to the hooks' own cost, for every traced syscall. Two
    # measures of it: the loop's CPU time against the floor's (shown with the untraced
    # getppid, which reads what this host's noise alone does to such a ratio), and the
    # kernel's own accounting of the programs' time (the programs section), which measures
    # just what llmwatch's programs spend over the floor's no-op ones and is judged
    for case in CASES:
        r = vs_floor("llmwatch-unwatched", case)
        if r:
            info(f"unwatched {CASE_LABEL[case]}, vs the floor, CPU time", round(r["median"], 3),
                 "x")
    for case in CASES:
        v = unwatched_by_program_time(res, case)
        if v is not None:
            # four places: a value at the limit must not read as the limit itself
            add(f"unwatched {CASE_LABEL[case]}, vs the floor, by program time", round(v, 4),
                GOAL_UNWATCHED_VS_FLOOR, v <= GOAL_UNWATCHED_VS_FLOOR, "x")
    for case, lim in GOAL_WATCHED_VS_FLOOR.items():
        r = vs_floor("llmwatch-watched", case)
        if r:
            add(f"watched {CASE_LABEL[case]}, vs the floor", round(r["median"], 3), lim,
                r["median"] <= lim, "x")
    cg = sc.get("llmwatch-cgwatched-unwatched", {}).get("sendto", {}).get("cpu_ratio")
    if cg:
        add(f"unwatched {CASE_LABEL['sendto']}, --cgroups watched", round(cg["median"], 3),
            GOAL_CG_SENDTO_VS_BASE, cg["median"] <= GOAL_CG_SENDTO_VS_BASE, "x")
    for cfg, what in (("llmwatch-unwatched", "unwatched"), ("llmwatch-watched", "watched"),
                      ("floor-unwatched", "floor (no-op programs)"),
                      ("llmwatch-cgwatched-unwatched", "unwatched, --cgroups watched")):
        for case in CASES[:3]:
            if cfg == "llmwatch-cgwatched-unwatched" and case == "sendto":
                continue	# a goal above
            r = sc.get(cfg, {}).get(case, {}).get("cpu_ratio")
            if r:
                info(f"{what} {CASE_LABEL[case]}, vs baseline", round(r["median"], 3), "x")
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
        v = ah["vs_openssl_per_cpu_second"]
        add("audit hashing per CPU second vs openssl speed -evp sha256 per core (paired runs)",
            round(v, 3), 0.9, v >= 0.9, "of")
        # shown, not judged: on a shared host the wall time holds other tasks' time
        v = ah["vs_openssl_x_cores"]
        add(f"audit hashing (wall) vs openssl speed x {ah['cores_used']} cores", round(v, 3),
            None, True, "of")
    if ah:
        v = ah["cached_seconds"]["median"]
        add(f"audit of {ah['files']} x {ah['mib_per_file']} MiB models again, cached", round(v, 3),
            1, v < 1, "s")
    st = res.get("startup")
    if st and st["ms"]:
        add("start to attached", round(st["ms"]["median"]), 300, st["ms"]["median"] <= 300, "ms")
        v = st["idle_rss_bytes"]["median"] / 2**20
        add("resident memory at idle", round(v, 1), 20, v <= 20, "MiB")
    so = res.get("stop")
    if so and so["stop_ms"]:
        v = so["stop_ms"]["median"]
        add("stop (SIGTERM to exit)", round(v), 300, v <= 300, "ms")
    me = res.get("memory")
    if me:
        v = me["peak_hwm_bytes"] / 2**20
        info("peak resident memory under flood", round(v, 1), "MiB")
    curve_goals(res, add, info)
    return g


def program_ns_per_iter(progs):
    """The programs' time per loop iteration: runs per iteration x ns per run, summed."""
    return sum(v["runs_per_iter"] * v["ns_per_run"] for v in progs.values())


def unwatched_by_program_time(res, case):
    """The floor's CPU time per iteration plus what llmwatch's programs spend over the
    floor's no-op programs on the same hooks (the kernel's accounting, same run), over the
    floor's CPU time: the share of an unwatched call that llmwatch's own code adds, without
    the loop's block-to-block noise. None when a figure is missing."""
    pr = res.get("programs", {})
    lw, fl = pr.get("unwatched", {}).get(case), pr.get("floor", {}).get(case)
    base = (res.get("syscalls", {}).get("configs", {}).get("floor-unwatched", {})
            .get(case, {}).get("cpu"))
    if not lw or not fl or not base:
        return None
    return 1 + (program_ns_per_iter(lw) - program_ns_per_iter(fl)) / base["median"]


def curve_goals(res, add, info):
    """The goals of the curves (issue 18): flat per-event cost up to the largest size,
    memory linear with a stated constant, and every loss past a table's size counted."""
    def flat(what, curve, key="vs_smallest"):
        lo, hi = curve[0], curve[-1]
        if hi["size"] == lo["size"] or not hi.get(key):
            return
        v = hi[key]["median"]
        add(f"{what} at {hi['size']:,} vs {lo['size']:,}", round(v, 3), CURVE_FLAT,
            v <= CURVE_FLAT, "x")

    def table_losses(what, tname, tmax, unit, rows):
        """Within a table's size nothing is lost to it; past it every miss is counted."""
        for row in rows:
            n = row["size"]
            full = sum(v for k, v in row["lines"].items() if k.endswith("map_full"))
            if tmax and n > tmax:
                add(f"{n:,} {what}, past the {tname} map ({tmax:,}): counted (map_full)", full,
                    None, full >= n - tmax)
            else:
                add(f"{n:,} {what}: nothing lost to a full table", full, 0, full == 0)

    cp = res.get("curve_procs")
    if cp:
        flat("watched openat+close, per event, watched processes", cp["curve"])
        if cp["bytes_per_unit"] is not None:
            v = round(cp["bytes_per_unit"])
            add("llmwatch resident memory per watched process", v, PROC_BYTES_MAX,
                v <= PROC_BYTES_MAX, "bytes")
        table_losses("watched processes", "tracked", cp.get("tracked_max"), "", cp["lost"])
    cc = res.get("curve_conns")
    if cc:
        flat("watched connect iteration, per event, open connections", cc["curve"])
        if cc["bytes_per_unit"] is not None:
            v = round(cc["bytes_per_unit"])
            add("llmwatch resident memory per open watched connection", v, CONN_BYTES_MAX,
                v <= CONN_BYTES_MAX, "bytes")
        table_losses("open connections", "conns", cc.get("conns_max"), "", cc["lost"])
    cn = res.get("curve_names")
    if cn and cn["size"]:
        # the monitor's own cache (its default size) fed ever more names: eviction keeps
        # both operations flat
        # from the first size that fills it (the puts evict from then on) to the largest
        full = [d for d in cn["default"] if d["size"] > d["capacity"]]
        lo, hi = (full[0], full[-1]) if full else (cn["default"][0], cn["default"][-1])
        if hi["size"] > lo["size"]:
            for k, what in (("put_ns", "put"), ("hit_ns", "lookup")):
                v = hi[k] / lo[k]
                add(f"host-name cache ({hi['capacity']:,}) {what} after {hi['size']:,} names vs "
                    f"{lo['size']:,}", round(v, 2), NAMES_FLAT, v <= NAMES_FLAT, "x")
        # a cache made as large as the names: what the memory hierarchy adds
        lo, hi = cn["size"][0], cn["size"][-1]
        if hi["size"] > lo["size"]:
            info(f"lookup in a cache of {hi['size']:,} vs one of {lo['size']:,}",
                 round(hi["hit_ns"] / lo["hit_ns"], 2), "x")
        v = round(max(x["heap_bytes"] / x["size"] for x in cn["size"]))
        add("host-name cache heap per entry", v, NAME_BYTES_MAX, v <= NAME_BYTES_MAX, "bytes")
        d = cn["default"][-1]
        add(f"default cache ({d['capacity']:,}) fed {d['size']:,} names: the newest all found",
            d["newest_found"], min(d["size"], d["capacity"]),
            d["newest_found"] == min(d["size"], d["capacity"]))
        if cn["shared"]:
            # the bound is the last size whose names were all kept
            a = [x for x in cn["shared"] if x["held"] == x["names"]][-1]
            z = cn["shared"][-1]
            v = z["lookup_ns"] / a["lookup_ns"]
            add(f"lookup of one address given {z['names']:,} names vs {a['names']:,} "
                "(the names it keeps)", round(v, 2), NAMES_FLAT, v <= NAMES_FLAT, "x")
    cr = res.get("curve_rules")
    if cr:
        flat("rules matcher, per event, rules", cr["curve"])
        lo, hi = cr["curve"][0], cr["curve"][-1]
        if hi["rules"] > lo["rules"]:
            v = (hi["build_ms"]["median"] - lo["build_ms"]["median"]) * 1e3 / \
                (hi["rules"] - lo["rules"])
            add(f"rules load per rule (CPU, {lo['rules']:,} to {hi['rules']:,} rules)",
                round(v, 1), RULE_LOAD_US_MAX, v <= RULE_LOAD_US_MAX, "us")
        if cr.get("bytes_per_rule") is not None:
            v = round(cr["bytes_per_rule"])
            add("compiled rules' heap per rule", v, RULE_BYTES_MAX, v <= RULE_BYTES_MAX,
                "bytes")
    cpa = res.get("curve_paths")
    if cpa:
        flat("watched open's added cost, distinct files", cpa["curve"])
    ra = res.get("curve_rate")
    for sink, r in (ra or {}).items():
        if "skipped" in r:
            continue
        # one producer core flat out is the most this machine can offer: when nothing is
        # lost even then, the sink keeps up with anything one core sends
        v = r["max_zero_loss_per_s"]
        add(f"watched opens/s with nothing lost, {sink} sink" +
            (" (flat out: the producer's limit)" if r["flat_out_ok"] else ""), v,
            f"flat out, or {RATE_MIN[sink]:,} opens/s", r["flat_out_ok"] or v >= RATE_MIN[sink],
            "opens/s")


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
              "mean of the two baseline blocks around it; then each block against the floor's "
              "block of the same repetition (medians), the baseline ratio on wall time, "
              "and the monitor's own CPU ns per iteration.", "",
              "| configuration | " + " | ".join(CASE_LABEL[c] for c in CASES) +
              " | vs the floor (open / connect / sendto / getppid) | wall-time ratio "
              "(open / connect / sendto) | monitor CPU ns/iter (open / sendto) |",
              "|---|" + "---|" * len(CASES) + "---|---|---|"]
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
            vf = sc.get("vs_floor", {}).get(cfg)
            fr = " / ".join(f"{vf[c]['median']:.3f}" if vf.get(c) else "-"
                            for c in CASES) if vf else "-"
            L.append(f"| {cfg} | " + " | ".join(cells) + f" | {fr} | {wr} | {mc} |")
        L.append("")
    g = res.get("goals", [])
    if g:
        L += ["| goal | measured | limit | met |", "|---|---|---|---|"]
        for x in g:
            lim = "-"
            if isinstance(x["limit"], str):
                lim = x["limit"]
            elif x["limit"] is not None:
                v = x["limit"]
                v = f"{int(v):,}" if float(v).is_integer() and v >= 1000 else f"{v:g}"
                lim = (f"<= {v}x" if x["unit"] == "x" else f">= {v} of it" if x["unit"] == "of"
                       else f"{v} {x['unit']}".strip())
            val = f"{x['value']:,}" if isinstance(x["value"], int) else f"{x['value']:g}"
            unit = "" if x["unit"] in ("x", "of") else " " + x["unit"]
            val = f"{val}x" if x["unit"] == "x" else val
            met = "(information)" if x.get("info") else "yes" if x["met"] else "**no**"
            L.append(f"| {x['goal']} | {val}{unit} | {lim} | {met} |")
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
    so = res.get("stop")
    if so:
        L.append(f"Stop (SIGTERM to exit): {fmt_ns(so['stop_ms'])} ms; restart (SIGTERM to the "
                 f"old one until the new one's --ready-file, the blind spot): "
                 f"{fmt_ns(so['restart_ms'])} ms; over {so['stop_ms']['n']} runs.")
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
        pr = ah.get("vs_openssl_per_cpu_second_runs")
        ossl = (f"; per CPU second the audit hashes "
                f"{fmt_s(ah['audit_gbps_per_cpu_second'])} GB/s, against OpenSSL's EVP SHA-256 "
                f"(16 KiB blocks) {fmt_s(ah['openssl_per_core_runs_gbps'])} GB/s per core in "
                f"runs paired with the audit's: {pr['median'] * 100:.0f}% of it "
                f"({pr['min'] * 100:.0f}-{pr['max'] * 100:.0f}%; goal >= 90%); by wall time "
                f"{ah['vs_openssl_x_cores'] * 100:.0f}% of OpenSSL x {ah['cores_used']} cores "
                f"(on a shared host the wall time holds other tasks')"
                if pr else "; openssl not installed")
        L.append(f"Model hashing (`llmwatch audit --only integrity-models --no-cache --jobs "
                 f"{ah['cores_used']}`, {ah['files']} x {ah['mib_per_file']} MiB in "
                 f"{ah['where']}): {fmt_s(ah['audit_gbps'])} GB/s; sha256sum on the same files "
                 f"{fmt_s(ah['sha256sum_gbps'])} GB/s ({ah['vs_sha256sum']:.2f}x){ossl}. The "
                 f"second run, cached: {fmt_s(ah['cached_seconds'])} s (goal < 1 s).")
    if ru and ru.get("ratio"):
        L.append(f"Rules matcher alone (make bench-rules): {ru['default']['ns_per_event']:.0f} ns "
                 f"per event with the default pack, {ru['generated']['ns_per_event']:.0f} ns with "
                 f"{ru['generated']['rules']:,} rules (ratio {ru['ratio']:.2f}).")
    L += curves_markdown(res)
    return "\n".join(L) + "\n"


def fmt_range(s, f="{:.0f}"):
    return f"{f.format(s['median'])} ({f.format(s['min'])}-{f.format(s['max'])})"


def curves_markdown(res):
    """The curves of issue 18, one small table each."""
    L = []
    reps = knob("BENCH_CURVE_REPS")
    def lost_cell(lo):
        why = ", ".join(f"{v:,} {k}" for k, v in sorted(lo["lines"].items()))
        return f"{', '.join(f'{x:,}' for x in lo['lost'])}{f' ({why})' if why else ''}"

    for key, what, unit, table in (
            ("curve_procs", "Watched processes (the watched openat+close loop while its "
             "process holds N - 1 children, each tracked from its fork)", "watched processes",
             "tracked"),
            ("curve_conns", "Open watched connections (the watched connect iteration while "
             "its process and its helpers hold N loopback connections they made)",
             "open connections", "conns")):
        cv = res.get(key)
        if not cv:
            continue
        L += [f"{what}; CPU ns per event, median (min-max) over {reps} interleaved "
              "repetitions, its ratio to the smallest size in each; a fresh llmwatch per run: "
              "the growth of its RSS from idle, and what its summary counted lost (per run, "
              "and the largest count of each reason):", "",
              f"| {unit} | ns per event | vs smallest | llmwatch RSS growth | lost |",
              "|---|---|---|---|---|"]
        for c, m, lo in zip(cv["curve"], cv["rss"], cv["lost"]):
            L.append(f"| {c['size']:,} | {fmt_range(c['ns'])} | "
                     f"{fmt_range(c['vs_smallest'], '{:.2f}')} | "
                     f"{m['growth']['median'] / 2**20:.1f} MiB | {lost_cell(lo)} |")
        tmax = cv.get("tracked_max") or cv.get("conns_max")
        L += ["", f"({cv['bytes_per_unit'] or 0:.0f} bytes of RSS per one more; the kernel's "
              f"{table} map holds {tmax or '?'})", ""]
    cn = res.get("curve_names")
    if cn and cn["size"]:
        L += ["Host-name cache (tools/bench/names.c, in process, CPU ns per operation; a cache "
              "of N entries holding N names; then the monitor's own cache, of its default size, "
              "fed the same N names):", "",
              "| names | heap | bytes/entry | put ns | lookup (held) ns | lookup (absent) ns | "
              "default cache: put ns | lookup ns | evicted | newest found | oldest found |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
        for x, d in zip(cn["size"], cn["default"]):
            L.append(f"| {x['size']:,} | {x['heap_bytes'] / 2**20:.1f} MiB | "
                     f"{x['heap_bytes'] / x['size']:.0f} | {x['put_ns']:.0f} | "
                     f"{x['hit_ns']:.0f} | {x['miss_ns']:.0f} | {d['put_ns']:.0f} | "
                     f"{d['hit_ns']:.0f} | {d['evictions']:,} | "
                     f"{d['newest_found']:,} | {d['oldest_found']:,} |")
        L += ["", "One address given many names (a shared CDN address; it keeps the most "
              "recently learned few): ns per lookup: " +
              ", ".join(f"{x['names']:,} names (kept {x['held']:,}) {x['lookup_ns']:.0f}"
                        for x in cn["shared"]), ""]
    cr = res.get("curve_rules")
    if cr:
        L += ["Rules (tools/bench_rules.c --curve: the default pack plus N generated rules; "
              "CPU time; load is parse and compile):", "",
              "| rules | match ns per event | vs default pack | load ms | heap |",
              "|---|---|---|---|---|"]
        for c in cr["curve"]:
            L.append(f"| {c['rules']:,} | {fmt_range(c['ns'])} | "
                     f"{fmt_range(c['vs_smallest'], '{:.2f}')} | "
                     f"{fmt_range(c['build_ms'])} | {c['heap_bytes'] / 2**20:.1f} MiB |")
        L.append("")
    cpa = res.get("curve_paths")
    if cpa:
        L += ["Distinct paths (the watched open loop over N different files in turn, and the "
              "same loop unwatched; llmwatch's share is the ratio):", "",
              "| files | unwatched ns | watched ns | added ns | ratio | ratio vs 1 file |",
              "|---|---|---|---|---|---|"]
        for c in cpa["curve"]:
            L.append(f"| {c['size']:,} | {fmt_range(c['unwatched_ns'])} | "
                     f"{fmt_range(c['watched_ns'])} | {fmt_range(c['added_ns'])} | "
                     f"{fmt_range(c['ratio'], '{:.2f}')} | "
                     f"{fmt_range(c['vs_smallest'], '{:.2f}')} |")
        L.append("")
    ra = res.get("curve_rate")
    if ra:
        L += ["Event rate (the watched open loop paced at rising rates, "
              f"{knob('BENCH_RATE_SECONDS')} s each, 0 = flat out; a step passes when the "
              "summary counts no loss and, where the output is read back, every open is in "
              "it):", "", "| sink | steps (target: achieved/s, lost) | most with nothing lost |",
              "|---|---|---|"]
        for sink, r in ra.items():
            if "skipped" in r:
                L.append(f"| {sink} | skipped: {r['skipped']} | - |")
                continue
            steps = "; ".join(f"{x['target'] or 'flat out'}: {x['achieved_per_s']:,}, "
                              f"{x['lost'] if x['lost'] is not None else '?'}"
                              f"{'' if x['seen'] is None or x['seen'] >= x['ops'] else ' (' + format(x['ops'] - x['seen'], ',') + ' missing)'}"
                              for x in r["steps"])
            best = f"{r['max_zero_loss_per_s']:,}/s" + (" (flat out)" if r["flat_out_ok"] else "")
            L.append(f"| {sink} | {steps} | {best} |")
        L.append("")
    return L


def run_sections(b, res, only):
    for name, fn in (("syscalls", section_syscalls), ("programs", section_programs),
                     ("loss", section_loss),
                     ("replay", section_replay), ("report", section_report),
                     ("rules", section_rules), ("live", section_live),
                     ("audit_hash", section_audit_hash),
                     ("startup", section_startup), ("stop", section_stop),
                     ("memory", section_memory),
                     ("curve_procs", section_curve_procs), ("curve_conns", section_curve_conns),
                     ("curve_names", section_curve_names), ("curve_rules", section_curve_rules),
                     ("curve_paths", section_curve_paths), ("curve_rate", section_curve_rate)):
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
        for path in b.bin.values():	# this run's copies of the workload
            os.unlink(path)
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
