// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of the folding of identical alerts (monitor/alert_fold.c): repeats within the
 * window counted and summarised when it ends, distinct subjects (port, host, address, path,
 * tool, rule, event type) never folded together, events that are no alert never held, a
 * repeat after its window, a full table closing its oldest window early with its summary,
 * the flush at exit, and the summary's copy outliving the event it was taken from.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "monitor/alert_fold.h"
#include "rules/rules.h"

#define SEC 1000000000ull

/* What the fold wrote: a copy of each summary's fields that the tests look at. */
struct emitted {
	uint32_t pid;
	uint64_t count;
	time_t first, last;
	uint32_t window_s;
	char rule[32], host[64], path[64], message[64];
	uint16_t port;
	size_t nv;
};

static struct emitted out[16];
static size_t n_out;

static void emit(void *ctx, const struct lw_event *ev, const struct rules_verdict *v, size_t nv)
{
	struct emitted *e = &out[n_out < 16 ? n_out : 15];

	(void)ctx;
	n_out++;
	memset(e, 0, sizeof(*e));
	e->pid = ev->pid;
	e->nv = nv;
	if (ev->fold) {
		e->count = ev->fold->count;
		e->first = ev->fold->first.tv_sec;
		e->last = ev->fold->last.tv_sec;
		e->window_s = ev->fold->window_s;
	}
	snprintf(e->rule, sizeof(e->rule), "%s", nv ? v[0].rule : "");
	snprintf(e->message, sizeof(e->message), "%.60s", nv ? v[0].message : "");
	snprintf(e->host, sizeof(e->host), "%s", ev->host ? ev->host : "");
	snprintf(e->path, sizeof(e->path), "%s", ev->path ? ev->path : "");
	e->port = ev->addr ? ev->addr->port : 0;
}

static struct lw_sockaddr addr_a = { .family = 2, .port = 443, .addr = { 10, 0, 0, 1 } };
static struct lw_sockaddr addr_b = { .family = 2, .port = 443, .addr = { 10, 0, 0, 2 } };
static struct lw_sockaddr addr_a80 = { .family = 2, .port = 80, .addr = { 10, 0, 0, 1 } };

/* A connect by pid at t seconds (boot and wall clocks alike) to a. */
static struct lw_event connect_at(uint32_t pid, uint64_t t, const struct lw_sockaddr *a,
				  const char *host)
{
	struct lw_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = LW_REC_CONNECT;
	ev.pid = ev.tid = pid;
	ev.ts_boot_ns = t * SEC;
	ev.wall.tv_sec = (time_t)(1700000000 + t);
	ev.tool = "gpt4all";
	ev.exe = "/opt/gpt4all/bin/chat";
	memcpy(ev.comm, "chat", 5);
	ev.addr = a;
	ev.host = host;
	ev.host_source = host ? "dns" : "none";
	return ev;
}

static struct rules_verdict verdict(const char *rule, enum rules_action action)
{
	struct rules_verdict v;

	memset(&v, 0, sizeof(v));
	v.rule = rule;
	v.severity = RULES_SEV_HIGH;
	v.action = action;
	snprintf(v.message, sizeof(v.message), "%s fired", rule);
	return v;
}

static void reset(void)
{
	n_out = 0;
	memset(out, 0, sizeof(out));
}

static void test_window(void)
{
	struct alert_fold *f = alert_fold_new(10 * SEC, 8, emit, NULL);
	struct rules_verdict v = verdict("telemetry", RULES_ACTION_ALERT);
	struct lw_event ev;

	reset();
	CHECK(f != NULL);
	if (!f)
		return;
	ev = connect_at(100, 0, &addr_a, "api.mixpanel.com");
	CHECK(alert_fold_admit(f, &ev, &v, 1)); /* the first: written at once */
	ev = connect_at(101, 1, &addr_a, "api.mixpanel.com");
	CHECK(!alert_fold_admit(f, &ev, &v, 1));
	ev = connect_at(102, 2, &addr_a, "api.mixpanel.com");
	CHECK(!alert_fold_admit(f, &ev, &v, 1));
	alert_fold_expire(f, 9 * SEC);
	CHECK_INT(n_out, 0); /* the window is still open */
	alert_fold_expire(f, 10 * SEC);
	CHECK_INT(n_out, 1);
	CHECK_INT(out[0].count, 3);
	CHECK_INT(out[0].first, 1700000000);
	CHECK_INT(out[0].last, 1700000002);
	CHECK_INT(out[0].window_s, 10);
	CHECK_INT(out[0].pid, 102); /* the last one, as it happened */
	CHECK_STR(out[0].rule, "telemetry");
	CHECK_STR(out[0].message, "telemetry fired");
	CHECK_STR(out[0].host, "api.mixpanel.com");
	CHECK_INT(out[0].port, 443);
	CHECK_INT(alert_fold_stats(f)->folded, 2);
	CHECK_INT(alert_fold_stats(f)->summaries, 1);
	/* the window closed: the same alert opens a new one and is written at once */
	ev = connect_at(103, 11, &addr_a, "api.mixpanel.com");
	CHECK(alert_fold_admit(f, &ev, &v, 1));
	/* a window with no repeat ends without a word */
	alert_fold_expire(f, 30 * SEC);
	CHECK_INT(n_out, 1);
	alert_fold_free(f);
}

