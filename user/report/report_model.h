/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The report's model (docs/report-format.md): a sink that gathers, from every event of a
 * replay and the verdicts the rules gave it, the endpoints, listeners, files, processes and
 * alerts of a run, and writes them as the document's arrays. report_build() (report.c)
 * drives the replay and adds the captures and the completeness.
 */
#ifndef LW_REPORT_MODEL_H
#define LW_REPORT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "report/capture_replay.h"
#include "rules/rules.h"

struct report_model;

/* A new, empty model, or NULL with errno = ENOMEM. */
struct report_model *report_model_new(void);
void report_model_free(struct report_model *m);

/* The model as a sink, fed by capture_replay(); destroying it does nothing (the model owns it). */
struct sink *report_model_sink(struct report_model *m);

/* capture_replay()'s hooks, with the model as their ctx. */
extern const struct capture_replay_hooks report_model_hooks;

/*
 * Adds "summary", "endpoints", "listeners", "files", "processes" and "alerts" to doc, sorted
 * as the format says. Returns 0 or -ENOMEM (doc then holds some of them).
 */
int report_model_write(struct report_model *m, cJSON *doc);

/* Nanoseconds since the epoch as the report's time, RFC 3339 UTC with nanoseconds; 0: null. */
cJSON *report_time_json(int64_t wall_ns);

/* The wall time of a record time of capture f (its own boot/wall mapping), 0 if it has none. */
int64_t report_wall_ns(const struct capture_replay_file *f, uint64_t ts_ns);

/*
 * ---- a read-only view of the tables ----
 * For the live view (live/live_model.c), which reads the same aggregation instead of doing
 * it again. Item i is the i-th first seen, until report_model_write() sorts the tables (a
 * model written is not read through the view again). The strings point into the model
 * and live as long as it does, or until the next event for the item; they are the events'
 * bytes as they came, unescaped: whoever shows them escapes them.
 */
struct report_model_counts {
	size_t endpoints, listeners, files, processes, alerts;
};

struct report_endpoint_view {
	const char *address; /* "203.0.113.10" */
	uint16_t port;
	const char *protocol;		/* "tcp", "udp" */
	const char *host, *host_source; /* NULL: not known; source "dns", "sni", "http", "rule" */
	const char *classification;	/* "telemetry", "unknown", "update", "model-download" */
	uint64_t connections, failed, bytes_sent;
	int64_t first, last; /* nanoseconds since the epoch */
	uint32_t pid;	     /* the first process seen using it */
	const char *comm;    /* its name */
	size_t n_procs;	     /* processes that used it */
};

struct report_listener_view {
	const char *address;
	uint16_t port;
	const char *protocol;
	int reachable;	   /* 1: from the network, 0: not, -1: unknown */
	const char *netns; /* "host", "other", NULL: unknown */
	bool listened;	   /* listen() called, not only bind() */
	int64_t first;
	uint32_t pid;
	const char *comm, *tool; /* tool NULL: none */
};

struct report_file_view {
	const char *path;
	const char *category; /* "credentials", "documents", "model", "tool", "other" */
	bool flagged;	      /* a rule alerted on an open of it */
	bool write;
	uint64_t opens, failed;
	int64_t first, last;
	uint32_t pid;	  /* the first process seen opening it */
	const char *comm; /* its name */
	size_t n_procs;
	const char *rule; /* the first rule that matched an open of it; NULL: none */
};

struct report_process_view {
	uint32_t pid, ppid, root;
	const char *comm, *exe, *tool, *argv; /* exe, tool, argv NULL: unknown */
	int64_t started;		      /* 0: running when the events started */
	bool exited;
	int64_t exited_at;
	int32_t exit_code;
};

struct report_alert_view {
	const char *rule;
	enum rules_severity severity;
	const char *message; /* NULL: none */
	uint32_t pid;
	const char *comm, *tool;
	uint64_t count; /* repeats of the same rule, process and subject */
	int64_t first, last;
};

void report_model_counts(const struct report_model *m, struct report_model_counts *out);

/* Item i of a table into *out; -ERANGE (out untouched) past the last. */
int report_model_endpoint(const struct report_model *m, size_t i, struct report_endpoint_view *out);
int report_model_listener(const struct report_model *m, size_t i, struct report_listener_view *out);
int report_model_file(const struct report_model *m, size_t i, struct report_file_view *out);
int report_model_process(const struct report_model *m, size_t i, struct report_process_view *out);
int report_model_alert(const struct report_model *m, size_t i, struct report_alert_view *out);

/* The process pid into *out; -ENOENT (out untouched) when the model has not seen it. */
int report_model_process_find(const struct report_model *m, uint32_t pid,
			      struct report_process_view *out);

/*
 * Whether a is the machine's own (loopback or the unspecified address, or not an IP
 * address at all): a connection to it is local, and no endpoint of the report.
 */
bool report_addr_is_local(const struct lw_sockaddr *a);

#endif /* LW_REPORT_MODEL_H */
