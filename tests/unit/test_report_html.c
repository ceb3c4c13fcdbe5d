// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of the HTML report: fixture documents built here as docs/report-format.md
 * defines them are rendered, and the page is checked for the banner, every finding, the
 * timeline's marks, the orders the contract asks for, hostile strings escaped, nothing that
 * fetches or runs anything, and survival of missing fields and wrong types. Every page is
 * also read by a small HTML lexer that allows only the tags and attributes the writer uses.
 * The rendered sample is written to $BUILD/report-sample.html for the browser test
 * (tests/e2e/62-report-html.bats), its document to $BUILD/report-sample.json.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "html_check.h"
#include "report/report.h"
#include "util/htmlesc.h"
#include "util/utf8.h"

/* --- building documents ----------------------------------------------------------------- */

static void add_str(cJSON *o, const char *k, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static void add_strs(cJSON *o, const char *k, const char *const *v, size_t n)
{
	cJSON *a = cJSON_AddArrayToObject(o, k);

	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
}

static cJSON *proc_ref(long long pid, const char *comm, const char *tool)
{
	cJSON *p = cJSON_CreateObject();

	cJSON_AddNumberToObject(p, "pid", (double)pid);
	add_str(p, "comm", comm);
	add_str(p, "tool", tool);
	return p;
}

#define T(s) "2026-12-05T10:00:" s "Z"
#define HOSTILE "<script>alert(1)</script>\"'&\x1b[31m\xff"

static void add_capture(cJSON *doc, bool clean)
{
	cJSON *c = cJSON_CreateObject();

	add_str(c, "file", "run.lwc");
	cJSON_AddNumberToObject(c, "format_version", 1);
	cJSON_AddNumberToObject(c, "record_version", 3);
	add_str(c, "llmwatch", "llmwatch 1a2b3c4");
	add_str(c, "host", "lab-host");
	add_str(c, "kernel", "6.18.0-lab");
	add_str(c, "start", T("00.000000000"));
	add_str(c, "end", T("12.500000000"));
	cJSON_AddNumberToObject(c, "blocks", 12);
	cJSON_AddNumberToObject(c, "records", 3456);
	add_str(c, "chain", clean ? "intact" : "broken");
	if (clean)
		cJSON_AddNullToObject(c, "first_bad_block");
	else
		cJSON_AddNumberToObject(c, "first_bad_block", 7);
	cJSON_AddBoolToObject(c, "sealed", clean);
	cJSON_AddBoolToObject(c, "torn_tail", !clean);
	cJSON_AddNumberToObject(c, "skipped_blocks", clean ? 0 : 1);
	add_str(c, "error", clean ? NULL : "block 11 at offset 40960: truncated");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(doc, "captures"), c);
}

static const char *const reasons[] = {
	"chain broken from block 7 of run.lwc",
	"1,204 events lost: connect 1,200 (ring buffer full), open 4 (probe read failed)",
	"run.lwc was not sealed (no clean stop)",
};

static void add_completeness(cJSON *doc, bool clean)
{
	cJSON *c = cJSON_AddObjectToObject(doc, "completeness");
	cJSON *lost, *by, *w;

	add_str(c, "verdict", clean ? "complete" : "incomplete");
	add_strs(c, "reasons", reasons, clean ? 0 : 3);
	lost = cJSON_AddObjectToObject(c, "lost");
	cJSON_AddNumberToObject(lost, "total", clean ? 0 : 1204);
	by = cJSON_AddObjectToObject(lost, "by_type");
	cJSON_AddNumberToObject(by, "connect", clean ? 0 : 1200);
	cJSON_AddNumberToObject(by, "open", clean ? 0 : 4);
	cJSON_AddNumberToObject(by, "exec", 0);
	by = cJSON_AddObjectToObject(lost, "by_reason");
	cJSON_AddNumberToObject(by, "ringbuf_full", clean ? 0 : 1200);
	cJSON_AddNumberToObject(by, "probe_read", clean ? 0 : 4);
	cJSON_AddNumberToObject(cJSON_AddObjectToObject(lost, "user"), "decode_errors", 0);
	cJSON_AddNumberToObject(lost, "capture_writer", clean ? 0 : 3);
	w = cJSON_AddArrayToObject(lost, "windows");
	if (!clean) {
		cJSON *win = cJSON_CreateObject();

		add_str(win, "from", T("04.000000000"));
		add_str(win, "to", T("05.000000000"));
		cJSON_AddNumberToObject(win, "lost", 1204);
		cJSON_AddItemToArray(w, win);
	}
}

