// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The audit's findings: copied when added, counted by status, names of statuses and items. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

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

/* Writes with w into a memory buffer, returned NUL-terminated (to free). */
static char *written(const struct audit_report *r, const struct audit_ctx *c, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	CHECK_INT(json ? audit_write_json(r, c, f) : audit_write_text(r, c, f, false), 0);
	fclose(f);
	return buf;
}

/* A hostile subject: terminal escapes and a newline from a file must not pass raw. */
static struct audit_report *hostile_report(void)
{
	struct audit_report *r = audit_report_new();

	if (!r)
		return NULL;
	audit_add(r, &(struct audit_finding){ .item = AUDIT_ITEM_HYGIENE,
					      .status = AUDIT_PASS,
					      .check = "hygiene-startup",
					      .subject = "no start-up items" });
	audit_add(r, &(struct audit_finding){
			     .item = AUDIT_ITEM_EXPOSURE,
			     .status = AUDIT_FAIL,
			     .check = "exposure-settings",
			     .tool = "ollama",
			     .subject = "OLLAMA_HOST",
			     .evidence = "/etc/x.conf:3: OLLAMA_HOST=\033]0;pwn\a\nFAKE LINE",
			     .fix = "set OLLAMA_HOST=127.0.0.1",
			     .source = "ollama envconfig/config.go Host()",
		     });
	audit_add(r, &(struct audit_finding){ .item = AUDIT_ITEM_EXPOSURE,
					      .status = AUDIT_SKIP,
					      .check = "exposure-listeners",
					      .evidence = "not live" });
	audit_add_error(r, "integrity-ollama", "Permission denied");
	return r;
}

static void test_text(void)
{
	struct audit_home h[] = { { .path = "/home/a\x1b", .user = "a", .uid = 1000 },
				  { .path = "/root", .user = "root", .read_err = -EACCES } };
	struct audit_ctx c = {
		.root = "/", .live = true, .privileged = true, .homes = h, .n_homes = 2
	};
	struct audit_report *r = hostile_report();
	char *t, *exposure, *hygiene;

	if (!r)
		return;
	t = written(r, &c, false);
	CHECK(t != NULL);
	if (!t)
		goto out;
	CHECK(strchr(t, 27) == NULL && strchr(t, 7) == NULL);
	CHECK(strstr(t, "OLLAMA_HOST=\\x1b]0;pwn\\x07\\nFAKE LINE\n") != NULL);
	CHECK(strstr(t, "\nFAKE LINE") == NULL); /* no forged line */
	/* grouped by item: exposure before hygiene although added after it */
	exposure = strstr(t, "Exposure:");
	hygiene = strstr(t, "Hygiene:");
	CHECK(exposure && hygiene && exposure < hygiene);
	CHECK(strstr(t, "  FAIL exposure-settings [ollama] OLLAMA_HOST: ") != NULL);
	CHECK(strstr(t, "       fix: set OLLAMA_HOST=127.0.0.1\n") != NULL);
	CHECK(strstr(t, "       source: ollama envconfig/config.go Host()\n") != NULL);
	CHECK(strstr(t, "  ERROR integrity-ollama: Permission denied\n") != NULL);
	CHECK(strstr(t, "1 PASS, 0 WARN, 1 FAIL, 1 SKIP; INCOMPLETE: 1 checks could not run") !=
	      NULL);
	CHECK(strstr(t, "homes: /home/a\\x1b (a), /root (root) [cannot be read: Permission "
			"denied]\n") != NULL);
	free(t);
out:
	audit_report_free(r);
}

static void test_json(void)
{
	struct audit_ctx c = { .root = "/mnt/img", .live = false };
	struct audit_report *r = hostile_report();
	const cJSON *f, *first;
	cJSON *doc = NULL;
	char *t;

	if (!r)
		return;
	t = written(r, &c, true);
	if (t)
		doc = cJSON_Parse(t);
	CHECK(doc != NULL);
	if (!doc)
		goto out;
	CHECK_INT(cJSON_GetObjectItem(doc, "audit_format_version")->valueint, 1);
	CHECK_STR(cJSON_GetObjectItem(doc, "root")->valuestring, "/mnt/img");
	CHECK(cJSON_IsFalse(cJSON_GetObjectItem(doc, "live")));
	CHECK(cJSON_IsFalse(cJSON_GetObjectItem(doc, "complete")));
	f = cJSON_GetObjectItem(doc, "findings");
	CHECK_INT(cJSON_GetArraySize(f), 3);
	first = cJSON_GetArrayItem(f, 0);
	CHECK_STR(cJSON_GetObjectItem(first, "item")->valuestring, "exposure");
	CHECK_STR(cJSON_GetObjectItem(first, "status")->valuestring, "FAIL");
	CHECK_STR(cJSON_GetObjectItem(first, "tool")->valuestring, "ollama");
	CHECK(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(f, 2), "fix")));
	CHECK_INT(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "counts"), "FAIL")->valueint, 1);
	CHECK_STR(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "errors"), 0),
				      "check")
			  ->valuestring,
		  "integrity-ollama");
	cJSON_Delete(doc);
out:
	free(t);
	audit_report_free(r);
}

int main(void)
{
	test_text();
	test_json();
	test_add_copies();
	test_names();
	test_many();
	return check_summary("test_audit_report");
}
