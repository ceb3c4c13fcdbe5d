// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests of the DNS response parser on dnsmasq captures and hand-built hostile packets. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <sys/socket.h>

#include "check.h"
#include "corpus.h"
#include "bytebuf.h"
#include "names/dns_parse.h"

/* ---- a tiny packet builder ---------------------------------------------------------- */

static void putptr(struct bytebuf *p, unsigned int off)
{
	put16(p, 0xc000 | off);
}

static void header(struct bytebuf *p, unsigned int flags, unsigned int qd, unsigned int an)
{
	p->n = 0;
	put16(p, 0xbeef);
	put16(p, flags);
	put16(p, qd);
	put16(p, an);
	put16(p, 0);
	put16(p, 0);
}

static void question(struct bytebuf *p, const char *name, unsigned int qtype)
{
	putname(p, name);
	put16(p, qtype);
	put16(p, DNS_CLASS_IN);
}

/* Fixed part of a record after its owner name. */
static void rr(struct bytebuf *p, unsigned int type, uint32_t ttl, unsigned int rdlen)
{
	put16(p, type);
	put16(p, DNS_CLASS_IN);
	put32(p, ttl);
	put16(p, rdlen);
}

static void rr_a(struct bytebuf *p, uint32_t ttl, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	rr(p, DNS_TYPE_A, ttl, 4);
	put8(p, a);
	put8(p, b);
	put8(p, c);
	put8(p, d);
}

#define QOFF 12 /* the question name's offset, the usual pointer target */

static int parse(const struct bytebuf *p, struct dns_response *r)
{
	void *copy = corpus_exact(p->b, p->n);
	int err = dns_parse_udp(copy, p->n, r);

	free(copy);
	return err;
}

static const char *addr_str(const struct dns_answer *a)
{
	static char s[INET6_ADDRSTRLEN];

	return inet_ntop(a->family, a->addr, s, sizeof(s)) ? s : "?";
}

static struct dns_response r;

/* ---- real responses from dnsmasq ------------------------------------------------------ */

static void test_dnsmasq(void)
{
	uint8_t buf[1024];
	size_t n;

	n = corpus_read("dns/dnsmasq-udp-cname-a.bin", buf, sizeof(buf));
	CHECK_INT(dns_parse_udp(buf, n, &r), 0);
	CHECK_STR(r.qname, "api.mixpanel.com");
	CHECK_INT(r.qtype, DNS_TYPE_A);
	CHECK_INT(r.rcode, 0);
	CHECK_INT(r.n_answers, 1);
	CHECK_INT(r.chain_len, 1);
	CHECK_STR(r.chain[0].from, "api.mixpanel.com");
	CHECK_STR(r.chain[0].to, "x.cdn.net");
	CHECK_INT(r.answers[0].family, AF_INET);
	CHECK_STR(addr_str(&r.answers[0]), "1.2.3.4");
	CHECK_STR(r.answers[0].owner, "x.cdn.net");
	CHECK_INT(r.answers[0].chain_len, 1);

	n = corpus_read("dns/dnsmasq-udp-cname-chain2.bin", buf, sizeof(buf));
	CHECK_INT(dns_parse_udp(buf, n, &r), 0);
	CHECK_STR(r.qname, "stats.example.org");
	CHECK_INT(r.chain_len, 2);
	CHECK_STR(r.chain[1].from, "api.mixpanel.com");
	CHECK_STR(r.chain[1].to, "x.cdn.net");
	CHECK_INT(r.n_answers, 1);
	CHECK_INT(r.answers[0].chain_len, 2);
	CHECK_STR(addr_str(&r.answers[0]), "1.2.3.4");

	n = corpus_read("dns/dnsmasq-udp-cname-aaaa.bin", buf, sizeof(buf));
	CHECK_INT(dns_parse_udp(buf, n, &r), 0);
	CHECK_INT(r.qtype, DNS_TYPE_AAAA);
	CHECK_INT(r.n_answers, 1);
	CHECK_INT(r.answers[0].family, AF_INET6);
	CHECK_STR(addr_str(&r.answers[0]), "2001:db8::1");

	n = corpus_read("dns/dnsmasq-udp-a.bin", buf, sizeof(buf));
	CHECK_INT(dns_parse_udp(buf, n, &r), 0);
	CHECK_STR(r.qname, "ollama.com");
	CHECK_INT(r.chain_len, 0);
	CHECK_INT(r.n_answers, 1);
	CHECK_STR(addr_str(&r.answers[0]), "34.120.1.2");
	CHECK_STR(r.answers[0].owner, "ollama.com");

	n = corpus_read("dns/dnsmasq-udp-nxdomain.bin", buf, sizeof(buf));
	CHECK_INT(dns_parse_udp(buf, n, &r), 0);
	CHECK_INT(r.rcode, DNS_RCODE_NXDOMAIN);
	CHECK_STR(r.qname, "nothere.lab");
	CHECK_INT(r.n_answers, 0);

	/* dnsmasq refuses (rcode 5) what it has no record and no upstream for. */
	n = corpus_read("dns/dnsmasq-udp-refused.bin", buf, sizeof(buf));
	CHECK_INT(dns_parse_udp(buf, n, &r), 0);
	CHECK_INT(r.rcode, 5);
	CHECK_STR(r.qname, "y.cdn.net");
	CHECK_INT(r.n_answers, 0);

	n = corpus_read("dns/dnsmasq-tcp-cname-a.bin", buf, sizeof(buf));
	CHECK_INT(dns_parse_tcp(buf, n, &r), 0);
	CHECK_STR(r.qname, "api.mixpanel.com");
	CHECK_INT(r.n_answers, 1);
	CHECK_STR(addr_str(&r.answers[0]), "1.2.3.4");
	/* The UDP entry point on a TCP payload must not find a response there. */
	CHECK(dns_parse_udp(buf, n, &r) < 0 || r.n_answers == 0);
	CHECK_INT(dns_parse_tcp(buf, 1, &r), -EMSGSIZE);
	CHECK_INT(dns_parse_tcp((const uint8_t *)"\x00\x05xxxxx", 7, &r), -EINVAL);
}

