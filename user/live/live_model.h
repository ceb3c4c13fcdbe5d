/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The live view's model (issue 16): tables and counters fed by events, never curses. It is
 * a sink, so the same model is fed by the monitor's own record path, by a daemon's event
 * stream (live/stream_client.h) and by a capture's replay (report/capture_replay.h). The
 * aggregation (endpoints and their classes, listeners and their reach, files and their
 * categories, alerts) is the report's (report/report_model.h), read through its view API;
 * what only the live view needs is kept here: per-process counters and event logs, rates,
 * the loss counters of the source, and what the status line names.
 *
 * Every string the model hands out is its own copy, escaped for a terminal (printable
 * ASCII or valid UTF-8 without control characters) before anything draws it.
 */
#ifndef LW_LIVE_MODEL_H
#define LW_LIVE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/stats.h"

struct live_model;
struct sink;

struct live_model_opts {
	size_t log_per_process; /* events kept per process for the drill-in log; 0: 512 */
	size_t log_processes; /* processes whose logs are kept (oldest-exited first out); 0: 4096 */
};

/* Where the events come from, and what the status line says of it. */
enum live_source {
	LIVE_SOURCE_PROGRAMS, /* this process's own BPF programs */
	LIVE_SOURCE_DAEMON,   /* a running daemon's event socket */
	LIVE_SOURCE_CAPTURE   /* a capture file (--from), paused at its end */
};

struct live_info {
	enum live_source source;
	const char *where;   /* the socket or capture path; NULL for the programs */
	const char *rules;   /* the rule pack, e.g. "default + 2 files, 212 rules" */
	const char *outputs; /* e.g. "text:-" or "none"; NULL: none */
	uint64_t started_ns; /* CLOCK_MONOTONIC when the view started: its uptime */
};

/* A new, empty model (opts NULL: defaults), or NULL with errno = ENOMEM. */
struct live_model *live_model_new(const struct live_model_opts *opts);
void live_model_free(struct live_model *m);

/* The model as a sink; destroying it does nothing (the model owns it). */
struct sink *live_model_sink(struct live_model *m);

/* What the status line names (copied). */
int live_model_set_info(struct live_model *m, const struct live_info *info);

/*
 * The source's counters (the monitor's, or the daemon's as its stream sent them): every
 * loss counter the status line shows comes from here.
 */
void live_model_set_stats(struct live_model *m, const struct lw_stats *st);

/* Events the daemon's stream could not deliver to this viewer (its queue was full). */
void live_model_add_missed(struct live_model *m, uint64_t n);

/* Called about once a second with CLOCK_MONOTONIC: the events/s figure moves on. */
void live_model_tick(struct live_model *m, uint64_t now_ns);

/* Events the model has taken, and events it had to forget (logs full): both shown. */
uint64_t live_model_events(const struct live_model *m);
uint64_t live_model_log_dropped(const struct live_model *m);

#endif /* LW_LIVE_MODEL_H */
