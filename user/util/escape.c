// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Escaping of untrusted bytes for terminals, logs and JSON (see escape.h). */
#include "util/escape.h"

#include <string.h>

#include "util/utf8.h"

/*
 * Length of the UTF-8 sequence at s that may be shown as it is (1-4), or 0: invalid UTF-8,
 * and valid sequences that still steer a terminal or what a person reads.
 */
static size_t utf8_seq_len(const unsigned char *s, size_t avail)
{
	uint32_t cp;
	size_t n = utf8_decode(s, avail, &cp);

	if (n == 0) /* invalid: cp was not set */
		return 0;
	/* C1 controls (U+0080..U+009F) are terminal controls too */
	if (cp >= 0x80 && cp <= 0x9f)
		return 0;
	/* bidirectional overrides and isolates can reorder what a person reads */
	if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
		return 0;
	/* line and paragraph separators end a line in some log viewers: a forged line */
	if (cp == 0x2028 || cp == 0x2029)
		return 0;
	return n;
}

size_t escape_step(const char *src, size_t len, char buf[4], const char **piece, size_t *n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)src;
	unsigned char c = s[0];
	size_t adv;

	*piece = buf;
	if (c == '\\') {
		buf[0] = '\\', buf[1] = '\\', *n = 2;
	} else if (c == '\n') {
		buf[0] = '\\', buf[1] = 'n', *n = 2;
	} else if (c == '\r') {
		buf[0] = '\\', buf[1] = 'r', *n = 2;
	} else if (c == '\t') {
		buf[0] = '\\', buf[1] = 't', *n = 2;
	} else if (c >= 0x20 && c < 0x7f) {
		*piece = src, *n = 1;
	} else if (c >= 0x80 && (adv = utf8_seq_len(s, len)) != 0) {
		*piece = src, *n = adv;
		return adv;
	} else {
		buf[0] = '\\', buf[1] = 'x', buf[2] = hex[c >> 4], buf[3] = hex[c & 15];
		*n = 4;
	}
	return 1;
}

/*
 * How many bytes at the start of src[0..len) pass as they are, each standing for itself:
 * printable ASCII other than the backslash, copied in one go.
 */
static size_t plain_run(const char *src, size_t len)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0;

	/* 0x20..0x7e in one unsigned compare */
	while (i < len && (unsigned char)(s[i] - 0x20) < 0x5f && s[i] != '\\')
		i++;
	return i;
}

size_t escape_bytes(char *dst, size_t dst_size, const char *src, size_t len)
{
	size_t need = 0, used = 0;
	int full = dst_size == 0;

	for (size_t i = 0; i < len;) {
		char buf[4];
		const char *piece;
		size_t n = plain_run(src + i, len - i);

		if (n) {
			/* a run of printable ASCII: each byte stands for itself, copied at once */
			size_t room = full ? 0 : dst_size - 1 - used;
			size_t k = n < room ? n : room;

			if (k)
				memcpy(dst + used, src + i, k);
			used += k;
			full |= k < n;
			need += n;
			i += n;
			continue;
		}
		i += escape_step(src + i, len - i, buf, &piece, &n);
		need += n;
		if (!full && used + n < dst_size) {
			memcpy(dst + used, piece, n);
			used += n;
		} else {
			full = 1;
		}
	}
	if (dst_size)
		dst[used] = '\0';
	return need;
}

size_t escape_str(char *dst, size_t dst_size, const char *src)
{
	return escape_bytes(dst, dst_size, src, strlen(src));
}
