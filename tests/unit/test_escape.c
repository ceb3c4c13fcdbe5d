// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests of escape_bytes(): what passes, what is escaped, truncation, reversibility. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "util/escape.h"

/* The escaped form of n bytes, in a static buffer large enough for every test input. */
static const char *esc_n(const char *s, size_t n)
{
	static char buf[4096];
	size_t need = escape_bytes(buf, sizeof(buf), s, n);

	CHECK_INT(need, strlen(buf));
	return buf;
}

#define ESC(lit) esc_n((lit), sizeof(lit) - 1)

/*
 * The inverse the escape.h contract promises: "\\" "\n" "\r" "\t" "\xNN", everything else
 * literal. Returns the decoded length, or -1 if s is not something escape_bytes() can emit.
 */
static long unescape(const char *s, unsigned char *out, size_t cap)
{
	size_t n = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (n >= cap)
			return -1;
		if (c != '\\') {
			out[n++] = c;
			continue;
		}
		s++;
		switch (*s) {
		case '\\':
			out[n++] = '\\';
			break;
		case 'n':
			out[n++] = '\n';
			break;
		case 'r':
			out[n++] = '\r';
			break;
		case 't':
			out[n++] = '\t';
			break;
		case 'x': {
			char hex[3] = { 0 };
			char *end;

			if (!s[1] || !s[2])
				return -1;
			hex[0] = s[1], hex[1] = s[2];
			if (!strchr("0123456789abcdef", hex[0]) ||
			    !strchr("0123456789abcdef", hex[1]))
				return -1;
			out[n++] = (unsigned char)strtoul(hex, &end, 16);
			s += 2;
			break;
		}
		default:
			return -1;
		}
	}
	return (long)n;
}

/*
 * Valid UTF-8 with no C0/C1 control, DEL, bidi control or line separator: what a terminal
 * and a log viewer can safely show.
 */
static bool safe_text(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		unsigned int cp;
		int n;

		if (*p < 0x20 || *p == 0x7f)
			return false;
		if (*p < 0x80) {
			p++;
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf)
			n = 2, cp = *p & 0x1f;
		else if (*p >= 0xe0 && *p <= 0xef)
			n = 3, cp = *p & 0x0f;
		else if (*p >= 0xf0 && *p <= 0xf4)
			n = 4, cp = *p & 0x07;
		else
			return false;
		for (int i = 1; i < n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp <= 0x9f ||
		    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
		    cp == 0x2028 || cp == 0x2029)
			return false;
		p += n;
	}
	return true;
}

static void test_ascii_and_controls(void)
{
	char all[32];

	CHECK_STR(ESC("hello world ~!@#$%^&*()"), "hello world ~!@#$%^&*()");
	CHECK_STR(ESC(""), "");
	CHECK_STR(ESC("a\\b"), "a\\\\b");
	CHECK_STR(ESC("\\x41"), "\\\\x41"); /* a literal "\x41" must not read as 'A' */
	CHECK_STR(ESC("l1\nl2\rl3\tx"), "l1\\nl2\\rl3\\tx");
	CHECK_STR(ESC("\x1b[2J\x1b[H"), "\\x1b[2J\\x1b[H");
	CHECK_STR(ESC("\x7f"), "\\x7f");
	CHECK_STR(ESC("a\0b"), "a\\x00b");
	CHECK_STR(ESC("\x07\x08\x0b\x0c"), "\\x07\\x08\\x0b\\x0c");
	CHECK_STR(ESC("\"quoted\""), "\"quoted\"");

	/* every C0 control other than \t \n \r becomes \xNN */
	for (int c = 0; c < 32; c++)
		all[c] = (char)c;
	CHECK_STR(
		esc_n(all, sizeof(all)),
		"\\x00\\x01\\x02\\x03\\x04\\x05\\x06\\x07\\x08\\t\\n\\x0b\\x0c\\r\\x0e\\x0f"
		"\\x10\\x11\\x12\\x13\\x14\\x15\\x16\\x17\\x18\\x19\\x1a\\x1b\\x1c\\x1d\\x1e\\x1f");
}