static void add_process(cJSON *arr, long long pid, long long ppid, const char *comm,
			const char *exe, const char *sha, const char *const *argv, size_t argc,
			const char *started, const char *exited)
{
	cJSON *p = cJSON_CreateObject();

	cJSON_AddNumberToObject(p, "pid", (double)pid);
	cJSON_AddNumberToObject(p, "ppid", (double)ppid);
	add_str(p, "comm", comm);
	add_str(p, "exe", exe);
	add_str(p, "sha256", sha);
	add_strs(p, "argv", argv, argc);
	add_str(p, "tool", "chatty");
	cJSON_AddNumberToObject(p, "root", 4121);
	add_str(p, "started", started);
	add_str(p, "exited", exited);
	if (exited) /* as wait(2): exit 1, or killed by signal 9 */
		cJSON_AddNumberToObject(p, "exit_code", pid == 4130 ? 9 : 256);
	else
		cJSON_AddNullToObject(p, "exit_code");
	cJSON_AddItemToArray(arr, p);
}

static void add_endpoint(cJSON *arr, const char *addr, const char *host, const char *source,
			 const char *cls, long long bytes, const char *first, const char *last,
			 long long pid, const char *comm, const char *rule)
{
	cJSON *e = cJSON_CreateObject();

	add_str(e, "address", addr);
	cJSON_AddNumberToObject(e, "port", 443);
	add_str(e, "protocol", "tcp");
	add_str(e, "host", host);
	add_str(e, "host_source", source);
	add_str(e, "classification", cls);
	cJSON_AddNumberToObject(e, "connections", 3);
	cJSON_AddNumberToObject(e, "failed", 1);
	cJSON_AddNumberToObject(e, "bytes_sent", (double)bytes);
	add_str(e, "first", first);
	add_str(e, "last", last);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(e, "processes"), proc_ref(pid, comm, "chatty"));
	add_strs(e, "rules", &rule, rule ? 1 : 0);
	cJSON_AddItemToArray(arr, e);
}

static void add_listener(cJSON *arr, const char *addr, long long port, bool reachable,
			 long long pid, const char *comm)
{
	cJSON *l = cJSON_CreateObject();
	const char *rule = "api-exposed";

	add_str(l, "address", addr);
	cJSON_AddNumberToObject(l, "port", (double)port);
	add_str(l, "protocol", "tcp");
	cJSON_AddBoolToObject(l, "reachable", reachable);
	add_str(l, "netns", "host");
	cJSON_AddBoolToObject(l, "listened", true);
	add_str(l, "first", T("03.500000000"));
	cJSON_AddNumberToObject(l, "pid", (double)pid);
	add_str(l, "comm", comm);
	add_str(l, "tool", "chatty");
	add_strs(l, "rules", &rule, reachable ? 1 : 0);
	cJSON_AddItemToArray(arr, l);
}

static void add_file(cJSON *arr, const char *path, const char *cat, bool flagged, const char *first,
		     long long pid)
{
	cJSON *f = cJSON_CreateObject();
	const char *rule = "credential-read";

	add_str(f, "path", path);
	add_str(f, "category", cat);
	cJSON_AddBoolToObject(f, "flagged", flagged);
	cJSON_AddNumberToObject(f, "opens", 2);
	cJSON_AddNumberToObject(f, "failed", 0);
	cJSON_AddBoolToObject(f, "write", false);
	add_str(f, "first", first);
	add_str(f, "last", first);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(f, "processes"),
			     proc_ref(pid, pid == 4121 ? "chatty" : "llama-server", "chatty"));
	add_strs(f, "rules", &rule, flagged ? 1 : 0);
	cJSON_AddItemToArray(arr, f);
}

static void add_alert(cJSON *arr, const char *rule, const char *sev, const char *msg, long long pid,
		      const char *comm, const char *first)
{
	cJSON *a = cJSON_CreateObject();
	const char *tag = "test";

	add_str(a, "rule", rule);
	add_str(a, "severity", sev);
	add_strs(a, "tags", &tag, 1);
	add_str(a, "message", msg);
	cJSON_AddNumberToObject(a, "pid", (double)pid);
	add_str(a, "comm", comm);
	add_str(a, "tool", "chatty");
	cJSON_AddNumberToObject(a, "count", 2);
	add_str(a, "first", first);
	add_str(a, "last", T("11.000000000"));
	cJSON_AddItemToArray(arr, a);
}

#define SHA_CHATTY "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define MSG_SSH "chatty (pid 4121) read /home/user/.ssh/id_ed25519 (SSH private key)"
#define MSG_TELEMETRY "chatty (pid 4121) sent 1.2 KiB to api.mixpanel.com:443 (usage analytics)"
#define MSG_EXPOSED "llama-server (pid 4140) listens on 0.0.0.0:11434, reachable from the network"
#define MSG_UNNAMED "chatty (pid 4121) connected to 192.0.2.99:443 with no name seen"
#define PATH_HOSTILE "/tmp/" HOSTILE ".txt"

