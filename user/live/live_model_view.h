/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The live model's read-only view, for the panels (live/live_panels.c) and tests: what the
 * model keeps of its own (processes with their counters and logs, rates, the source's
 * counters, the status line's info) and the report model it aggregates with. Strings from
 * the report model are the events' bytes, unescaped (the panels escape them); log lines
 * are escaped when they are stored.
 */
#ifndef LW_LIVE_MODEL_VIEW_H
#define LW_LIVE_MODEL_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/stats.h"
#include "live/live_model.h"

struct report_model;
struct capture_replay_hooks;

/*
 * capture_replay()'s hooks, with the model as their ctx, for a view fed from captures
 * (--from): the times of the events are then the capture's own clock (as the report's),
 * and the processes running when it started are known with their executables.
 */
extern const struct capture_replay_hooks live_model_hooks;

struct live_proc_view {
	uint32_t pid, ppid;
	const char *comm, *exe, *tool; /* the report's; exe, tool NULL: unknown */
	const char *user;	       /* the uid's name, or its number */
	bool exited;
	int64_t first;			    /* wall ns: exec or fork, else the first event seen */
	int64_t end;			    /* wall ns: exit, else the newest event of the model */
	uint64_t conns_local, conns_remote; /* connects (failed ones too) */
	uint64_t bytes_out;		    /* bytes sent to remote addresses */
	uint64_t files_ordinary, files_flagged; /* opens, flagged when a rule alerted */
	uint64_t alerts;			/* alerts, folded repeats included */
	size_t log_lines;			/* lines its log holds now */
};

/* The report's aggregation (endpoints, listeners, files, alerts) the model feeds. */
const struct report_model *live_model_report(const struct live_model *m);

/* Processes in the order first seen; item i into *out, -ERANGE past the last. */
size_t live_model_procs(const struct live_model *m);
int live_model_proc(const struct live_model *m, size_t i, struct live_proc_view *out);

/* The index of pid for live_model_proc(), or SIZE_MAX when not seen. */
size_t live_model_proc_index(const struct live_model *m, uint32_t pid);

/* Line k (0: the oldest kept) of pid's log, escaped; NULL past the last or no log. */
const char *live_model_log_line(const struct live_model *m, uint32_t pid, size_t k);

/* Events per second over the last tick's interval (0 before the second tick). */
double live_model_rate(const struct live_model *m);

/* The source's counters as last set (zeroes before), the viewer's missed events, the info. */
const struct lw_stats *live_model_stats(const struct live_model *m);
uint64_t live_model_missed(const struct live_model *m);
const struct live_info *live_model_info(const struct live_model *m);

#endif /* LW_LIVE_MODEL_VIEW_H */
