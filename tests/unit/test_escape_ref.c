// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Differential tests of the fast escaper and JSON writer (issue 18): escape_bytes(),
 * jsonw_bytes(), jsonw_int(), jsonw_uint(), timefmt_rfc3339() and openflags_str() against
 * the code they replaced, kept in escape_ref.h (byte at a time escaping, JSON quoting of its
 * output, printf numbers and flags, strftime on every call), over random inputs built to reach every branch of the
 * escaper and over every seed file of fuzz/corpus. The escaping is a security property:
 * the fast paths must give the same bytes for every input, cut at every buffer size.
 */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "corpus.h"
#include "escape_ref.h"
#include "util/escape.h"
#include "util/jsonw.h"
#include "util/openflags.h"
#include "util/timefmt.h"
#include "util/utf8.h"

/* ---- inputs --------------------------------------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* UTF-8 as the encoder writes it, with no check: surrogates and values past U+10FFFF too. */
static size_t put_utf8(unsigned char *p, uint32_t cp)
{
	if (cp < 0x80) {
		p[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		p[0] = (unsigned char)(0xc0 | cp >> 6), p[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		p[0] = (unsigned char)(0xe0 | cp >> 12);
		p[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		p[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	p[0] = (unsigned char)(0xf0 | (cp >> 18 & 0x07));
	p[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	p[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	p[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Code points at the edges of what the escaper passes and what it escapes. */
static const uint32_t edge_cps[] = {
	0x7f,	0x80,	0x9f,	0xa0,	0xff,	 0x7ff,	   0x800,    0x2027,   0x2028, 0x2029,
	0x202a, 0x202e, 0x202f, 0x2065, 0x2066,	 0x2069,   0x206a,   0xd7ff,   0xd800, 0xdfff,
	0xe000, 0xfeff, 0xfffd, 0xffff, 0x10000, 0x10ffff, 0x110000, 0x1fffff, 0x4e2d, 0x1f600,
};

/* Byte strings (n bytes) that mix every class of byte the escaper tells apart. */
static void gen(unsigned char *b, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint64_t r = rnd();
		unsigned int kind = (unsigned int)(r % 16);

		if (kind < 6) { /* a run of printable ASCII, quotes and backslashes among it */
			size_t run = (size_t)(r >> 8) % 24 + 1;

			for (size_t k = 0; k < run && i < n; k++) {
				uint64_t c = rnd() % 100;

				b[i++] = c < 3 ? '"' :
					 c < 6 ? '\\' :
						 (unsigned char)(0x20 + c % 0x5f);
			}
		} else if (kind < 8) { /* controls, DEL, NUL */
			static const unsigned char ctl[] = { 0,	   1,	 '\t', '\n',
							     '\r', 0x1b, 0x1f, 0x7f };

			b[i++] = ctl[(r >> 8) % sizeof(ctl)];
		} else if (kind < 10) { /* any byte */
			b[i++] = (unsigned char)(r >> 8);
		} else { /* a code point, whole or cut, valid or not */
			unsigned char u[4];
			uint32_t cp = kind < 13 ? edge_cps[(r >> 8) % (sizeof(edge_cps) /
								       sizeof(edge_cps[0]))] :
						  (uint32_t)((r >> 8) % 0x110000);
			size_t len = put_utf8(u, cp);

			if (kind == 15 && len > 1)
				len = (size_t)(r >> 40) % len; /* cut */
			if ((r >> 48) % 8 == 0)
				u[0] = 0xc0 | (u[0] & 1); /* an overlong lead byte */
			for (size_t k = 0; k < len && i < n; k++)
				b[i++] = u[k];
		}
	}
}

/* ---- the comparisons ------------------------------------------------------------------ */

static unsigned long mismatches_escape, mismatches_json, inputs;

static void dump(const char *what, const unsigned char *s, size_t n)
{
	fprintf(stderr, "%s differs for %zu bytes:", what, n);
	for (size_t i = 0; i < n && i < 64; i++)
		fprintf(stderr, " %02x", s[i]);
	fprintf(stderr, "\n");
}

/* escape_bytes() into every buffer size up to the whole form and one past it. */
static void compare_escape(const unsigned char *s, size_t n)
{
	static char got[32768], want[32768];
	size_t need = ref_escape_bytes(NULL, 0, (const char *)s, n);
	size_t sizes[] = {
		0,    1,	2,	 3, 4, 5, need > 2 ? need - 2 : 0, need > 0 ? need - 1 : 0,
		need, need + 1, need + 2
	};

	if (need + 3 > sizeof(got))
		return;
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]) + 8; k++) {
		size_t size = k < sizeof(sizes) / sizeof(sizes[0]) ? sizes[k] :
								     (size_t)(rnd() % (need + 2));
		size_t a, b;

		/* the same bytes past the end in both, so a write out of bounds shows */
		memset(got, 0x5a, size + 1);
		memset(want, 0x5a, size + 1);
		a = escape_bytes(size ? got : NULL, size, (const char *)s, n);
		b = ref_escape_bytes(size ? want : NULL, size, (const char *)s, n);
		if (a != b || memcmp(got, want, size + 1) != 0) {
			if (!mismatches_escape++)
				dump("escape_bytes", s, n);
			return;
		}
	}
}

/* jsonw_bytes() and jsonw_str() inside an object, after a field and before one. */
static void compare_json(struct jsonw *w, const unsigned char *s, size_t n)
{
	char *ref = ref_json_string((const char *)s, n), *want;
	size_t len = strlen(ref);

	want = malloc(len + 32);
	if (!want) {
		perror("malloc");
		exit(2);
	}
	snprintf(want, len + 32, "{\"a\":1,\"k\":%s,\"z\":true}", ref);
	jsonw_begin(w);
	jsonw_uint(w, "a", 1);
	jsonw_bytes(w, "k", (const char *)s, n);
	jsonw_bool(w, "z", true);
	if (jsonw_end(w) || w->len != strlen(want) || strcmp(w->buf, want) != 0) {
		if (!mismatches_json++)
			dump("jsonw_bytes", s, n);
	}
	/* a string: what the old code saw was cut at its first NUL */
	if (!memchr(s, 0, n)) {
		char *z = corpus_exact(s, n + 1);

		z[n] = '\0';
		snprintf(want, len + 32, "{\"l\":[%s]}", ref);
		jsonw_begin(w);
		jsonw_open(w, "l", '[');
		jsonw_elem_str(w, z);
		jsonw_close(w, ']');
		jsonw_end(w);
		if (strcmp(w->buf, want) != 0) {
			if (!mismatches_json++)
				dump("jsonw_elem_str", s, n);
		}
		free(z);
	}
	free(want);
	free(ref);
}

static void compare(struct jsonw *w, const unsigned char *s, size_t n)
{
	inputs++;
	compare_escape(s, n);
	compare_json(w, s, n);
}

static void test_random(struct jsonw *w)
{
	static unsigned char b[6000];

	for (int i = 0; i < 60000; i++) {
		/* mostly short (names, paths), some past jsonw_bytes' old stack buffer */
		size_t n = i % 50 == 0 ? (size_t)(rnd() % sizeof(b)) : (size_t)(rnd() % 300);

		gen(b, n);
		compare(w, b, n);
	}
	/* every single byte and every pair of bytes after a printable one */
	for (unsigned int c = 0; c < 256; c++) {
		b[0] = (unsigned char)c;
		compare(w, b, 1);
		for (unsigned int d = 0; d < 256; d++) {
			b[0] = 'a', b[1] = (unsigned char)c, b[2] = (unsigned char)d;
			compare(w, b, 3);
		}
	}
}

/* Each seed of fuzz/corpus, whole and in pieces at every alignment of a short window. */
static void test_corpus(struct jsonw *w)
{
	static unsigned char buf[1 << 17];
	DIR *top = opendir("fuzz/corpus");
	struct dirent *t;
	unsigned long files = 0;

	CHECK(top != NULL);
	if (!top)
		return;
	while ((t = readdir(top))) {
		char rel[512];
		DIR *d;
		struct dirent *f;

		if (t->d_name[0] == '.')
			continue;
		snprintf(rel, sizeof(rel), "fuzz/corpus/%s", t->d_name);
		d = opendir(rel);
		if (!d)
			continue;
		while ((f = readdir(d))) {
			char name[1024];
			FILE *in;
			size_t n;

			if (f->d_name[0] == '.')
				continue;
			snprintf(name, sizeof(name), "%s/%s", rel, f->d_name);
			in = fopen(name, "rb");
			if (!in)
				continue;
			n = fread(buf, 1, sizeof(buf), in);
			fclose(in);
			files++;
			compare(w, buf, n < 6000 ? n : 6000);
			for (size_t off = 0; off + 1 < n && off < 4096; off += 37)
				compare(w, buf + off, n - off < 80 ? n - off : 80);
		}
		closedir(d);
	}
	closedir(top);
	CHECK(files > 100);
}

static void test_numbers(struct jsonw *w)
{
	static const int64_t edges[] = { 0,
					 1,
					 -1,
					 9,
					 10,
					 -10,
					 99,
					 100,
					 4294967295LL,
					 4294967296LL,
					 INT64_MAX,
					 INT64_MIN,
					 INT64_MIN + 1,
					 -9223372036854775807LL };
	unsigned long bad = 0;
	char want[64];

	for (int i = 0; i < 200000; i++) {
		uint64_t u = i < 64  ? (uint64_t)1 << i :
			     i < 128 ? ((uint64_t)1 << (i - 64)) - 1 :
				       rnd() >> (rnd() % 64);
		int64_t v = i < (int)(sizeof(edges) / sizeof(edges[0])) ?
				    edges[i] :
				    (int64_t)rnd() >> (rnd() % 64);

		jsonw_begin(w);
		jsonw_uint(w, "u", u);
		jsonw_int(w, "i", v);
		jsonw_end(w);
		snprintf(want, sizeof(want), "{\"u\":%" PRIu64 ",\"i\":%" PRId64 "}", u, v);
		if (strcmp(w->buf, want) != 0 && !bad++)
			fprintf(stderr, "numbers: \"%s\", expected \"%s\"\n", w->buf, want);
	}
	CHECK_INT(bad, 0);
}

/* The cached second against strftime every time: seconds again and again, then new ones. */
static void test_rfc3339(void)
{
	static const long nsecs[] = { 0,  999,	 1000,	     123456789, 999999999,
				      -1, -1000, 1000000000, 1999999999 };
	unsigned long bad = 0;

	for (int i = 0; i < 200000; i++) {
		struct timespec ts;
		char got[64], want[64];
		size_t size = i % 7 == 0 ? (size_t)(rnd() % 40) : sizeof(got), a, b;

		/* runs of one second, jumps, the epoch, before it, far years */
		ts.tv_sec = i % 1000 == 0 ? (time_t)(rnd() % 4000000000000ull) - 2000000000000 :
			    i % 5 == 0	  ? (time_t)(1700000000 + (rnd() % 3)) :
					    (time_t)(1796000000 + i / 100);
		if (i % 997 == 0)
			ts.tv_sec = 0;
		ts.tv_nsec = i % 11 == 0 ? nsecs[rnd() % (sizeof(nsecs) / sizeof(nsecs[0]))] :
					   (long)(rnd() % 1000000000);
		memset(got, 0x5a, sizeof(got));
		memset(want, 0x5a, sizeof(want));
		a = timefmt_rfc3339(size ? got : NULL, size, ts);
		b = ref_rfc3339(size ? want : NULL, size, ts);
		if ((a != b || memcmp(got, want, sizeof(got)) != 0) && !bad++)
			fprintf(stderr, "rfc3339 %lld.%ld size %zu: \"%.*s\", expected \"%.*s\"\n",
				(long long)ts.tv_sec, ts.tv_nsec, size, (int)(size ? size : 1), got,
				(int)(size ? size : 1), want);
	}
	CHECK_INT(bad, 0);
}

/* Flags as programs pass them, every known bit, unknown high bits; cut at every size. */
static void test_openflags(void)
{
	static const uint64_t bits[] = { O_WRONLY,   O_RDWR,	O_ACCMODE, O_CREAT,	O_EXCL,
					 O_NOCTTY,   O_TRUNC,	O_APPEND,  O_NONBLOCK,	O_DSYNC,
					 O_SYNC,     O_DIRECT,	0100000,   O_DIRECTORY, O_NOFOLLOW,
					 O_NOATIME,  O_CLOEXEC, O_PATH,	   __O_TMPFILE, 1ULL << 40,
					 1ULL << 63, 0x10 };
	unsigned long bad = 0;

	for (int i = 0; i < 100000; i++) {
		uint64_t f = 0;
		char got[300], want[300];
		size_t size = i % 3 ? (size_t)(1 + rnd() % 120) : 256;

		if (i % 10 == 0)
			f = rnd() >> (rnd() % 64);
		else
			for (int k = (int)(rnd() % 6); k > 0; k--)
				f |= bits[rnd() % (sizeof(bits) / sizeof(bits[0]))];
		memset(got, 0x5a, sizeof(got));
		memset(want, 0x5a, sizeof(want));
		openflags_str(f, got, size);
		ref_openflags_str(f, want, size);
		if (memcmp(got, want, sizeof(got)) != 0 && !bad++)
			fprintf(stderr,
				"openflags %#" PRIx64 " size %zu: \"%s\", expected \"%s\"\n", f,
				size, got, want);
	}
	CHECK_INT(bad, 0);
}

int main(void)
{
	struct jsonw w;

	jsonw_init(&w);
	test_random(&w);
	test_corpus(&w);
	CHECK_INT(mismatches_escape, 0);
	CHECK_INT(mismatches_json, 0);
	fprintf(stderr, "%lu inputs compared\n", inputs);
	test_numbers(&w);
	jsonw_free(&w);
	test_rfc3339();
	test_openflags();
	return check_summary("test_escape_ref");
}
