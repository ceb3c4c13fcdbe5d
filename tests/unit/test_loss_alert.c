// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of loss alerts: none while nothing is lost; the first loss alerts at once;
 * later ones at most once per interval, each carrying what every counter gained since the
 * last alert and the totals; interval 0 alerts at every check; the end of the run forces the
 * held-back losses out. The alert goes through the real text and JSON sinks (read back),
 * and a failing output is itself a loss the next alert reports.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "monitor/loss_alert.h"
#include "monitor/monitor.h"
#include "rules/rules.h"
#include "util/timefmt.h"

#define S 1000000000ull

/* ---- a sink that keeps what it was given -------------------------------------------- */

struct keep_sink {
	struct sink sink;
	size_t events;
	unsigned int type;
	struct stats_loss_report report; /* a copy of the last one */
	char rule[64], message[RULES_MESSAGE_MAX];
	enum rules_severity severity;
	enum rules_action action;
	size_t nv;
	int fail; /* -errno to return from event */
};

static int keep_event(struct sink *s, const struct lw_event *ev, const struct rules_verdict *v,
		      size_t nv)
{
	struct keep_sink *k = (struct keep_sink *)s;

	k->events++;
	k->type = ev->type;
	k->nv = nv;
	if (ev->losses)
		k->report = *ev->losses;
	if (nv) {
		snprintf(k->rule, sizeof(k->rule), "%s", v[0].rule);
		snprintf(k->message, sizeof(k->message), "%s", v[0].message);
		k->severity = v[0].severity;
		k->action = v[0].action;
	}
	return k->fail;
}

static int keep_summary(struct sink *s, const struct lw_stats *st)
{
	(void)s, (void)st;
	return 0;
}

static void keep_destroy(struct sink *s)
{
	(void)s;
}

static const struct sink_ops keep_ops = {
	.event = keep_event,
	.summary = keep_summary,
	.destroy = keep_destroy,
};

static void setup(struct monitor *m, struct keep_sink *k)
{
	memset(k, 0, sizeof(*k));
	k->sink.ops = &keep_ops;
	CHECK_INT(monitor_init(m), 0);
	m->sink = &k->sink;
}

/* The increase the last report gives counter (type NULL: a user-side counter), or -1. */
static long long grew(const struct stats_loss_report *r, const char *type, const char *reason)
{
	for (size_t i = 0; i < r->n_grew; i++) {
		if (strcmp(r->grew[i].reason, reason) == 0 &&
		    ((!type && !r->grew[i].type) ||
		     (type && r->grew[i].type && strcmp(r->grew[i].type, type) == 0)))
			return (long long)r->grew[i].increase;
	}
	return -1;
}

static unsigned int slot(unsigned int type, unsigned int reason)
{
	return type * LW_LOSS_REASON_MAX + reason;
}

/* ---- the tests ------------------------------------------------------------------------ */

static void test_no_losses_no_alert(void)
{
	struct monitor m;
	struct keep_sink k;
	struct loss_alert la;

	setup(&m, &k);
	loss_alert_init(&la, 10 * S, 100 * S);
	m.stats.records = 5000;		/* much seen, nothing lost */
	m.stats.payloads_malformed = 3; /* refused input is not a loss */
	m.stats.rejected_records = 9;	/* nor is what was dropped on purpose */
	CHECK_INT(loss_alert_check(&la, &m, 101 * S, false), 0);
	CHECK_INT(loss_alert_check(&la, &m, 200 * S, false), 0);
	CHECK_INT(loss_alert_check(&la, &m, 300 * S, true), 0);
	CHECK_INT(k.events, 0);
	CHECK_INT(la.alerts, 0);
	monitor_free(&m);
}

