// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Naming: DNS answers captured over UDP and TCP name the addresses a tree connects to. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "names/dns_cache.h"
#include "names/naming.h"

/* A response to "api.mixpanel.com" type qtype; for A, one answer 203.0.113.10. */
static size_t response(uint8_t *b, unsigned int qtype)
{
	static const uint8_t name[] = "\3api\10mixpanel\3com"; /* with its root NUL */
	size_t n = 0;
	bool a = qtype == 1;

	memcpy(b + n, (const uint8_t[]){ 0x12, 0x34, 0x81, 0x80, 0, 1, 0, a, 0, 0, 0, 0 }, 12);
	n += 12;
	memcpy(b + n, name, sizeof(name));
	n += sizeof(name);
	memcpy(b + n, (const uint8_t[]){ 0, (uint8_t)qtype, 0, 1 }, 4);
	n += 4;
	if (a) {
		memcpy(b + n,
		       (const uint8_t[]){ 0xc0, 12, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4, 203, 0, 113,
					  10 },
		       16);
		n += 16;
	}
	return n;
}

/* Appends msg with its 2-byte TCP length prefix. */
static size_t framed(uint8_t *b, const uint8_t *msg, size_t len)
{
	b[0] = (uint8_t)(len >> 8);
	b[1] = (uint8_t)len;
	memcpy(b + 2, msg, len);
	return len + 2;
}

static const char *name_of(struct naming *n, const char **source)
{
	static const struct lw_sockaddr sa = {
		.family = AF_INET,
		.port = 443,
		.addr = { 203, 0, 113, 10 },
	};
	struct lw_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = LW_REC_CONNECT;
	ev.pid = 10;
	ev.ts_boot_ns = 2000000000ull;
	ev.addr = &sa;
	naming_name_event(n, &ev, 10);
	*source = ev.host_source;
	return ev.host ? ev.host : "(none)";
}

static void feed_in_at(struct naming *n, const uint8_t *p, size_t len, uint8_t proto,
		       uint32_t offset)
{
	static const struct lw_sockaddr dns = {
		.family = AF_INET,
		.port = 53,
		.addr = { 203, 0, 113, 1 },
	};
	struct lw_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = LW_REC_PAYLOAD;
	ev.pid = 10;
	ev.ts_boot_ns = 1000000000ull;
	ev.cookie = 5;
	ev.addr = &dns;
	ev.payload = p;
	ev.payload_len = len;
	ev.payload_direction = LW_DIR_IN;
	ev.payload_protocol = proto;
	ev.payload_offset = offset;
	naming_feed(n, &ev, 10);
}

static void feed_in(struct naming *n, const uint8_t *p, size_t len, uint8_t proto)
{
	feed_in_at(n, p, len, proto, 0);
}

