// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of the syslog output: RFC 5424 formatting (PRI, header fields, structured data),
 * the escaping of a hostile process name and path, RFC 6587 octet framing over a real
 * loopback TCP connection, the bounded queue and its drop count (and the message that tells
 * it when the link is back), a collector closing the connection, datagrams on a unix socket,
 * and the errors of the option parser.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "check.h"
#include "rules/rules.h"
#include "sinks/sink_registry.h"
#include "sinks/sink_syslog.h"
#include "sinks/syslog_format.h"
#include "sinks/syslog_transport.h"
#include "util/timefmt.h"

#define SEC 1000000000ull

static char tmpdir[64];

static struct syslog_ident ident(void)
{
	struct syslog_ident id = { .facility = 3, .procid = 42 };

	strcpy(id.hostname, "host1");
	strcpy(id.app, "llmwatch");
	return id;
}

/* An open event by a process whose name and path are hostile. */
static struct lw_event hostile_open(void)
{
	static const char path[] = "/tmp/a\"b\\c]d\n\x1b[2J\xff.txt";
	struct lw_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = LW_REC_OPEN;
	ev.pid = ev.tid = 4121;
	ev.ppid = 1;
	ev.tool = "ollama";
	ev.exe = "/usr/bin/ollama";
	/* a newline, a screen-clearing escape, a ']' and a byte that is not UTF-8 */
	memcpy(ev.comm, "x\n\x1b[2J]\xff", 9);
	ev.path = path;
	ev.path_len = sizeof(path) - 1;
	ev.wall.tv_sec = 1700000000;
	ev.wall.tv_nsec = 123456000;
	return ev;
}

static struct rules_verdict verdict(const char *rule, enum rules_severity sev,
				    enum rules_action act, const char *msg)
{
	struct rules_verdict v;

	memset(&v, 0, sizeof(v));
	v.rule = rule;
	v.severity = sev;
	v.action = act;
	snprintf(v.message, sizeof(v.message), "%s", msg);
	return v;
}

static bool has_control(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] == 0x7f)
			return true;
	}
	return false;
}

