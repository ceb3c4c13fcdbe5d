/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Output sinks behind one small interface (text, JSON; later syslog, journald, capture,
 * live view), so a test can swap any of them and adding one touches no other. Callers see
 * only the ops: where a sink writes (a FILE, a socket, a screen) is its own business.
 */
#ifndef LW_SINK_H
#define LW_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/event.h"
#include "core/stats.h"

struct rules_verdict; /* rules.h */

struct sink;

struct sink_ops {
	/* One event and the verdicts the rules gave it. Returns 0 or -errno. */
	int (*event)(struct sink *s, const struct lw_event *ev, const struct rules_verdict *v,
		     size_t nv);
	/* The run's closing counters. Returns 0 or -errno. */
	int (*summary)(struct sink *s, const struct lw_stats *st);
	/* Pushes out what is written so far and frees the sink (what it opened, it closes). */
	void (*destroy)(struct sink *s);
	/*
	 * Pushes buffered output to where it goes; called on every pass of the event loop.
	 * Optional (NULL: nothing is buffered). Returns 0 or -errno.
	 */
	int (*flush)(struct sink *s);
	/*
	 * Opens again what the sink writes to, by its name (on SIGHUP: logrotate has moved the
	 * file away). Optional (NULL: nothing to reopen). Returns 0 or -errno; on failure the
	 * sink keeps writing where it did.
	 */
	int (*reopen)(struct sink *s);
};

/* Every sink starts with this; its own state follows (container_of style). */
struct sink {
	const struct sink_ops *ops;
};

/*
 * Sinks writing to out, which they flush but never close. NULL with errno set on failure.
 * For tests and tools; llmwatch opens its outputs through the registry (registry.h).
 */
struct sink *sink_text_new(FILE *out);
struct sink *sink_json_new(FILE *out);

/*
 * The same sinks writing to arg: NULL or "-" is stdout, anything else a file created or
 * truncated (sink_file.h), closed by destroy. NULL on failure, with errno set and the reason
 * ("cannot open PATH: ...") in err[errsz]. The registry's constructors.
 */
struct sink *sink_text_open(const char *arg, char *err, size_t errsz);
struct sink *sink_json_open(const char *arg, char *err, size_t errsz);

static inline int sink_flush(struct sink *s)
{
	return s && s->ops->flush ? s->ops->flush(s) : 0;
}

static inline int sink_reopen(struct sink *s)
{
	return s && s->ops->reopen ? s->ops->reopen(s) : 0;
}

static inline void sink_destroy(struct sink *s)
{
	if (s)
		s->ops->destroy(s);
}

#endif /* LW_SINK_H */
