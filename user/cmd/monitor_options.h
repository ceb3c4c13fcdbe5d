/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The monitor verb's options: one table (monitor_options.c) that the command line and the
 * configuration file (--config, util/config_file.h) both go through, one apply function per
 * option, so an option exists in both or in neither, with the same checks and messages.
 * The command line wins over the file: an option given on the command line replaces every
 * line of the file that sets it (those lines are still checked).
 *
 * Adding an option: a field in struct monitor_config (and its default in
 * monitor_config_defaults()), an opt_NAME() apply function and one row in the options[]
 * table of monitor_options.c, its lines in usage() there, and its entry in man/llmwatch.8
 * (tests/e2e/55-daemon.bats fails when --help and the man page disagree).
 */
#ifndef LW_MONITOR_OPTIONS_H
#define LW_MONITOR_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sinks/sink_file.h"
#include "sinks/sink_registry.h"
#include "sinks/sink_tee.h"

#define MONITOR_OPTIONS_EXTRA_MAX 32 /* --watch, --pid, --rules each */
#define MONITOR_OPTIONS_APPLIED_MAX 256
/*
 * Room for about 2 M records/s of ~115 bytes at the 10 ms drain period, twice over (the
 * ring sizing rule in docs/perf-notes.md); every page of it is resident, so no bigger.
 */
#define MONITOR_DEFAULT_RING_BYTES (4u << 20)
/* What the unit passes to --config (dist/llmwatch.service). */
#define MONITOR_DEFAULT_CONFIG "/etc/llmwatch/llmwatch.conf"
/*
 * --fold-window: a tool retrying something a rule forbids every second then makes two alerts
 * a minute, not sixty, while a new alert is never delayed and a repeat's count is at most a
 * minute late; long enough to cover retry loops with back-off, short enough that "still
 * happening" is news within a minute. 0 turns folding off.
 */
#define MONITOR_DEFAULT_FOLD_WINDOW_S 60
#define MONITOR_DEFAULT_LOSS_ALERT_S 10
#define MONITOR_DEFAULT_METRICS_S 15
/* --capture-flush: what a SIGKILL may lose of a capture (issue 15: "at most 1 s") */
#define MONITOR_DEFAULT_CAPTURE_FLUSH_S 1
/* --attach: where a daemon offers its event stream (live/stream_server.h) */
#define MONITOR_DEFAULT_ATTACH "/run/llmwatch/events.sock"

struct monitor_option;

/* One option applied, in order: what the reload compares (monitor_options_restart_only()). */
struct monitor_applied {
	const struct monitor_option *opt;
	const char *value; /* NULL for a flag */
};

struct monitor_config {
	struct sink_spec outputs[LW_OUTPUTS_MAX]; /* --output, --json; text if none */
	size_t n_outputs;
	bool verbose;
	double duration; /* seconds; 0 = until a signal */
	const char *ready_file;
	size_t ring_bytes;
	const char *watch[MONITOR_OPTIONS_EXTRA_MAX];
	size_t n_watch;
	int pids[MONITOR_OPTIONS_EXTRA_MAX];
	size_t n_pids;
	const char *rules[MONITOR_OPTIONS_EXTRA_MAX];
	size_t n_rules;
	const char *profiles[MONITOR_OPTIONS_EXTRA_MAX]; /* --profiles FILE|DIR */
	size_t n_profiles;
	bool no_default_rules;
	bool enter_tracepoints;
	int syscall_hooks; /* --syscall-hooks: enum bpf_loader_syscall_hooks (0: auto) */
	bool cgroups_watched;
	bool resolve_rule_hosts;
	uint64_t cgroup_sweep_ns;	    /* LLMWATCH_CGROUP_SWEEP_MS */
	uint64_t runtime_scan_ns;	    /* --runtime-scan, LLMWATCH_RUNTIME_SCAN_MS; 0: off */
	bool runtime_scan_set;		    /* given (command line or file) */
	const char *config;		    /* --config FILE, or NULL */
	uint64_t fold_window_ns;	    /* --fold-window; 0: off */
	uint64_t loss_alert_ns;		    /* --loss-alert-interval; 0: at every check */
	const char *metrics;		    /* --metrics PATH, or NULL */
	uint64_t metrics_ns;		    /* --metrics-interval */
	const char *capture;		    /* --capture FILE[,max-size=N][,keep=K], or NULL */
	struct sink_file_opts capture_file; /* its path and rotation, parsed */
	uint64_t capture_flush_ns;	    /* --capture-flush */
	bool capture_payloads;		    /* --capture-payloads: stream heads kept */
	const char *events_socket;	    /* --events-socket PATH, or NULL: no stream */
	const char *events_group;	    /* --events-group NAME, or NULL: "llmwatch" */
	bool outputs_default;		    /* no --output nor --json: text on stdout was added */

	/* --live (cmd/cmd_live.c) and its options, refused without it */
	bool live;
	uint64_t live_refresh_ns;			  /* --refresh */
	uint64_t live_iterations;			  /* --iterations; 0: until q or a signal */
	const char *live_from[MONITOR_OPTIONS_EXTRA_MAX]; /* --from: captures to browse */
	size_t n_live_from;
	const char *live_attach; /* --attach: the daemon's socket, or "none" */
	bool live_attach_set;

	/* bookkeeping: what was applied, and the file's strings the fields point into */
	struct monitor_applied applied[MONITOR_OPTIONS_APPLIED_MAX];
	size_t n_applied;
	char **owned;
	size_t n_owned;
	int argc; /* the command line, kept for a reload */
	char **argv;
};

/*
 * Turns the command line, the --config file it names and the environment
 * (LLMWATCH_CGROUP_SWEEP_MS, LLMWATCH_RUNTIME_SCAN_MS) into *o (cleared first). Returns 0,
 * 1 when --help or --version has been answered, or -1 after the errors were printed to
 * stderr ("llmwatch: --NAME \"VALUE\": why" or "FILE:LINE:COL: NAME \"VALUE\": why").
 * Free *o with monitor_config_free() whatever the result.
 */
int monitor_options_parse(int argc, char **argv, struct monitor_config *o);

/* Clears *o and sets the defaults (what monitor_options_parse() starts from). */
void monitor_config_init(struct monitor_config *o);

/*
 * Applies the monitor's option --name (value NULL for a flag) to o, with the checks and
 * messages of the command line, for a verb that takes some of the monitor's options (eval).
 * value must outlive o. Returns 0, or -1 with the message in err[n] ("--ring-size \"3\":
 * why").
 */
int monitor_options_apply(struct monitor_config *o, const char *name, const char *value, char *err,
			  size_t n);

/* Frees what *o owns (the file's strings); *o is then cleared. */
void monitor_config_free(struct monitor_config *o);

/*
 * Writes to buf[size] the names ("--ring-size, --watch") of the options that differ
 * between the running config and a reloaded one and that only a restart applies (all but
 * those a reload takes: the rules). Returns how many differ.
 */
size_t monitor_options_restart_only(const struct monitor_config *running,
				    const struct monitor_config *reloaded, char *buf, size_t size);

/*
 * Checks the option names of a config file line by line without applying anything to a
 * running monitor (fuzz target, tests): parses text as the file named name into a fresh
 * config. Returns the number of errors and fills errs (util/config_file.h).
 */
struct config_file_errors;
size_t monitor_options_parse_text(const char *name, const char *text, size_t len,
				  struct monitor_config *o, struct config_file_errors *errs);

/* Prints the monitor's --help to f. */
void monitor_options_usage(FILE *f);

#endif /* LW_MONITOR_OPTIONS_H */
