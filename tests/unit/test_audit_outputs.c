// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of the audit's outputs (audit/audit_outputs.h): the one line of a finding, the
 * MESSAGE_IDs, the journal entries (captured instead of sent: which findings, every field,
 * priorities, hostile evidence escaped, a failing send counted), the RFC 5424 messages
 * (structured data escaped twice, a huge evidence cut to fit), the report to files (0600,
 * no symlink, two outputs to one place refused, spec errors), and syslog end to end over a
 * unix socket and TCP, including a collector that is not there: counted, said, failed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "audit/audit.h"
#include "audit/audit_outputs.h"
#include "check.h"
#include "journal_capture.h"
#include "util/timefmt.h"
#include "util/utf8.h"

static char tmpdir[64];

/* ---- a report ------------------------------------------------------------------------- */

/* Hostile bytes, as a config file or a process could hold them: ESC, newline, '"', ']'. */
#define HOSTILE_EVIDENCE \
	"/etc/systemd/system/ollama.service.d/x.conf:2: OLLAMA_HOST=\x1b[2J0.0.0.0\nFAKE \"q\"]\\\xff"
#define HOSTILE_EVIDENCE_ESC                                                                 \
	"/etc/systemd/system/ollama.service.d/x.conf:2: OLLAMA_HOST=\\x1b[2J0.0.0.0\\nFAKE " \
	"\"q\"]\\\\\\xff"

static const struct audit_ctx ctx = { .root = "/", .live = true };

static struct audit_report *report(bool with_error)
{
	struct audit_report *r = audit_report_new();

	audit_add(r, &(struct audit_finding){
			     .item = AUDIT_ITEM_TELEMETRY,
			     .status = AUDIT_WARN,
			     .check = "telemetry-settings",
			     .tool = "gpt4all",
			     .subject = "usage statistics",
			     .evidence = "GPT4All.ini:3: usageStatsActive=true",
			     .fix = "set usageStatsActive=false",
		     });
	audit_add(r, &(struct audit_finding){
			     .item = AUDIT_ITEM_EXPOSURE,
			     .status = AUDIT_PASS,
			     .check = "exposure-listeners",
			     .subject = "127.0.0.1:11434",
		     });
	audit_add(r, &(struct audit_finding){
			     .item = AUDIT_ITEM_EXPOSURE,
			     .status = AUDIT_FAIL,
			     .check = "exposure-settings",
			     .tool = "ollama",
			     .subject = "OLLAMA_HOST",
			     .evidence = HOSTILE_EVIDENCE,
			     .fix = "OLLAMA_HOST=127.0.0.1",
			     .source = "ollama docs/faq.md",
		     });
	audit_add(r, &(struct audit_finding){
			     .item = AUDIT_ITEM_AT_REST,
			     .status = AUDIT_SKIP,
			     .check = "at-rest-encryption",
			     .subject = "model stores",
			     .evidence = "not root",
		     });
	if (with_error)
		audit_add_error(r, "versions-cves", "Permission denied");
	return r;
}

/* ---- tests ---------------------------------------------------------------------------- */

static void test_line(void)
{
	struct audit_finding f = {
		.status = AUDIT_FAIL,
		.check = "exposure-settings",
		.tool = "ollama",
		.subject = "OLLAMA_HOST",
		.evidence = HOSTILE_EVIDENCE,
	};
	char buf[512], small[40];

	CHECK_INT(audit_outputs_line(buf, sizeof(buf), &f), strlen(buf));
	CHECK_STR(buf, "audit FAIL exposure-settings [ollama] OLLAMA_HOST: " HOSTILE_EVIDENCE_ESC);
	f.tool = NULL;
	f.evidence = NULL;
	f.status = AUDIT_PASS;
	audit_outputs_line(buf, sizeof(buf), &f);
	CHECK_STR(buf, "audit PASS exposure-settings OLLAMA_HOST");
	/* cut to fit, never inside an escape */
	f.subject = "\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b";
	CHECK_INT(audit_outputs_line(small, sizeof(small), &f), strlen(small));
	CHECK(strlen(small) < sizeof(small));
	CHECK_STR(small, "audit PASS exposure-settings \\x1b\\x1b");
	CHECK_INT(audit_outputs_priority(AUDIT_FAIL), 3);
	CHECK_INT(audit_outputs_priority(AUDIT_WARN), 4);
	CHECK_INT(audit_outputs_priority(AUDIT_PASS), 6);
	CHECK_INT(audit_outputs_priority(AUDIT_SKIP), 6);
}

