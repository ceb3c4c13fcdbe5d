// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of the live view's panels (live/live_panels.c), fed hand-built events: the
 * tool and its child (under it), its connection with the host name, its flagged file read
 * and its 0.0.0.0 listener appear in their panes with the right attributes; a name with
 * escape sequences shows escaped; rows fit 80 and 30 columns with UTF-8 never cut in half;
 * the filter, the sort keys, folded alerts with their count and the loss counters in the
 * status line.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "live/live_model.h"
#include "live/live_panels.h"
#include "live_test.h"
#include "util/utf8.h"

#define ROWS 64

static struct live_row rows[ROWS];

static size_t pane(struct live_model *m, enum live_pane p, size_t width, const char *filter,
		   unsigned sort, uint32_t pid, size_t *total)
{
	struct live_query q = {
		.pane = p, .width = width, .filter = filter, .sort = sort, .pid = pid
	};

	return live_panel_rows(m, &q, 0, rows, ROWS, total);
}

static void dump(const char *what, size_t n)
{
	if (!getenv("LIVE_TEST_DUMP"))
		return;
	printf("-- %s\n", what);
	for (size_t i = 0; i < n; i++)
		printf("[%u] %s\n", rows[i].attr, rows[i].text);
}

/* The row containing s, or NULL. */
static const struct live_row *find(size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strstr(rows[i].text, s))
			return &rows[i];
	return NULL;
}

static void test_panes(void)
{
	struct live_model *m = live_model_new(NULL);
	const struct live_row *r;
	size_t n, total;

	lt_run(m);
	n = pane(m, LIVE_PANE_PROCESSES, 200, NULL, 0, 0, &total);
	dump("processes", n);
	CHECK_INT(n, 2);
	CHECK_INT(total, 2);
	r = find(n, "ollama");
	CHECK(r && r->pid == 100 && r->attr == LIVE_ATTR_EXPOSED);
	CHECK(r && strstr(r->text, "LISTEN!"));
	r = find(n, "curl");
	CHECK(r && r->pid == 101 && r->attr == LIVE_ATTR_DIM);

	n = pane(m, LIVE_PANE_CONNECTIONS, 200, NULL, 0, 0, &total);
	dump("connections", n);
	CHECK_INT(n, 1);
	r = find(n, "api.mixpanel.com");
	CHECK(r && strstr(r->text, "dns") && strstr(r->text, "203.0.113.10") &&
	      strstr(r->text, "telemetry") && strstr(r->text, "443"));

	n = pane(m, LIVE_PANE_FILES, 200, NULL, 0, 0, &total);
	dump("files", n);
	CHECK_INT(n, 2);
	CHECK(n >= 1 && strstr(rows[0].text, "/root/.ssh/id_rsa") &&
	      rows[0].attr == LIVE_ATTR_EXPOSED);
	r = find(n, "/usr/lib/ollama/");
	CHECK(r && r->attr == LIVE_ATTR_NORMAL);

	n = pane(m, LIVE_PANE_ALERTS, 200, NULL, 0, 0, &total);
	dump("alerts", n);
	CHECK_INT(n, 3);

	n = pane(m, LIVE_PANE_LOG, 200, NULL, 0, 100, &total);
	dump("log", n);
	live_model_free(m);
}

/* Display columns of s (no wide characters in these tests), or -1 if not valid UTF-8. */
static long columns(const char *s)
{
	size_t left = strlen(s);
	long cols = 0;

	while (left) {
		uint32_t cp;
		size_t n = utf8_decode((const unsigned char *)s, left, &cp);

		if (!n)
			return -1;
		s += n;
		left -= n;
		cols++;
	}
	return cols;
}

static void check_width(struct live_model *m, size_t width)
{
	struct live_query q = { .width = width, .pid = 100 };
	struct live_row h;

	for (int p = 0; p < LIVE_PANES; p++) {
		size_t n = pane(m, (enum live_pane)p, width, NULL, 0, 100, NULL);

		q.pane = (enum live_pane)p;
		live_panel_header(&q, &h);
		CHECK(columns(h.text) >= 0 && (size_t)columns(h.text) <= width);
		CHECK_INT(h.attr, LIVE_ATTR_HEADER);
		CHECK(n > 0);
		for (size_t i = 0; i < n; i++) {
			long c = columns(rows[i].text);

			if (c < 0 || (size_t)c > width)
				fprintf(stderr, "pane %d width %zu: \"%s\"\n", p, width,
					rows[i].text);
			CHECK(c >= 0 && (size_t)c <= width);
		}
	}
}