/*
 * The chatty tool of `make demo`: phones home by name, reads an SSH key and a document,
 * listens on 0.0.0.0, downloads a model. Alerts out of order, to check the page sorts.
 */
static cJSON *sample_doc(bool clean)
{
	static const char *const argv1[] = { "/opt/chatty/bin/chatty", "--serve",
					     "--name=<b>me</b>" };
	static const char *const argv2[] = { "updater", "--check" };
	static const char *const argv3[] = { "llama-server", "--host", "0.0.0.0" };
	cJSON *doc = cJSON_CreateObject(), *arr, *sum, *by;

	cJSON_AddNumberToObject(doc, "report_version", 1);
	add_str(doc, "generator", "llmwatch test-fixture");
	if (clean) {
		cJSON_AddNullToObject(doc, "evaluation"); /* as llmwatch report writes it */
	} else {
		static const char *const cmd[] = { "/opt/chatty/bin/chatty", "--serve",
						   "--name=<b>me</b>" };
		cJSON *ev = cJSON_AddObjectToObject(doc, "evaluation");

		add_strs(ev, "command", cmd, 3);
		cJSON_AddNumberToObject(ev, "pid", 4121);
		add_str(ev, "user", "alice");
		cJSON_AddNumberToObject(ev, "uid", 1000);
		add_str(ev, "tool", "eval:chatty");
		cJSON_AddNullToObject(ev, "exit_status");
		cJSON_AddNumberToObject(ev, "signal", 15);
		cJSON_AddBoolToObject(ev, "stopped", false);
	}
	add_capture(doc, clean);
	add_completeness(doc, clean);
	sum = cJSON_AddObjectToObject(doc, "summary");
	cJSON_AddNumberToObject(sum, "processes", 3);
	cJSON_AddNumberToObject(sum, "endpoints", 4);
	cJSON_AddNumberToObject(sum, "listeners", 2);
	cJSON_AddNumberToObject(sum, "file_reads", 6);
	cJSON_AddNumberToObject(sum, "alerts", 4);
	by = cJSON_AddObjectToObject(sum, "alerts_by_severity");
	cJSON_AddNumberToObject(by, "critical", 1);
	cJSON_AddNumberToObject(by, "high", 1);
	cJSON_AddNumberToObject(by, "medium", 1);
	cJSON_AddNumberToObject(by, "low", 1);
	cJSON_AddNumberToObject(by, "info", 0);

	arr = cJSON_AddArrayToObject(doc, "endpoints");
	add_endpoint(arr, "203.0.113.10", "api.mixpanel.com", "sni", "telemetry", 1234,
		     T("01.200000000"), T("11.000000000"), 4121, "chatty", "telemetry-mixpanel");
	add_endpoint(arr, "192.0.2.99", NULL, NULL, "unknown", 80, T("02.000000000"),
		     T("02.000000000"), 4121, "chatty", "unnamed-public");
	add_endpoint(arr, "198.51.100.7", "updates.chatty.example", "dns", "update", 310,
		     T("02.500000000"), T("04.000000000"), 4130, "updater", NULL);
	add_endpoint(arr, "192.0.2.50", "huggingface.co", "sni", "model-download", 5000000000LL,
		     T("03.000000000"), T("09.000000000"), 4140, "llama-server", NULL);

	arr = cJSON_AddArrayToObject(doc, "listeners");
	add_listener(arr, "127.0.0.1", 8080, false, 4121, "chatty");
	add_listener(arr, "0.0.0.0", 11434, true, 4140, "llama-server");

	arr = cJSON_AddArrayToObject(doc, "files");
	add_file(arr, "/etc/hosts", "other", false, T("00.500000000"), 4121);
	add_file(arr, "/home/user/.ssh/id_ed25519", "credentials", true, T("06.000000000"), 4121);
	add_file(arr, "/home/user/Documents/tax-2025.pdf", "documents", true, T("06.500000000"),
		 4121);
	add_file(arr, "/models/llama-3-8b.Q4_K_M.gguf", "model", false, T("03.100000000"), 4140);
	add_file(arr, "/opt/chatty/lib/libchat.so", "tool", false, T("00.100000000"), 4121);
	add_file(arr, PATH_HOSTILE, "other", false, T("07.000000000"), 4121);

	arr = cJSON_AddArrayToObject(doc, "processes");
	add_process(arr, 4121, 1, "chatty", "/opt/chatty/bin/chatty", SHA_CHATTY, argv1, 3, NULL,
		    T("12.400000000"));
	add_process(arr, 4130, 4121, "updater", "/opt/chatty/bin/updater", NULL, argv2, 2,
		    T("02.100000000"), T("05.000000000"));
	add_process(arr, 4140, 4121, "llama-server", "/opt/chatty/bin/llama-server",
		    "0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c", argv3, 3,
		    T("03.000000000"), NULL);

	arr = cJSON_AddArrayToObject(doc, "alerts");
	add_alert(arr, "telemetry-mixpanel", "medium", MSG_TELEMETRY, 4121, "chatty",
		  T("01.200000000"));
	add_alert(arr, "unnamed-public", "low", MSG_UNNAMED, 4121, "chatty", T("02.000000000"));
	add_alert(arr, "ssh-key-read", "high", MSG_SSH, 4121, "chatty", T("06.000000000"));
	add_alert(arr, "api-exposed", "critical", MSG_EXPOSED, 4140, "llama-server",
		  T("03.500000000"));
	return doc;
}