/*
 * Every prefix of a valid response: no read outside the exact-size block (the sanitizer
 * build checks that), -EMSGSIZE while the answer section is incomplete, answers kept so far
 * always a prefix of the full result, and 0 from the end of the answer section on.
 */
/* Field by field: padding bytes say nothing about a parse. */
static bool same_answer(const struct dns_answer *a, const struct dns_answer *b)
{
	return a->family == b->family && memcmp(a->addr, b->addr, sizeof(a->addr)) == 0 &&
	       a->ttl == b->ttl && a->chain_len == b->chain_len && strcmp(a->owner, b->owner) == 0;
}

static void check_prefixes(const char *rel, bool tcp)
{
	uint8_t buf[1024];
	size_t n = corpus_read(rel, buf, sizeof(buf));
	struct dns_response full;
	int bad = 0;

	CHECK(n > 0);
	CHECK_INT(tcp ? dns_parse_tcp(buf, n, &full) : dns_parse_udp(buf, n, &full), 0);
	for (size_t len = 0; len < n; len++) {
		void *copy = corpus_exact(buf, len);
		int err = tcp ? dns_parse_tcp(copy, len, &r) : dns_parse_udp(copy, len, &r);

		free(copy);
		if (err != -EMSGSIZE && err != 0) {
			fprintf(stderr, "%s: prefix %zu: %d\n", rel, len, err);
			bad++;
		}
		if (r.n_answers > full.n_answers)
			bad++;
		for (unsigned int i = 0; i < r.n_answers; i++)
			if (!same_answer(&r.answers[i], &full.answers[i]))
				bad++;
	}
	CHECK_INT(bad, 0);
}

static void test_truncation(void)
{
	static const char *const udp[] = {
		"dns/dnsmasq-udp-cname-a.bin",	    "dns/dnsmasq-udp-cname-aaaa.bin",
		"dns/dnsmasq-udp-cname-chain2.bin", "dns/dnsmasq-udp-a.bin",
		"dns/dnsmasq-udp-aaaa.bin",	    "dns/dnsmasq-udp-nxdomain.bin",
	};
	uint8_t buf[1024];
	size_t n;

	for (size_t i = 0; i < sizeof(udp) / sizeof(udp[0]); i++)
		check_prefixes(udp[i], false);
	check_prefixes("dns/dnsmasq-tcp-cname-a.bin", true);

	/* These have no authority or additional section: every proper prefix is short. */
	n = corpus_read("dns/dnsmasq-udp-cname-a.bin", buf, sizeof(buf));
	for (size_t len = 0; len < n; len++)
		CHECK_INT(dns_parse_udp(buf, len, &r), -EMSGSIZE);
	/* Cut inside the A record: the CNAME was complete, the address was not. */
	CHECK_INT(dns_parse_udp(buf, n - 1, &r), -EMSGSIZE);
	CHECK_INT(r.n_answers, 0);
	CHECK_INT(r.chain_len, 1);
}

