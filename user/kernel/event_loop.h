/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The monitor's event loop: drains the BPF ring buffer into the record path, flushes the
 * outputs, and runs the timers (held connects, the process table's reaping, kernel loss
 * counters, the ring's fill, cgroup sweeps, rule host lookups, the scan for inference
 * runtimes, the caller's periodic hook) until a signal or the duration ends it.
 */
#ifndef LW_EVENT_LOOP_H
#define LW_EVENT_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct monitor;
struct bpf_loader;
struct rule_resolver;

struct event_loop_opts {
	double duration_s;		/* stop after this long; 0: only on a signal */
	uint64_t cgroup_sweep_ns;	/* re-check where watched processes live; 0: never */
	uint64_t runtime_scan_ns;	/* scan for inference runtimes (monitor_scan_runtimes) */
	struct rule_resolver *resolver; /* --resolve-rule-hosts rounds to hand over, or NULL */
	/* called on SIGHUP, between records (reopen outputs, reload rules); NULL: ignored */
	void (*on_hup)(void *arg);
	void *hup_arg;
	/*
	 * called every period_ns between records, after the kernel's loss counters and the
	 * ring's fill were read into the monitor's stats (loss alerts, metrics); NULL: none
	 */
	void (*on_period)(void *arg, uint64_t now_ns);
	void *period_arg;
	uint64_t period_ns;
	/*
	 * called every periodic_ns from the loop, whatever the stats (the watchdog's ping: it
	 * must go on when reading the kernel's counters fails); 0 or NULL: never
	 */
	uint64_t periodic_ns;
	void (*on_periodic)(void *arg);
	void *periodic_arg;
	/*
	 * called for SIGINT, SIGTERM and SIGCHLD between records, with who sent it (si_code
	 * SI_KERNEL and pid 0: a terminal's Ctrl-C, or the kernel), instead of what the loop
	 * does without it (SIGINT and SIGTERM stop, SIGCHLD is ignored); returns true to stop.
	 * eval: forwards the first Ctrl-C to the tree it watches, stops when the tree is gone.
	 */
	bool (*on_signal)(void *arg, int signo, int code, uint32_t from_pid);
	void *signal_arg;
	/*
	 * A descriptor the caller reads itself (the live view's keys, cmd/cmd_live.c), waited
	 * on with the ring buffer so that it is handled at once: on_input is called when
	 * input_fd is readable, on_pass after every pass of the loop (a redraw that is due);
	 * each returns true to stop the loop. on_input NULL: no descriptor; on_pass NULL: none.
	 */
	int input_fd;
	bool (*on_input)(void *arg);
	bool (*on_pass)(void *arg);
	void *input_arg;
};

struct event_loop;

/*
 * Opens what the loop waits on: the loader's ring buffer, feeding m's record path, and a
 * signalfd for SIGINT, SIGTERM, SIGHUP and SIGCHLD, which are blocked from now on (threads
 * and processes started later inherit that: a child unblocks them before it execs), so a
 * signal that comes before the loop runs still stops it cleanly. Call
 * before m starts tracking processes. NULL on failure, with errno set and the reason on
 * stderr; nothing is left open.
 */
struct event_loop *event_loop_new(struct monitor *m, struct bpf_loader *l);

/*
 * Runs until SIGINT, SIGTERM (or o->on_signal says so), the duration, or an error; SIGHUP
 * calls o->on_hup, and o->on_periodic is called every o->periodic_ns. Then settles the
 * run: detaches every program (bpf_loader_detach(); the maps stay), drains all they
 * submitted, reports the connections still open (LW_CLOSE_END), writes what the monitor
 * held back, and reads the final counters into m->stats (kernel losses, naming).
 * Returns 0, or -errno of the error that stopped it (said on stderr).
 */
int event_loop_run(struct event_loop *el, const struct event_loop_opts *o);

/*
 * Closes the ring buffer, the signalfd and the epoll fd. The signals stay blocked:
 * a second Ctrl-C during shutdown must not cut the clean-up short. NULL is fine.
 */
void event_loop_free(struct event_loop *el);

#endif /* LW_EVENT_LOOP_H */