static void test_rate_limit_and_deltas(void)
{
	struct monitor m;
	struct keep_sink k;
	struct loss_alert la;

	setup(&m, &k);
	loss_alert_init(&la, 10 * S, 100 * S);

	/* the first losses alert at once, whatever the interval */
	m.stats.kernel_losses[slot(LW_REC_OPEN, LW_LOSS_RESERVE)] = 7;
	m.stats.decode_errors = 2;
	CHECK_INT(loss_alert_check(&la, &m, 101 * S, false), 1);
	CHECK_INT(k.events, 1);
	CHECK_INT(k.type, LW_EV_LOSSES);
	CHECK_STR(k.rule, LOSS_ALERT_RULE);
	CHECK_INT(k.severity, RULES_SEV_HIGH);
	CHECK_INT(k.action, RULES_ACTION_ALERT);
	CHECK_INT(k.report.increase, 9);
	CHECK_INT(k.report.total, 9);
	CHECK_INT(k.report.n_grew, 2);
	CHECK_INT(grew(&k.report, "open", "ring_full"), 7);
	CHECK_INT(grew(&k.report, NULL, "decode_errors"), 2);
	CHECK(k.report.seconds > 0.99 && k.report.seconds < 1.01);
	CHECK(strstr(k.message, "lost 9 events") != NULL);
	CHECK(strstr(k.message, "open ring_full +7") != NULL);
	CHECK(strstr(k.message, "decode_errors +2") != NULL);
	CHECK(strstr(k.message, "9 since it started") != NULL);

	/* more losses within the interval: held back */
	m.stats.kernel_losses[slot(LW_REC_OPEN, LW_LOSS_RESERVE)] = 10;
	m.stats.output_errors = 1;
	CHECK_INT(loss_alert_check(&la, &m, 105 * S, false), 0);
	m.stats.kernel_losses[slot(LW_REC_CONNECT, LW_LOSS_MAP)] = 4;
	CHECK_INT(loss_alert_check(&la, &m, 110 * S, false), 0); /* 9 s after the alert */
	CHECK_INT(k.events, 1);

	/* the interval passed: one alert with everything since the last one */
	CHECK_INT(loss_alert_check(&la, &m, 111 * S, false), 1);
	CHECK_INT(k.events, 2);
	CHECK_INT(k.report.increase, 3 + 1 + 4);
	CHECK_INT(k.report.total, 10 + 2 + 1 + 4);
	CHECK_INT(k.report.n_grew, 3);
	CHECK_INT(grew(&k.report, "open", "ring_full"), 3);
	CHECK_INT(grew(&k.report, "connect", "map_full"), 4);
	CHECK_INT(grew(&k.report, NULL, "output_errors"), 1);
	CHECK_INT(grew(&k.report, NULL, "decode_errors"), -1); /* did not grow: not listed */
	CHECK(k.report.seconds > 9.99 && k.report.seconds < 10.01);

	/* nothing new: no alert, however long it has been */
	CHECK_INT(loss_alert_check(&la, &m, 500 * S, false), 0);
	CHECK_INT(k.events, 2);

	/* new losses long after: at once (the interval since the last alert has passed) */
	m.stats.names_dropped = 5;
	CHECK_INT(loss_alert_check(&la, &m, 501 * S, false), 1);
	CHECK_INT(k.report.increase, 5);
	CHECK_INT(grew(&k.report, NULL, "names_dropped"), 5);

	/* within the interval again, but the run ends: forced out */
	m.stats.cgroup_unattached = 1;
	CHECK_INT(loss_alert_check(&la, &m, 502 * S, false), 0);
	CHECK_INT(loss_alert_check(&la, &m, 502 * S, true), 1);
	CHECK_INT(grew(&k.report, NULL, "cgroup_unattached"), 1);
	CHECK_INT(la.alerts, 4);
	CHECK_INT(k.events, 4);

	/* each alert is counted as an alert of kind events_lost, of no tool */
	CHECK_INT(m.counts.n, 1);
	CHECK_STR(m.counts.rows[0].tool, "");
	CHECK_INT(m.counts.rows[0].alerts[event_kind_slot(LW_EV_LOSSES)], 4);
	CHECK_INT(m.counts.rows[0].events[event_kind_slot(LW_EV_LOSSES)], 4);
	monitor_free(&m);
}

static void test_interval_zero(void)
{
	struct monitor m;
	struct keep_sink k;
	struct loss_alert la;

	setup(&m, &k);
	loss_alert_init(&la, 0, 0);
	for (unsigned int i = 1; i <= 5; i++) {
		m.stats.proc_full = i;
		CHECK_INT(loss_alert_check(&la, &m, i * 1000, false), 1);
		CHECK_INT(k.report.increase, 1);
		CHECK_INT(k.report.total, i);
	}
	CHECK_INT(loss_alert_check(&la, &m, 6000, false), 0); /* none new */
	CHECK_INT(k.events, 5);
	monitor_free(&m);
}

static void test_failed_output_is_reported(void)
{
	struct monitor m;
	struct keep_sink k;
	struct loss_alert la;

	setup(&m, &k);
	loss_alert_init(&la, 10 * S, 0);
	k.fail = -ENOSPC;
	m.stats.verdicts_dropped = 3;
	CHECK_INT(loss_alert_check(&la, &m, 1 * S, false), 1);
	CHECK_INT(m.stats.output_errors, 1); /* the alert itself did not get out */
	k.fail = 0;
	CHECK_INT(loss_alert_check(&la, &m, 12 * S, false), 1);
	CHECK_INT(grew(&k.report, NULL, "output_errors"), 1);
	CHECK_INT(k.report.increase, 1);
	monitor_free(&m);
}