static void test_message_id(void)
{
	char id[JOURNAL_MESSAGE_ID_LEN + 1];

	/* printf 'llmwatch-audit:CHECK' | sha256sum | cut -c1-32 */
	CHECK_INT(audit_outputs_message_id("exposure-settings", id), 0);
	CHECK_STR(id, "e661790e91d3fb250584d48284a7c4a7");
	CHECK_INT(audit_outputs_message_id("gguf-files", id), 0);
	CHECK_STR(id, "ec12180fb488edc59e907b56eb74420b");
}

#define FINDING_FIELDS                                                        \
	"MESSAGE PRIORITY SYSLOG_IDENTIFIER MESSAGE_ID LLMWATCH_AUDIT_CHECK " \
	"LLMWATCH_AUDIT_ITEM LLMWATCH_AUDIT_STATUS "
#define SUMMARY_FIELDS                                                                     \
	"MESSAGE PRIORITY SYSLOG_IDENTIFIER MESSAGE_ID LLMWATCH_AUDIT_STATUS "             \
	"LLMWATCH_AUDIT_ROOT LLMWATCH_AUDIT_PASS LLMWATCH_AUDIT_WARN LLMWATCH_AUDIT_FAIL " \
	"LLMWATCH_AUDIT_SKIP LLMWATCH_AUDIT_ERRORS LLMWATCH_AUDIT_LOST LLMWATCH_AUDIT_COMPLETE"