/* --- reading the page ------------------------------------------------------------------- */

static char *render(const cJSON *doc, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f) {
		*rc = -errno;
		return NULL;
	}
	*rc = report_write_html(f, doc);
	fclose(f);
	return buf;
}

static bool has(const char *page, const char *s)
{
	return page && strstr(page, s) != NULL;
}

/* Whether the escaped form of the untrusted s is on the page. */
static bool has_escaped(const char *page, const char *s)
{
	char buf[1024];

	html_escape_str(buf, sizeof(buf), s);
	return has(page, buf);
}

static int count(const char *page, const char *s)
{
	int n = 0;

	for (const char *p = page; p && (p = strstr(p, s)) != NULL; p += strlen(s))
		n++;
	return n;
}

/* The offset of s on the page, or -1. */
static long pos(const char *page, const char *s)
{
	const char *p = page ? strstr(page, s) : NULL;

	return p ? p - page : -1;
}

/* The offset of s in the table whose id is id (the timeline's tooltips come earlier). */
static long pos_in(const char *page, const char *id, const char *s)
{
	char anchor[64];
	const char *t, *p;

	snprintf(anchor, sizeof(anchor), "<table class=\"%s\">", id);
	t = page ? strstr(page, anchor) : NULL;
	p = t ? strstr(t, s) : NULL;
	return p ? p - page : -1;
}

/*
 * Nothing that fetches, runs or embeds anything. A document's own strings may hold a URL
 * as text (urls_in_text): the lexer then shows it is text, not a link or a source.
 */
static void check_inert(const char *page, bool urls_in_text)
{
	if (!urls_in_text) {
		CHECK(!has(page, "http://"));
		CHECK(!has(page, "https://"));
	}
	CHECK(!has(page, "<script"));
	CHECK(!has(page, "<link"));
	CHECK(!has(page, "<img"));
	CHECK(!has(page, "<iframe"));
	CHECK(!has(page, "<object"));
	CHECK(!has(page, "<embed"));
	CHECK(!has(page, "@import"));
	CHECK(!has(page, "url("));
	CHECK(!has(page, "@font-face"));
	CHECK(has(page, "Content-Security-Policy"));
	CHECK(html_page_is_safe(page));
}

/* --- the tests -------------------------------------------------------------------------- */

