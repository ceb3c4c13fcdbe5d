// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Escaping of untrusted bytes for HTML text and quoted attributes (see htmlesc.h). */
#include "util/htmlesc.h"

#include <errno.h>
#include <string.h>

#include "util/escape.h"

/*
 * The escaped form of the character at src (len >= 1): the util/escape.h form, then the
 * characters HTML gives a meaning to as references. Returns the bytes of src consumed.
 */
static size_t html_step(const char *src, size_t len, char buf[4], const char **piece, size_t *n)
{
	size_t adv = escape_step(src, len, buf, piece, n);

	if (*n != 1)
		return adv; /* an escape (only \ x 0-9 a-f) or a UTF-8 sequence of 2-4 bytes */
	switch (**piece) {
	case '&':
		*piece = "&amp;", *n = 5;
		break;
	case '<':
		*piece = "&lt;", *n = 4;
		break;
	case '>':
		*piece = "&gt;", *n = 4;
		break;
	case '"':
		*piece = "&quot;", *n = 6;
		break;
	case '\'':
		*piece = "&#39;", *n = 5;
		break;
	default:
		break;
	}
	return adv;
}

size_t html_escape_bytes(char *dst, size_t dst_size, const char *src, size_t len)
{
	size_t need = 0, used = 0;
	int full = 0;

	for (size_t i = 0; i < len;) {
		char buf[4];
		const char *piece;
		size_t n;

		i += html_step(src + i, len - i, buf, &piece, &n);
		need += n;
		if (!full && dst_size && used + n < dst_size) {
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

size_t html_escape_str(char *dst, size_t dst_size, const char *src)
{
	return html_escape_bytes(dst, dst_size, src, strlen(src));
}

int html_escape_write(FILE *f, const char *src, size_t len)
{
	for (size_t i = 0; i < len;) {
		char buf[4];
		const char *piece;
		size_t n;

		i += html_step(src + i, len - i, buf, &piece, &n);
		if (fwrite(piece, 1, n, f) != n)
			return -EIO;
	}
	return 0;
}