static void test_journal(void)
{
	struct audit_report *r = report(true);
	struct jcap c;
	size_t total = 0;
	int first = 1;
	const struct jcap_entry *e;

	jcap_init(&c);
	/* WARN and FAIL, in the report's order (grouped by item), the error, the summary */
	CHECK_INT(audit_journal_send(r, &ctx, false, jcap_send, &c, &total, &first), 0);
	CHECK_INT(total, 4);
	CHECK_INT(first, 0);
	CHECK_INT(c.n, 4);
	for (int i = 0; i < c.n; i++) {
		CHECK(jcap_clean(&c.e[i]));
		CHECK_STR(jcap_get(&c.e[i], "SYSLOG_IDENTIFIER"), "llmwatch");
	}
	e = &c.e[0];
	jcap_check_names(e, FINDING_FIELDS "LLMWATCH_AUDIT_TOOL LLMWATCH_AUDIT_SUBJECT "
					   "LLMWATCH_AUDIT_EVIDENCE LLMWATCH_AUDIT_FIX "
					   "LLMWATCH_AUDIT_SOURCE");
	CHECK_STR(jcap_get(e, "MESSAGE"),
		  "audit FAIL exposure-settings [ollama] OLLAMA_HOST: " HOSTILE_EVIDENCE_ESC);
	CHECK_STR(jcap_get(e, "PRIORITY"), "3");
	CHECK_STR(jcap_get(e, "MESSAGE_ID"), "e661790e91d3fb250584d48284a7c4a7");
	CHECK_STR(jcap_get(e, "LLMWATCH_AUDIT_CHECK"), "exposure-settings");
	CHECK_STR(jcap_get(e, "LLMWATCH_AUDIT_ITEM"), "exposure");
	CHECK_STR(jcap_get(e, "LLMWATCH_AUDIT_STATUS"), "FAIL");
	CHECK_STR(jcap_get(e, "LLMWATCH_AUDIT_TOOL"), "ollama");
	CHECK_STR(jcap_get(e, "LLMWATCH_AUDIT_SUBJECT"), "OLLAMA_HOST");
	CHECK_STR(jcap_get(e, "LLMWATCH_AUDIT_EVIDENCE"), HOSTILE_EVIDENCE_ESC);
	CHECK_STR(jcap_get(e, "LLMWATCH_AUDIT_FIX"), "OLLAMA_HOST=127.0.0.1");
	CHECK_STR(jcap_get(e, "LLMWATCH_AUDIT_SOURCE"), "ollama docs/faq.md");

	e = &c.e[1];
	jcap_check_names(e, FINDING_FIELDS "LLMWATCH_AUDIT_TOOL LLMWATCH_AUDIT_SUBJECT "
					   "LLMWATCH_AUDIT_EVIDENCE LLMWATCH_AUDIT_FIX");
	CHECK_STR(jcap_get(e, "PRIORITY"), "4");
	CHECK_STR(jcap_get(e, "LLMWATCH_AUDIT_STATUS"), "WARN");
	CHECK_STR(jcap_get(e, "LLMWATCH_AUDIT_ITEM"), "telemetry");
	CHECK_STR(jcap_get(e, "MESSAGE"),
		  "audit WARN telemetry-settings [gpt4all] usage statistics: "
		  "GPT4All.ini:3: usageStatsActive=true");

	/* a check that could not run: its own entry, at err (no item: not in the table) */
	e = &c.e[2];
	jcap_check_names(e, "MESSAGE PRIORITY SYSLOG_IDENTIFIER MESSAGE_ID LLMWATCH_AUDIT_CHECK "
			    "LLMWATCH_AUDIT_STATUS LLMWATCH_AUDIT_EVIDENCE");
	CHECK_STR(jcap_get(e, "MESSAGE"), "audit ERROR versions-cves: Permission denied");
	CHECK_STR(jcap_get(e, "PRIORITY"), "3");
	CHECK_STR(jcap_get(e, "LLMWATCH_AUDIT_STATUS"), "ERROR");

	e = &c.e[3];
	jcap_check_names(e, SUMMARY_FIELDS);
	CHECK_STR(jcap_get(e, "MESSAGE"),
		  "audit of /: 1 PASS, 1 WARN, 1 FAIL, 1 SKIP; INCOMPLETE: 1 "
		  "checks could not run, 0 findings lost");
	CHECK_STR(jcap_get(e, "PRIORITY"), "3"); /* something FAILs */
	CHECK_STR(jcap_get(e, "MESSAGE_ID"), "15a25a93e02d64e83c3befcf7c3254c6");
	CHECK_STR(jcap_get(e, "LLMWATCH_AUDIT_STATUS"), "SUMMARY");
	CHECK_STR(jcap_get(e, "LLMWATCH_AUDIT_ROOT"), "/");
	CHECK_STR(jcap_get(e, "LLMWATCH_AUDIT_FAIL"), "1");
	CHECK_STR(jcap_get(e, "LLMWATCH_AUDIT_ERRORS"), "1");
	CHECK_STR(jcap_get(e, "LLMWATCH_AUDIT_COMPLETE"), "false");
	jcap_free(&c);

	/* :all, every finding: PASS and SKIP at info */
	CHECK_INT(audit_journal_send(r, &ctx, true, jcap_send, &c, &total, &first), 0);
	CHECK_INT(total, 6);
	CHECK_INT(c.n, 6);
	CHECK_STR(jcap_get(&c.e[0], "LLMWATCH_AUDIT_STATUS"), "PASS");
	CHECK_STR(jcap_get(&c.e[0], "PRIORITY"), "6");
	jcap_check_names(&c.e[0], FINDING_FIELDS "LLMWATCH_AUDIT_SUBJECT");
	CHECK_STR(jcap_get(&c.e[3], "LLMWATCH_AUDIT_STATUS"), "SKIP");
	CHECK_STR(jcap_get(&c.e[3], "PRIORITY"), "6");
	jcap_free(&c);
	audit_report_free(r);

	/* nothing FAILs, complete: the summary at notice; WARN only: warning for the WARN */
	r = audit_report_new();
	audit_add(r, &(struct audit_finding){ .item = AUDIT_ITEM_GGUF,
					      .status = AUDIT_PASS,
					      .check = "gguf-files",
					      .subject = "a.gguf" });
	CHECK_INT(audit_journal_send(r, &ctx, false, jcap_send, &c, &total, &first), 0);
	CHECK_INT(c.n, 1);
	CHECK_STR(jcap_get(&c.e[0], "PRIORITY"), "5");
	CHECK_STR(jcap_get(&c.e[0], "LLMWATCH_AUDIT_COMPLETE"), "true");
	CHECK_STR(jcap_get(&c.e[0], "MESSAGE"), "audit of /: 1 PASS, 0 WARN, 0 FAIL, 0 SKIP");
	jcap_free(&c);
	/* incomplete without a FAIL: warning */
	audit_add_error(r, "gguf-files", "Input/output error");
	CHECK_INT(audit_journal_send(r, &ctx, false, jcap_send, &c, &total, &first), 0);
	CHECK_INT(c.n, 2);
	CHECK_STR(jcap_get(&c.e[1], "PRIORITY"), "4");
	jcap_free(&c);
	audit_report_free(r);
}

