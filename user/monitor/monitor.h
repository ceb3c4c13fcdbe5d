/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The monitor: turns ring-buffer records into attributed events (process table, profile
 * confirmation, /proc scan at start) and hands them to the rules and the sinks. The record
 * path (monitor_handle_record) has no BPF dependency, so tests and replay can drive it.
 */
#ifndef LW_MONITOR_H
#define LW_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/evcount.h"
#include "core/profiles.h"
#include "core/proctable.h"
#include "sinks/sink.h"
#include "core/stats.h"

struct rules_verdict;

/*
 * Rule matching as the monitor sees it: returns how many verdicts ev earned and points *out
 * at them (valid until the next call). Unset: no rules, every event is written as is.
 */
typedef size_t (*monitor_match_fn)(void *ctx, const struct lw_event *ev,
				   const struct rules_verdict **out);

/* What the monitor needs from the kernel side; the BPF loader in production, fakes in tests. */
struct monitor_kernel_ops {
	int (*track)(void *ctx, uint32_t pid, uint16_t tool, uint16_t reason, uint32_t root);
	void (*untrack)(void *ctx, uint32_t pid);
	int (*retool)(void *ctx, uint32_t pid, uint16_t tool);
	/*
	 * A watched process runs from now on in pid's cgroup: have the cgroup programs see it
	 * (--cgroups watched). Optional. Returns 0, -ESRCH if the process is gone, or -errno.
	 */
	int (*watch_cgroup)(void *ctx, uint32_t pid);
	/* Removes and returns connections owned by pid (all when pid is 0); see monitor.c. */
	int (*flush_conns)(void *ctx, uint32_t pid, uint32_t reason,
			   void (*emit)(void *m, const void *rec, size_t len), void *m);
	/*
	 * A watched process may hold datagram sockets nothing marked (a candidate's exec keeps
	 * the descriptors it had, a child holds them too): mark them, if the kernel says so.
	 * Optional.
	 */
	void (*adopt_sockets)(void *ctx, uint32_t pid);
	/*
	 * A rejected process's datagram sockets: take the marks off those it made, after its
	 * connections were flushed. Optional.
	 */
	void (*forget_sockets)(void *ctx, uint32_t pid);
};

struct naming;
struct alert_fold;
struct monitor_pending;
struct runtimescan_cache;
struct cmdlinescan_cache;
struct facts_store;
struct restored_names;
struct proc_facts;
struct conn_name_fact;

/*
 * What the scans for inference runtimes and for tools run by an interpreter did
 * (monitor_scan_runtimes; command lines also at exec and in monitor_scan_running),
 * cumulative.
 */
struct monitor_runtime_stats {
	uint64_t scans;	     /* passes over /proc */
	uint64_t checked;    /* processes whose maps were read */
	uint64_t skipped;    /* unchanged since found negative: maps not read again */
	uint64_t found;	     /* processes recognised and watched from then on */
	uint64_t failed;     /* recognised, but the kernel refused to track them */
	uint64_t cmdlines;   /* command lines read (of processes named like an interpreter) */
	uint64_t by_cmdline; /* processes recognised by their command line (and their trees) */
};

/* Where the host's network namespace was learned (rules condition "netns"). */
enum monitor_netns_source {
	MONITOR_NETNS_UNREAD,  /* not yet */
	MONITOR_NETNS_PID1,    /* proc_root/1/ns/net */
	MONITOR_NETNS_SELF,    /* PID 1's was unreadable: llmwatch's own */
	MONITOR_NETNS_NONE,    /* neither: every event's netns is unknown */
	MONITOR_NETNS_CAPTURE, /* a replay: the live run's, from the capture's facts */
};

struct monitor {
	struct profile_set profiles;
	struct naming *naming;		 /* host names for addresses (issue 4) */
	struct monitor_pending *pending; /* connects waiting for their name */
	struct proctable procs;
	struct lw_stats stats;
	struct evcount counts; /* events and alerts written, by kind and tool (metrics) */
	struct sink *sink;
	monitor_match_fn match;
	void *match_ctx;
	const struct monitor_kernel_ops *kops;
	void *kctx;
	const char *proc_root;		   /* "/proc" */
	struct runtimescan_cache *rt_seen; /* negative checks; allocated on first use */
	struct cmdlinescan_cache *cl_seen; /* command lines that named no tool; likewise */
	struct monitor_runtime_stats rt;
	uint64_t host_netns; /* inode; 0: unknown */
	enum monitor_netns_source host_netns_source;
	struct alert_fold *fold; /* identical alerts folded (monitor_set_fold); NULL: off */
	/*
	 * Sees every record monitor_handle_record() is given, as given, before anything else
	 * (--capture: capture/capture_writer.h); NULL: none. The records user space makes
	 * (connections flushed at an exit or the end) come this way too, so a replay, which
	 * has no kernel to flush, gets them from the capture.
	 */
	void (*record_tap)(void *ctx, const void *data, size_t len);
	void *tap_ctx;
	/*
	 * Sees what the monitor read from /proc about a watched process, and how it was
	 * confirmed (core/procfacts.h), each time it reads it: on the process's first written
	 * event after an exec, a fork or first sight, before the event goes to the rules
	 * (--capture: a replay reads no /proc, it restores these). NULL: none. f is valid
	 * during the call only.
	 */
	void (*facts_tap)(void *ctx, const struct proc_facts *f);
	/*
	 * Sees what naming decided from a connection's own first bytes (a TLS server name, an
	 * HTTP Host, or no name), when it decides (ctx: facts_ctx): a capture without the
	 * bytes names the connection in a replay all the same. NULL: none.
	 */
	void (*name_tap)(void *ctx, const struct conn_name_fact *f);
	void *facts_ctx;
	struct facts_store *restored;	       /* monitor_restore_facts(); NULL: a live run */
	struct restored_names *restored_names; /* monitor_restore_name(); NULL: none */
};

