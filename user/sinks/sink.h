/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Output sinks behind one small interface (text, JSON; later syslog, journald, capture,
 * live view), so a test can swap any of them and adding one touches no other.
 */
#ifndef LW_SINK_H
#define LW_SINK_H

#include <stddef.h>
#include <stdio.h>

#include "core/event.h"
#include "core/stats.h"

struct rules_verdict;	/* rules.h */

struct sink;

struct sink_ops {
	/* One event and the verdicts the rules gave it. Returns 0 or -errno. */
	int (*event)(struct sink *s, const struct lw_event *ev, const struct rules_verdict *v,
		     size_t nv);
	/* The run's closing counters. Returns 0 or -errno. */
	int (*summary)(struct sink *s, const struct lw_stats *st);
	void (*destroy)(struct sink *s);
};

struct sink {
	const struct sink_ops *ops;
	FILE *out;
	void *priv;
};

/* Sinks writing to out (not closed by destroy). NULL with errno set on failure. */
struct sink *sink_text_new(FILE *out);
struct sink *sink_json_new(FILE *out);

static inline void sink_destroy(struct sink *s)
{
	if (s)
		s->ops->destroy(s);
}

#endif /* LW_SINK_H */