/* ---- hand-built packets ----------------------------------------------------------------- */

static void test_compression_and_case(void)
{
	struct bytebuf p;

	/* Mixed case (0x20 randomisation) and an owner that is a pointer to the question. */
	header(&p, 0x8180, 1, 2);
	question(&p, "API.Mixpanel.COM", DNS_TYPE_A);
	putptr(&p, QOFF);
	rr(&p, DNS_TYPE_CNAME, 300, 2 + 4);
	/* CNAME target "cdn." + pointer to "mixpanel.com" inside the question (offset 16) */
	put8(&p, 3);
	putraw(&p, "cdn", 3);
	putptr(&p, QOFF + 4);
	/* owner: pointer to the CNAME target just written */
	putptr(&p, QOFF + 22 + 12);
	rr_a(&p, 30, 10, 0, 0, 7);
	CHECK_INT(parse(&p, &r), 0);
	CHECK_STR(r.qname, "api.mixpanel.com");
	CHECK_INT(r.chain_len, 1);
	CHECK_STR(r.chain[0].to, "cdn.mixpanel.com");
	CHECK_INT(r.n_answers, 1);
	CHECK_STR(r.answers[0].owner, "cdn.mixpanel.com");
	CHECK_STR(addr_str(&r.answers[0]), "10.0.0.7");
	CHECK_INT(r.answers[0].ttl, 30); /* min(300, 30) */
}

static void test_ttl(void)
{
	struct bytebuf p;

	/* The chain's smallest TTL wins; a TTL with the top bit set counts as 0. */
	header(&p, 0x8180, 1, 3);
	question(&p, "a.example", DNS_TYPE_A);
	putptr(&p, QOFF);
	rr(&p, DNS_TYPE_CNAME, 20, 11);
	putname(&p, "b.example");
	putname(&p, "b.example");
	rr_a(&p, 3600, 192, 0, 2, 1);
	putname(&p, "a.example");
	rr_a(&p, 0x80000001u, 192, 0, 2, 2);
	CHECK_INT(parse(&p, &r), 0);
	CHECK_INT(r.n_answers, 2);
	CHECK_INT(r.answers[0].ttl, 20);
	CHECK_INT(r.answers[0].chain_len, 1);
	CHECK_INT(r.answers[1].ttl, 0);
	CHECK_INT(r.answers[1].chain_len, 0);
}

static void test_chain_order_and_strangers(void)
{
	struct bytebuf p;

	/* A record before the CNAME that leads to it; plus an address of an unrelated name. */
	header(&p, 0x8180, 1, 3);
	question(&p, "api.example.com", DNS_TYPE_A);
	putname(&p, "edge.cdn.net");
	rr_a(&p, 60, 1, 1, 1, 1);
	putname(&p, "evil.example.org");
	rr_a(&p, 60, 6, 6, 6, 6);
	putptr(&p, QOFF);
	rr(&p, DNS_TYPE_CNAME, 60, 14);
	putname(&p, "edge.cdn.net");
	CHECK_INT(parse(&p, &r), 0);
	CHECK_INT(r.n_answers, 1);
	CHECK_STR(addr_str(&r.answers[0]), "1.1.1.1");
	CHECK_INT(r.n_skipped, 1);

	/* A CNAME loop ends the chain without hanging. */
	header(&p, 0x8180, 1, 3);
	question(&p, "a.loop", DNS_TYPE_A);
	putname(&p, "a.loop");
	rr(&p, DNS_TYPE_CNAME, 60, 8);
	putname(&p, "b.loop");
	putname(&p, "b.loop");
	rr(&p, DNS_TYPE_CNAME, 60, 8);
	putname(&p, "a.loop");
	putname(&p, "b.loop");
	rr_a(&p, 60, 2, 2, 2, 2);
	CHECK_INT(parse(&p, &r), 0);
	CHECK_INT(r.chain_len, 1);
	CHECK_INT(r.n_answers, 1);

	/* No question: addresses are kept under their own names. */
	header(&p, 0x8180, 0, 1);
	putname(&p, "bare.example");
	rr_a(&p, 60, 3, 3, 3, 3);
	CHECK_INT(parse(&p, &r), 0);
	CHECK_STR(r.qname, "");
	CHECK_INT(r.n_answers, 1);
	CHECK_STR(r.answers[0].owner, "bare.example");
}