static void test_format(void)
{
	struct syslog_ident id = ident();
	struct lw_event ev = hostile_open();
	struct rules_verdict v = verdict("file-credentials", RULES_SEV_HIGH, RULES_ACTION_ALERT,
					 "ollama (pid 4121) opened /tmp/x");
	char buf[SYSLOG_MSG_MAX];
	int n = syslog_format_alert(buf, sizeof(buf), &id, &ev, &v);

	CHECK(n > 0);
	/* daemon (3) * 8 + err (3) = 27; the escaped name's '\' and ']' escaped again for SD */
	CHECK_STR(buf, "<27>1 2023-11-14T22:13:20.123456Z host1 llmwatch 42 file-credentials "
		       "[llmwatch@32473 rule=\"file-credentials\" severity=\"high\" "
		       "tool=\"ollama\" pid=\"4121\" comm=\"x\\\\n\\\\x1b[2J\\]\\\\xff\" "
		       "exe=\"/usr/bin/ollama\" type=\"open\" "
		       "path=\"/tmp/a\\\"b\\\\\\\\c\\]d\\\\n\\\\x1b[2J\\\\xff.txt\"] "
		       "ollama (pid 4121) opened /tmp/x");
	CHECK_INT(n, strlen(buf));
	CHECK(!has_control(buf, (size_t)n));

	/* a network alert: host, daddr, dport, bytes; critical is crit (2); local7 = 23 */
	{
		struct lw_sockaddr a = { .family = 2, .port = 443 };
		struct lw_event e2;

		memset(&e2, 0, sizeof(e2));
		e2.type = LW_REC_SEND;
		e2.pid = 7;
		e2.tool = "gpt4all";
		e2.exe = "/opt/gpt4all/bin/chat";
		strcpy(e2.comm, "chat");
		a.addr[0] = 10;
		a.addr[3] = 9;
		e2.addr = &a;
		e2.host = "api.mixpanel.com";
		e2.bytes = 1234;
		id.facility = 23;
		v = verdict("telemetry-mixpanel", RULES_SEV_CRITICAL, RULES_ACTION_ALERT,
			    "chat sent 1.2 KiB\nFAKE");
		n = syslog_format_alert(buf, sizeof(buf), &id, &e2, &v);
		CHECK(n > 0);
		CHECK(strncmp(buf,
			      "<186>1 1970-01-01T00:00:00.000000Z host1 llmwatch 42 "
			      "telemetry-mixpanel [",
			      73) == 0);
		CHECK(strstr(buf, " host=\"api.mixpanel.com\" daddr=\"10.0.0.9\" dport=\"443\" "
				  "bytes=\"1234\"] ") != NULL);
		/* a control byte in a message (a rule file's own text) cannot start a line */
		CHECK(strstr(buf, "] chat sent 1.2 KiB\\x0aFAKE") != NULL);
		CHECK(!has_control(buf, (size_t)n));
	}

	/* a fold summary (--fold-window) carries its count and first/last times */
	{
		struct lw_fold fold = { .count = 17,
					.first = { .tv_sec = 60 },
					.last = { .tv_sec = 119, .tv_nsec = 500000000 },
					.window_s = 60 };
		struct lw_event e3 = ev;

		e3.fold = &fold;
		v = verdict("r", RULES_SEV_HIGH, RULES_ACTION_ALERT, "m");
		n = syslog_format_alert(buf, sizeof(buf), &id, &e3, &v);
		CHECK(n > 0);
		CHECK(strstr(buf, " fold_count=\"17\" fold_first=\"1970-01-01T00:01:00") != NULL);
		CHECK(strstr(buf, " fold_last=\"1970-01-01T00:01:59.5") != NULL);
		CHECK(strstr(buf, " fold_window=\"60\"] m") != NULL);
		/* an event as it happened has none */
		n = syslog_format_alert(buf, sizeof(buf), &id, &ev, &v);
		CHECK(n > 0 && strstr(buf, "fold_") == NULL);
	}

	/* UTF-8 in MSG: the BOM first (RFC 5424 6.4); pure ASCII: none */
	v = verdict("r", RULES_SEV_INFO, RULES_ACTION_ALERT, "caf\xc3\xa9");
	n = syslog_format_alert(buf, sizeof(buf), &id, &ev, &v);
	CHECK(n > 0 && strstr(buf, "] \xef\xbb\xbf"
				   "caf\xc3\xa9") != NULL);
	CHECK(strncmp(buf, "<190>1", 6) == 0); /* local7 info */

	/* too small a buffer is an error, not a cut message */
	CHECK_INT(syslog_format_alert(buf, 100, &id, &ev, &v), -EMSGSIZE);

	/* the dropped-count message */
	id.facility = 3;
	n = syslog_format_dropped(buf, sizeof(buf), &id, ev.wall, 17, 8, "tcp://h:1");
	CHECK(n > 0);
	CHECK(strstr(buf,
		     "<28>1 2023-11-14T22:13:20.123456Z host1 llmwatch 42 dropped "
		     "[llmwatch@32473 dropped=\"17\" queue=\"8\"] llmwatch dropped 17 alert(s)") ==
	      buf);
}

static void test_fields(void)
{
	char f[64], sd[16];

	CHECK_INT(syslog_facility_parse("daemon"), 3);
	CHECK_INT(syslog_facility_parse("local0"), 16);
	CHECK_INT(syslog_facility_parse("authpriv"), 10);
	CHECK_INT(syslog_facility_parse("Daemon"), -EINVAL);
	CHECK_STR(syslog_facility_name(23), "local7");
	CHECK(syslog_facility_name(24) == NULL);
	CHECK_INT(syslog_severity_of(RULES_SEV_CRITICAL), 2);
	CHECK_INT(syslog_severity_of(RULES_SEV_HIGH), 3);
	CHECK_INT(syslog_severity_of(RULES_SEV_MEDIUM), 4);
	CHECK_INT(syslog_severity_of(RULES_SEV_LOW), 5);
	CHECK_INT(syslog_severity_of(RULES_SEV_INFO), 6);

	syslog_header_field(f, sizeof(f), "my host\n\xc3\xa9", 255);
	CHECK_STR(f, "my_host___");
	syslog_header_field(f, sizeof(f), "", 255);
	CHECK_STR(f, "-");
	syslog_header_field(f, sizeof(f), "a-very-long-rule-id-that-is-longer-than-32", 32);
	CHECK_STR(f, "a-very-long-rule-id-that-is-long");
	CHECK(syslog_app_name_ok("llmwatch"));
	CHECK(!syslog_app_name_ok(""));
	CHECK(!syslog_app_name_ok("a b"));
	CHECK(!syslog_app_name_ok("0123456789012345678901234567890123456789012345678"));

	/* cut between characters, never after a lone backslash or inside UTF-8 */
	CHECK_INT(syslog_sd_escape(sd, sizeof(sd), "ab]\"\\", 5), 8);
	CHECK_STR(sd, "ab\\]\\\"\\\\");
	CHECK_INT(syslog_sd_escape(sd, 4, "ab]", 3), 2);
	CHECK_STR(sd, "ab");
	CHECK_INT(syslog_sd_escape(sd, 4, "a\xc3\xa9", 3), 3);
	CHECK_INT(syslog_sd_escape(sd, 3, "a\xc3\xa9", 3), 1);
	CHECK_STR(sd, "a");

	CHECK_INT(syslog_frame_prefix(f, sizeof(f), 123), 4);
	CHECK_STR(f, "123 ");
	CHECK_INT(syslog_frame_prefix(f, 3, 123), 0);
}