/* A failing send: every entry is still tried; the count and the first error come back. */
static void test_journal_failure(void)
{
	struct audit_report *r = report(false);
	struct jcap c;
	size_t total = 0;
	int first = 0;

	jcap_init(&c);
	c.fail_from = 0; /* the first send fails, the later ones go */
	c.fail_to = 1;
	c.fail_err = -ECONNREFUSED;
	CHECK_INT(audit_journal_send(r, &ctx, false, jcap_send, &c, &total, &first), 1);
	CHECK_INT(total, 3);
	CHECK_INT(first, -ECONNREFUSED);
	CHECK_INT(c.n, 2); /* the WARN and the summary went */
	jcap_free(&c);
	audit_report_free(r);
}

static struct syslog_ident ident(void)
{
	struct syslog_ident id = { .facility = 3, .procid = 42 };

	strcpy(id.hostname, "host1");
	strcpy(id.app, "llmwatch");
	return id;
}

static bool has_control(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return true;
	return false;
}

static void test_syslog_format(void)
{
	struct audit_report *r = report(true);
	struct syslog_ident id = ident();
	struct timespec ts = { .tv_sec = 1700000000, .tv_nsec = 123456000 };
	const struct audit_finding *f;
	size_t n = audit_findings(r, &f);
	char buf[SYSLOG_MSG_MAX], *huge;
	int len;

	CHECK_INT(n, 4);
	len = audit_syslog_finding(buf, sizeof(buf), &id, ts, &f[2]);
	CHECK(len > 0);
	CHECK(!has_control(buf, (size_t)len));
	/* daemon (3) * 8 + err (3); MSGID the check; the params escaped, then SD-escaped */
	CHECK_STR(buf, "<27>1 2023-11-14T22:13:20.123456Z host1 llmwatch 42 exposure-settings "
		       "[llmwatch-audit@32473 check=\"exposure-settings\" item=\"exposure\" "
		       "status=\"FAIL\" tool=\"ollama\" subject=\"OLLAMA_HOST\" "
		       "evidence=\"/etc/systemd/system/ollama.service.d/x.conf:2: "
		       "OLLAMA_HOST=\\\\x1b[2J0.0.0.0\\\\nFAKE \\\"q\\\"\\]\\\\\\\\\\\\xff\" "
		       "fix=\"OLLAMA_HOST=127.0.0.1\" source=\"ollama docs/faq.md\"] "
		       "audit FAIL exposure-settings [ollama] OLLAMA_HOST: " HOSTILE_EVIDENCE_ESC);
	/* a WARN at warning, without the params it has not */
	len = audit_syslog_finding(buf, sizeof(buf), &id, ts, &f[0]);
	CHECK(len > 0);
	CHECK(strncmp(buf, "<28>1 ", 6) == 0);
	CHECK(strstr(buf, " telemetry-settings [llmwatch-audit@32473 check=\"telemetry-settings\" "
			  "item=\"telemetry\" status=\"WARN\" tool=\"gpt4all\" ") != NULL);
	CHECK(strstr(buf, "source=") == NULL);

	len = audit_syslog_summary(buf, sizeof(buf), &id, ts, r, &ctx);
	CHECK(len > 0);
	CHECK_STR(buf, "<27>1 2023-11-14T22:13:20.123456Z host1 llmwatch 42 audit-summary "
		       "[llmwatch-audit@32473 status=\"SUMMARY\" root=\"/\" pass=\"1\" warn=\"1\" "
		       "fail=\"1\" skip=\"1\" errors=\"1\" lost=\"0\" complete=\"false\"] "
		       "audit of /: 1 PASS, 1 WARN, 1 FAIL, 1 SKIP; INCOMPLETE: 1 checks could "
		       "not run, 0 findings lost");
	audit_report_free(r);

	/* evidence far past a message's size: cut, the message still made and one line */
	huge = malloc(100000);
	memset(huge, ']', 99999);
	huge[99999] = '\0';
	{
		struct audit_finding h = { .item = AUDIT_ITEM_GGUF,
					   .status = AUDIT_FAIL,
					   .check = "gguf-files",
					   .subject = huge,
					   .evidence = huge,
					   .fix = huge,
					   .source = huge,
					   .tool = huge };

		len = audit_syslog_finding(buf, sizeof(buf), &id, ts, &h);
		CHECK(len > 0 && len < SYSLOG_MSG_MAX);
		CHECK(!has_control(buf, len > 0 ? (size_t)len : 0));
	}
	free(huge);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s = calloc(1, 65536);

	if (f) {
		fread(s, 1, 65535, f);
		fclose(f);
	}
	return s;
}

