/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Helpers shared by the live view's unit tests: hand-built events and verdicts (as the
 * monitor hands them to a sink) for a watched tool, ollama (pid 100), its child curl
 * (pid 101), a connection to a named telemetry host, a flagged ~/.ssh read and a listener.
 */
#ifndef LW_LIVE_TEST_H
#define LW_LIVE_TEST_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/event.h"
#include "live/live_model.h"
#include "rules/rules.h"
#include "sinks/sink.h"

#define LT_T0 1700000000LL /* seconds since the epoch of the first event */

static inline struct lw_event lt_event(uint16_t type, uint32_t pid, const char *comm, int64_t ms)
{
	struct lw_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.pid = ev.tid = pid;
	ev.ppid = 1;
	ev.uid = 0;
	ev.tool = "ollama";
	ev.exe = "/usr/bin/ollama";
	ev.netns = EVENT_NETNS_HOST;
	snprintf(ev.comm, sizeof(ev.comm), "%s", comm);
	ev.wall.tv_sec = LT_T0 + ms / 1000;
	ev.wall.tv_nsec = (ms % 1000) * 1000000;
	ev.ret = 0;
	return ev;
}

static inline struct lw_sockaddr lt_addr4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port)
{
	struct lw_sockaddr s;

	memset(&s, 0, sizeof(s));
	s.family = AF_INET;
	s.port = port;
	s.addr[0] = a;
	s.addr[1] = b;
	s.addr[2] = c;
	s.addr[3] = d;
	return s;
}

static inline struct rules_verdict lt_verdict(const char *rule, enum rules_severity sev,
					      const char *const *tags, size_t n_tags,
					      const char *msg)
{
	struct rules_verdict v;

	memset(&v, 0, sizeof(v));
	v.rule = rule;
	v.description = "test";
	v.severity = sev;
	v.action = RULES_ACTION_ALERT;
	v.tags = tags;
	v.n_tags = n_tags;
	snprintf(v.message, sizeof(v.message), "%s", msg);
	return v;
}

static inline void lt_feed(struct live_model *m, const struct lw_event *ev,
			   const struct rules_verdict *v, size_t nv)
{
	struct sink *s = live_model_sink(m);

	s->ops->event(s, ev, v, nv);
}

/*
 * The run: ollama (100) starts, forks curl (101); ollama connects to api.mixpanel.com
 * (named by DNS, a telemetry rule alerts), sends 5000 bytes, connects to loopback, listens
 * on 0.0.0.0:11434, reads ~/.ssh/id_rsa (a credentials rule alerts) and three files of
 * /usr/lib/ollama; curl exits.
 */
static inline void lt_run(struct live_model *m)
{
	static const char *const tel_tags[] = { "telemetry" };
	static const char *const cred_tags[] = { "credentials" };
	static const char *const exp_tags[] = { "exposure" };
	static struct lw_sockaddr mix, lo, any;
	struct rules_verdict v;
	struct lw_event ev;
	char path[64];

	mix = lt_addr4(203, 0, 113, 10, 443);
	lo = lt_addr4(127, 0, 0, 1, 8080);
	any = lt_addr4(0, 0, 0, 0, 11434);

	ev = lt_event(LW_REC_EXEC, 100, "ollama", 0);
	ev.filename = "/usr/bin/ollama";
	ev.argv = "ollama serve";
	lt_feed(m, &ev, NULL, 0);

	ev = lt_event(LW_REC_FORK, 101, "ollama", 100);
	ev.ppid = 100;
	lt_feed(m, &ev, NULL, 0);
	ev = lt_event(LW_REC_EXEC, 101, "curl", 110);
	ev.ppid = 100;
	ev.filename = "/usr/bin/curl";
	ev.exe = "/usr/bin/curl";
	lt_feed(m, &ev, NULL, 0);

	ev = lt_event(LW_REC_CONNECT, 100, "ollama", 200);
	ev.addr = &mix;
	ev.sock_type = 1;
	ev.host = "api.mixpanel.com";
	ev.host_source = "dns";
	v = lt_verdict("t-telemetry", RULES_SEV_MEDIUM, tel_tags, 1, "ollama to api.mixpanel.com");
	lt_feed(m, &ev, &v, 1);

	ev = lt_event(LW_REC_CONN_BYTES, 100, "ollama", 300);
	ev.addr = &mix;
	ev.cookie = 7;
	ev.bytes = 5000;
	ev.host = "api.mixpanel.com";
	ev.host_source = "dns";
	lt_feed(m, &ev, NULL, 0);

	ev = lt_event(LW_REC_CONNECT, 100, "ollama", 400);
	ev.addr = &lo;
	ev.sock_type = 1;
	lt_feed(m, &ev, NULL, 0);

	ev = lt_event(LW_REC_LISTEN, 100, "ollama", 500);
	ev.addr = &any;
	ev.backlog = 128;
	v = lt_verdict("t-exposed", RULES_SEV_CRITICAL, exp_tags, 1, "ollama listens on 0.0.0.0");
	lt_feed(m, &ev, &v, 1);

	ev = lt_event(LW_REC_OPEN, 100, "ollama", 600);
	ev.path = "/root/.ssh/id_rsa";
	ev.path_len = strlen(ev.path);
	ev.open_flags = O_RDONLY;
	v = lt_verdict("t-creds", RULES_SEV_HIGH, cred_tags, 1, "ollama read /root/.ssh/id_rsa");
	lt_feed(m, &ev, &v, 1);

	for (int i = 0; i < 3; i++) {
		ev = lt_event(LW_REC_OPEN, 100, "ollama", 700 + i);
		snprintf(path, sizeof(path), "/usr/lib/ollama/lib%d.so", i);
		ev.path = path;
		ev.path_len = strlen(path);
		ev.open_flags = O_RDONLY;
		lt_feed(m, &ev, NULL, 0);
	}

	ev = lt_event(LW_REC_EXIT, 101, "curl", 900);
	ev.ppid = 100;
	lt_feed(m, &ev, NULL, 0);
}

#endif /* LW_LIVE_TEST_H */