static void test_utf8(void)
{
	/* valid UTF-8 passes unchanged */
	CHECK_STR(ESC("caf\xc3\xa9"), "caf\xc3\xa9");				/* café */
	CHECK_STR(ESC("\xe6\x97\xa5\xe6\x9c\xac"), "\xe6\x97\xa5\xe6\x9c\xac"); /* 日本 */
	CHECK_STR(ESC("\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80");			/* U+1F600 */
	CHECK_STR(ESC("\xc2\xa0"), "\xc2\xa0");			/* U+00A0, first after C1 */
	CHECK_STR(ESC("\xf4\x8f\xbf\xbf"), "\xf4\x8f\xbf\xbf"); /* U+10FFFF */
	CHECK_STR(ESC("\xed\x9f\xbf"), "\xed\x9f\xbf");		/* U+D7FF */
	CHECK_STR(ESC("\xe2\x80\x8b"), "\xe2\x80\x8b");		/* U+200B is not bidi */

	/* invalid UTF-8: every byte of a bad sequence is escaped on its own */
	CHECK_STR(ESC("\x80"), "\\x80"); /* lone continuation */
	CHECK_STR(ESC("a\xbf"
		      "b"),
		  "a\\xbfb");
	CHECK_STR(ESC("\xc0\x80"), "\\xc0\\x80");	   /* overlong NUL */
	CHECK_STR(ESC("\xc1\xbf"), "\\xc1\\xbf");	   /* overlong */
	CHECK_STR(ESC("\xe0\x80\xaf"), "\\xe0\\x80\\xaf"); /* overlong '/' */
	CHECK_STR(ESC("\xf0\x80\x80\xaf"), "\\xf0\\x80\\x80\\xaf");
	CHECK_STR(ESC("\xed\xa0\x80"), "\\xed\\xa0\\x80");	    /* surrogate U+D800 */
	CHECK_STR(ESC("\xed\xbf\xbf"), "\\xed\\xbf\\xbf");	    /* surrogate U+DFFF */
	CHECK_STR(ESC("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80"); /* U+110000 */
	CHECK_STR(ESC("\xf5\x80\x80\x80"), "\\xf5\\x80\\x80\\x80");
	CHECK_STR(ESC("\xff\xfe"), "\\xff\\xfe");
	/* truncated sequences, at the end and followed by ASCII */
	CHECK_STR(ESC("\xe6\x97"), "\\xe6\\x97");
	CHECK_STR(ESC("\xe6\x97"
		      "A"),
		  "\\xe6\\x97A");
	CHECK_STR(ESC("\xf0\x9f\x98"), "\\xf0\\x9f\\x98");
	/* a bad lead byte followed by a good sequence keeps the good one */
	CHECK_STR(ESC("\xc3\xc3\xa9"), "\\xc3\xc3\xa9");
	/* a sequence cut by len, not by a NUL */
	CHECK_STR(esc_n("\xc3\xa9", 1), "\\xc3");

	/* C1 controls U+0080..U+009F (C2 80..C2 9F): terminals act on them */
	CHECK_STR(ESC("\xc2\x80"), "\\xc2\\x80");
	CHECK_STR(ESC("\xc2\x9b"
		      "2J"),
		  "\\xc2\\x9b2J"); /* CSI */
	CHECK_STR(ESC("\xc2\x9f"), "\\xc2\\x9f");

	/* bidi overrides and isolates reorder text */
	CHECK_STR(ESC("a\xe2\x80\xae"
		      "b"),
		  "a\\xe2\\x80\\xaeb");			   /* U+202E RLO */
	CHECK_STR(ESC("\xe2\x80\xaa"), "\\xe2\\x80\\xaa"); /* U+202A */
	CHECK_STR(ESC("\xe2\x81\xa6"), "\\xe2\\x81\\xa6"); /* U+2066 */
	CHECK_STR(ESC("\xe2\x81\xa9"), "\\xe2\\x81\\xa9"); /* U+2069 */
	CHECK_STR(ESC("\xe2\x81\xaa"), "\xe2\x81\xaa");	   /* U+206A: not an isolate */

	/* line and paragraph separators break a line in some log viewers */
	CHECK_STR(ESC("a\xe2\x80\xa8"
		      "FAKE"),
		  "a\\xe2\\x80\\xa8FAKE");		   /* U+2028 */
	CHECK_STR(ESC("\xe2\x80\xa9"), "\\xe2\\x80\\xa9"); /* U+2029 */
	CHECK_STR(ESC("\xe2\x80\xa7"), "\xe2\x80\xa7");	   /* U+2027: shown */
}

/* dst must equal the full escaped form of some prefix of src. */
static bool is_escaped_prefix(const char *dst, const char *src, size_t len)
{
	char full[4096];

	for (size_t k = 0; k <= len; k++) {
		escape_bytes(full, sizeof(full), src, k);
		if (strcmp(full, dst) == 0)
			return true;
	}
	return false;
}

static void test_truncation(void)
{
	static const char src[] = "a\\b\x1b\xc3\xa9\xf0\x9f\x98\x80\n\x80z";
	const size_t len = sizeof(src) - 1;
	char full[256], dst[256];
	size_t need = escape_bytes(full, sizeof(full), src, len);

	CHECK_STR(full, "a\\\\b\\x1b\xc3\xa9\xf0\x9f\x98\x80\\n\\x80z");
	CHECK_INT(need, strlen(full));

	for (size_t size = 1; size <= need + 1; size++) {
		memset(dst, 'Q', sizeof(dst));
		CHECK_INT(escape_bytes(dst, size, src, len), need);
		CHECK(memchr(dst, '\0', size) != NULL);
		CHECK(strlen(dst) < size);
		CHECK(is_escaped_prefix(dst, src, len));
		CHECK(dst[size] == 'Q'); /* nothing written past dst_size */
	}
	/* a piece that does not fit stops the copy, even if a later one would fit */
	CHECK_INT(escape_bytes(dst, 3, "a\x01z", 3), 6);
	CHECK_STR(dst, "a");
	CHECK_INT(escape_bytes(dst, 5, "\\\\\\", 3), 6);
	CHECK_STR(dst, "\\\\\\\\");
	/* exactly enough room */
	CHECK_INT(escape_bytes(dst, 5, "\x01", 1), 4);
	CHECK_STR(dst, "\\x01");
	CHECK_INT(escape_bytes(dst, 4, "\x01", 1), 4);
	CHECK_STR(dst, "");

	/* dst_size 0: nothing written at all, length still reported */
	dst[0] = 'Q';
	CHECK_INT(escape_bytes(dst, 0, "abc\n", 4), 5);
	CHECK(dst[0] == 'Q');
	CHECK_INT(escape_bytes(NULL, 0, "\x1b", 1), 4);
	/* dst_size 1: only the NUL */
	dst[0] = 'Q', dst[1] = 'Q';
	CHECK_INT(escape_bytes(dst, 1, "abc", 3), 3);
	CHECK(dst[0] == '\0' && dst[1] == 'Q');

	CHECK_INT(escape_str(dst, sizeof(dst), "x\ty"), 4);
	CHECK_STR(dst, "x\\ty");
}

static uint32_t rng_state = 0x12345678u;

static uint32_t rng(void)
{
	/* xorshift32: fixed seed, same sequence on every run */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static void test_round_trip(void)
{
	/* bytes that make escapes, UTF-8 leads and continuations likely to meet */
	static const unsigned char alphabet[] = {
		0x00, 0x01, 0x09, 0x0a, 0x0d, 0x1b, 0x20, '\\', 'x',  'n',  '0',
		'a',  'f',  0x7e, 0x7f, 0x80, 0x81, 0x9f, 0xa0, 0xae, 0xbf, 0xc0,
		0xc2, 0xc3, 0xdf, 0xe0, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff,
	};
	unsigned char in[12], back[64];
	char out[256];
	int bad_round = 0, bad_text = 0, bad_len = 0;

	for (int iter = 0; iter < 200000; iter++) {
		size_t len = rng() % (sizeof(in) + 1);
		size_t need;
		long n;

		for (size_t i = 0; i < len; i++) {
			uint32_t r = rng();

			in[i] = (r & 0x100) ? (unsigned char)r : alphabet[r % sizeof(alphabet)];
		}
		need = escape_bytes(out, sizeof(out), (const char *)in, len);
		if (need != strlen(out))
			bad_len++;
		if (!safe_text(out))
			bad_text++;
		n = unescape(out, back, sizeof(back));
		if (n != (long)len || memcmp(back, in, len) != 0) {
			if (!bad_round)
				fprintf(stderr, "round trip failed for \"%s\"\n", out);
			bad_round++;
		}
	}
	CHECK_INT(bad_len, 0);
	CHECK_INT(bad_text, 0);
	CHECK_INT(bad_round, 0);
}

int main(void)
{
	test_ascii_and_controls();
	test_utf8();
	test_truncation();
	test_round_trip();
	return check_summary("test_escape");
}
