/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Helpers shared by the rules unit tests: hand-built events, a fake home directory lookup
 * (no real users are created) and "which rules matched" as one comparable string.
 */
#ifndef LW_RULES_TEST_H
#define LW_RULES_TEST_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/event.h"
#include "rules/rules.h"

static int rt_home_calls;

/* uid 1000 is alice, 1001 bob, 0 root; anyone else has no passwd entry. */
static inline int rt_home(uint32_t uid, char *buf, size_t size, void *ctx)
{
	const char *h = uid == 1000 ? "/home/alice" :
			uid == 1001 ? "/home/bob/" :
			uid == 0    ? "/root" :
				      NULL;

	(void)ctx;
	rt_home_calls++;
	if (!h)
		return -ENOENT;
	snprintf(buf, size, "%s", h);
	return 0;
}

/* A copy of s with ' turned into " (rule texts in C are easier to read that way). */
static inline char *rt_q(const char *s)
{
	char *d = strdup(s);

	for (char *p = d; p && *p; p++)
		if (*p == '\'')
			*p = '"';
	return d;
}

/*
 * Builds a rule set from text (named name, ' read as "); prints the errors and returns NULL
 * on failure.
 */
static inline struct rules *rt_build(const char *name, const char *text, bool with_default)
{
	struct rules_builder *b = rules_builder_new();
	struct rules *r;

	if (!b)
		return NULL;
	if (with_default)
		rules_builder_add_default(b);
	if (text) {
		char *q = rt_q(text);

		rules_builder_add_text(b, name, q, strlen(q), false);
		free(q);
	}
	rules_builder_set_home_fn(b, rt_home, NULL);
	r = rules_builder_build(b);
	if (!r)
		for (size_t i = 0; i < rules_builder_error_count(b); i++)
			fprintf(stderr, "  rules error: %s\n", rules_builder_error(b, i));
	rules_builder_free(b);
	return r;
}

static inline struct lw_sockaddr rt_addr(const char *ip, uint16_t port)
{
	struct lw_sockaddr sa;

	memset(&sa, 0, sizeof(sa));
	sa.port = port;
	if (inet_pton(AF_INET, ip, sa.addr) == 1)
		sa.family = AF_INET;
	else if (inet_pton(AF_INET6, ip, sa.addr) == 1)
		sa.family = AF_INET6;
	else
		abort();
	return sa;
}

static inline struct lw_event rt_net(uint16_t type, const char *tool, const char *host,
				     const struct lw_sockaddr *sa)
{
	struct lw_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.pid = 4121;
	ev.uid = 1000;
	ev.tool = tool;
	snprintf(ev.comm, sizeof(ev.comm), "%s", tool);
	ev.exe = "";
	ev.addr = sa;
	ev.host = host;
	return ev;
}

static inline struct lw_event rt_open(const char *tool, uint32_t uid, const char *path,
				      uint64_t flags, int64_t ret)
{
	struct lw_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = LW_REC_OPEN;
	ev.pid = 77;
	ev.uid = uid;
	ev.tool = tool;
	snprintf(ev.comm, sizeof(ev.comm), "%s", tool);
	ev.exe = "";
	ev.path = path;
	ev.path_len = strlen(path);
	ev.open_flags = flags;
	ev.ret = ret;
	ev.dfd = -100;
	return ev;
}

/* The ids of the matching rules joined with ',' ("" for none); static buffer. */
static inline const char *rt_ids(const struct rules *r, const struct lw_event *ev)
{
	static char out[1024];
	struct rules_verdict v[16];
	int n = rules_match(r, ev, v, 16);

	out[0] = '\0';
	if (n < 0)
		return "ERROR";
	for (int i = 0; i < n && i < 16; i++) {
		if (i)
			strcat(out, ",");
		strncat(out, v[i].rule, sizeof(out) - strlen(out) - 1);
	}
	return out;
}

/* The message of the first verdict, or "" (static buffer). */
static inline const char *rt_msg(const struct rules *r, const struct lw_event *ev)
{
	static struct rules_verdict v[4];
	int n = rules_match(r, ev, v, 4);

	return n > 0 ? v[0].message : "";
}

#endif /* LW_RULES_TEST_H */
