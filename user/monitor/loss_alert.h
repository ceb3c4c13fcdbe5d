/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Losses of events are themselves an alert: a flood meant to blind llmwatch (or a full disk,
 * or a collector gone) shows up where the admin reads the alerts, not only in the exit
 * summary. At most one per interval, with what each loss counter gained since the last one.
 */
#ifndef LW_LOSS_ALERT_H
#define LW_LOSS_ALERT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/stats.h"

struct monitor;

/* The loss alert's rule id, severity high. */
#define LOSS_ALERT_RULE "llmwatch-events-lost"

struct loss_alert {
	uint64_t interval_ns;		    /* at most one alert per interval; 0: at every check */
	uint64_t last_ns;		    /* CLOCK_BOOTTIME of the last alert, or of the start */
	bool alerted;			    /* an alert was written (last_ns is its time) */
	uint64_t base[STATS_LOSS_COUNTERS]; /* the counters at the last alert */
	uint64_t alerts;		    /* loss alerts written */
	struct stats_loss_report report;    /* the last alert's (for tests) */
};

/* Starts with every counter at zero (they all start there) and no alert yet. */
void loss_alert_init(struct loss_alert *la, uint64_t interval_ns, uint64_t now_ns);

/*
 * Checks m->stats (the caller has brought it up to date) at now_ns: when a loss counter
 * has grown since the last alert and, after a first alert, interval_ns has passed since it
 * (or force: at the end of the run), writes one alert through the monitor's outputs
 * (monitor_write_own): an event of kind LW_EV_LOSSES carrying la->report and one verdict,
 * LOSS_ALERT_RULE, severity high. Losses held back by the interval are in the next alert.
 * Returns 1 if an alert was written (even if an output failed, which is counted), else 0.
 */
int loss_alert_check(struct loss_alert *la, struct monitor *m, uint64_t now_ns, bool force);

#endif /* LW_LOSS_ALERT_H */
