// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The Prometheus text exposition format (see metrics_fmt.h). */
#include "util/metrics_fmt.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/utf8.h"

static bool reserve(struct metrics_buf *b, size_t more)
{
	size_t cap;
	char *p;

	if (b->failed)
		return false;
	if (b->len + more + 1 <= b->cap)
		return true;
	cap = b->cap ? b->cap : 4096;
	while (cap < b->len + more + 1)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->failed = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

static void put(struct metrics_buf *b, const char *s, size_t n)
{
	if (!reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

__attribute__((format(printf, 2, 3))) static void putf(struct metrics_buf *b, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		put(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

size_t metrics_fmt_label_value(char *dst, size_t size, const char *value)
{
	const unsigned char *s = (const unsigned char *)value;
	size_t len = strlen(value), out = 0, written = 0;
	bool fits = size > 0;

	for (size_t i = 0; i < len;) {
		char esc[8];
		const char *piece = esc;
		size_t n = 1, k;
		uint32_t cp;

		if (s[i] == '\\' || s[i] == '"') {
			esc[0] = '\\', esc[1] = (char)s[i], k = 2;
		} else if (s[i] == '\n') {
			esc[0] = '\\', esc[1] = 'n', k = 2;
		} else if (s[i] < 0x20 || s[i] == 0x7f || !(n = utf8_decode(s + i, len - i, &cp))) {
			k = (size_t)snprintf(esc, sizeof(esc), "\\\\x%02x", s[i]);
			n = 1;
		} else {
			piece = (const char *)s + i; /* a whole UTF-8 sequence, as it is */
			k = n;
		}
		if (fits && written + k < size) {
			memcpy(dst + written, piece, k);
			written += k;
		} else {
			fits = false; /* the cut is before this piece, never inside it */
		}
		out += k;
		i += n;
	}
	if (size > 0)
		dst[written] = '\0';
	return out;
}

static void put_label_value(struct metrics_buf *b, const char *value)
{
	size_t n = metrics_fmt_label_value(NULL, 0, value);

	if (!reserve(b, n))
		return;
	metrics_fmt_label_value(b->p + b->len, n + 1, value);
	b->len += n;
}

void metrics_fmt_family(struct metrics_buf *b, const char *name, const char *type, const char *help)
{
	put(b, "# HELP ", 7);
	put(b, name, strlen(name));
	put(b, " ", 1);
	for (const char *h = help; *h; h++) {
		if (*h == '\\')
			put(b, "\\\\", 2);
		else if (*h == '\n')
			put(b, "\\n", 2);
		else
			put(b, h, 1);
	}
	put(b, "\n# TYPE ", 8);
	put(b, name, strlen(name));
	put(b, " ", 1);
	put(b, type, strlen(type));
	put(b, "\n", 1);
}

static void put_name_labels(struct metrics_buf *b, const char *name, const struct metrics_label *l,
			    size_t nl)
{
	put(b, name, strlen(name));
	if (!nl)
		return;
	put(b, "{", 1);
	for (size_t i = 0; i < nl; i++) {
		if (i)
			put(b, ",", 1);
		put(b, l[i].name, strlen(l[i].name));
		put(b, "=\"", 2);
		put_label_value(b, l[i].value ? l[i].value : "");
		put(b, "\"", 1);
	}
	put(b, "}", 1);
}

void metrics_fmt_uint(struct metrics_buf *b, const char *name, const struct metrics_label *l,
		      size_t nl, uint64_t value)
{
	put_name_labels(b, name, l, nl);
	putf(b, " %" PRIu64 "\n", value);
}

void metrics_fmt_double(struct metrics_buf *b, const char *name, const struct metrics_label *l,
			size_t nl, double value)
{
	put_name_labels(b, name, l, nl);
	/* %.17g round-trips every double; the format spells the specials its own way */
	if (value != value)
		putf(b, " NaN\n");
	else if (value > 1.7976931348623157e308)
		putf(b, " +Inf\n");
	else if (value < -1.7976931348623157e308)
		putf(b, " -Inf\n");
	else
		putf(b, " %.17g\n", value);
}

void metrics_buf_free(struct metrics_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}