static void test_options(void)
{
	struct sink_syslog_config c;
	char err[512];

	CHECK_INT(sink_syslog_parse(NULL, &c, err, sizeof(err)), 0);
	CHECK_INT(c.target.proto, SYSLOG_UNIX);
	CHECK_STR(c.target.path, "/dev/log");
	CHECK_INT(c.facility, 3);
	CHECK_STR(c.app, "llmwatch");
	CHECK_INT(c.queue, SINK_SYSLOG_QUEUE_DEFAULT);

	CHECK_INT(sink_syslog_parse(",facility=local3,app=lw-test,queue=5", &c, err, sizeof(err)),
		  0);
	CHECK_INT(c.target.proto, SYSLOG_UNIX);
	CHECK_INT(c.facility, 19);
	CHECK_STR(c.app, "lw-test");
	CHECK_INT(c.queue, 5);

	CHECK_INT(sink_syslog_parse("tls://[::1]:6514,ca=/x/ca.pem,cert=/x/c.pem,key=/x/k.pem", &c,
				    err, sizeof(err)),
		  0);
	CHECK_INT(c.target.proto, SYSLOG_TLS);
	CHECK_STR(c.target.host, "::1");
	CHECK_STR(c.target.port, "6514");
	CHECK_STR(c.ca, "/x/ca.pem");
	CHECK_STR(c.key, "/x/k.pem");
	CHECK_INT(sink_syslog_parse("tcp://collector.example", &c, err, sizeof(err)), 0);
	CHECK_STR(c.target.host, "collector.example");
	CHECK_STR(c.target.port, "514");
	CHECK_INT(sink_syslog_parse("udp://10.0.0.1:5514", &c, err, sizeof(err)), 0);
	CHECK_INT(c.target.proto, SYSLOG_UDP);
	CHECK_STR(c.target.port, "5514");
	CHECK_INT(sink_syslog_parse("unix:/run/x.sock", &c, err, sizeof(err)), 0);
	CHECK_STR(c.target.path, "/run/x.sock");

	CHECK_INT(sink_syslog_parse("http://x", &c, err, sizeof(err)), -EINVAL);
	CHECK(strncmp(err, "bad target \"http://x\": expected unix:PATH, udp://", 49) == 0);
	CHECK_INT(sink_syslog_parse("tcp://x:0", &c, err, sizeof(err)), -EINVAL);
	CHECK_INT(sink_syslog_parse("tcp://x:65536", &c, err, sizeof(err)), -EINVAL);
	CHECK_INT(sink_syslog_parse("tcp://:514", &c, err, sizeof(err)), -EINVAL);
	CHECK_INT(sink_syslog_parse("tcp://::1:514", &c, err, sizeof(err)), -EINVAL);
	CHECK_INT(sink_syslog_parse("unix:relative", &c, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "bad target \"unix:relative\"") == err);
	CHECK_INT(sink_syslog_parse(",facility=locl3", &c, err, sizeof(err)), -EINVAL);
	CHECK(strncmp(err, "facility=\"locl3\": unknown facility; known: kern, user,", 54) == 0);
	CHECK_INT(sink_syslog_parse(",app=a b", &c, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "app=\"a b\": 1 to 48 printable ASCII") == err);
	CHECK_INT(sink_syslog_parse(",queue=0", &c, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "queue=\"0\": a number of messages from 1 to 1000000");
	CHECK_INT(sink_syslog_parse(",queue=12x", &c, err, sizeof(err)), -EINVAL);
	CHECK_INT(sink_syslog_parse(",queue=-1", &c, err, sizeof(err)), -EINVAL);
	CHECK_INT(sink_syslog_parse(",colour=red", &c, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "unknown option \"colour\"") == err);
	CHECK_INT(sink_syslog_parse(",facility", &c, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "option \"facility\": expected NAME=VALUE");
	CHECK_INT(sink_syslog_parse("tcp://h:1,ca=/x/ca.pem", &c, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "ca=/x/ca.pem: certificates are for tls:// targets only");

	/* the registry hands "syslog,OPTS" over with its comma; path outputs take no options */
	{
		struct sink_spec sp;

		CHECK_INT(sink_registry_parse("syslog,facility=local3", &sp, err, sizeof(err)), 0);
		CHECK_STR(sp.row->name, "syslog");
		CHECK_STR(sp.arg, ",facility=local3");
		CHECK_INT(sink_registry_parse("syslog:tcp://h:1,queue=3", &sp, err, sizeof(err)),
			  0);
		CHECK_STR(sp.arg, "tcp://h:1,queue=3");
		CHECK_INT(sink_registry_parse("syslog", &sp, err, sizeof(err)), 0);
		CHECK(sp.arg == NULL);
		CHECK_INT(sink_registry_parse("syslog:", &sp, err, sizeof(err)), -EINVAL);
		CHECK_STR(err, "\"syslog:\": nothing after ':' (syslog[:TARGET][,OPT=V])");
		CHECK_INT(sink_registry_parse("text,x", &sp, err, sizeof(err)), -EINVAL);
		CHECK(strncmp(err, "\"text,x\": unknown output", 24) == 0);
	}

	/* the files are checked when the sink opens, naming the file */
	CHECK(sink_syslog_open_with("tls://127.0.0.1:1,ca=/nonexistent/ca.pem", "t", NULL, 0, 0,
				    err, sizeof(err)) == NULL);
	CHECK_STR(err, "ca=/nonexistent/ca.pem: cannot read: No such file or directory");
	{
		char ca[128];
		FILE *f;

		snprintf(ca, sizeof(ca), "%s/notaca.pem", tmpdir);
		f = fopen(ca, "w");
		fputs("not a certificate\n", f);
		fclose(f);
		snprintf(err, sizeof(err), "tls://127.0.0.1:1,ca=%s", ca);
		CHECK(sink_syslog_open_with(err, "t", NULL, 0, 0, err, sizeof(err)) == NULL);
		CHECK(strstr(err, "notaca.pem: no CA certificate in it") != NULL);
	}
}

/* A TCP listener on 127.0.0.1 (port 0: any), or on port. */
static int listen_on(uint16_t *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(*port) };
	socklen_t sl = sizeof(sa);
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 4)) {
		close(fd);
		return -1;
	}
	getsockname(fd, (struct sockaddr *)&sa, &sl);
	*port = ntohs(sa.sin_port);
	return fd;
}

