/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Counts of what was written, by event kind and tool: every event, and those that carried
 * an alert. What the metrics file (monitor/metrics_file.c) exposes; a data model only.
 */
#ifndef LW_EVCOUNT_H
#define LW_EVCOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/event.h"

/* Bytes of a tool name kept, NUL included; longer names are counted under their prefix. */
#define EVCOUNT_TOOL_LEN 64
/*
 * Distinct tools counted at most. Tools are bounded by the profiles, --watch, --pid and the
 * runtime kinds, far below this; beyond it events are counted in evcount.uncounted.
 */
#define EVCOUNT_TOOLS_MAX 256

struct evcount_row {
	char tool[EVCOUNT_TOOL_LEN];  /* "" for events of no tool (and llmwatch's own alerts) */
	uint64_t events[LW_EV_KINDS]; /* by event_kind_slot() */
	uint64_t alerts[LW_EV_KINDS];
};

struct evcount {
	struct evcount_row *rows; /* in the order tools were first seen */
	size_t n, cap;
	uint64_t uncounted; /* events of tools beyond EVCOUNT_TOOLS_MAX, or an unknown kind */
};

/*
 * Counts one event of kind type (LW_REC_* or LW_EV_*) and tool (NULL is ""), and one alert
 * too if alert. Returns 0, or -ENOSPC / -ENOMEM / -EINVAL when it could only be counted in
 * c->uncounted.
 */
int evcount_add(struct evcount *c, unsigned int type, const char *tool, bool alert);

/* Frees the rows; the counts start again from zero. */
void evcount_free(struct evcount *c);

#endif /* LW_EVCOUNT_H */