static void test_pointers_rejected(void)
{
	struct bytebuf p;

	/* A pointer to itself. */
	header(&p, 0x8180, 1, 1);
	question(&p, "api.x.com", DNS_TYPE_A);
	putptr(&p, (unsigned int)p.n);
	rr_a(&p, 60, 1, 2, 3, 4);
	CHECK_INT(parse(&p, &r), -EINVAL);
	CHECK_INT(r.n_answers, 0);

	/* Two pointers pointing at each other: the second goes backwards, the first forwards. */
	header(&p, 0x8180, 1, 1);
	question(&p, "api.x.com", DNS_TYPE_A);
	size_t first = p.n;

	putptr(&p, (unsigned int)first + 2);
	putptr(&p, (unsigned int)first);
	rr_a(&p, 60, 1, 2, 3, 4);
	CHECK_INT(parse(&p, &r), -EINVAL);

	/* A backwards pointer whose labels run into that same pointer (a loop, although
	 * each hop goes back): "\x01a" then a pointer to the "\x01a". */
	header(&p, 0x8180, 1, 1);
	question(&p, "api.x.com", DNS_TYPE_A);
	size_t lbl = p.n;

	put8(&p, 1);
	put8(&p, 'a');
	putptr(&p, (unsigned int)lbl);
	rr_a(&p, 60, 1, 2, 3, 4);
	CHECK_INT(parse(&p, &r), -EINVAL);

	/* Forward pointer, pointer past the end, pointer into the header. */
	header(&p, 0x8180, 1, 1);
	question(&p, "api.x.com", DNS_TYPE_A);
	putptr(&p, (unsigned int)p.n + 16);
	rr_a(&p, 60, 1, 2, 3, 4);
	putname(&p, "api.x.com");
	CHECK_INT(parse(&p, &r), -EINVAL);

	header(&p, 0x8180, 1, 1);
	question(&p, "api.x.com", DNS_TYPE_A);
	putptr(&p, 0x3fff);
	rr_a(&p, 60, 1, 2, 3, 4);
	CHECK_INT(parse(&p, &r), -EINVAL);

	header(&p, 0x8180, 1, 1);
	question(&p, "api.x.com", DNS_TYPE_A);
	putptr(&p, 4);
	rr_a(&p, 60, 1, 2, 3, 4);
	CHECK_INT(parse(&p, &r), -EINVAL);

	/* A pointer in the question name itself can only point forwards: refused. */
	header(&p, 0x8180, 1, 0);
	putptr(&p, QOFF + 2);
	putname(&p, "x.com");
	put16(&p, 1);
	put16(&p, 1);
	CHECK_INT(parse(&p, &r), -EINVAL);

	/* Extended label types 0x40 and 0x80. */
	header(&p, 0x8180, 1, 0);
	put8(&p, 0x41);
	put8(&p, 0);
	put16(&p, 1);
	put16(&p, 1);
	CHECK_INT(parse(&p, &r), -EINVAL);
}

