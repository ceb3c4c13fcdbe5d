// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Loss alerts (see loss_alert.h). */
#include "monitor/loss_alert.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "monitor/monitor.h"
#include "rules/rules.h"
#include "util/timefmt.h"

static const char *const loss_tags[] = { "llmwatch", "integrity" };

void loss_alert_init(struct loss_alert *la, uint64_t interval_ns, uint64_t now_ns)
{
	memset(la, 0, sizeof(*la));
	la->interval_ns = interval_ns;
	la->last_ns = now_ns;
}

/*
 * The verdict's one-line message: how many, over how long, which counters (kernel ones as
 * "TYPE REASON", user ones by name; constants of ours and numbers, nothing from input).
 * Counters that do not fit are summed up as "and N more"; the outputs that carry the
 * report (JSON) list them all.
 */
static void format_message(char *buf, size_t size, const struct stats_loss_report *r)
{
	size_t len;
	int n;

	n = snprintf(buf, size, "llmwatch lost %" PRIu64 " events in the last %.1f s (",
		     r->increase, r->seconds);
	len = n > 0 && (size_t)n < size ? (size_t)n : size - 1;
	for (size_t i = 0; i < r->n_grew; i++) {
		char one[96];

		if (r->grew[i].type)
			snprintf(one, sizeof(one), "%s%s %s +%" PRIu64, i ? ", " : "",
				 r->grew[i].type, r->grew[i].reason, r->grew[i].increase);
		else
			snprintf(one, sizeof(one), "%s%s +%" PRIu64, i ? ", " : "",
				 r->grew[i].reason, r->grew[i].increase);
		/* room for this, the "and N more" and the tail */
		if (len + strlen(one) + 160 >= size) {
			n = snprintf(buf + len, size - len, ", and %zu more", r->n_grew - i);
			len += n > 0 && (size_t)n < size - len ? (size_t)n : 0;
			break;
		}
		memcpy(buf + len, one, strlen(one) + 1);
		len += strlen(one);
	}
	snprintf(buf + len, size - len,
		 "), %" PRIu64 " since it started: what it reports is incomplete", r->total);
}

int loss_alert_check(struct loss_alert *la, struct monitor *m, uint64_t now_ns, bool force)
{
	struct stats_loss_counter now[STATS_LOSS_COUNTERS];
	struct stats_loss_report *r = &la->report;
	struct rules_verdict v;
	struct lw_event ev;
	uint64_t grew = 0;

	stats_loss_counters(&m->stats, now);
	for (size_t i = 0; i < STATS_LOSS_COUNTERS; i++) {
		if (now[i].value > la->base[i])
			grew += now[i].value - la->base[i];
	}
	if (!grew)
		return 0;
	if (la->alerted && !force && now_ns - la->last_ns < la->interval_ns)
		return 0; /* held back: the next alert carries them */

	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < STATS_LOSS_COUNTERS; i++) {
		/* a counter never goes down; one that did (a reread that failed) is not a loss */
		if (now[i].value > la->base[i]) {
			r->grew[r->n_grew].type = now[i].type;
			r->grew[r->n_grew].reason = now[i].reason;
			r->grew[r->n_grew].increase = now[i].value - la->base[i];
			r->grew[r->n_grew].total = now[i].value;
			r->n_grew++;
		}
		la->base[i] = now[i].value > la->base[i] ? now[i].value : la->base[i];
	}
	r->increase = grew;
	r->total = stats_total_losses(&m->stats);
	r->seconds = (double)(now_ns - la->last_ns) / 1e9;

	memset(&ev, 0, sizeof(ev));
	ev.type = LW_EV_LOSSES;
	ev.ts_boot_ns = now_ns;
	ev.wall = timefmt_wall(now_ns);
	/* the process the alert is about is llmwatch itself */
	ev.pid = ev.tid = (uint32_t)getpid();
	ev.ppid = (uint32_t)getppid();
	ev.uid = (uint32_t)getuid();
	memcpy(ev.comm, "llmwatch", sizeof("llmwatch"));
	ev.tool = "";
	ev.exe = "";
	ev.losses = r;

	memset(&v, 0, sizeof(v));
	v.rule = LOSS_ALERT_RULE;
	v.description = "llmwatch lost events: what it reports is incomplete (a flood, a full "
			"ring buffer, a failing output)";
	v.severity = RULES_SEV_HIGH;
	v.action = RULES_ACTION_ALERT;
	v.tags = loss_tags;
	v.n_tags = sizeof(loss_tags) / sizeof(loss_tags[0]);
	format_message(v.message, sizeof(v.message), r);

	la->alerted = true;
	la->last_ns = now_ns;
	la->alerts++;
	monitor_write_own(m, &ev, &v, 1);
	return 1;
}
