// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of the live view's model (live/live_model.c), fed hand-built events: the
 * per-process counters (connections local/remote, bytes out, files ordinary/flagged,
 * alerts with fold summaries), the tree's parent, exits, user names, the events/s rate,
 * the per-process log (bounded, its drops counted, logs of exited processes going first)
 * and the report's aggregation read through its view.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "live/live_model.h"
#include "live/live_model_view.h"
#include "live_test.h"
#include "report/capture_replay.h"
#include "report/report_model.h"

static void test_counters(void)
{
	struct live_model *m = live_model_new(NULL);
	struct live_proc_view v = { 0 };
	struct report_model_counts c;
	struct report_endpoint_view e = { 0 };
	size_t ix;

	lt_run(m);
	CHECK_INT(live_model_events(m), 12);
	CHECK_INT(live_model_procs(m), 2);
	ix = live_model_proc_index(m, 100);
	CHECK(ix != SIZE_MAX && live_model_proc(m, ix, &v) == 0);
	CHECK_INT(v.conns_local, 1);
	CHECK_INT(v.conns_remote, 1);
	CHECK_INT(v.bytes_out, 5000);
	CHECK_INT(v.files_ordinary, 3);
	CHECK_INT(v.files_flagged, 1);
	CHECK_INT(v.alerts, 3);
	CHECK_STR(v.user, "root");
	CHECK_STR(v.comm, "ollama");
	CHECK_STR(v.tool, "ollama");
	CHECK(!v.exited);
	CHECK_INT(v.log_lines, 9);
	ix = live_model_proc_index(m, 101);
	CHECK(ix != SIZE_MAX && live_model_proc(m, ix, &v) == 0);
	CHECK_INT(v.ppid, 100);
	CHECK(v.exited);
	CHECK_STR(v.comm, "curl");
	CHECK_STR(v.exe, "/usr/bin/curl");
	CHECK_INT(v.end - v.first, 800 * 1000000LL); /* forked at 100 ms, exited at 900 */
	CHECK(live_model_proc(m, 2, &v) == -ERANGE);
	CHECK_INT(live_model_proc_index(m, 4242), SIZE_MAX);

	/* the report's aggregation, through its view */
	report_model_counts(live_model_report(m), &c);
	CHECK_INT(c.endpoints, 1);
	CHECK_INT(c.listeners, 1);
	CHECK_INT(c.files, 4);
	CHECK_INT(c.alerts, 3);
	CHECK(report_model_endpoint(live_model_report(m), 0, &e) == 0);
	CHECK_STR(e.host, "api.mixpanel.com");
	CHECK_STR(e.host_source, "dns");
	CHECK_STR(e.classification, "telemetry");
	CHECK_INT(e.bytes_sent, 5000);
	CHECK(report_model_endpoint(live_model_report(m), 1, &e) == -ERANGE);

	/* the log's lines, stored at event time */
	CHECK(strstr(live_model_log_line(m, 100, 0), "exec") != NULL);
	CHECK(strstr(live_model_log_line(m, 100, 1), "api.mixpanel.com 203.0.113.10:443") &&
	      strstr(live_model_log_line(m, 100, 1), "[t-telemetry]"));
	CHECK(live_model_log_line(m, 100, 9) == NULL);
	CHECK(live_model_log_line(m, 4242, 0) == NULL);

	/* pid 101 used again by a new process: running again, its uptime from the fork */
	{
		struct lw_event ev = lt_event(LW_REC_FORK, 101, "ollama", 2000);

		ev.ppid = 100;
		lt_feed(m, &ev, NULL, 0);
		CHECK(live_model_proc(m, live_model_proc_index(m, 101), &v) == 0);
		CHECK(!v.exited);
		CHECK_INT(v.first, (LT_T0 + 2) * 1000000000LL);
	}
	live_model_free(m);
}