static void test_sample(void)
{
	cJSON *doc = sample_doc(false);
	int rc;
	char *page = render(doc, &rc);
	static const char *const findings[] = {
		/* endpoints, with how each name is known */
		"api.mixpanel.com",
		"203.0.113.10:443",
		"updates.chatty.example",
		"huggingface.co",
		"192.0.2.99:443",
		"no name seen",
		"telemetry-mixpanel",
		/* listeners */
		"0.0.0.0:11434",
		"127.0.0.1:8080",
		/* files */
		"/home/user/.ssh/id_ed25519",
		"/home/user/Documents/tax-2025.pdf",
		"/models/llama-3-8b.Q4_K_M.gguf",
		"/opt/chatty/lib/libchat.so",
		"/etc/hosts",
		/* processes */
		"/opt/chatty/bin/chatty",
		SHA_CHATTY,
		"/opt/chatty/bin/updater",
		"llama-server",
		"not in the capture",
		"running at start",
		"running at end",
		"--serve",
		/* alerts */
		MSG_SSH,
		MSG_TELEMETRY,
		MSG_EXPOSED,
		MSG_UNNAMED,
		/* captures */
		"run.lwc",
		"lab-host",
		"6.18.0-lab",
		"from block 7",
		"NOT sealed",
		"TORN",
		"Reading stopped before the end: block 11 at offset 40960: truncated",
		/* wait(2) statuses */
		"(exit 1)",
		"(signal 9)",
	};

	CHECK_INT(rc, 0);
	CHECK(page != NULL);
	if (!page) {
		cJSON_Delete(doc);
		return;
	}
	/* the banner, first thing after the title, with every reason */
	CHECK(has(page, "class=\"banner incomplete\""));
	CHECK(has(page, "INCOMPLETE"));
	CHECK(pos(page, "id=\"completeness\"") < pos(page, "id=\"timeline\""));
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		CHECK(has_escaped(page, reasons[i]));
	CHECK(has(page, "Events lost: 1,204"));
	CHECK(has(page, "connect 1,200"));
	CHECK(has(page, "ringbuf_full 1,200"));
	CHECK(!has(page, "exec 0")); /* only the counters that grew */
	CHECK(has(page, "not written to the capture: 3"));
	/* the command eval ran, whom as, how it ended */
	CHECK(has(page, "Evaluated command: <code class=\"arg\">/opt/chatty/bin/chatty</code>"));
	CHECK(has(page, "as alice (uid 1000), pid 4121, its events named eval:chatty"));
	CHECK(has(page, "killed by signal 15"));

	for (size_t i = 0; i < sizeof(findings) / sizeof(findings[0]); i++) {
		if (!has_escaped(page, findings[i]))
			fprintf(stderr, "finding missing: %s\n", findings[i]);
		CHECK(has_escaped(page, findings[i]));
	}
	CHECK(has(page, "4.7 GiB")); /* 5,000,000,000 bytes */

	/* the timeline: one lane per process, one mark per finding and process */
	CHECK(has(page, "<svg class=\"timeline-svg\""));
	CHECK(has(page, "timeline of 3 processes"));
	CHECK_INT(count(page, "class=\"mark-connect\""), 4);
	CHECK_INT(count(page, "class=\"mark-listen\""), 2);
	CHECK_INT(count(page, "class=\"mark-file\""), 6);
	CHECK_INT(count(page, "class=\"mark-alert\""), 4);
	CHECK(has(page, "<title>connect: api.mixpanel.com 203.0.113.10:443/tcp, telemetry"));
	CHECK(has(page, "REACHABLE from the network"));
	CHECK(has(page, "<title>FLAGGED file /home/user/.ssh/id_ed25519 (credentials"));
	CHECK(has(page, "+0s") && has(page, "+10s")); /* 12.5 s of activity, 2 s ticks */

	/* orders: alerts by severity, reachable listeners first, flagged files first */
	CHECK(pos(page, MSG_EXPOSED) < pos(page, ">" MSG_SSH));
	CHECK(pos(page, ">" MSG_SSH) < pos(page, ">" MSG_TELEMETRY));
	CHECK(pos(page, ">" MSG_TELEMETRY) < pos(page, ">" MSG_UNNAMED));
	CHECK(pos_in(page, "listeners", "0.0.0.0:11434/") >= 0);
	CHECK(pos_in(page, "listeners", "0.0.0.0:11434/") <
	      pos_in(page, "listeners", "127.0.0.1:8080/"));
	CHECK(has(page, "<tr class=\"hot\"><td class=\"addr\">0.0.0.0:11434/tcp"));
	CHECK(pos(page, ">/home/user/.ssh/id_ed25519<") < pos(page, ">/models/llama-3"));
	CHECK(pos(page, ">/home/user/Documents/tax-2025.pdf<") < pos(page, ">/etc/hosts<"));
	CHECK(pos(page, ">/models/llama-3") < pos(page, ">/opt/chatty/lib/libchat.so<"));
	CHECK(pos(page, ">/opt/chatty/lib/libchat.so<") < pos(page, ">/etc/hosts<"));
	/* endpoints by classification: telemetry, unknown, update, model-download */
	CHECK(pos_in(page, "endpoints", ">api.mixpanel.com<") >= 0);
	CHECK(pos_in(page, "endpoints", ">api.mixpanel.com<") <
	      pos_in(page, "endpoints", "192.0.2.99:443/"));
	CHECK(pos_in(page, "endpoints", "192.0.2.99:443/") <
	      pos_in(page, "endpoints", ">updates.chatty.example<"));
	CHECK(pos(page, ">updates.chatty.example<") < pos(page, ">huggingface.co<"));

	/* hostile strings of the sample: shown escaped, never as markup */
	CHECK(has(page, "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;\\x1b[31m\\xff"));
	CHECK(has(page, "--name=&lt;b&gt;me&lt;/b&gt;"));
	check_inert(page, false);

	/* the sample the browser test opens */
	{
		const char *b = getenv("BUILD");
		char path[4096];
		FILE *out;

		snprintf(path, sizeof(path), "%s/report-sample.html", b && *b ? b : "build");
		out = fopen(path, "w");
		CHECK(out != NULL);
		if (out) {
			CHECK_INT(report_write_html(out, doc), 0);
			CHECK_INT(fclose(out), 0);
		}
		/* the document too: a seed of fuzz/fuzz_html.c, and a report.json to try */
		snprintf(path, sizeof(path), "%s/report-sample.json", b && *b ? b : "build");
		out = fopen(path, "w");
		CHECK(out != NULL);
		if (out) {
			char *json = cJSON_Print(doc);

			CHECK(json != NULL);
			if (json)
				fputs(json, out);
			free(json);
			CHECK_INT(fclose(out), 0);
		}
	}
	free(page);
	cJSON_Delete(doc);
}