/* A hostile name and UTF-8 paths: escaped, cut at 80 and 30 columns, never in half. */
static void test_escape_and_width(void)
{
	struct live_model *m = live_model_new(NULL);
	struct lw_event ev;
	const struct live_row *r;
	size_t n;

	lt_run(m);
	ev = lt_event(LW_REC_EXEC, 102, "x\x1b[2J\x1b[31m", 950);
	ev.ppid = 100;
	ev.filename =
		"/opt/\xc3\xa9\xc3\xa9\xc3\xa9/\xc3\xb6\xc3\xb6\xc3\xb6\xc3\xb6\xc3\xb6\xc3\xb6"
		"\xc3\xb6\xc3\xb6\xc3\xb6\xc3\xb6\xc3\xb6\xc3\xb6\xc3\xb6\xc3\xb6\xc3\xb6";
	lt_feed(m, &ev, NULL, 0);
	ev = lt_event(LW_REC_OPEN, 102, "x\x1b[2J\x1b[31m", 960);
	ev.path =
		"/home/j\xc3\xbcrgen/\xc3\xa9t\xc3\xa9/r\xc3\xa9sum\xc3\xa9-\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9.pdf";
	ev.path_len = strlen(ev.path);
	lt_feed(m, &ev, NULL, 0);

	n = pane(m, LIVE_PANE_PROCESSES, 200, NULL, 0, 0, NULL);
	dump("escaped", n);
	r = find(n, "x\\x1b[2J\\x1b[31m");
	CHECK(r != NULL);
	for (size_t i = 0; i < n; i++)
		CHECK(!strchr(rows[i].text, '\x1b'));
	check_width(m, 200);
	check_width(m, 80);
	check_width(m, 30);
	/* at 80 columns the exposure mark and the counters still show */
	n = pane(m, LIVE_PANE_PROCESSES, 80, NULL, 0, 0, NULL);
	dump("80", n);
	r = find(n, "ollama");
	CHECK(r && strstr(r->text, "LISTEN!") && strstr(r->text, "3/1") && strstr(r->text, "4.9K"));
	n = pane(m, LIVE_PANE_CONNECTIONS, 80, NULL, 0, 0, NULL);
	dump("80", n);
	CHECK(n == 1 && strstr(rows[0].text, "api.mixpanel.com") &&
	      strstr(rows[0].text, "telemetry"));
	n = pane(m, LIVE_PANE_FILES, 30, NULL, 0, 0, NULL);
	dump("30", n);
	live_model_free(m);
}

/* The tree: a child right under its parent, whatever the sort; the sort keys. */
static void test_tree_and_sort(void)
{
	struct live_model *m = live_model_new(NULL);
	struct lw_event ev;
	size_t n;

	/* two tools: 10 (quiet) with child 11 (busy), and 20 with more alerts than 10 */
	ev = lt_event(LW_REC_EXEC, 10, "first", 0);
	lt_feed(m, &ev, NULL, 0);
	ev = lt_event(LW_REC_EXEC, 20, "second", 10);
	lt_feed(m, &ev, NULL, 0);
	ev = lt_event(LW_REC_EXEC, 11, "child", 20);
	ev.ppid = 10;
	lt_feed(m, &ev, NULL, 0);
	for (int i = 0; i < 3; i++) {
		static const char *const t[] = { "x" };
		struct rules_verdict v = lt_verdict("r", RULES_SEV_LOW, t, 1, "m");

		ev = lt_event(LW_REC_EXEC, 20, "second", 30 + i);
		lt_feed(m, &ev, &v, 1);
	}
	n = pane(m, LIVE_PANE_PROCESSES, 120, NULL, 0, 0, NULL);
	dump("tree", n);
	CHECK_INT(n, 3);
	CHECK(n == 3 && rows[0].pid == 10 && rows[1].pid == 11 && rows[2].pid == 20);
	CHECK(n == 3 && strstr(rows[1].text, "`-child"));
	CHECK_STR(live_panel_sort_name(LIVE_PANE_PROCESSES, 1), "alerts");
	n = pane(m, LIVE_PANE_PROCESSES, 120, NULL, 1, 0, NULL);
	dump("by alerts", n);
	CHECK(n == 3 && rows[0].pid == 20 && rows[1].pid == 10 && rows[2].pid == 11);
	CHECK(live_panel_sort_name(LIVE_PANE_PROCESSES, 99) == NULL);
	CHECK(live_panel_sort_name(LIVE_PANE_LOG, 1) == NULL);
	CHECK_STR(live_panel_title(LIVE_PANE_ALERTS), "Alerts");
	live_model_free(m);
}

