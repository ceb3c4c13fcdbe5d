// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The audit's findings: copied when added, counted by status, names of statuses and items. */
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "check.h"

static void test_add_copies(void)
{
	struct audit_report *r = audit_report_new();
	const struct audit_finding *f;
	char evidence[64];

	CHECK(r != NULL);
	if (!r)
		return;
	snprintf(evidence, sizeof(evidence), "%s", "GPT4All.ini:3: usageStatsActive=true");
	CHECK_INT(audit_add(r,
			    &(struct audit_finding){
				    .item = AUDIT_ITEM_TELEMETRY,
				    .status = AUDIT_FAIL,
				    .check = "telemetry-settings",
				    .tool = "gpt4all",
				    .subject = "usage statistics",
				    .evidence = evidence,
				    .fix = "set usageStatsActive=false",
			    }),
		  0);
	memset(evidence, 'x', sizeof(evidence) - 1); /* the report kept its own copy */
	CHECK_INT(audit_add(r,
			    &(struct audit_finding){
				    .item = AUDIT_ITEM_EXPOSURE,
				    .status = AUDIT_PASS,
				    .check = "exposure-listeners",
				    .subject = audit_fmt(r, "%s:%d", "127.0.0.1", 11434),
			    }),
		  0);
	CHECK_INT(audit_findings(r, &f), 2);
	CHECK_STR(f[0].evidence, "GPT4All.ini:3: usageStatsActive=true");
	CHECK_STR(f[0].tool, "gpt4all");
	CHECK(f[0].source == NULL);
	CHECK_STR(f[1].subject, "127.0.0.1:11434");
	CHECK(f[1].fix == NULL);
	CHECK_INT(audit_count(r, AUDIT_FAIL), 1);
	CHECK_INT(audit_count(r, AUDIT_PASS), 1);
	CHECK_INT(audit_count(r, AUDIT_SKIP), 0);
	CHECK_INT(audit_lost(r), 0);
	audit_report_free(r);
}

static void test_names(void)
{
	CHECK_STR(audit_status_name(AUDIT_WARN), "WARN");
	CHECK_STR(audit_status_name(AUDIT_SKIP), "SKIP");
	CHECK_STR(audit_status_name((enum audit_status)99), "?");
	CHECK_STR(audit_item_name(AUDIT_ITEM_AT_REST), "at-rest");
	CHECK_STR(audit_item_name(AUDIT_ITEM_HYGIENE), "hygiene");
	CHECK(strstr(audit_item_title(AUDIT_ITEM_EXPOSURE), "localhost") != NULL);
}

/* Many findings: the arrays grow, every one is kept in order. */
static void test_many(void)
{
	struct audit_report *r = audit_report_new();
	const struct audit_finding *f;
	size_t n;

	if (!r)
		return;
	for (int i = 0; i < 1000; i++)
		audit_add(r, &(struct audit_finding){ .item = AUDIT_ITEM_INTEGRITY,
						      .status = i % 2 ? AUDIT_PASS : AUDIT_WARN,
						      .check = "integrity-ollama",
						      .subject = audit_fmt(r, "blob %d", i) });
	n = audit_findings(r, &f);
	CHECK_INT(n, 1000);
	CHECK_STR(f[999].subject, "blob 999");
	CHECK_INT(audit_count(r, AUDIT_WARN), 500);
	audit_report_free(r);
}

int main(void)
{
	test_add_copies();
	test_names();
	test_many();
	return check_summary("test_audit_report");
}