/* Polls tr (its clock at *now, moved on by step) until cond or 200 rounds. */
#define POLL_UNTIL(tr, now, step, cond)                       \
	do {                                                  \
		for (int i_ = 0; i_ < 200 && !(cond); i_++) { \
			*(now) += (step);                     \
			syslog_transport_poll((tr), *(now));  \
			poll(NULL, 0, 5);                     \
		}                                             \
	} while (0)

/* Reads from fd until it holds want bytes or 2 s pass; returns what it got. */
static size_t read_some(int fd, char *buf, size_t size, size_t want)
{
	size_t got = 0;

	for (int i = 0; i < 200 && got < want && got + 1 < size; i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 10) <= 0)
			continue;
		n = recv(fd, buf + got, size - 1 - got, MSG_DONTWAIT);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	return got;
}

static int test_dropped_msg(void *arg, uint64_t n, char *buf, size_t size)
{
	struct syslog_ident id = ident();
	struct timespec ts = { 0 };

	(void)arg;
	return syslog_format_dropped(buf, size, &id, ts, n, 3, "tcp://test");
}

static void test_tcp_framing_queue_reconnect(void)
{
	struct syslog_transport_opts o = {
		.queue_max = 3,
		.name = "syslog:test",
		.dropped_msg = test_dropped_msg,
		.backoff_min_ns = SEC,
		.backoff_max_ns = 4 * SEC,
	};
	struct syslog_transport_stats st;
	struct syslog_transport *tr;
	char err[256], buf[4096];
	uint64_t now = 1000 * SEC;
	uint16_t port = 0;
	int lfd = listen_on(&port), cfd;
	size_t got;

	CHECK(lfd >= 0);
	snprintf(buf, sizeof(buf), "tcp://127.0.0.1:%u", port);
	CHECK_INT(syslog_target_parse(buf, &o.target, err, sizeof(err)), 0);
	tr = syslog_transport_new(&o, now, err, sizeof(err));
	CHECK(tr != NULL);
	if (!tr)
		return;
	POLL_UNTIL(tr, &now, 1000, (syslog_transport_stats(tr, &st), st.up));
	CHECK(st.up);
	cfd = accept(lfd, NULL, NULL);
	CHECK_INT(syslog_transport_send(tr, "hello", 5, now), 0);
	CHECK_INT(syslog_transport_send(tr, "<14>1 - - - - - - x y", 21, now), 0);
	got = read_some(cfd, buf, sizeof(buf), 7 + 24);
	/* RFC 6587 octet counting: "LEN SP MSG", back to back */
	CHECK_STR(buf, "5 hello21 <14>1 - - - - - - x y");
	CHECK_INT(got, 31);

	/* the collector goes away: the next alerts wait, up to 3; the rest are counted */
	close(cfd);
	close(lfd);
	POLL_UNTIL(tr, &now, SEC / 10, (syslog_transport_stats(tr, &st), !st.up));
	CHECK(!st.up);
	CHECK_INT(syslog_transport_send(tr, "one", 3, now), 0);
	CHECK_INT(syslog_transport_send(tr, "two", 3, now), 0);
	CHECK_INT(syslog_transport_send(tr, "three", 5, now), 0);
	CHECK_INT(syslog_transport_send(tr, "four", 4, now), -ENOBUFS);
	CHECK_INT(syslog_transport_send(tr, "five", 4, now), -ENOBUFS);
	syslog_transport_stats(tr, &st);
	CHECK_INT(st.queued, 3);
	CHECK_INT(st.dropped, 2);
	CHECK_INT(st.unreported, 2);
	CHECK_INT(st.sent, 2);

	/* it comes back on the same port: reconnected after the back-off, the notice first */
	lfd = listen_on(&port);
	CHECK(lfd >= 0);
	POLL_UNTIL(tr, &now, SEC / 2, (syslog_transport_stats(tr, &st), st.up));
	CHECK(st.up);
	cfd = accept(lfd, NULL, NULL);
	POLL_UNTIL(tr, &now, 1000, (syslog_transport_stats(tr, &st), st.queued == 0));
	got = read_some(cfd, buf, sizeof(buf), 150);
	CHECK(got > 0);
	CHECK(strstr(buf, " dropped [llmwatch@32473 dropped=\"2\" queue=\"3\"] llmwatch dropped 2 "
			  "alert(s)") != NULL);
	CHECK(strstr(buf, "3 one3 two5 three") != NULL);
	CHECK(strstr(buf, "four") == NULL);
	syslog_transport_stats(tr, &st);
	CHECK_INT(st.sent, 5);
	CHECK_INT(st.unreported, 0);
	CHECK_INT(st.dropped, 2);
	CHECK_INT(st.connects, 2);
	CHECK_INT(syslog_transport_drain(tr, 100), 0);
	syslog_transport_free(tr);
	close(cfd);
	close(lfd);
}

