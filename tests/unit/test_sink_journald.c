// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of the journald sink, with the send function replaced by a capture of the
 * iovecs: which entries are made (alerts; with :events every event), their fields and
 * priorities, MESSAGE the same words as the text sink, the MESSAGE_ID of a rule, hostile
 * bytes escaped in every value, and a failing send returned and counted by the tee.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "journal_capture.h"
#include "rules/rules.h"
#include "sinks/sink_journald.h"
#include "sinks/sink_registry.h"
#include "sinks/sink_tee.h"
#include "util/utf8.h"

/* ---- events and verdicts, as the monitor and the rules engine hand them over ---------- */

static const char hostile_comm[] = "a\n\x1b[2J]\xff";

static struct lw_event base_event(uint16_t type)
{
	struct lw_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.pid = ev.tid = 4242;
	ev.ppid = 1;
	ev.uid = 1000;
	ev.tool = "ollama";
	ev.exe = "/opt/\x1b]0;x\a/ollama";
	memcpy(ev.comm, hostile_comm, sizeof(hostile_comm));
	ev.wall.tv_sec = 1700000000;
	ev.wall.tv_nsec = 123456000;
	return ev;
}

static struct lw_event open_event(void)
{
	static const char path[] = "/home/u/.ssh/id_\xfe\n]";
	struct lw_event ev = base_event(LW_REC_OPEN);

	ev.path = path;
	ev.path_len = sizeof(path) - 1;
	ev.ret = 3;
	return ev;
}

static struct rules_verdict verdict(const char *rule, enum rules_severity sev,
				    enum rules_action action, const char *message)
{
	struct rules_verdict v;

	memset(&v, 0, sizeof(v));
	v.rule = rule;
	v.severity = sev;
	v.action = action;
	snprintf(v.message, sizeof(v.message), "%s", message);
	return v;
}

/* Line i (0-based, without the newline) of what the text sink writes for ev and v. */
static char *text_sink_line(const struct lw_event *ev, const struct rules_verdict *v, size_t nv,
			    int i)
{
	static char line[8192];
	char *text = NULL, *p, *nl;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct sink *t = sink_text_new(f);

	t->ops->event(t, ev, v, nv);
	sink_destroy(t);
	fclose(f);
	p = text;
	for (; i > 0 && p; i--)
		p = (nl = strchr(p, '\n')) ? nl + 1 : NULL;
	line[0] = '\0';
	if (p) {
		nl = strchr(p, '\n');
		snprintf(line, sizeof(line), "%.*s", nl ? (int)(nl - p) : (int)strlen(p), p);
	}
	free(text);
	return line;
}

static void send_event(struct sink *s, const struct lw_event *ev, const struct rules_verdict *v,
		       size_t nv, int want)
{
	CHECK_INT(s->ops->event(s, ev, v, nv), want);
}

/* ---- tests ---------------------------------------------------------------------------- */

static void test_message_id(void)
{
	char a[SINK_JOURNALD_ID_LEN + 1], b[SINK_JOURNALD_ID_LEN + 1];

	/* known answers: printf 'llmwatch-rule:ID' | sha256sum | cut -c1-32 */
	CHECK_INT(sink_journald_message_id("file-credentials", a), 0);
	CHECK_STR(a, "8f3c9b0993974a90c65810bd6ba6c12c");
	CHECK_INT(sink_journald_message_id("exposure-ollama", b), 0);
	CHECK_STR(b, "6787d48dcb8a47d690a26106439270f7");
	CHECK_INT(strlen(a), 32);
	CHECK(strspn(a, "0123456789abcdef") == 32);
}

