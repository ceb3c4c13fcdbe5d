/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Folding of identical alerts (--fold-window): a tool that retries a blocked upload every
 * second must not bury the other alerts where the admin looks. Alerts with the same rules,
 * tool, event type and subject (the far end, host name or address, and port; the path of an
 * open; the program of an exec) within a window are folded: the first is written at once,
 * the repeats are only counted, and when the window closes (on the event loop's tick, or
 * at exit) one summary is written: a copy of the window's last alert carrying a struct
 * lw_fold (count, first and last time). Nothing is dropped: a full table closes its oldest
 * window early, writing its summary, and counts that.
 */
#ifndef LW_ALERT_FOLD_H
#define LW_ALERT_FOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/event.h"

struct rules_verdict;

/* Windows open at once; beyond, the oldest is closed early. */
#define ALERT_FOLD_MAX 256

struct alert_fold_stats {
	uint64_t folded;       /* repeats not written one by one, counted in a summary */
	uint64_t summaries;    /* summaries written */
	uint64_t closed_early; /* windows closed before their time: the table was full */
};

/* Writes one event (a fold summary) where the monitor writes its events. */
typedef void (*alert_fold_emit_fn)(void *ctx, const struct lw_event *ev,
				   const struct rules_verdict *v, size_t nv);

struct alert_fold;

/*
 * A fold with windows of window_ns (> 0) and at most max (> 0) open at once, whose
 * summaries go to emit(ctx, ...). NULL with errno set on failure.
 */
struct alert_fold *alert_fold_new(uint64_t window_ns, size_t max, alert_fold_emit_fn emit,
				  void *ctx);

/* Frees f without writing anything (alert_fold_flush first). NULL is fine. */
void alert_fold_free(struct alert_fold *f);

/*
 * Decides about one event and its verdicts, as the rules gave them: true to write it now
 * (not an alert, the first of its window, or one that could not be held: out of memory),
 * false when it was counted as a repeat. A repeat that comes after its window ended closes
 * the window (summary written) and opens a new one. The verdicts' strings owned by the rule
 * set are kept until the window closes: flush before freeing the rules.
 */
bool alert_fold_admit(struct alert_fold *f, const struct lw_event *ev,
		      const struct rules_verdict *v, size_t nv);

/* Closes the windows that ended by now_ns (CLOCK_BOOTTIME), writing their summaries. */
void alert_fold_expire(struct alert_fold *f, uint64_t now_ns);

/* Closes every window, writing the summaries of those with repeats (at exit, or reload). */
void alert_fold_flush(struct alert_fold *f);

const struct alert_fold_stats *alert_fold_stats(const struct alert_fold *f);

#endif /* LW_ALERT_FOLD_H */