static void test_dns_answers(void)
{
	uint8_t a[128], aaaa[128], seg[512];
	size_t alen = response(a, 1), aaaalen = response(aaaa, 28), n;
	struct naming_stats st;
	struct naming *nm;
	const char *src;

	/* UDP: one answer per datagram */
	nm = naming_new();
	CHECK(nm != NULL);
	if (!nm)
		return;
	feed_in(nm, a, alen, 17);
	CHECK_STR(name_of(nm, &src), "api.mixpanel.com");
	CHECK_STR(src, "dns");
	naming_free(nm);

	/* TCP: the AAAA answer, then the A answer, in one segment */
	nm = naming_new();
	n = framed(seg, aaaa, aaaalen);
	n += framed(seg + n, a, alen);
	feed_in(nm, seg, n, 6);
	CHECK_STR(name_of(nm, &src), "api.mixpanel.com");
	CHECK_STR(src, "dns");
	naming_get_stats(nm, &st);
	CHECK_INT(st.dns_answers, 2);
	CHECK_INT(st.dns_malformed, 0);
	naming_free(nm);

	/* TCP: an answer split across segments is joined by stream offset */
	nm = naming_new();
	n = framed(seg, aaaa, aaaalen);
	n += framed(seg + n, a, alen);
	feed_in_at(nm, seg, n - 3, 6, 0);
	naming_get_stats(nm, &st);
	CHECK_INT(st.dns_answers, 1); /* the A answer waits for its last 3 bytes */
	CHECK_STR(name_of(nm, &src), "(none)");
	feed_in_at(nm, seg + n - 3, 3, 6, (uint32_t)(n - 3));
	naming_get_stats(nm, &st);
	CHECK_INT(st.dns_answers, 2);
	CHECK_STR(name_of(nm, &src), "api.mixpanel.com");
	naming_free(nm);

	/* TCP: a length prefix split across segments */
	nm = naming_new();
	n = framed(seg, a, alen);
	feed_in_at(nm, seg, 1, 6, 0);
	feed_in_at(nm, seg + 1, n - 1, 6, 1);
	CHECK_STR(name_of(nm, &src), "api.mixpanel.com");
	naming_get_stats(nm, &st);
	CHECK_INT(st.dns_answers, 1);
	CHECK_INT(st.dns_malformed, 0);
	naming_free(nm);

	/* TCP: a missing piece (a jump in the offsets) ends the framing, counted */
	nm = naming_new();
	n = framed(seg, a, alen);
	feed_in_at(nm, seg, 10, 6, 0);
	feed_in_at(nm, seg + 20, n - 20, 6, 20);
	naming_get_stats(nm, &st);
	CHECK_INT(st.dns_answers, 0);
	CHECK_INT(st.dns_malformed, 1);
	CHECK_STR(name_of(nm, &src), "(none)");
	/* and nothing later on that connection is trusted to be framed right */
	feed_in_at(nm, seg, n, 6, (uint32_t)n);
	naming_get_stats(nm, &st);
	CHECK_INT(st.dns_answers, 0);
	naming_free(nm);

	/* TCP: garbage after a whole answer is counted, not trusted */
	nm = naming_new();
	n = framed(seg, a, alen);
	memcpy(seg + n, "\0\3xyz", 5); /* NOLINT(bugprone-not-null-terminated-result): bytes */
	feed_in(nm, seg, n + 5, 6);
	CHECK_STR(name_of(nm, &src), "api.mixpanel.com");
	naming_get_stats(nm, &st);
	CHECK_INT(st.dns_answers, 1);
	CHECK_INT(st.dns_malformed, 1);
	naming_free(nm);
}

/* An answer longer than the reassembly buffer: the answers that fit still count. */
static void test_dns_big_answer(void)
{
	static const uint8_t name[] = "\3api\10mixpanel\3com";
	static uint8_t msg[8192], seg[8192];
	unsigned int count = 200;
	struct naming_stats st;
	struct naming *nm = naming_new();
	const char *src;
	size_t n = 0, total;

	CHECK(nm != NULL);
	if (!nm)
		return;
	memcpy(msg,
	       (const uint8_t[]){ 0x12, 0x34, 0x81, 0x80, 0, 1, (uint8_t)(count >> 8),
				  (uint8_t)count, 0, 0, 0, 0 },
	       12);
	n = 12;
	memcpy(msg + n, name, sizeof(name));
	n += sizeof(name);
	memcpy(msg + n, (const uint8_t[]){ 0, 1, 0, 1 }, 4);
	n += 4;
	for (unsigned int i = 0; i < count; i++) {
		memcpy(msg + n,
		       (const uint8_t[]){ 0xc0, 12, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4, 203, 0, 113,
					  (uint8_t)(10 + i) },
		       16);
		n += 16;
	}
	total = framed(seg, msg, n);
	CHECK(total > 2048); /* more than the buffer holds */
	for (size_t off = 0; off < total; off += 1024)
		feed_in_at(nm, seg + off, total - off < 1024 ? total - off : 1024, 6,
			   (uint32_t)off);
	naming_get_stats(nm, &st);
	CHECK_INT(st.dns_answers, 1);
	CHECK_INT(st.dns_malformed, 0);
	CHECK_STR(name_of(nm, &src), "api.mixpanel.com"); /* 203.0.113.10 was in the part kept */
	naming_free(nm);
}