/* alerts only: one entry per alert verdict, none for the event or a log verdict */
static void test_alert_entry(void)
{
	struct jcap c;
	struct sink *s;
	struct lw_event ev = open_event();
	struct rules_verdict v[2] = {
		verdict("file-credentials", RULES_SEV_HIGH, RULES_ACTION_ALERT,
			"ollama (pid 4242) opened /home/u/.ssh/id_\\xfe\\n] (O_RDONLY): credentials"),
		verdict("log-only", RULES_SEV_CRITICAL, RULES_ACTION_LOG, "recorded"),
	};
	const struct jcap_entry *e;

	jcap_init(&c);
	s = sink_journald_new(false, jcap_send, &c);
	send_event(s, &ev, NULL, 0, 0);
	CHECK_INT(c.n, 0); /* a plain event is not an alert */
	send_event(s, &ev, v, 2, 0);
	CHECK_INT(c.n, 1);
	e = &c.e[0];
	jcap_check_names(
		e, "MESSAGE PRIORITY MESSAGE_ID SYSLOG_IDENTIFIER LLMWATCH_RULE "
		   "LLMWATCH_SEVERITY LLMWATCH_ACTION LLMWATCH_TYPE LLMWATCH_TOOL LLMWATCH_PID "
		   "LLMWATCH_COMM LLMWATCH_EXE LLMWATCH_PATH");
	CHECK(jcap_clean(e));
	/* the same words as the text sink's verdict line, without its indent */
	CHECK_STR(jcap_get(e, "MESSAGE"), "[high] file-credentials: ollama (pid 4242) opened "
					  "/home/u/.ssh/id_\\xfe\\n] (O_RDONLY): credentials");
	CHECK_STR(text_sink_line(&ev, v, 1, 1) + 2, jcap_get(e, "MESSAGE"));
	CHECK_STR(jcap_get(e, "PRIORITY"), "3");
	CHECK_STR(jcap_get(e, "MESSAGE_ID"), "8f3c9b0993974a90c65810bd6ba6c12c");
	CHECK_STR(jcap_get(e, "SYSLOG_IDENTIFIER"), "llmwatch");
	CHECK_STR(jcap_get(e, "LLMWATCH_RULE"), "file-credentials");
	CHECK_STR(jcap_get(e, "LLMWATCH_SEVERITY"), "high");
	CHECK_STR(jcap_get(e, "LLMWATCH_ACTION"), "alert");
	CHECK_STR(jcap_get(e, "LLMWATCH_TYPE"), "open");
	CHECK_STR(jcap_get(e, "LLMWATCH_TOOL"), "ollama");
	CHECK_STR(jcap_get(e, "LLMWATCH_PID"), "4242");
	/* untrusted bytes escaped: newline, ESC, BEL and invalid UTF-8; ']' kept */
	CHECK_STR(jcap_get(e, "LLMWATCH_COMM"), "a\\n\\x1b[2J]\\xff");
	CHECK_STR(jcap_get(e, "LLMWATCH_EXE"), "/opt/\\x1b]0;x\\x07/ollama");
	CHECK_STR(jcap_get(e, "LLMWATCH_PATH"), "/home/u/.ssh/id_\\xfe\\n]");
	sink_destroy(s);
	jcap_free(&c);
}

static void test_priorities(void)
{
	static const struct {
		enum rules_severity sev;
		enum rules_action action;
		const char *prio, *name;
	} cases[] = {
		{ RULES_SEV_CRITICAL, RULES_ACTION_ALERT, "2", "critical" },
		{ RULES_SEV_HIGH, RULES_ACTION_ALERT, "3", "high" },
		{ RULES_SEV_MEDIUM, RULES_ACTION_ALERT, "4", "medium" },
		{ RULES_SEV_LOW, RULES_ACTION_ALERT, "5", "low" },
		{ RULES_SEV_INFO, RULES_ACTION_ALERT, "6", "info" },
		{ RULES_SEV_HIGH, RULES_ACTION_BLOCK, "3", "high" }, /* reported like an alert */
	};
	struct jcap c;
	struct sink *s;
	struct lw_event ev = base_event(LW_REC_EXIT);

	jcap_init(&c);
	s = sink_journald_new(false, jcap_send, &c);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rules_verdict v = verdict("r", cases[i].sev, cases[i].action, "m");

		send_event(s, &ev, &v, 1, 0);
	}
	CHECK_INT(c.n, (int)(sizeof(cases) / sizeof(cases[0])));
	for (int i = 0; i < c.n; i++) {
		CHECK_STR(jcap_get(&c.e[i], "PRIORITY"), cases[i].prio);
		CHECK_STR(jcap_get(&c.e[i], "LLMWATCH_SEVERITY"), cases[i].name);
		CHECK(jcap_clean(&c.e[i]));
	}
	CHECK_STR(jcap_get(&c.e[5], "LLMWATCH_ACTION"), "block");
	/* an exit has no path, address, bytes or host */
	jcap_check_names(&c.e[0], "MESSAGE PRIORITY MESSAGE_ID SYSLOG_IDENTIFIER LLMWATCH_RULE "
				  "LLMWATCH_SEVERITY LLMWATCH_ACTION LLMWATCH_TYPE LLMWATCH_TOOL "
				  "LLMWATCH_PID LLMWATCH_COMM LLMWATCH_EXE");
	sink_destroy(s);
	jcap_free(&c);
}