static void test_files(void)
{
	struct audit_report *r = report(false);
	struct audit_outputs *o = audit_outputs_new();
	char text[128], json[128], spec_t[160], spec_j[160], err[1024], link[128], *s;
	struct stat st;
	cJSON *doc;

	snprintf(text, sizeof(text), "%s/report.txt", tmpdir);
	snprintf(json, sizeof(json), "%s/report.json", tmpdir);
	snprintf(spec_t, sizeof(spec_t), "text:%s", text);
	CHECK_INT(audit_outputs_add(o, spec_t, err, sizeof(err)), 0);
	CHECK_INT(audit_outputs_add_report(o, "--json -o J", true, json, err, sizeof(err)), 0);
	CHECK_INT(audit_outputs_count(o), 2);
	CHECK_INT(audit_outputs_open(o, stderr, err, sizeof(err)), 0);
	CHECK_INT(audit_outputs_write(o, r, &ctx, 1000), 0);
	audit_outputs_free(o);
	CHECK(stat(text, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK(stat(json, &st) == 0 && (st.st_mode & 0777) == 0600);
	s = slurp(text);
	CHECK(strstr(s, "  FAIL exposure-settings [ollama] OLLAMA_HOST: " HOSTILE_EVIDENCE_ESC
			"\n") != NULL);
	CHECK(strstr(s, "\x1b") == NULL); /* no colour in a file, no raw ESC */
	free(s);
	s = slurp(json);
	doc = cJSON_Parse(s);
	CHECK(doc != NULL);
	CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "findings")), 4);
	cJSON_Delete(doc);
	free(s);

	/* two outputs to one place, named both; the check comes before anything is opened */
	o = audit_outputs_new();
	snprintf(spec_j, sizeof(spec_j), "json:%s", text);
	CHECK_INT(audit_outputs_add(o, spec_t, err, sizeof(err)), 0);
	CHECK_INT(audit_outputs_add(o, spec_j, err, sizeof(err)), 0);
	CHECK(audit_outputs_open(o, stderr, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "\" and \"json:") != NULL && strstr(err, "\" both write to ") != NULL);
	audit_outputs_free(o);
	o = audit_outputs_new();
	CHECK_INT(audit_outputs_add(o, "json", err, sizeof(err)), 0);
	CHECK_INT(audit_outputs_add_report(o, "--json", true, NULL, err, sizeof(err)), 0);
	CHECK(audit_outputs_open(o, stderr, err, sizeof(err)) == -EINVAL);
	CHECK_STR(err, "\"json\" and \"--json\" both write to stdout");
	audit_outputs_free(o);
	o = audit_outputs_new();
	CHECK_INT(audit_outputs_add(o, "journald", err, sizeof(err)), 0);
	CHECK_INT(audit_outputs_add(o, "journald:all", err, sizeof(err)), 0);
	CHECK(audit_outputs_open(o, stderr, err, sizeof(err)) == -EINVAL);
	CHECK_STR(err, "\"journald\" and \"journald:all\" both write to the journal");
	audit_outputs_free(o);

	/* never through a symlink: the target is not created */
	snprintf(link, sizeof(link), "%s/link.txt", tmpdir);
	snprintf(spec_t, sizeof(spec_t), "%s/target", tmpdir);
	CHECK(symlink(spec_t, link) == 0);
	o = audit_outputs_new();
	CHECK_INT(audit_outputs_add_report(o, "-o L", false, link, err, sizeof(err)), 0);
	CHECK(audit_outputs_open(o, stderr, err, sizeof(err)) == -ELOOP);
	CHECK(strstr(err, "\"-o L\": cannot write ") != NULL);
	CHECK(access(spec_t, F_OK) != 0);
	audit_outputs_free(o);
	unlink(link);

	/* spec errors, quoting the spec */
	o = audit_outputs_new();
	CHECK(audit_outputs_add(o, "xml", err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "\"xml\": unknown output; known: text, json, journald, syslog") == err);
	CHECK(audit_outputs_add(o, "journald:events", err, sizeof(err)) == -EINVAL);
	CHECK_STR(err, "\"journald:events\": unknown argument \"events\" (journald or "
		       "journald:all)");
	CHECK(audit_outputs_add(o, "text:/tmp/x,max-size=1M", err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "max-size and keep") != NULL);
	CHECK(audit_outputs_add(o, "syslog:tcp://127.0.0.1:1,facility=nope", err, sizeof(err)) ==
	      -EINVAL);
	CHECK(strstr(err, "\"syslog:tcp://127.0.0.1:1,facility=nope\": facility=\"nope\": "
			  "unknown facility") == err);
	CHECK(audit_outputs_add(o, "syslog:http://x", err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "bad target \"http://x\"") != NULL);
	CHECK_INT(audit_outputs_count(o), 0);
	audit_outputs_free(o);
	audit_report_free(r);
	unlink(text);
	unlink(json);
}