static void test_distinct_subjects(void)
{
	struct alert_fold *f = alert_fold_new(60 * SEC, 32, emit, NULL);
	struct rules_verdict v = verdict("telemetry", RULES_ACTION_ALERT);
	struct rules_verdict v2[2] = { verdict("telemetry", RULES_ACTION_ALERT),
				       verdict("other", RULES_ACTION_ALERT) };
	struct rules_verdict logged = verdict("dns-query", RULES_ACTION_LOG);
	struct lw_event ev;

	reset();
	if (!f)
		return;
	ev = connect_at(1, 0, &addr_a, "api.mixpanel.com");
	CHECK(alert_fold_admit(f, &ev, &v, 1));
	/* another port */
	ev = connect_at(1, 1, &addr_a80, "api.mixpanel.com");
	CHECK(alert_fold_admit(f, &ev, &v, 1));
	/* another name on the same address */
	ev = connect_at(1, 1, &addr_a, "other.example");
	CHECK(alert_fold_admit(f, &ev, &v, 1));
	/* unnamed: the address is the subject, another address another subject */
	ev = connect_at(1, 1, &addr_a, NULL);
	CHECK(alert_fold_admit(f, &ev, &v, 1));
	ev = connect_at(1, 1, &addr_b, NULL);
	CHECK(alert_fold_admit(f, &ev, &v, 1));
	ev = connect_at(2, 2, &addr_b, NULL);
	CHECK(!alert_fold_admit(f, &ev, &v, 1));
	/* the first one's name on another address of it: the same subject as the first */
	ev = connect_at(3, 2, &addr_b, "api.mixpanel.com");
	CHECK(!alert_fold_admit(f, &ev, &v, 1));
	/* another tool */
	ev = connect_at(1, 1, &addr_a, "api.mixpanel.com");
	ev.tool = "ollama";
	CHECK(alert_fold_admit(f, &ev, &v, 1));
	/* another set of rules */
	ev = connect_at(1, 1, &addr_a, "api.mixpanel.com");
	CHECK(alert_fold_admit(f, &ev, v2, 2));
	CHECK(!alert_fold_admit(f, &ev, v2, 2));
	/* another event type to the same end */
	ev = connect_at(1, 1, &addr_a, "api.mixpanel.com");
	ev.type = LW_REC_CONN_BYTES;
	CHECK(alert_fold_admit(f, &ev, &v, 1));
	/* opens: the path is the subject */
	memset(&ev, 0, sizeof(ev));
	ev.type = LW_REC_OPEN;
	ev.tool = "ollama";
	ev.path = "/home/u/.ssh/id_rsa";
	ev.path_len = strlen(ev.path);
	CHECK(alert_fold_admit(f, &ev, &v, 1));
	CHECK(!alert_fold_admit(f, &ev, &v, 1));
	ev.path = "/home/u/.ssh/id_ed25519";
	ev.path_len = strlen(ev.path);
	CHECK(alert_fold_admit(f, &ev, &v, 1));
	/* no alert (log only, or no verdict): never held, however often */
	ev = connect_at(1, 1, &addr_a, "api.mixpanel.com");
	for (int i = 0; i < 3; i++) {
		CHECK(alert_fold_admit(f, &ev, &logged, 1));
		CHECK(alert_fold_admit(f, &ev, NULL, 0));
	}
	CHECK_INT(alert_fold_stats(f)->folded, 4);
	/* at exit: one summary per window with repeats, in the order they opened */
	alert_fold_flush(f);
	CHECK_INT(n_out, 4);
	CHECK_INT(out[0].count, 2);
	CHECK_INT(out[0].pid, 3);
	CHECK_STR(out[0].host, "api.mixpanel.com");
	CHECK_INT(out[1].count, 2);
	CHECK_INT(out[1].pid, 2);
	CHECK_STR(out[1].host, "");
	CHECK_INT(out[2].count, 2);
	CHECK_INT(out[2].nv, 2);
	CHECK_STR(out[3].path, "/home/u/.ssh/id_rsa");
	/* flushed: all closed */
	alert_fold_flush(f);
	CHECK_INT(n_out, 4);
	alert_fold_free(f);
}