/* :events: every event at debug priority with the text sink's line, then its verdicts */
static void test_events_mode(void)
{
	struct jcap c;
	struct sink *s;
	struct lw_event ev = open_event();
	struct rules_verdict v[2] = {
		verdict("file-credentials", RULES_SEV_MEDIUM, RULES_ACTION_ALERT, "alerted"),
		verdict("log-only", RULES_SEV_CRITICAL, RULES_ACTION_LOG, "recorded"),
	};

	jcap_init(&c);
	s = sink_journald_new(true, jcap_send, &c);
	send_event(s, &ev, NULL, 0, 0);
	CHECK_INT(c.n, 1);
	jcap_check_names(&c.e[0], "MESSAGE PRIORITY SYSLOG_IDENTIFIER LLMWATCH_TYPE LLMWATCH_TOOL "
				  "LLMWATCH_PID LLMWATCH_COMM LLMWATCH_EXE LLMWATCH_PATH");
	CHECK_STR(jcap_get(&c.e[0], "PRIORITY"), "7");
	CHECK_STR(jcap_get(&c.e[0], "MESSAGE"), text_sink_line(&ev, NULL, 0, 0));
	CHECK(strstr(jcap_get(&c.e[0], "MESSAGE"), " ollama pid=4242 ppid=1 open ") != NULL);
	CHECK(jcap_clean(&c.e[0]));

	send_event(s, &ev, v, 2, 0);
	CHECK_INT(c.n, 4);
	CHECK_STR(jcap_get(&c.e[1], "MESSAGE"), text_sink_line(&ev, v, 2, 0));
	CHECK_STR(jcap_get(&c.e[1], "PRIORITY"), "7");
	CHECK(jcap_get(&c.e[1], "LLMWATCH_RULE") == NULL);
	CHECK_STR(jcap_get(&c.e[2], "MESSAGE"), "[medium] file-credentials: alerted");
	CHECK_STR(jcap_get(&c.e[2], "MESSAGE"), text_sink_line(&ev, v, 2, 1) + 2);
	CHECK_STR(jcap_get(&c.e[2], "PRIORITY"), "4");
	/* a log verdict is a detail of the record, whatever its severity */
	CHECK_STR(jcap_get(&c.e[3], "MESSAGE"), "[critical] log-only: recorded");
	CHECK_STR(jcap_get(&c.e[3], "PRIORITY"), "7");
	CHECK_STR(jcap_get(&c.e[3], "LLMWATCH_ACTION"), "log");
	CHECK_STR(jcap_get(&c.e[3], "LLMWATCH_SEVERITY"), "critical");
	for (int i = 1; i < c.n; i++)
		CHECK(jcap_clean(&c.e[i]));
	sink_destroy(s);
	jcap_free(&c);
}

