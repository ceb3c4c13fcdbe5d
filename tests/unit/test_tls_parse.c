// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests of the TLS SNI parser on openssl s_client captures and built ClientHellos. */
#include <errno.h>
#include <stdint.h>

#include "tls_hello.h"
#include "check.h"
#include "corpus.h"
#include "names/tls_parse.h"

static char host[HOSTNAME_BUF];

static int sni(const void *p, size_t n)
{
	void *copy = corpus_exact(p, n);
	int err = tls_parse_sni(copy, n, host, sizeof(host));

	free(copy);
	return err;
}

/* ---- building ClientHellos ---------------------------------------------------------- */

static void hello_msg(struct bytebuf *hs, const char *name, size_t name_len, bool with_sni)
{
	tls_hello_msg(hs, name, name_len, with_sni, 0, false);
}

/* Wraps hs into records, cutting it at the given offsets (sorted, 0 < cut < hs->n). */
static void records(struct bytebuf *out, const struct bytebuf *hs, const size_t *cuts, size_t ncuts)
{
	size_t from = 0;

	out->n = 0;
	for (size_t i = 0; i <= ncuts; i++) {
		/* cuts is NULL only with ncuts 0, when it is not read */
		// cppcheck-suppress nullPointer
		size_t to = i < ncuts ? cuts[i] : hs->n;

		put8(out, 22);
		put16(out, 0x0301);
		put16(out, (unsigned int)(to - from));
		putraw(out, hs->b + from, to - from);
		from = to;
	}
}

static void build(struct bytebuf *out, const char *name)
{
	struct bytebuf hs;

	hello_msg(&hs, name, strlen(name), true);
	records(out, &hs, NULL, 0);
}

/* The handshake message carried by a one-or-more-record capture. */
static void unwrap(struct bytebuf *hs, const uint8_t *p, size_t n)
{
	hs->n = 0;
	for (size_t off = 0; off + 5 <= n;) {
		size_t l = (size_t)p[off + 3] << 8 | p[off + 4];

		putraw(hs, p + off + 5, l);
		off += 5 + l;
	}
}

/* ---- tests -------------------------------------------------------------------------- */

static void test_openssl(void)
{
	static const struct {
		const char *file, *name;
	} seeds[] = {
		{ "tls/sni-default.bin", "api.mixpanel.com" },
		{ "tls/sni-tls12.bin", "telemetry.example.net" },
		{ "tls/sni-tls13.bin", "ollama.com" },
		{ "tls/sni-alpn.bin", "registry.ollama.ai" },
		{ "tls/sni-frag512.bin", "api.gpt4all.io" }, /* two records: 512 + 409 */
	};
	uint8_t b[4096];
	size_t n;

	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		n = corpus_read(seeds[i].file, b, sizeof(b));
		CHECK_INT(sni(b, n), 0);
		CHECK_STR(host, seeds[i].name);
	}
	n = corpus_read("tls/no-sni.bin", b, sizeof(b));
	CHECK_INT(sni(b, n), -ENOENT);
	CHECK_STR(host, "");
}

/*
 * Every prefix of a capture: -EAGAIN until the answer is known, then the final answer
 * (0 with the name, or -ENOENT) for every longer prefix; never anything else. Returns the
 * shortest prefix that gives the final answer.
 */
static size_t check_prefixes(const uint8_t *b, size_t n, int final, const char *name)
{
	size_t found = n + 1;
	int bad = 0;

	for (size_t len = 0; len <= n; len++) {
		int err = sni(b, len);

		if (err == final && found > n)
			found = len;
		if (len < found && err != -EAGAIN)
			bad++;
		if (len >= found && (err != final || strcmp(host, name) != 0))
			bad++;
		if (bad == 1) {
			fprintf(stderr, "prefix %zu of %zu: %d\n", len, n, err);
			bad++;
		}
	}
	CHECK_INT(bad, 0);
	CHECK(found <= n);
	return found;
}

