// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of the HTML escaper: the characters HTML gives a meaning to, hostile markup,
 * control bytes and invalid UTF-8, truncation, the stream form, and that random bytes
 * always come out as inert, valid UTF-8 that decodes back to the input.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "util/htmlesc.h"
#include "util/utf8.h"

static const char *hesc_n(const char *s, size_t n)
{
	static char buf[8192];
	size_t need = html_escape_bytes(buf, sizeof(buf), s, n);

	CHECK_INT(need, strlen(buf));
	return buf;
}

#define HESC(lit) hesc_n((lit), sizeof(lit) - 1)

/*
 * Inert: no character that starts markup or ends an attribute, every '&' starts one of the
 * five references the escaper writes, and the whole is valid UTF-8 with no C0 control.
 */
static bool inert(const char *s)
{
	static const char *const refs[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&#39;" };
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s);

	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n;

		if (p[i] == '<' || p[i] == '>' || p[i] == '"' || p[i] == '\'' || p[i] < 0x20 ||
		    p[i] == 0x7f)
			return false;
		if (p[i] == '&') {
			bool ok = false;

			for (size_t r = 0; r < sizeof(refs) / sizeof(refs[0]); r++)
				ok |= strncmp(s + i, refs[r], strlen(refs[r])) == 0;
			if (!ok)
				return false;
		}
		n = utf8_decode(p + i, len - i, &cp);
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

/* The inverse: references, then the util/escape.h form. Returns the length or -1. */
static long unescape(const char *s, unsigned char *out, size_t cap)
{
	static const struct {
		const char *ref;
		char c;
	} refs[] = { { "&amp;", '&' },
		     { "&lt;", '<' },
		     { "&gt;", '>' },
		     { "&quot;", '"' },
		     { "&#39;", '\'' } };
	size_t n = 0;

	while (*s) {
		if (n >= cap)
			return -1;
		if (*s == '&') {
			size_t r;

			for (r = 0; r < sizeof(refs) / sizeof(refs[0]); r++)
				if (strncmp(s, refs[r].ref, strlen(refs[r].ref)) == 0)
					break;
			if (r == sizeof(refs) / sizeof(refs[0]))
				return -1;
			out[n++] = (unsigned char)refs[r].c;
			s += strlen(refs[r].ref);
		} else if (*s == '\\') {
			switch (s[1]) {
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

				if (!s[2] || !s[3] || !strchr("0123456789abcdef", s[2]) ||
				    !strchr("0123456789abcdef", s[3]))
					return -1;
				hex[0] = s[2], hex[1] = s[3];
				out[n++] = (unsigned char)strtoul(hex, NULL, 16);
				s += 2;
				break;
			}
			default:
				return -1;
			}
			s += 2;
		} else {
			out[n++] = (unsigned char)*s++;
		}
	}
	return (long)n;
}