static void test_network_fields(void)
{
	struct jcap c;
	struct sink *s;
	struct lw_sockaddr a4 = { .family = 2, .port = 443, .addr = { 203, 0, 113, 10 } };
	struct lw_sockaddr a6 = { .family = 10, .port = 53, .addr = { 0x20, 0x01, 0x0d, 0xb8 } };
	struct lw_sockaddr any = { .family = 2, .port = 11434 };
	struct lw_sockaddr un = { .family = 1 };
	struct lw_event conn = base_event(LW_REC_CONNECT), send = base_event(LW_REC_SEND),
			listen = base_event(LW_REC_LISTEN), ucon = base_event(LW_REC_CONNECT),
			bytes = base_event(LW_REC_CONN_BYTES);
	struct rules_verdict v = verdict("net", RULES_SEV_LOW, RULES_ACTION_ALERT, "m");

	a6.addr[15] = 1;
	conn.addr = &a4;
	conn.sock_type = 1;
	conn.host = "api.mixpanel.com\n\x1b[2J";
	conn.host_source = "dns";
	send.addr = &a6;
	send.bytes = 64;
	listen.addr = &any;
	listen.backlog = 4;
	ucon.addr = &un;
	ucon.unix_path = "\0sock\n";
	ucon.unix_path_len = 6;
	bytes.addr = &a4;
	bytes.bytes = 728;
	bytes.host = "api.mixpanel.com";
	bytes.host_source = "sni";

	jcap_init(&c);
	s = sink_journald_new(false, jcap_send, &c);
	send_event(s, &conn, &v, 1, 0);
	send_event(s, &send, &v, 1, 0);
	send_event(s, &listen, &v, 1, 0);
	send_event(s, &ucon, &v, 1, 0);
	send_event(s, &bytes, &v, 1, 0);
	CHECK_INT(c.n, 5);
	for (int i = 0; i < c.n; i++)
		CHECK(jcap_clean(&c.e[i]));
#define COMMON                                                                           \
	"MESSAGE PRIORITY MESSAGE_ID SYSLOG_IDENTIFIER LLMWATCH_RULE LLMWATCH_SEVERITY " \
	"LLMWATCH_ACTION LLMWATCH_TYPE LLMWATCH_TOOL LLMWATCH_PID LLMWATCH_COMM LLMWATCH_EXE "
	jcap_check_names(&c.e[0], COMMON "LLMWATCH_DADDR LLMWATCH_DPORT LLMWATCH_HOST "
					 "LLMWATCH_HOST_SOURCE");
	CHECK_STR(jcap_get(&c.e[0], "LLMWATCH_DADDR"), "203.0.113.10");
	CHECK_STR(jcap_get(&c.e[0], "LLMWATCH_DPORT"), "443");
	CHECK_STR(jcap_get(&c.e[0], "LLMWATCH_HOST"), "api.mixpanel.com\\n\\x1b[2J");
	CHECK_STR(jcap_get(&c.e[0], "LLMWATCH_HOST_SOURCE"), "dns");

	/* no name seen: the source says so, and there is no HOST */
	jcap_check_names(&c.e[1], COMMON "LLMWATCH_DADDR LLMWATCH_DPORT LLMWATCH_BYTES "
					 "LLMWATCH_HOST_SOURCE");
	CHECK_STR(jcap_get(&c.e[1], "LLMWATCH_DADDR"), "2001:db8::1");
	CHECK_STR(jcap_get(&c.e[1], "LLMWATCH_DPORT"), "53");
	CHECK_STR(jcap_get(&c.e[1], "LLMWATCH_BYTES"), "64");
	CHECK_STR(jcap_get(&c.e[1], "LLMWATCH_HOST_SOURCE"), "none");

	/* a listener's address is its own end */
	jcap_check_names(&c.e[2], COMMON "LLMWATCH_ADDR LLMWATCH_PORT");
	CHECK_STR(jcap_get(&c.e[2], "LLMWATCH_ADDR"), "0.0.0.0");
	CHECK_STR(jcap_get(&c.e[2], "LLMWATCH_PORT"), "11434");

	/* an abstract unix name keeps its leading NUL, escaped */
	jcap_check_names(&c.e[3], COMMON "LLMWATCH_UNIX_PATH LLMWATCH_HOST_SOURCE");
	CHECK_STR(jcap_get(&c.e[3], "LLMWATCH_UNIX_PATH"), "\\x00sock\\n");

	jcap_check_names(&c.e[4],
			 COMMON "LLMWATCH_DADDR LLMWATCH_DPORT LLMWATCH_BYTES LLMWATCH_HOST "
				"LLMWATCH_HOST_SOURCE");
	CHECK_STR(jcap_get(&c.e[4], "LLMWATCH_BYTES"), "728");
	CHECK_STR(jcap_get(&c.e[4], "LLMWATCH_HOST_SOURCE"), "sni");

	/* a fold summary (--fold-window): its count, first and last times, window */
	{
		struct lw_fold fold = { .count = 5,
					.first = { .tv_sec = 60 },
					.last = { .tv_sec = 120 },
					.window_s = 60 };
		struct lw_event folded = listen;

		folded.fold = &fold;
		send_event(s, &folded, &v, 1, 0);
		CHECK_INT(c.n, 6);
		jcap_check_names(&c.e[5], COMMON "LLMWATCH_ADDR LLMWATCH_PORT LLMWATCH_FOLD_COUNT "
						 "LLMWATCH_FOLD_FIRST LLMWATCH_FOLD_LAST "
						 "LLMWATCH_FOLD_WINDOW");
		CHECK_STR(jcap_get(&c.e[5], "LLMWATCH_FOLD_COUNT"), "5");
		CHECK(strncmp(jcap_get(&c.e[5], "LLMWATCH_FOLD_FIRST"), "1970-01-01T00:01:00",
			      19) == 0);
		CHECK(strncmp(jcap_get(&c.e[5], "LLMWATCH_FOLD_LAST"), "1970-01-01T00:02:00", 19) ==
		      0);
		CHECK_STR(jcap_get(&c.e[5], "LLMWATCH_FOLD_WINDOW"), "60");
	}
#undef COMMON
	sink_destroy(s);
	jcap_free(&c);
}