/*
 * The datagrams on fd, each NUL-terminated into msgs[i], until want have come (or 2 s
 * passed), then any more already there (up to max); how many.
 */
static int recv_all(int fd, char msgs[][SYSLOG_MSG_MAX + 1], int want, int max)
{
	int n = 0;

	for (int tries = 0; tries < 100 && n < max; tries++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t len;

		if (poll(&p, 1, n < want ? 20 : 0) <= 0) {
			if (n >= want)
				break;
			continue;
		}
		len = recv(fd, msgs[n], SYSLOG_MSG_MAX, MSG_DONTWAIT);
		if (len <= 0)
			break;
		msgs[n++][len] = '\0';
	}
	return n;
}

static void test_syslog_unix(void)
{
	static char msgs[8][SYSLOG_MSG_MAX + 1];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct audit_report *r = report(true);
	struct audit_outputs *o = audit_outputs_new();
	char spec[256], err[1024];
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), n;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/log.sock", tmpdir);
	CHECK(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	snprintf(spec, sizeof(spec), "syslog:unix:%s,facility=local3,app=lw-audit", sa.sun_path);
	CHECK_INT(audit_outputs_add(o, spec, err, sizeof(err)), 0);
	CHECK_INT(audit_outputs_open(o, stderr, err, sizeof(err)), 0);
	CHECK_INT(audit_outputs_write(o, r, &ctx, 2000), 0);
	n = recv_all(fd, msgs, 4, 8);
	/* the FAIL, the WARN (in item order), the check that could not run, the summary */
	CHECK_INT(n, 4);
	/* local3 (19) * 8 + err (3), + warning (4) */
	CHECK(strncmp(msgs[0], "<155>1 ", 7) == 0);
	CHECK(strstr(msgs[0], " lw-audit ") != NULL);
	CHECK(strstr(msgs[0], " exposure-settings [llmwatch-audit@32473 ") != NULL);
	CHECK(strstr(msgs[0], "] audit FAIL exposure-settings [ollama] OLLAMA_HOST: ") != NULL);
	CHECK(strncmp(msgs[1], "<156>1 ", 7) == 0);
	CHECK(strstr(msgs[1], " telemetry-settings [llmwatch-audit@32473 ") != NULL);
	CHECK(strstr(msgs[2], " versions-cves [llmwatch-audit@32473 check=\"versions-cves\" "
			      "status=\"ERROR\" evidence=\"Permission denied\"] audit ERROR "
			      "versions-cves: Permission denied") != NULL);
	CHECK(strstr(msgs[3], " audit-summary [llmwatch-audit@32473 status=\"SUMMARY\" ") != NULL);
	for (int i = 0; i < n; i++)
		CHECK(!has_control(msgs[i], strlen(msgs[i])));
	audit_outputs_free(o);
	audit_report_free(r);
	close(fd);
	unlink(sa.sun_path);
}