static void test_complete(void)
{
	cJSON *doc = sample_doc(true);
	int rc;
	char *page = render(doc, &rc);

	CHECK_INT(rc, 0);
	CHECK(has(page, "class=\"banner complete\""));
	CHECK(has(page, "Capture complete"));
	CHECK(!has(page, "INCOMPLETE"));
	CHECK(has(page, "Events lost: 0"));
	CHECK(has(page, "<span class=\"ok\">intact</span>"));
	CHECK(!has(page, "Evaluated command")); /* evaluation null: llmwatch report's */
	check_inert(page, false);
	free(page);
	cJSON_Delete(doc);
}

/* Every string of the document replaced by a hostile one, keys included. */
static void make_hostile(cJSON *node, int *n)
{
	static const char *const evil[] = {
		"<script>alert(1)</script>",
		"\"><img src=x onerror=alert(2)>",
		"' onmouseover='alert(3)' x='",
		"</title><svg onload=alert(4)>",
		"</style><script src=https://evil.example/x.js></script>",
		"javascript:alert(5)",
		"<!-- \xff\xfe\xc3 -->",
		"\x1b]0;pwned\x07\r\n<a href=\"https://evil.example/\">",
		"x\xe2\x80\xaegpj.exe &amp; &#60;",
		"<link rel=stylesheet href=http://evil.example/a.css>",
	};
	cJSON *c;

	cJSON_ArrayForEach(c, node)
	{
		if (c->string) {
			/* keys of the loss counters are printed: make those hostile too */
			const char *k = evil[(*n)++ % (sizeof(evil) / sizeof(evil[0]))];

			if (cJSON_IsNumber(c) && c->valuedouble != 0) {
				char *nk = strdup(k);

				if (nk) {
					cJSON_free(c->string);
					c->string = nk;
				}
			}
		}
		if (cJSON_IsString(c)) {
			char *ns = strdup(evil[(*n)++ % (sizeof(evil) / sizeof(evil[0]))]);

			if (ns) {
				cJSON_free(c->valuestring);
				c->valuestring = ns;
			}
		}
		make_hostile(c, n);
	}
}