/* Returns 0 or -ENOMEM. The caller fills profiles, sink, match, kops and kctx. */
int monitor_init(struct monitor *m);
void monitor_free(struct monitor *m);

/*
 * Handles one record of len bytes: decode, attribute, confirm candidates, match rules,
 * write. Never fails: malformed records are counted in stats.decode_errors.
 */
void monitor_handle_record(struct monitor *m, const void *data, size_t len);

/*
 * Writes connects that have waited for their name long enough (their stream head never
 * came). Call on every pass of the event loop; now_ns is CLOCK_BOOTTIME.
 */
void monitor_tick(struct monitor *m, uint64_t now_ns);

/*
 * Folds identical alerts within window_ns from now on (monitor/alert_fold.h; 0: off, the
 * default). Their summaries are written when their window ends (monitor_tick) and by
 * monitor_flush(). Returns 0 or -ENOMEM. Call monitor_flush_alerts() before freeing the rule
 * set the verdicts came from (a reload).
 */
int monitor_set_fold(struct monitor *m, uint64_t window_ns);

/* Closes every fold window now, writing the summaries of those with repeats. */
void monitor_flush_alerts(struct monitor *m);

/* Writes everything still held back (at shutdown): held connects, then fold summaries. */
void monitor_flush(struct monitor *m);

/*
 * Has the kernel side report, as LW_CLOSE_* reason records through this record path, the
 * connections pid still has open (every process's when pid is 0: at shutdown, with
 * LW_CLOSE_END), and forget them. Returns 0, or the kernel side's -errno (some may be
 * reported again later); 0 when kops has no flush_conns.
 */
int monitor_flush_conns(struct monitor *m, uint32_t pid, uint32_t reason);

/* Copies the counters of the monitor's parts (host naming) into m->stats. */
void monitor_collect_stats(struct monitor *m);

/*
 * Reads the host's network namespace, which the "netns" rule condition compares each
 * watched process's with: PID 1's, or llmwatch's own when PID 1's is unreadable (the caller
 * says so). Read on first need if not called. Returns where it came from.
 */
enum monitor_netns_source monitor_read_host_netns(struct monitor *m);

/*
 * Writes an event the monitor made itself (a loss alert) with its verdicts to the sink, as
 * the record path writes the others: counted in m->counts, a failed write in
 * m->stats.output_errors. No rules are asked. Returns 0 or the sink's -errno.
 */
int monitor_write_own(struct monitor *m, const struct lw_event *ev, const struct rules_verdict *v,
		      size_t nv);

/*
 * Finds watched tools that are already running (and their descendants) and the --pid
 * trees in extra_pids (tool ids in extra_tools), and starts tracking them. A tool is found
 * by its name and executable, or, for a process named like one of a profile's interpreters
 * (python3, node, uvicorn), by its command line (core/cmdlinescan.h), which is then its
 * first event's evidence. Returns how many processes are tracked, or -errno if /proc cannot
 * be read (-ENOMEM without memory).
 */
int monitor_scan_running(struct monitor *m, const int *extra_pids, const uint16_t *extra_tools,
			 size_t n_extra);

/*
 * One pass of the periodic scan (--runtime-scan) over processes not yet watched:
 * - a process named like one of a profile's interpreters whose command line names the
 *   tool (issue 13 item 3: python3 -m vllm.entrypoints..., uvicorn open_webui.main:app) is
 *   tracked from now on under that profile, with the processes it has already forked, and
 *   its next written event carries the command line as its evidence. Each process's name
 *   is looked at, and its command line read, once (by pid, start time and name);
 * - else, a process whose maps (proc_root/PID/maps) show an inference runtime or a GGUF
 *   model (issue 13 item 4) is tracked from now on, under the tool "runtime:KIND", and its
 *   next written event carries the mapped file as its evidence. Processes found negative
 *   are not read again while their start time and virtual size are unchanged.
 * Returns how many were recognised, or -errno if proc_root cannot be read.
 */
int monitor_scan_runtimes(struct monitor *m);

/*
 * A replay: what the live run read from /proc about a process (a capture's facts), copied
 * and kept, bounded, for the record path to use where it would read /proc: the process's
 * executable at exec, its parent's and its command line to confirm a candidate, its command
 * line, network namespace and parent for the rules. Give facts before the records they go
 * with (a capture stores them so). Returns 0 or -ENOMEM.
 */
int monitor_restore_facts(struct monitor *m, const struct proc_facts *f);

/*
 * A replay: what the live run's naming decided from a connection's first bytes (a
 * capture's name fact), so that its connect is named as it was live although the capture
 * holds no stream heads. Copied, and applied when the records reach the time it was
 * decided (before the first record at or after it, at monitor_tick() and
 * monitor_flush()), writing the connect it held. Give it before those records (a capture
 * stores it so). Bounded: when full, the oldest is applied at once.
 */
void monitor_restore_name(struct monitor *m, const struct conn_name_fact *f);

#endif /* LW_MONITOR_H */