/* The filter: case-insensitive, on the whole row; total counts what passes. */
static void test_filter(void)
{
	struct live_model *m = live_model_new(NULL);
	struct live_query q = { .pane = LIVE_PANE_FILES, .width = 100, .filter = "SSH" };
	size_t n, total;

	lt_run(m);
	n = pane(m, LIVE_PANE_FILES, 100, "SSH", 0, 0, &total);
	CHECK_INT(n, 1);
	CHECK_INT(total, 1);
	CHECK(n == 1 && strstr(rows[0].text, "/root/.ssh/id_rsa"));
	n = pane(m, LIVE_PANE_PROCESSES, 100, "CURL", 0, 0, &total);
	CHECK(n == 1 && rows[0].pid == 101);
	n = pane(m, LIVE_PANE_ALERTS, 100, "nothing-like-this", 0, 0, &total);
	CHECK_INT(n, 0);
	CHECK_INT(total, 0);
	/* scrolling: rows past first, total unchanged */
	n = live_panel_rows(m, &(struct live_query){ .pane = LIVE_PANE_ALERTS, .width = 100 }, 2,
			    rows, ROWS, &total);
	CHECK_INT(n, 1);
	CHECK_INT(total, 3);
	(void)q;
	live_model_free(m);
}

/* Repeats of one rule, process and target: one row, its count. */
static void test_fold(void)
{
	static const char *const tags[] = { "credentials" };
	struct live_model *m = live_model_new(NULL);
	struct rules_verdict v = lt_verdict("t-creds", RULES_SEV_CRITICAL, tags, 1, "read key");
	struct lw_fold fold = { .count = 4 };
	struct lw_event ev = lt_event(LW_REC_OPEN, 5, "tool", 0);
	size_t n;

	ev.path = "/root/.ssh/id_rsa";
	for (int i = 0; i < 3; i++)
		lt_feed(m, &ev, &v, 1);
	ev.fold = &fold;
	lt_feed(m, &ev, &v, 1);
	n = pane(m, LIVE_PANE_ALERTS, 100, NULL, 0, 0, NULL);
	dump("fold", n);
	CHECK_INT(n, 1);
	CHECK(n == 1 && strstr(rows[0].text, " x6 ") && rows[0].attr == LIVE_ATTR_CRITICAL);
	live_model_free(m);
}

/* The status line: every loss counter that is not zero named, the row marked. */
static void test_status(void)
{
	struct live_model *m = live_model_new(NULL);
	struct live_info info = { .source = LIVE_SOURCE_DAEMON,
				  .where = "/run/llmwatch/events.sock",
				  .rules = "default, 212 rules",
				  .outputs = "text:-",
				  .started_ns = 1000000000ull };
	struct lw_stats st = {};
	struct live_row r;

	live_model_set_info(m, &info);
	live_panel_status(m, 200, false, 62000000000ull, &r);
	if (getenv("LIVE_TEST_DUMP"))
		printf("status: [%u] %s\n", r.attr, r.text);
	CHECK_INT(r.attr, LIVE_ATTR_NORMAL);
	CHECK(strstr(r.text, "lost 0") && strstr(r.text, "up 1m01s") &&
	      strstr(r.text, "default, 212 rules") && strstr(r.text, "text:-") &&
	      strstr(r.text, "daemon") && !strstr(r.text, "PAUSED"));
	CHECK(!strstr(r.text, "folded") && !strstr(r.text, "evicted"));
	st.alerts_folded = 7;
	st.names_evicted = 5;
	live_model_set_stats(m, &st);
	live_panel_status(m, 200, false, 62000000000ull, &r);
	/* shown, but not as a loss */
	CHECK_INT(r.attr, LIVE_ATTR_NORMAL);
	CHECK(strstr(r.text, "alerts folded 7") && strstr(r.text, "names evicted 5") &&
	      strstr(r.text, "lost 0"));
	st.kernel_losses[LW_REC_OPEN * LW_LOSS_REASON_MAX + 0] = 12;
	st.names_dropped = 4;
	live_model_set_stats(m, &st);
	live_panel_status(m, 200, true, 62000000000ull, &r);
	if (getenv("LIVE_TEST_DUMP"))
		printf("status: [%u] %s\n", r.attr, r.text);
	CHECK_INT(r.attr, LIVE_ATTR_LOSS);
	CHECK(strstr(r.text, "PAUSED") && strstr(r.text, "LOST 16") &&
	      strstr(r.text, "open/ring_full=12") && strstr(r.text, "names_dropped=4"));
	live_panel_status(m, 80, true, 62000000000ull, &r);
	CHECK(columns(r.text) <= 80 && strstr(r.text, "PAUSED") && strstr(r.text, "LOST"));
	live_model_add_missed(m, 3);
	st = (struct lw_stats){};
	live_model_set_stats(m, &st);
	live_panel_status(m, 200, false, 62000000000ull, &r);
	CHECK_INT(r.attr, LIVE_ATTR_LOSS);
	CHECK(strstr(r.text, "MISSED 3") != NULL);
	live_model_free(m);
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	test_panes();
	test_escape_and_width();
	test_tree_and_sort();
	test_filter();
	test_fold();
	test_status();
	return check_summary("live_panels");
}
