/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A run of the record path over the kernel, as the monitor verb and eval both need it: the
 * profiles and rules, the outputs, the metrics file, the capture, the BPF programs and the
 * event loop, SIGHUP's reload, the periodic loss alert, metrics and capture sync, and the
 * summary at the end. What differs between the verbs (which processes are watched: the
 * profiles' candidates and those found running, or one tree started by eval) happens
 * between monitor_session_load() and monitor_session_run().
 */
#ifndef LW_MONITOR_SESSION_H
#define LW_MONITOR_SESSION_H

#include <stdint.h>

#include "cmd/monitor_options.h"
#include "kernel/bpf_loader.h"
#include "kernel/event_loop.h"
#include "monitor/loss_alert.h"
#include "monitor/monitor.h"
#include "rules/rules.h"

#define MONITOR_SESSION_VERDICTS_MAX 8

struct rules_profiles;
struct metrics_file;
struct capture_writer;

/* The rules as the monitor's match function sees them. */
struct monitor_session_matcher {
	struct rules *rules;
	struct rules_verdict v[MONITOR_SESSION_VERDICTS_MAX];
	uint64_t overflow; /* verdicts beyond the most one event carries */
};

struct monitor_session {
	const struct monitor_config *c;
	struct monitor m;
	struct monitor_session_matcher rm;
	struct rules_profiles *pf;
	struct bpf_loader l;
	struct event_loop *el;
	struct event_loop_opts eo; /* the caller may set on_signal before the run */
	struct loss_alert la;
	struct metrics_file *mf;   /* NULL without --metrics */
	struct capture_writer *cw; /* NULL without a capture */
	struct sink *stream;	   /* --events-socket's server (owned by the tee), or NULL */
	int found;		   /* processes watched before the run, for the banner */
	bool opened;		   /* monitor_init() done: monitor_session_close() frees */
	bool capture_lost;	   /* the capture lost records (said on stderr) */
};

/*
 * Profiles, rules, outputs (none given: events go to no output, only to the capture, if
 * any) and the metrics file of c, which must outlive s. Returns 0, or the exit status (2
 * for a usage error: a broken profile, rule file or output) after saying why on stderr.
 * Call monitor_session_close() whatever it returns.
 */
int monitor_session_open(struct monitor_session *s, const struct monitor_config *c);

/*
 * Creates the capture file c->capture_file says (after every profile entry is added: its
 * header names the tool ids). Returns 0, or 2 after saying why on stderr.
 */
int monitor_session_open_capture(struct monitor_session *s);

/*
 * Loads and attaches the BPF programs and opens the event loop (SIGINT, SIGTERM, SIGHUP and
 * SIGCHLD are blocked from now on). No process is watched yet. Returns 0, or the exit
 * status after saying why on stderr.
 */
int monitor_session_load(struct monitor_session *s);

/*
 * Points the record path at the capture, after writing into it the processes watched now.
 * Nothing when there is no capture.
 */
void monitor_session_start_capture(struct monitor_session *s);

/*
 * The event loop until it stops, then the summary (stderr), the capture sealed. ready
 * says what the service manager is told once running. Returns 0, or 1 on a runtime error
 * or a capture that lost records.
 */
int monitor_session_run(struct monitor_session *s, const char *ready);

/* Frees what s holds (stops the programs); s may be partly opened. */
void monitor_session_close(struct monitor_session *s);

#endif /* LW_MONITOR_SESSION_H */