/* A loopback TCP listener (accepting later); its port in *port. */
static int listen_on(uint16_t *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 4)) {
		close(fd);
		return -1;
	}
	getsockname(fd, (struct sockaddr *)&sa, &sl);
	*port = ntohs(sa.sin_port);
	return fd;
}

/*
 * TCP with a queue of one: the audit waits for room rather than drop, so all four messages
 * arrive, octet-counted. Then a collector that is not there: every message counted as not
 * delivered, said on diag, and the write fails, within the wait.
 */
static void test_syslog_tcp(void)
{
	struct audit_report *r = report(true);
	struct audit_outputs *o = audit_outputs_new();
	char spec[256], err[1024], buf[65536], *diag = NULL;
	size_t diag_len = 0, got = 0;
	uint16_t port = 0;
	int lfd = listen_on(&port), cfd;
	FILE *df;
	uint64_t t0;

	CHECK(lfd >= 0);
	snprintf(spec, sizeof(spec), "syslog:tcp://127.0.0.1:%u,queue=1", port);
	CHECK_INT(audit_outputs_add(o, spec, err, sizeof(err)), 0);
	CHECK_INT(audit_outputs_open(o, stderr, err, sizeof(err)), 0);
	CHECK_INT(audit_outputs_write(o, r, &ctx, 5000), 0);
	cfd = accept(lfd, NULL, NULL);
	CHECK(cfd >= 0);
	for (int i = 0; i < 100 && got < sizeof(buf) - 1; i++) {
		struct pollfd p = { .fd = cfd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 10) <= 0) {
			if (got)
				break;
			continue;
		}
		n = recv(cfd, buf + got, sizeof(buf) - 1 - got, MSG_DONTWAIT);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	{
		/* four frames "LEN MSG", back to back */
		int frames = 0;
		size_t at = 0;

		while (at < got) {
			char *end;
			unsigned long len = strtoul(buf + at, &end, 10);

			if (end == buf + at || *end != ' ' || (size_t)(end + 1 - buf) + len > got)
				break;
			CHECK(strncmp(end + 1, "<", 1) == 0);
			at = (size_t)(end + 1 - buf) + len;
			frames++;
		}
		CHECK_INT(frames, 4);
		CHECK_INT(at, got);
	}
	audit_outputs_free(o);
	close(cfd);
	close(lfd); /* nobody listens on port now */

	df = open_memstream(&diag, &diag_len);
	o = audit_outputs_new();
	CHECK_INT(audit_outputs_add(o, spec, err, sizeof(err)), 0);
	CHECK_INT(audit_outputs_open(o, df, err, sizeof(err)), 0);
	t0 = timefmt_boot_now();
	CHECK_INT(audit_outputs_write(o, r, &ctx, 500), 1);
	CHECK(timefmt_boot_now() - t0 < 3000000000ull); /* bounded by the wait */
	audit_outputs_free(o);
	fclose(df);
	snprintf(buf, sizeof(buf),
		 "llmwatch: audit: output \"%s\": 4 of 4 messages not delivered "
		 "(link down)\n",
		 spec);
	CHECK(strstr(diag, buf) != NULL);
	if (!strstr(diag, buf))
		fprintf(stderr, "diag: %s", diag);
	free(diag);
	audit_report_free(r);
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/lw-audit-outputs-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_line();
	test_message_id();
	test_journal();
	test_journal_failure();
	test_syslog_format();
	test_files();
	test_syslog_unix();
	test_syslog_tcp();
	rmdir(tmpdir);
	return check_summary("test_audit_outputs");
}