static void test_prefixes(void)
{
	uint8_t b[4096];
	size_t n;

	n = corpus_read("tls/sni-default.bin", b, sizeof(b));
	check_prefixes(b, n, 0, "api.mixpanel.com");
	n = corpus_read("tls/sni-frag512.bin", b, sizeof(b));
	check_prefixes(b, n, 0, "api.gpt4all.io");
	n = corpus_read("tls/no-sni.bin", b, sizeof(b));
	/* openssl's last extension is not the SNI: its header is enough to know. */
	CHECK(check_prefixes(b, n, -ENOENT, "") < n);
	CHECK_INT(sni(b, 0), -EAGAIN);
}

/* The real hello re-recorded with a record boundary at every offset, and in 1-byte records. */
static void test_fragmented(void)
{
	struct bytebuf hs, rec;
	uint8_t b[4096];
	size_t n = corpus_read("tls/sni-default.bin", b, sizeof(b));
	int bad = 0;

	unwrap(&hs, b, n);
	CHECK(hs.n + 5 == n);
	for (size_t cut = 1; cut < hs.n; cut++) {
		records(&rec, &hs, &cut, 1);
		if (sni(rec.b, rec.n) != 0 || strcmp(host, "api.mixpanel.com") != 0)
			bad++;
	}
	CHECK_INT(bad, 0);

	size_t cuts[3] = { 1, 2, 3 }; /* the 4-byte handshake header over four records */

	records(&rec, &hs, cuts, 3);
	CHECK_INT(sni(rec.b, rec.n), 0);
	CHECK_STR(host, "api.mixpanel.com");
	check_prefixes(rec.b, rec.n, 0, "api.mixpanel.com");

	/* A record of another type in the middle of the hello is malformed. */
	size_t mid = hs.n / 2;

	records(&rec, &hs, &mid, 1);
	rec.b[5 + mid] = 23;
	CHECK_INT(sni(rec.b, rec.n), -EINVAL);
}

static void test_built(void)
{
	struct bytebuf rec, hs;

	build(&rec, "Api.MixPanel.COM");
	CHECK_INT(sni(rec.b, rec.n), 0);
	CHECK_STR(host, "api.mixpanel.com");
	build(&rec, "ollama.com.");
	CHECK_INT(sni(rec.b, rec.n), 0);
	CHECK_STR(host, "ollama.com");

	/* Not plausible host names: refused, and host stays "". */
	static const char *const bad[] = { "a..b",	     ".lead",	  "sp ace.com",
					   "esc\x1b[2J.com", "tab\t.com", "new\nline.com",
					   "slash/x.com" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		build(&rec, bad[i]);
		CHECK_INT(sni(rec.b, rec.n), -EINVAL);
		CHECK_STR(host, "");
	}
	hello_msg(&hs, "evil.com\0.good.com", 18, true);
	records(&rec, &hs, NULL, 0);
	CHECK_INT(sni(rec.b, rec.n), -EINVAL);
	hello_msg(&hs, "", 0, true);
	records(&rec, &hs, NULL, 0);
	CHECK_INT(sni(rec.b, rec.n), -EINVAL);

	/* A 254-character name. */
	char longname[300];

	memset(longname, 'a', sizeof(longname));
	for (int i = 63; i < 254; i += 64)
		longname[i] = '.';
	longname[254] = '\0';
	build(&rec, longname);
	CHECK_INT(sni(rec.b, rec.n), -EINVAL);
	longname[253] = '\0';
	build(&rec, longname);
	CHECK_INT(sni(rec.b, rec.n), 0);
	CHECK_INT(strlen(host), 253);

	hello_msg(&hs, NULL, 0, false);
	records(&rec, &hs, NULL, 0);
	CHECK_INT(sni(rec.b, rec.n), -ENOENT);

	char small[16];

	build(&rec, "ollama.com");
	CHECK_INT(tls_parse_sni(rec.b, rec.n, small, sizeof(small)), -ENOSPC);
}