/* Datagrams on a unix socket: whole messages, no framing; and through the sink itself. */
static void test_unix_sink(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct lw_event ev = hostile_open();
	struct rules_verdict v[2];
	char arg[256], err[256], buf[SYSLOG_MSG_MAX + 1], *diag = NULL;
	size_t diag_len = 0;
	FILE *df = open_memstream(&diag, &diag_len);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sink *s;
	ssize_t n;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/log.sock", tmpdir);
	CHECK(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	snprintf(arg, sizeof(arg), "unix:%s,facility=local3,app=lw-test", sa.sun_path);
	s = sink_syslog_open_with(arg, "syslog:test", df, 0, 0, err, sizeof(err));
	CHECK(s != NULL);
	if (!s)
		return;
	/* a log-only verdict is not an alert: one message, for the alert */
	v[0] = verdict("quiet", RULES_SEV_LOW, RULES_ACTION_LOG, "not sent");
	v[1] = verdict("loud", RULES_SEV_MEDIUM, RULES_ACTION_ALERT, "sent");
	CHECK_INT(s->ops->event(s, &ev, v, 2), 0);
	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	CHECK(n > 0);
	buf[n > 0 ? n : 0] = '\0';
	/* local3 (19) * 8 + warning (4) = 156 */
	CHECK(strncmp(buf, "<156>1 2023-11-14T22:13:20.123456Z ", 35) == 0);
	CHECK(strstr(buf, " lw-test ") != NULL);
	CHECK(strstr(buf, " loud [llmwatch@32473 rule=\"loud\"") != NULL);
	CHECK(n > 6 && strcmp(buf + n - 6, "] sent") == 0);
	CHECK(recv(fd, buf, sizeof(buf), MSG_DONTWAIT) < 0);

	/* the collector goes away: queued; back: delivered, and the outage told on diag */
	close(fd);
	unlink(sa.sun_path);
	CHECK_INT(s->ops->event(s, &ev, v, 2), 0);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	n = -1;
	for (int i = 0; i < 400 && n < 0; i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		sink_flush(s);
		poll(&p, 1, 10);
		n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	}
	CHECK(n > 0);
	sink_destroy(s);
	fclose(df);
	CHECK(strstr(diag, "llmwatch: output syslog:test: link down (") != NULL);
	CHECK(strstr(diag, "llmwatch: output syslog:test: link up again: 1 messages queued") !=
	      NULL);
	free(diag);
	close(fd);
	unlink(sa.sun_path);
}

/*
 * A collector too slow to keep up (a unix socket nobody reads): the queue takes what the
 * socket refuses, what is beyond it is dropped and counted, and once it drains the count is
 * told after the queued messages. Nothing is lost silently while the link stays up.
 */
static void test_slow_collector(void)
{
	struct syslog_transport_opts o = {
		.queue_max = 3,
		.name = "syslog:slow",
		.dropped_msg = test_dropped_msg,
		.backoff_min_ns = SEC,
		.backoff_max_ns = SEC,
	};
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct syslog_transport_stats st;
	struct syslog_transport *tr;
	char err[256], buf[512], last[512] = "";
	uint64_t now = 1000 * SEC, accepted = 0, got = 0;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), e = 0;
	ssize_t n;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/slow.sock", tmpdir);
	CHECK(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	snprintf(buf, sizeof(buf), "unix:%s", sa.sun_path);
	CHECK_INT(syslog_target_parse(buf, &o.target, err, sizeof(err)), 0);
	tr = syslog_transport_new(&o, now, err, sizeof(err));
	CHECK(tr != NULL);
	if (!tr)
		return;
	/* until the socket is full and the queue with it */
	for (int i = 0; i < 100000 && e != -ENOBUFS; i++) {
		e = syslog_transport_send(tr, "m", 1, now);
		accepted += e == 0;
	}
	CHECK_INT(e, -ENOBUFS);
	CHECK_INT(syslog_transport_send(tr, "m", 1, now), -ENOBUFS);
	syslog_transport_stats(tr, &st);
	CHECK(st.up);
	CHECK_INT(st.queued, 3);
	CHECK_INT(st.dropped, 2);
	/* the collector catches up: everything accepted arrives, then the count */
	for (int i = 0; i < 100000; i++) {
		n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
		if (n < 0) {
			syslog_transport_poll(tr, now);
			n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
			if (n < 0)
				break;
		}
		buf[n] = '\0';
		got += strcmp(buf, "m") == 0;
		snprintf(last, sizeof(last), "%s", buf);
	}
	CHECK_INT(got, accepted);
	CHECK(strstr(last, "[llmwatch@32473 dropped=\"2\" queue=\"3\"]") != NULL);
	syslog_transport_stats(tr, &st);
	CHECK_INT(st.sent, accepted);
	CHECK_INT(st.unreported, 0);
	syslog_transport_free(tr);
	close(fd);
	unlink(sa.sun_path);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	timefmt_init();
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/lw-syslog-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_format();
	test_fields();
	test_options();
	test_tcp_framing_queue_reconnect();
	test_unix_sink();
	test_slow_collector();
	{
		char f[128];

		snprintf(f, sizeof(f), "%s/notaca.pem", tmpdir);
		unlink(f);
		if (rmdir(tmpdir) != 0)
			fprintf(stderr, "could not remove %s: %s\n", tmpdir, strerror(errno));
	}
	return check_summary("test_syslog");
}