/* a repeat whose time is past its window (the tick has not run yet) starts the next */
static void test_late_repeat(void)
{
	struct alert_fold *f = alert_fold_new(10 * SEC, 8, emit, NULL);
	struct rules_verdict v = verdict("telemetry", RULES_ACTION_ALERT);
	struct lw_event ev;

	reset();
	if (!f)
		return;
	ev = connect_at(1, 0, &addr_a, NULL);
	CHECK(alert_fold_admit(f, &ev, &v, 1));
	ev = connect_at(2, 5, &addr_a, NULL);
	CHECK(!alert_fold_admit(f, &ev, &v, 1));
	ev = connect_at(3, 12, &addr_a, NULL);
	CHECK(alert_fold_admit(f, &ev, &v, 1));
	CHECK_INT(n_out, 1);
	CHECK_INT(out[0].count, 2);
	CHECK_INT(out[0].pid, 2);
	ev = connect_at(4, 13, &addr_a, NULL);
	CHECK(!alert_fold_admit(f, &ev, &v, 1));
	alert_fold_expire(f, 22 * SEC);
	CHECK_INT(n_out, 2);
	CHECK_INT(out[1].count, 2);
	CHECK_INT(out[1].first, 1700000012);
	alert_fold_free(f);
}

/* two windows at most: a third alert closes the oldest early, its summary written */
static void test_table_full(void)
{
	struct alert_fold *f = alert_fold_new(60 * SEC, 2, emit, NULL);
	struct rules_verdict v = verdict("telemetry", RULES_ACTION_ALERT);
	struct lw_event ev;

	reset();
	if (!f)
		return;
	ev = connect_at(1, 0, &addr_a, NULL);
	CHECK(alert_fold_admit(f, &ev, &v, 1));
	ev = connect_at(2, 1, &addr_a, NULL);
	CHECK(!alert_fold_admit(f, &ev, &v, 1));
	ev = connect_at(3, 2, &addr_b, NULL);
	CHECK(alert_fold_admit(f, &ev, &v, 1));
	CHECK_INT(n_out, 0);
	ev = connect_at(4, 3, &addr_a80, NULL);
	CHECK(alert_fold_admit(f, &ev, &v, 1));
	CHECK_INT(n_out, 1); /* addr_a's window, closed early with its count */
	CHECK_INT(out[0].count, 2);
	CHECK_INT(out[0].pid, 2);
	CHECK_INT(alert_fold_stats(f)->closed_early, 1);
	/* the closed window's alert is news again; addr_b's window (no repeat) closes quietly */
	ev = connect_at(5, 4, &addr_a, NULL);
	CHECK(alert_fold_admit(f, &ev, &v, 1));
	CHECK_INT(n_out, 1);
	CHECK_INT(alert_fold_stats(f)->closed_early, 2);
	ev = connect_at(6, 5, &addr_a80, NULL);
	CHECK(!alert_fold_admit(f, &ev, &v, 1));
	alert_fold_flush(f);
	CHECK_INT(n_out, 2);
	CHECK_INT(out[1].pid, 6);
	CHECK_INT(out[1].port, 80);
	alert_fold_free(f);
}

/* the summary is a copy: the event's own memory (a ring-buffer record) is long gone */
static void test_copy_outlives_event(void)
{
	struct alert_fold *f = alert_fold_new(60 * SEC, 8, emit, NULL);
	struct rules_verdict v = verdict("creds", RULES_ACTION_ALERT);
	char path[64], host[64];
	struct lw_sockaddr a = addr_a;
	struct lw_event ev;

	reset();
	if (!f)
		return;
	snprintf(host, sizeof(host), "api.mixpanel.com");
	ev = connect_at(1, 0, &a, host);
	CHECK(alert_fold_admit(f, &ev, &v, 1));
	CHECK(!alert_fold_admit(f, &ev, &v, 1));
	memset(host, 'X', sizeof(host) - 1);
	memset(&a, 0xff, sizeof(a));
	memset(&v, 0, sizeof(v));
	snprintf(path, sizeof(path), "/home/u/.aws/credentials");
	memset(&ev, 0, sizeof(ev));
	ev.type = LW_REC_OPEN;
	ev.tool = "ollama";
	ev.path = path;
	ev.path_len = strlen(path);
	v = verdict("creds", RULES_ACTION_ALERT);
	CHECK(alert_fold_admit(f, &ev, &v, 1));
	CHECK(!alert_fold_admit(f, &ev, &v, 1));
	memset(path, 'Y', sizeof(path) - 1);
	snprintf(v.message, sizeof(v.message), "changed");
	alert_fold_flush(f);
	CHECK_INT(n_out, 2);
	CHECK_STR(out[0].host, "api.mixpanel.com");
	CHECK_INT(out[0].port, 443);
	CHECK_STR(out[1].path, "/home/u/.aws/credentials");
	CHECK_STR(out[1].message, "creds fired");
	alert_fold_free(f);
}

int main(void)
{
	errno = 0;
	CHECK(alert_fold_new(0, 8, emit, NULL) == NULL);
	CHECK_INT(errno, EINVAL);
	test_window();
	test_distinct_subjects();
	test_late_repeat();
	test_table_full();
	test_copy_outlives_event();
	return check_summary("test_alert_fold");
}