static void test_markup(void)
{
	CHECK_STR(HESC("plain text 123 /~"), "plain text 123 /~");
	CHECK_STR(HESC(""), "");
	CHECK_STR(HESC("a & b"), "a &amp; b");
	CHECK_STR(HESC("&amp;"), "&amp;amp;"); /* a reference in the input stays text */
	CHECK_STR(HESC("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
	CHECK_STR(HESC("\"><img src=x onerror=alert(1)>"),
		  "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
	CHECK_STR(HESC("' onmouseover='x"), "&#39; onmouseover=&#39;x");
	CHECK_STR(HESC("</title><svg onload=1>"), "&lt;/title&gt;&lt;svg onload=1&gt;");
	CHECK_STR(HESC("<!-- -->"), "&lt;!-- --&gt;");
	CHECK_STR(HESC("]]><![CDATA["), "]]&gt;&lt;![CDATA[");
	CHECK(inert(HESC("<style>*{background:url(http://x/)}</style>")));
}

static void test_bytes(void)
{
	/* control bytes are shown, never written raw; a backslash is doubled */
	CHECK_STR(HESC("a\nb\tc\rd"), "a\\nb\\tc\\rd");
	CHECK_STR(HESC("\x1b[31m"), "\\x1b[31m");
	CHECK_STR(HESC("a\0b"), "a\\x00b");
	CHECK_STR(HESC("\x7f"), "\\x7f");
	CHECK_STR(HESC("C:\\x41"), "C:\\\\x41");
	/* invalid UTF-8 cannot break the page's encoding */
	CHECK_STR(HESC("\xff\xfe<"), "\\xff\\xfe&lt;");
	CHECK_STR(HESC("\xc3<"), "\\xc3&lt;"); /* a cut sequence does not swallow the '<' */
	CHECK_STR(HESC("\xe2\x80<"), "\\xe2\\x80&lt;");
	CHECK_STR(HESC("\xc0\xbc"), "\\xc0\\xbc"); /* overlong '<' */
	CHECK_STR(HESC("\xed\xa0\x80"), "\\xed\\xa0\\x80");
	/* valid UTF-8 passes, except what reorders or breaks what a person reads */
	CHECK_STR(HESC("caf\xc3\xa9 \xe6\x97\xa5"), "caf\xc3\xa9 \xe6\x97\xa5");
	CHECK_STR(HESC("x\xe2\x80\xaegpj.exe"), "x\\xe2\\x80\\xaegpj.exe"); /* RLO */
	CHECK_STR(HESC("\xc2\x9b"), "\\xc2\\x9b");			    /* C1 CSI */
	CHECK_STR(HESC("\xe2\x80\xa8"), "\\xe2\\x80\\xa8");
}

static void test_truncation(void)
{
	static const char src[] = "a<b\x01&\xc3\xa9\"'";
	char full[256], dst[256];
	size_t need = html_escape_bytes(full, sizeof(full), src, sizeof(src) - 1);

	CHECK_STR(full, "a&lt;b\\x01&amp;\xc3\xa9&quot;&#39;");
	CHECK_INT(need, strlen(full));
	for (size_t size = 1; size <= need + 1; size++) {
		char pre[256];
		bool is_prefix = false;

		memset(dst, 'Q', sizeof(dst));
		CHECK_INT(html_escape_bytes(dst, size, src, sizeof(src) - 1), need);
		CHECK(strlen(dst) < size);
		CHECK(dst[size] == 'Q');
		/* a cut result is the full form of a prefix of the input, never half of one */
		for (size_t k = 0; k < sizeof(src); k++) {
			html_escape_bytes(pre, sizeof(pre), src, k);
			is_prefix |= strcmp(pre, dst) == 0;
		}
		CHECK(is_prefix);
	}
	dst[0] = 'Q';
	CHECK_INT(html_escape_bytes(dst, 0, "<", 1), 4);
	CHECK(dst[0] == 'Q');
	CHECK_INT(html_escape_str(dst, sizeof(dst), "'"), 5);
	CHECK_STR(dst, "&#39;");
}

static void test_stream(void)
{
	static const char src[] = "<a href=\"x\">\xff\n";
	char *mem = NULL, buf[256];
	size_t memlen = 0;
	FILE *f = open_memstream(&mem, &memlen);
	FILE *full;

	CHECK(f != NULL);
	if (!f)
		return;
	CHECK_INT(html_escape_write(f, src, sizeof(src) - 1), 0);
	fclose(f);
	html_escape_bytes(buf, sizeof(buf), src, sizeof(src) - 1);
	CHECK_STR(mem, buf);
	free(mem);

	/* a stream that fails says so */
	full = fopen("/dev/full", "w");
	CHECK(full != NULL);
	if (!full)
		return;
	setvbuf(full, NULL, _IONBF, 0);
	CHECK_INT(html_escape_write(full, "abc", 3), -EIO);
	fclose(full);
}

static uint32_t rng_state = 0x2545f491u;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static void test_random(void)
{
	static const unsigned char alphabet[] = { '<',	'>',  '&',  '"',  '\'', '\\', 'x',  ';',
						  '#',	0x00, 0x0a, 0x1b, 0x7f, 0x80, 0xa0, 0xae,
						  0xbf, 0xc2, 0xc3, 0xe2, 0xed, 0xf0, 0xff };
	unsigned char in[16], back[64];
	char out[512];
	int bad_inert = 0, bad_round = 0;

	for (int iter = 0; iter < 100000; iter++) {
		size_t len = rng() % (sizeof(in) + 1);
		long n;

		for (size_t i = 0; i < len; i++) {
			uint32_t r = rng();

			in[i] = (r & 0x100) ? (unsigned char)r : alphabet[r % sizeof(alphabet)];
		}
		html_escape_bytes(out, sizeof(out), (const char *)in, len);
		if (!inert(out)) {
			if (!bad_inert)
				fprintf(stderr, "not inert: \"%s\"\n", out);
			bad_inert++;
		}
		n = unescape(out, back, sizeof(back));
		if (n != (long)len || memcmp(back, in, len) != 0)
			bad_round++;
	}
	CHECK_INT(bad_inert, 0);
	CHECK_INT(bad_round, 0);
}

int main(void)
{
	test_markup();
	test_bytes();
	test_truncation();
	test_stream();
	test_random();
	return check_summary("test_htmlesc");
}