static void test_hostile(void)
{
	cJSON *doc = sample_doc(false);
	int n = 0, rc;
	char *page;

	make_hostile(doc, &n);
	page = render(doc, &rc);
	CHECK_INT(rc, 0);
	check_inert(page, true);
	/* the handlers and links are there as text only (the lexer allows no such attribute) */
	CHECK(!has(page, "<svg onload"));
	CHECK(!has(page, "<a href=\"h"));
	CHECK(!has(page, "<link rel"));
	CHECK(has(page, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	CHECK(has(page, "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"));
	CHECK(has(page, "&#39; onmouseover=&#39;alert(3)&#39; x=&#39;"));
	CHECK(has(page, "&lt;!-- \\xff\\xfe\\xc3 --&gt;"));
	CHECK(has(page, "\\x1b]0;pwned\\x07\\r\\n"));
	CHECK(has(page, "x\\xe2\\x80\\xaegpj.exe &amp;amp; &amp;#60;"));
	/* nothing unknown lands in a class: the badges fall back to ours */
	CHECK(has(page, "class=\"badge unknown-word\""));
	free(page);
	cJSON_Delete(doc);
}

/* Documents with missing fields, nulls and wrong types: a page, with "unknown" in it. */
static void test_wrong_types(void)
{
	static const char *const docs[] = {
		"{}",
		"[]",
		"null",
		"42",
		"\"report\"",
		"{\"report_version\":\"1\",\"generator\":7,\"captures\":{},\"completeness\":[],"
		"\"summary\":\"x\",\"endpoints\":{},\"listeners\":5,\"files\":\"a\","
		"\"processes\":true,\"alerts\":null}",
		"{\"completeness\":{\"verdict\":3,\"reasons\":[1,null,{}],\"lost\":{\"total\":"
		"\"many\",\"by_type\":[1],\"by_reason\":{\"x\":\"y\",\"big\":1e300},\"windows\":"
		"[1,{\"from\":5,\"to\":null,\"lost\":-3}]}}}",
		"{\"processes\":[null,1,\"x\",[],{},{\"pid\":\"1\"},{\"pid\":1.5},{\"pid\":1e300},"
		"{\"pid\":-7,\"argv\":\"not an array\",\"started\":\"yesterday\",\"exited\":"
		"\"2026-13-45T99:99:99Z\"},{\"pid\":8,\"argv\":[1,null,\"a\"],\"started\":"
		"\"2026-12-05T10:00:00.1234567891234Z\",\"exit_code\":\"0\"}]}",
		"{\"endpoints\":[{\"processes\":[{\"pid\":1},null,7],\"port\":\"443\",\"first\":"
		"\"2026-12-05T10:00:00Z\",\"last\":\"1970-01-01T00:00:00Z\",\"bytes_sent\":-5,"
		"\"classification\":[]},{}],\"listeners\":[{\"pid\":1,\"reachable\":\"yes\"},"
		"{\"reachable\":null}],\"files\":[{\"flagged\":1,\"processes\":{}},{\"path\":null}],"
		"\"alerts\":[{\"severity\":null,\"pid\":{}},{\"count\":1e20,\"first\":\"\"}],"
		"\"captures\":[{\"chain\":null,\"sealed\":\"true\"},7]}",
		"{\"captures\":[{\"start\":\"2026-12-05T10:00:00Z\",\"end\":\"2026-12-05T10:00:00Z\"}],"
		"\"processes\":[{\"pid\":1,\"started\":\"2026-12-05T10:00:00Z\"}],"
		"\"alerts\":[{\"pid\":1,\"first\":\"2026-12-05T10:00:00Z\"}]}",
		"{\"captures\":[{\"start\":\"0000-01-01T00:00:00Z\",\"end\":"
		"\"9999-12-31T23:59:60.999999999Z\"}],\"processes\":[{\"pid\":1}],"
		"\"files\":[{\"processes\":[{\"pid\":1}],\"first\":\"9999-12-31T23:59:59Z\"}]}",
	};

	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		cJSON *doc = cJSON_Parse(docs[i]);
		int rc;
		char *page;

		CHECK(doc != NULL);
		if (!doc)
			continue;
		page = render(doc, &rc);
		CHECK_INT(rc, 0);
		if (!has(page, "unknown"))
			fprintf(stderr, "document %zu: no \"unknown\" on the page\n", i);
		CHECK(has(page, "unknown"));
		check_inert(page, false);
		free(page);
		cJSON_Delete(doc);
	}
	/* a NaN and an infinity, which JSON cannot hold but a cJSON tree can */
	{
		cJSON *doc = sample_doc(false);
		cJSON *p = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "processes"), 0);
		int rc;
		char *page;

		cJSON_ReplaceItemInObject(p, "pid", cJSON_CreateNumber(NAN));
		cJSON_ReplaceItemInObject(p, "ppid", cJSON_CreateNumber(INFINITY));
		page = render(doc, &rc);
		CHECK_INT(rc, 0);
		check_inert(page, false);
		free(page);
		cJSON_Delete(doc);
	}
}

/* Many unflagged "other" files fold under a summary; few stay in the table. */
static void test_files_folded(void)
{
	for (int many = 0; many < 2; many++) {
		cJSON *doc = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(doc, "files");
		int n = many ? 15 : 5, rc;
		char path[64], *page;

		add_file(arr, "/home/user/.ssh/id_rsa", "credentials", true, T("01.000000000"),
			 4121);
		for (int i = 0; i < n; i++) {
			snprintf(path, sizeof(path), "/usr/lib/lib%02d.so", i);
			add_file(arr, path, "other", false, T("00.500000000"), 4121);
		}
		add_file(arr, "/models/m.gguf", "model", false, T("02.000000000"), 4121);
		page = render(doc, &rc);
		CHECK_INT(rc, 0);
		CHECK(has(page, "/usr/lib/lib00.so") && has(page, "/usr/lib/lib04.so"));
		if (many) {
			CHECK(has(page, "<summary>15 other files, not flagged"));
			CHECK(has(page, "/usr/lib/lib14.so"));
			/* the flagged and the model file before the fold, the others in it */
			CHECK(pos(page, ">/models/m.gguf<") < pos(page, "<details"));
			CHECK(pos(page, ">/home/user/.ssh/id_rsa<") < pos(page, "<details"));
			CHECK(pos(page, "<details") < pos(page, ">/usr/lib/lib00.so<"));
		} else {
			CHECK(!has(page, "<details"));
		}
		check_inert(page, false);
		free(page);
		cJSON_Delete(doc);
	}
}