/* a value far larger than the first buffer: whole, escaped, still clean */
static void test_big_value(void)
{
	static char path[LW_PATH_MAX];
	struct jcap c;
	struct sink *s;
	struct lw_event ev = open_event();
	struct rules_verdict v = verdict("big", RULES_SEV_INFO, RULES_ACTION_ALERT, "m");
	const char *got;

	memset(path, 0xff, sizeof(path) - 1);
	ev.path = path;
	ev.path_len = sizeof(path) - 1;
	jcap_init(&c);
	s = sink_journald_new(true, jcap_send, &c);
	send_event(s, &ev, &v, 1, 0);
	CHECK_INT(c.n, 2);
	got = jcap_get(&c.e[1], "LLMWATCH_PATH");
	CHECK(got != NULL);
	CHECK_INT(got ? strlen(got) : 0, 4 * (LW_PATH_MAX - 1));
	CHECK(got && strncmp(got, "\\xff\\xff", 8) == 0);
	CHECK(jcap_clean(&c.e[0]) && jcap_clean(&c.e[1]));
	sink_destroy(s);
	jcap_free(&c);
}

/* a failing send is the event's error; the other entries are still sent; the tee counts */
static void test_send_failure(void)
{
	struct jcap c;
	struct sink *s, *tee;
	struct lw_event ev = open_event();
	struct rules_verdict v[2] = {
		verdict("first", RULES_SEV_HIGH, RULES_ACTION_ALERT, "one"),
		verdict("second", RULES_SEV_HIGH, RULES_ACTION_ALERT, "two"),
	};
	struct lw_stats st;
	char *diag = NULL;
	size_t dlen = 0;
	FILE *df;

	jcap_init(&c);
	c.fail_from = 0;
	c.fail_err = -EAGAIN;
	s = sink_journald_new(false, jcap_send, &c);
	send_event(s, &ev, v, 2, -EAGAIN);
	CHECK_INT(c.attempts, 2); /* the second verdict was tried although the first failed */
	sink_destroy(s);
	jcap_free(&c);

	jcap_init(&c);
	c.fail_from = 1; /* the first entry reaches the journal, every later one fails */
	c.fail_err = -ENOBUFS;
	df = open_memstream(&diag, &dlen);
	tee = sink_tee_new(df);
	CHECK_INT(sink_tee_add(tee, sink_journald_new(false, jcap_send, &c), "journald"), 0);
	CHECK_INT(tee->ops->event(tee, &ev, v, 1), 0);
	CHECK_INT(tee->ops->event(tee, &ev, v, 1), -ENOBUFS);
	CHECK_INT(tee->ops->event(tee, &ev, v, 2), -ENOBUFS);
	CHECK_INT(c.n, 1);
	memset(&st, 0, sizeof(st));
	sink_tee_stats(tee, &st);
	CHECK_INT(st.n_outputs, 1);
	CHECK_STR(st.outputs[0].name, "journald");
	CHECK_INT(st.outputs[0].errors, 2);
	sink_destroy(tee);
	fclose(df);
	/* said once, when it first failed */
	CHECK_STR(diag, "llmwatch: output journald: writing failed: No buffer space available "
			"(counted in the summary; the other outputs go on)\n");
	free(diag);
	jcap_free(&c);
}

static void test_registry(void)
{
	struct sink_spec sp;
	struct sink *s;
	struct stat st;
	char err[256] = "";

	CHECK_INT(sink_registry_parse("journald", &sp, err, sizeof(err)), 0);
	CHECK_STR(sp.row->name, "journald");
	CHECK(sp.arg == NULL);
	CHECK(!sp.row->arg_is_path);
	CHECK_INT(sink_registry_parse("journald:events", &sp, err, sizeof(err)), 0);
	CHECK_STR(sp.arg, "events");

	errno = 0;
	CHECK(sink_journald_open("alerts\n", err, sizeof(err)) == NULL);
	CHECK_INT(errno, EINVAL);
	CHECK_STR(err, "unknown argument \"alerts\\n\" (journald or journald:events)");

	/* without journald's socket it refuses to start, saying why */
	s = sink_journald_open(NULL, err, sizeof(err));
	if (stat("/run/systemd/journal/socket", &st) == 0 && S_ISSOCK(st.st_mode)) {
		CHECK(s != NULL);
	} else {
		CHECK(s == NULL);
		CHECK(strstr(err, "no journal socket at /run/systemd/journal/socket (") == err);
		CHECK(strstr(err, "is systemd-journald running?") != NULL);
	}
	sink_destroy(s);
}

int main(void)
{
	test_message_id();
	test_alert_entry();
	test_priorities();
	test_events_mode();
	test_network_fields();
	test_big_value();
	test_send_failure();
	test_registry();
	return check_summary("test_sink_journald");
}