static void test_name_limits(void)
{
	char label63[64], name[300];
	struct bytebuf p;

	memset(label63, 'a', 63);
	label63[63] = '\0';

	/* A 64-byte label. */
	header(&p, 0x8180, 1, 0);
	put8(&p, 64);
	for (int i = 0; i < 64; i++)
		put8(&p, 'a');
	put8(&p, 0);
	put16(&p, 1);
	put16(&p, 1);
	CHECK_INT(parse(&p, &r), -EINVAL);

	/* Exactly 255 wire octets (3 x 63 + 61): the longest legal name, 253 characters. */
	snprintf(name, sizeof(name), "%s.%s.%s.%.61s", label63, label63, label63, label63);
	header(&p, 0x8180, 1, 1);
	question(&p, name, DNS_TYPE_A);
	putptr(&p, QOFF);
	rr_a(&p, 60, 9, 9, 9, 9);
	CHECK_INT(parse(&p, &r), 0);
	CHECK_INT(strlen(r.qname), 253);
	CHECK_INT(r.n_answers, 1);

	/* 256 octets: one more character. */
	snprintf(name, sizeof(name), "%s.%s.%s.%.62s", label63, label63, label63, label63);
	header(&p, 0x8180, 1, 0);
	question(&p, name, DNS_TYPE_A);
	CHECK_INT(parse(&p, &r), -EINVAL);

	/* Over 255 only through compression: a 200-octet suffix reached by a pointer from a
	 * name that adds 60 more. */
	snprintf(name, sizeof(name), "%s.%s.%s.%.7s", label63, label63, label63, label63);
	header(&p, 0x8180, 1, 1);
	question(&p, name, DNS_TYPE_A); /* 3*64 + 8 + 1 = 201 octets */
	put8(&p, 59);
	for (int i = 0; i < 59; i++)
		put8(&p, 'b');
	putptr(&p, QOFF);
	rr_a(&p, 60, 9, 9, 9, 9);
	CHECK_INT(parse(&p, &r), -EINVAL);

	/* A label with a dot, a NUL or a space is no host name: the answer is skipped, the
	 * packet is still fine. */
	header(&p, 0x8180, 1, 1);
	question(&p, "ok.example", DNS_TYPE_A);
	put8(&p, 7);
	putraw(&p, "ok.exam", 7);
	putname(&p, "ple");
	rr_a(&p, 60, 9, 9, 9, 9);
	CHECK_INT(parse(&p, &r), 0);
	CHECK_INT(r.n_answers, 0);
	CHECK_INT(r.n_skipped, 1);

	header(&p, 0x8180, 1, 1);
	put8(&p, 3);
	putraw(&p, "a\0b", 3);
	putname(&p, "com");
	put16(&p, 1);
	put16(&p, 1);
	putptr(&p, QOFF);
	rr_a(&p, 60, 9, 9, 9, 9);
	CHECK_INT(parse(&p, &r), 0);
	CHECK_STR(r.qname, "");
	CHECK_INT(r.n_answers, 0);
}

static void test_header_rules(void)
{
	struct bytebuf p;

	/* A query (QR clear) is not a response. */
	header(&p, 0x0100, 1, 1);
	question(&p, "q.example", DNS_TYPE_A);
	putptr(&p, QOFF);
	rr_a(&p, 60, 1, 2, 3, 4);
	CHECK_INT(parse(&p, &r), -EINVAL);
	CHECK_INT(r.n_answers, 0);

	/* Opcode 5 (UPDATE). */
	header(&p, 0x8000 | (5 << 11), 1, 0);
	question(&p, "q.example", DNS_TYPE_A);
	CHECK_INT(parse(&p, &r), -EINVAL);

	/* SERVFAIL with an answer: rcode != 0 means no answers, whatever follows. */
	header(&p, 0x8182, 1, 1);
	question(&p, "q.example", DNS_TYPE_A);
	putptr(&p, QOFF);
	rr_a(&p, 60, 1, 2, 3, 4);
	CHECK_INT(parse(&p, &r), 0);
	CHECK_INT(r.rcode, 2);
	CHECK_INT(r.n_answers, 0);

	/* The TC bit is reported; answers present are still used. */
	header(&p, 0x8380, 1, 1);
	question(&p, "q.example", DNS_TYPE_A);
	putptr(&p, QOFF);
	rr_a(&p, 60, 1, 2, 3, 4);
	CHECK_INT(parse(&p, &r), 0);
	CHECK_INT(r.truncated, 1);
	CHECK_INT(r.n_answers, 1);

	/* Fewer than 12 bytes. */
	CHECK_INT(dns_parse_udp(p.b, 11, &r), -EMSGSIZE);
}