static void test_fold_and_escape(void)
{
	static const char *const tags[] = { "credentials" };
	struct live_model *m = live_model_new(NULL);
	struct rules_verdict v = lt_verdict("t-creds", RULES_SEV_HIGH, tags, 1, "read");
	struct lw_fold fold = { .count = 5 };
	struct live_proc_view pv = { 0 };
	struct report_alert_view a = { 0 };
	struct lw_event ev = lt_event(LW_REC_OPEN, 300, "evil\x1b[2Jx", 0);
	const char *line;

	ev.path = "/root/.ssh/id\x1b]0;pwned\x07";
	ev.path_len = strlen(ev.path);
	lt_feed(m, &ev, &v, 1);
	lt_feed(m, &ev, &v, 1);
	/* the monitor's fold summary: 5 in the window, the first already written */
	ev.fold = &fold;
	lt_feed(m, &ev, &v, 1);
	CHECK(live_model_proc(m, live_model_proc_index(m, 300), &pv) == 0);
	CHECK_INT(pv.alerts, 6);
	CHECK_INT(pv.files_flagged, 2); /* a fold summary is no new open */
	CHECK(report_model_alert(live_model_report(m), 0, &a) == 0);
	CHECK_INT(a.count, 6);
	line = live_model_log_line(m, 300, 0);
	CHECK(line && !strchr(line, '\x1b') && !strchr(line, '\x07'));
	CHECK(line && strstr(line, "\\x1b]0;pwned\\x07"));
	live_model_free(m);
}

static void test_log_bounds(void)
{
	struct live_model_opts o = { .log_per_process = 4, .log_processes = 2 };
	struct live_model *m = live_model_new(&o);
	struct lw_event ev;

	for (int i = 0; i < 10; i++) {
		ev = lt_event(LW_REC_CONNECT, 1, "a", i);
		lt_feed(m, &ev, NULL, 0);
	}
	/* 10 lines into 4: the 6 oldest went, counted */
	CHECK_INT(live_model_log_dropped(m), 6);
	CHECK(strstr(live_model_log_line(m, 1, 0), "22:13:20.006") != NULL);
	CHECK(live_model_log_line(m, 1, 4) == NULL);

	ev = lt_event(LW_REC_EXIT, 2, "b", 20);
	lt_feed(m, &ev, NULL, 0);
	/* a third process: the exited one's log goes (1 line), not the running one's */
	ev = lt_event(LW_REC_EXEC, 3, "c", 30);
	lt_feed(m, &ev, NULL, 0);
	CHECK_INT(live_model_log_dropped(m), 7);
	CHECK(live_model_log_line(m, 2, 0) == NULL);
	CHECK(live_model_log_line(m, 1, 0) != NULL);
	CHECK(live_model_log_line(m, 3, 0) != NULL);
	live_model_free(m);
}

static void test_rate_and_status(void)
{
	struct live_model *m = live_model_new(NULL);
	struct live_info info = { .source = LIVE_SOURCE_CAPTURE,
				  .where = "/tmp/x.lwcap",
				  .rules = "default, 3 rules" };
	struct lw_stats st = {};
	struct lw_event ev = lt_event(LW_REC_CONNECT, 1, "a", 0);

	CHECK_INT(live_model_set_info(m, &info), 0);
	CHECK_STR(live_model_info(m)->where, "/tmp/x.lwcap");
	CHECK(live_model_info(m)->where != info.where);
	live_model_tick(m, 1000000000ull);
	for (int i = 0; i < 500; i++)
		lt_feed(m, &ev, NULL, 0);
	live_model_tick(m, 1500000000ull);
	CHECK(live_model_rate(m) > 999.0 && live_model_rate(m) < 1001.0);
	st.decode_errors = 3;
	live_model_set_stats(m, &st);
	CHECK_INT(live_model_stats(m)->decode_errors, 3);
	live_model_add_missed(m, 2);
	live_model_add_missed(m, 5);
	CHECK_INT(live_model_missed(m), 7);
	live_model_free(m);
}

/* Fed from a capture: the times are the capture's clock, as the report's. */
static void test_capture_clock(void)
{
	struct live_model *m = live_model_new(NULL);
	struct capture_replay_file f = { .path = "x.lwcap",
					 .boot_ns = 5000000000ull,
					 .wall_ns = 1800000000ull * 1000000000ull,
					 .has_clock = true };
	struct lw_event ev = lt_event(LW_REC_EXEC, 7, "a", 0);
	struct live_proc_view v = { 0 };

	live_model_hooks.file_begin(m, 0, &f);
	ev.ts_boot_ns = 6000000000ull; /* one second after the capture's boot_ns */
	lt_feed(m, &ev, NULL, 0);
	CHECK(live_model_proc(m, 0, &v) == 0);
	CHECK_INT(v.first, 1800000001LL * 1000000000LL);
	live_model_free(m);
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	test_counters();
	test_fold_and_escape();
	test_log_bounds();
	test_rate_and_status();
	test_capture_clock();
	return check_summary("live_model");
}