/* The axis of the timeline: a few ticks in a unit that fits, whatever the span. */
static void test_axis(void)
{
	static const struct {
		const char *first, *last, *label;
	} spans[] = {
		{ T("00.000000000"), T("00.000000500"), "+0ms" },
		{ T("00.000000000"), T("00.004000000"), "+4ms" },
		{ T("00.000000000"), T("59.000000000"), "+50s" },
		{ "2026-12-05T10:00:00Z", "2026-12-05T13:00:00Z", "+3h" },
		{ "2026-12-05T10:00:00Z", "2036-12-05T10:00:00Z", "d<" },
	};

	for (size_t i = 0; i < sizeof(spans) / sizeof(spans[0]); i++) {
		cJSON *doc = cJSON_CreateObject();
		cJSON *p = cJSON_CreateObject();
		int rc, ticks;
		char *page;

		cJSON_AddNumberToObject(p, "pid", 1);
		add_str(p, "started", spans[i].first);
		add_str(p, "exited", spans[i].last);
		cJSON_AddItemToArray(cJSON_AddArrayToObject(doc, "processes"), p);
		page = render(doc, &rc);
		CHECK_INT(rc, 0);
		ticks = count(page, "text-anchor=\"middle\"");
		if (!has(page, spans[i].label) || ticks < 1 || ticks > 10)
			fprintf(stderr, "span %zu: %d ticks, no \"%s\"\n", i, ticks,
				spans[i].label);
		CHECK(has(page, spans[i].label));
		CHECK(ticks >= 1 && ticks <= 10);
		check_inert(page, false);
		free(page);
		cJSON_Delete(doc);
	}
}

static uint32_t rng_state = 0x9e3779b9u;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static int count_nodes(const cJSON *n)
{
	int c = 1;
	const cJSON *it;

	cJSON_ArrayForEach(it, n)
	{
		c += count_nodes(it);
	}
	return c;
}

/* The k-th node below n in document order (k >= 1), with its parent. */
static cJSON *nth_node(cJSON *n, int *k, cJSON **parent)
{
	cJSON *it, *r;

	cJSON_ArrayForEach(it, n)
	{
		if (--*k == 0) {
			*parent = n;
			return it;
		}
		r = nth_node(it, k, parent);
		if (r)
			return r;
	}
	return NULL;
}

/* The sample with nodes swapped for values of other types: every page still safe. */
static void test_mutations(void)
{
	int bad = 0;

	for (int iter = 0; iter < 1500; iter++) {
		cJSON *doc = sample_doc(iter & 1), *parent = NULL, *node, *repl;
		int nodes = count_nodes(doc), rc;
		char *page;

		for (int m = 0; m < 3; m++) {
			int k;

			if (nodes < 2)
				break;
			k = 1 + (int)(rng() % (uint32_t)(nodes - 1));

			node = nth_node(doc, &k, &parent);
			if (!node)
				continue;
			switch (rng() % 6) {
			case 0:
				repl = cJSON_CreateNull();
				break;
			case 1:
				repl = cJSON_CreateNumber((double)(int32_t)rng());
				break;
			case 2:
				repl = cJSON_CreateString("<x>\xff");
				break;
			case 3:
				repl = cJSON_CreateArray();
				break;
			case 4:
				repl = cJSON_CreateObject();
				break;
			default:
				repl = cJSON_CreateBool(rng() & 1);
				break;
			}
			cJSON_ReplaceItemViaPointer(parent, node, repl);
			nodes = count_nodes(doc);
		}
		page = render(doc, &rc);
		if (rc != 0 || !html_page_is_safe(page))
			bad++;
		free(page);
		cJSON_Delete(doc);
	}
	CHECK_INT(bad, 0);
}

static void test_errors(void)
{
	cJSON *doc = sample_doc(false);
	FILE *full = fopen("/dev/full", "w");

	CHECK_INT(report_write_html(stdout, NULL), -EINVAL);
	CHECK(full != NULL);
	if (full) {
		CHECK_INT(report_write_html(full, doc), -EIO);
		fclose(full);
	}
	cJSON_Delete(doc);
}

int main(void)
{
	test_sample();
	test_complete();
	test_hostile();
	test_wrong_types();
	test_axis();
	test_files_folded();
	test_mutations();
	test_errors();
	return check_summary("test_report_html");
}