static void test_counts_and_records(void)
{
	struct bytebuf p;

	/* ancount says 5, one is there: short, with the one answer kept. */
	header(&p, 0x8180, 1, 5);
	question(&p, "q.example", DNS_TYPE_A);
	putptr(&p, QOFF);
	rr_a(&p, 60, 1, 2, 3, 4);
	CHECK_INT(parse(&p, &r), -EMSGSIZE);
	CHECK_INT(r.n_answers, 1);

	/* qdcount says 3, one is there. */
	header(&p, 0x8180, 3, 0);
	question(&p, "q.example", DNS_TYPE_A);
	CHECK_INT(parse(&p, &r), -EMSGSIZE);

	/* ancount says 65535 with nothing after the question: fails fast, no hang. */
	header(&p, 0x8180, 1, 65535);
	question(&p, "q.example", DNS_TYPE_A);
	CHECK_INT(parse(&p, &r), -EMSGSIZE);

	/* ancount smaller than present: the rest is ignored. */
	header(&p, 0x8180, 1, 1);
	question(&p, "q.example", DNS_TYPE_A);
	putptr(&p, QOFF);
	rr_a(&p, 60, 1, 2, 3, 4);
	putptr(&p, QOFF);
	rr_a(&p, 60, 5, 6, 7, 8);
	CHECK_INT(parse(&p, &r), 0);
	CHECK_INT(r.n_answers, 1);

	/* A record with 5 bytes of rdata, AAAA with 4. */
	header(&p, 0x8180, 1, 1);
	question(&p, "q.example", DNS_TYPE_A);
	putptr(&p, QOFF);
	rr(&p, DNS_TYPE_A, 60, 5);
	putraw(&p, "\1\2\3\4\5", 5);
	CHECK_INT(parse(&p, &r), -EINVAL);
	header(&p, 0x8180, 1, 1);
	question(&p, "q.example", DNS_TYPE_AAAA);
	putptr(&p, QOFF);
	rr(&p, DNS_TYPE_AAAA, 60, 4);
	putraw(&p, "\1\2\3\4", 4);
	CHECK_INT(parse(&p, &r), -EINVAL);

	/* rdlength beyond the end. */
	header(&p, 0x8180, 1, 1);
	question(&p, "q.example", DNS_TYPE_A);
	putptr(&p, QOFF);
	rr(&p, DNS_TYPE_A, 60, 4);
	put8(&p, 1);
	CHECK_INT(parse(&p, &r), -EMSGSIZE);

	/* A CNAME whose name does not fill its rdata exactly. */
	header(&p, 0x8180, 1, 1);
	question(&p, "q.example", DNS_TYPE_A);
	putptr(&p, QOFF);
	rr(&p, DNS_TYPE_CNAME, 60, 9);
	putname(&p, "x.y");
	putraw(&p, "\0\0\0\0", 4);
	CHECK_INT(parse(&p, &r), -EINVAL);

	/* A CNAME whose name runs past its rdata. */
	header(&p, 0x8180, 1, 1);
	question(&p, "q.example", DNS_TYPE_A);
	putptr(&p, QOFF);
	rr(&p, DNS_TYPE_CNAME, 60, 3);
	putname(&p, "x.y");
	CHECK_INT(parse(&p, &r), -EINVAL);

	/* AAAA, other types (TXT, HTTPS) and classes (CH) among the answers. */
	header(&p, 0x8180, 1, 4);
	question(&p, "q.example", DNS_TYPE_AAAA);
	putptr(&p, QOFF);
	rr(&p, 16, 60, 3);
	putraw(&p, "\2hi", 3);
	putptr(&p, QOFF);
	rr(&p, 65, 60, 3);
	putraw(&p, "\0\1\0", 3);
	putptr(&p, QOFF);
	put16(&p, DNS_TYPE_A);
	put16(&p, 3);
	put32(&p, 60);
	put16(&p, 4);
	putraw(&p, "\1\1\1\1", 4);
	putptr(&p, QOFF);
	rr(&p, DNS_TYPE_AAAA, 120, 16);
	putraw(&p, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x2a", 16);
	CHECK_INT(parse(&p, &r), 0);
	CHECK_INT(r.n_answers, 1);
	CHECK_INT(r.n_skipped, 3);
	CHECK_STR(addr_str(&r.answers[0]), "2001:db8::2a");
	CHECK_INT(r.answers[0].ttl, 120);

	/* 40 addresses: 32 kept, 8 counted. */
	header(&p, 0x8180, 1, 40);
	question(&p, "many.example", DNS_TYPE_A);
	for (int i = 0; i < 40; i++) {
		putptr(&p, QOFF);
		rr_a(&p, 60, 10, 0, 0, (uint8_t)i);
	}
	CHECK_INT(parse(&p, &r), 0);
	CHECK_INT(r.n_answers, DNS_MAX_ANSWERS);
	CHECK_INT(r.n_skipped, 8);
	CHECK_STR(addr_str(&r.answers[31]), "10.0.0.31");
}

int main(void)
{
	test_dnsmasq();
	test_truncation();
	test_compression_and_case();
	test_ttl();
	test_chain_order_and_strangers();
	test_pointers_rejected();
	test_name_limits();
	test_header_rules();
	test_counts_and_records();
	return check_summary("test_dns_parse");
}