/* A rule-resolved set: 203.0.113.10 and 2001:db8::10 are "t.example.com". */
static void set_rule_names(struct naming *n)
{
	struct naming_rule_addr *v = calloc(2, sizeof(*v));

	if (!v)
		return;
	v[0].addr.family = AF_INET6;
	v[0].addr.addr[0] = 0x20;
	v[0].addr.addr[1] = 0x01;
	v[0].addr.addr[2] = 0x0d;
	v[0].addr.addr[3] = 0xb8;
	v[0].addr.addr[15] = 0x10;
	snprintf(v[0].name, sizeof(v[0].name), "t.example.com");
	v[1].addr.family = AF_INET;
	memcpy(v[1].addr.addr, (const uint8_t[]){ 203, 0, 113, 10 }, 4);
	v[1].addr.port = 9999; /* ignored */
	snprintf(v[1].name, sizeof(v[1].name), "t.example.com");
	naming_set_rule_names(n, v, 2);
}

/* Names llmwatch resolved for the rules come last: anything the tool did wins. */
static void test_rule_names(void)
{
	struct naming *nm = naming_new();
	uint8_t a[128];
	size_t alen = response(a, 1);
	const char *src;
	struct lw_event ev;
	struct lw_sockaddr sa = { .family = AF_INET6, .port = 443 };

	CHECK(nm != NULL);
	if (!nm)
		return;
	CHECK_STR(name_of(nm, &src), "(none)");
	CHECK_STR(src, "none");
	set_rule_names(nm);
	CHECK_STR(name_of(nm, &src), "t.example.com");
	CHECK_STR(src, "rule");
	/* an IPv6 socket's v4-mapped form of the address, and the IPv6 address itself */
	memset(&ev, 0, sizeof(ev));
	ev.type = LW_REC_CONNECT;
	ev.addr = &sa;
	sa.addr[10] = sa.addr[11] = 0xff;
	memcpy(sa.addr + 12, (const uint8_t[]){ 203, 0, 113, 10 }, 4);
	naming_name_event(nm, &ev, 10);
	CHECK_STR(ev.host ? ev.host : "(none)", "t.example.com");
	memset(sa.addr, 0, sizeof(sa.addr));
	memcpy(sa.addr, (const uint8_t[]){ 0x20, 0x01, 0x0d, 0xb8 }, 4);
	sa.addr[15] = 0x10;
	naming_name_event(nm, &ev, 10);
	CHECK_STR(ev.host ? ev.host : "(none)", "t.example.com");
	sa.addr[15] = 0x11;
	naming_name_event(nm, &ev, 10);
	CHECK_STR(ev.host_source, "none");
	/* the tool's own DNS answer for the address wins */
	feed_in(nm, a, alen, 17);
	CHECK_STR(name_of(nm, &src), "api.mixpanel.com");
	CHECK_STR(src, "dns");
	naming_free(nm);
	/* cleared: nothing */
	nm = naming_new();
	if (!nm)
		return;
	set_rule_names(nm);
	naming_set_rule_names(nm, NULL, 0);
	CHECK_STR(name_of(nm, &src), "(none)");
	naming_free(nm);
}

/*
 * More distinct names than the host-name cache holds: the oldest are pushed out, and the
 * naming's stats say how many (the summary's names_evicted).
 */
static void test_names_evicted(void)
{
	uint8_t a[128];
	size_t alen = response(a, 1);
	struct naming_stats st;
	struct naming *nm = naming_new();
	const char *src;

	CHECK(nm != NULL);
	if (!nm)
		return;
	/* the answer's address is its last 4 bytes: 10.0.x.y, one per answer */
	for (unsigned int i = 0; i < DNS_CACHE_DEFAULT_ENTRIES + 10; i++) {
		a[alen - 4] = 10;
		a[alen - 3] = 0;
		a[alen - 2] = (uint8_t)(i >> 8);
		a[alen - 1] = (uint8_t)i;
		feed_in(nm, a, alen, 17);
	}
	naming_get_stats(nm, &st);
	CHECK_INT(st.dns_answers, DNS_CACHE_DEFAULT_ENTRIES + 10);
	CHECK_INT(st.names_evicted, 10);
	/* 203.0.113.10 was never taught here: name_of's address stays unnamed */
	CHECK_STR(name_of(nm, &src), "(none)");
	naming_free(nm);
}

int main(void)
{
	test_dns_answers();
	test_names_evicted();
	test_dns_big_answer();
	test_rule_names();
	return check_summary("test_naming");
}