/* Every counter at once: the message stays one bounded line, the report lists them all. */
static void test_many_counters(void)
{
	struct monitor m;
	struct keep_sink k;
	struct loss_alert la;

	setup(&m, &k);
	loss_alert_init(&la, 10 * S, 0);
	for (unsigned int i = 0; i < LW_LOSS_SLOTS; i++)
		m.stats.kernel_losses[i] = 1000000000000ull + i;
	m.stats.decode_errors = m.stats.proc_full = m.stats.output_errors = 1;
	m.stats.verdicts_dropped = m.stats.names_dropped = m.stats.cgroup_unattached = 1;
	m.stats.capture_lost = 1;
	CHECK_INT(loss_alert_check(&la, &m, 1 * S, false), 1);
	CHECK_INT(k.report.n_grew, STATS_LOSS_COUNTERS);
	CHECK_INT(k.report.total, stats_total_losses(&m.stats));
	CHECK(strlen(k.message) < RULES_MESSAGE_MAX - 1);
	CHECK(strchr(k.message, '\n') == NULL);
	CHECK(strstr(k.message, " more), ") != NULL);
	CHECK(strstr(k.message, "since it started: what it reports is incomplete") != NULL);
	monitor_free(&m);
}

/* The alert as the JSON and text sinks write it, read back. */
static void test_sinks_write_it(void)
{
	struct monitor m;
	struct loss_alert la;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;
	cJSON *o, *losses, *v;
	int found = 0;

	CHECK_INT(monitor_init(&m), 0);
	out = open_memstream(&buf, &len);
	m.sink = sink_json_new(out);
	loss_alert_init(&la, 10 * S, 0);
	m.stats.kernel_losses[slot(LW_REC_EXEC, LW_LOSS_READ)] = 11;
	m.stats.output_errors = 2;
	CHECK_INT(loss_alert_check(&la, &m, 3 * S, false), 1);
	sink_destroy(m.sink);
	fclose(out);
	CHECK(len > 0 && buf[len - 1] == '\n' && strchr(buf, '\n') == buf + len - 1);
	o = cJSON_Parse(buf);
	CHECK(o != NULL);
	if (o) {
		CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(o, "kind")), "alert");
		CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(o, "type")), "events_lost");
		CHECK_INT(cJSON_GetNumberValue(cJSON_GetObjectItem(o, "lost")), 13);
		CHECK_INT(cJSON_GetNumberValue(cJSON_GetObjectItem(o, "lost_total")), 13);
		CHECK_INT(cJSON_GetNumberValue(cJSON_GetObjectItem(o, "interval_ms")), 3000);
		losses = cJSON_GetObjectItem(o, "losses");
		CHECK_INT(cJSON_GetArraySize(losses), 2);
		cJSON_ArrayForEach(v, losses)
		{
			const char *t = cJSON_GetStringValue(cJSON_GetObjectItem(v, "type"));
			const char *c = cJSON_GetStringValue(cJSON_GetObjectItem(v, "counter"));

			if (t && strcmp(t, "exec") == 0) {
				CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(v, "reason")),
					  "read_failed");
				CHECK_INT(cJSON_GetNumberValue(cJSON_GetObjectItem(v, "count")),
					  11);
				found++;
			} else if (c && strcmp(c, "output_errors") == 0) {
				CHECK_INT(cJSON_GetNumberValue(cJSON_GetObjectItem(v, "total")), 2);
				found++;
			}
		}
		CHECK_INT(found, 2);
		v = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "verdicts"), 0);
		CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(v, "rule")), LOSS_ALERT_RULE);
		CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(v, "severity")), "high");
		cJSON_Delete(o);
	}
	free(buf);

	/* text: one line saying what was lost, then the verdict */
	buf = NULL;
	out = open_memstream(&buf, &len);
	m.sink = sink_text_new(out);
	m.stats.output_errors = 5;
	CHECK_INT(loss_alert_check(&la, &m, 20 * S, false), 1);
	sink_destroy(m.sink);
	fclose(out);
	CHECK(strstr(buf, " llmwatch pid=") != NULL);
	CHECK(strstr(buf, " events_lost lost=3 total=16 in=17.0s output_errors+3\n") != NULL);
	CHECK(strstr(buf, "[high] " LOSS_ALERT_RULE ": llmwatch lost 3 events") != NULL);
	free(buf);
	m.sink = NULL;
	monitor_free(&m);
}

int main(void)
{
	if (timefmt_init())
		return 1;
	test_no_losses_no_alert();
	test_rate_limit_and_deltas();
	test_interval_zero();
	test_failed_output_is_reported();
	test_many_counters();
	test_sinks_write_it();
	return check_summary("loss_alert");
}