static void test_not_a_hello(void)
{
	struct bytebuf rec;

	CHECK_INT(sni("GET / HTTP/1.1\r\nHost: a\r\n\r\n", 27), -ENOMSG);
	CHECK_INT(sni("\x17\x03\x03\x00\x10", 5), -ENOMSG);	    /* application data */
	CHECK_INT(sni("\x15\x03\x03\x00\x02\x02\x28", 7), -ENOMSG); /* alert */
	CHECK_INT(sni("\x80\x2e\x01\x00\x02", 5), -ENOMSG);	    /* SSLv2 hello */
	CHECK_INT(sni("\x16\x02\x00", 3), -ENOMSG);		    /* not 3.x */
	CHECK_INT(sni("\x16\x03\x09", 3), -ENOMSG);
	CHECK_INT(sni("\x16", 1), -EAGAIN);
	CHECK_INT(sni("\x16\x03\x01\x00", 4), -EAGAIN);
	/* a ServerHello (type 2) */
	build(&rec, "x.com");
	rec.b[5] = 2;
	CHECK_INT(sni(rec.b, rec.n), -ENOMSG);
	CHECK_INT(sni(rec.b, 6), -ENOMSG);
}

static void test_malformed(void)
{
	struct bytebuf rec, hs;
	size_t body;

	/* Record lengths 0 and 2^14 + 1. */
	CHECK_INT(sni("\x16\x03\x01\x00\x00", 5), -EINVAL);
	CHECK_INT(sni("\x16\x03\x01\x40\x01\x01", 6), -EINVAL);

	/* Session id of 33 bytes. */
	build(&rec, "x.com");
	rec.b[5 + 4 + 2 + 32] = 33;
	CHECK_INT(sni(rec.b, rec.n), -EINVAL);

	/* Odd cipher-suite length. */
	build(&rec, "x.com");
	rec.b[5 + 4 + 2 + 32 + 1 + 32 + 1] = 3;
	CHECK_INT(sni(rec.b, rec.n), -EINVAL);

	/* The extensions' total length disagrees with the handshake length, both ways. */
	build(&rec, "x.com");
	body = 5 + 4 + 2 + 32 + 1 + 32 + 2 + 4 + 1 + 1;
	rec.b[body + 1]++;
	CHECK_INT(sni(rec.b, rec.n), -EINVAL);
	rec.b[body + 1] -= 2;
	CHECK_INT(sni(rec.b, rec.n), -EINVAL);

	/* The server_name list length disagrees with its extension's length. */
	hello_msg(&hs, "x.com", 5, true);
	records(&rec, &hs, NULL, 0);
	size_t ext0 = body + 2 + 7; /* after supported_versions */

	CHECK_INT(rec.b[ext0 + 1], 0); /* type server_name */
	rec.b[ext0 + 5]++;
	CHECK_INT(sni(rec.b, rec.n), -EINVAL);

	/* The host_name length runs past the list. */
	records(&rec, &hs, NULL, 0);
	rec.b[ext0 + 8] = 200;
	CHECK_INT(sni(rec.b, rec.n), -EINVAL);

	/* A handshake length shorter than its content: the extensions overrun it. */
	records(&rec, &hs, NULL, 0);
	rec.b[5 + 3] -= 4;
	CHECK_INT(sni(rec.b, rec.n), -EINVAL);

	/* A handshake length longer than its content: the extensions no longer fill it. */
	records(&rec, &hs, NULL, 0);
	rec.b[5 + 1] = 1;
	CHECK_INT(sni(rec.b, rec.n), -EINVAL);
}

/* A hello over TLS_HELLO_MAX: the name is found if it comes early, else -EMSGSIZE. */
static void test_huge(void)
{
	static struct bytebuf hs, rec;
	size_t cut = 16000;

	tls_hello_msg(&hs, "late.example", 12, true, 17000, false);
	records(&rec, &hs, &cut, 1);
	CHECK_INT(sni(rec.b, rec.n), -EMSGSIZE);
	CHECK_INT(sni(rec.b, 10000), -EAGAIN); /* the input, not our buffer, ended */
	tls_hello_msg(&hs, "early.example", 13, true, 17000, true);
	records(&rec, &hs, &cut, 1);
	CHECK_INT(sni(rec.b, rec.n), 0);
	CHECK_STR(host, "early.example");
}

int main(void)
{
	test_openssl();
	test_prefixes();
	test_fragmented();
	test_built();
	test_not_a_hello();
	test_malformed();
	test_huge();
	return check_summary("test_tls_parse");
}
