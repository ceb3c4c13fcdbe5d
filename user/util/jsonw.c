// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A small JSON object writer for one-line output records (see jsonw.h). */
#include "util/jsonw.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/escape.h"

/* reserve()'s slow path: a larger buffer, or NULL with the object marked incomplete. */
static char *grow(struct jsonw *w, size_t n)
{
	size_t cap;
	char *b;

	if (n > SIZE_MAX / 4 - w->len) {
		w->oom = true;
		return NULL;
	}
	cap = w->cap ? w->cap : 512;
	while (cap < w->len + n + 1)
		cap *= 2;
	b = realloc(w->buf, cap);
	if (!b) {
		w->oom = true;
		return NULL;
	}
	w->buf = b;
	w->cap = cap;
	return w->buf + w->len;
}

/*
 * Room for n more bytes and the NUL after them: a pointer to where they go, or NULL (the
 * object is then marked incomplete).
 */
static inline char *reserve(struct jsonw *w, size_t n)
{
	if (w->oom)
		return NULL;
	if (w->len + n + 1 <= w->cap)
		return w->buf + w->len;
	return grow(w, n);
}

/* Ends what was written up to p (from reserve()): the length, and the NUL after it. */
static inline void commit(struct jsonw *w, char *p)
{
	*p = '\0';
	w->len = (size_t)(p - w->buf);
}

static inline void put(struct jsonw *w, const char *s, size_t n)
{
	char *p = reserve(w, n);

	if (!p)
		return;
	memcpy(p, s, n);
	commit(w, p + n);
}

static void puts_(struct jsonw *w, const char *s)
{
	put(w, s, strlen(s));
}

/*
 * JSON-quotes n bytes at s into p (room for 2 * n): '"' and '\' get a backslash before them.
 * Returns the end of what it wrote.
 */
static char *quote_into(char *p, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t run = i;

		/* copy each run up to the next character JSON must escape in one go */
		while (run < n && s[run] != '"' && s[run] != '\\')
			run++;
		memcpy(p, s + i, run - i);
		p += run - i;
		i = run;
		if (i < n) {
			*p++ = '\\';
			*p++ = s[i++];
		}
	}
	return p;
}

/* JSON-quotes an already escaped (printable, valid UTF-8) string. */
static void put_quoted(struct jsonw *w, const char *s)
{
	size_t n = strlen(s);
	char *p = reserve(w, 2 * n + 2);

	if (!p)
		return;
	*p++ = '"';
	p = quote_into(p, s, n);
	*p++ = '"';
	commit(w, p);
}

static void key(struct jsonw *w, const char *k)
{
	if (w->need_comma)
		put(w, ",", 1);
	w->need_comma = true;
	if (k) {
		put_quoted(w, k);
		put(w, ":", 1);
	}
}

/* The decimal digits of v, written backwards ending at end. Returns where they start. */
static char *fmt_u64(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

void jsonw_init(struct jsonw *w)
{
	memset(w, 0, sizeof(*w));
}

void jsonw_free(struct jsonw *w)
{
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

void jsonw_begin(struct jsonw *w)
{
	w->len = 0;
	w->oom = false;
	w->need_comma = false;
	put(w, "{", 1);
}

int jsonw_end(struct jsonw *w)
{
	put(w, "}", 1);
	return w->oom ? -ENOMEM : 0;
}

int jsonw_end_line(struct jsonw *w)
{
	put(w, "}\n", 2);
	return w->oom ? -ENOMEM : 0;
}

/*
 * The most one input byte becomes: a control byte's "\xNN" with its backslash quoted, 5.
 * Valid UTF-8 passes as it is, one byte for one.
 */
#define JSONW_BYTE_MAX 5

void jsonw_bytes(struct jsonw *w, const char *k, const char *s, size_t n)
{
	char *p;
	size_t i = 0;

	key(w, k);
	/*
	 * escape_bytes() and then JSON's quoting in one pass, straight into the buffer: runs of
	 * printable ASCII other than '\\' and '"' need neither and are copied at once; '"' is
	 * one JSON escape, and every other character's escaped form (escape_step()) is quoted
	 * as put_quoted() would.
	 */
	if (n > (SIZE_MAX / 4 - 2) / JSONW_BYTE_MAX) {
		w->oom = true;
		return;
	}
	p = reserve(w, n * JSONW_BYTE_MAX + 2);
	if (!p)
		return;
	*p++ = '"';
	while (i < n) {
		size_t run = i, len;
		const char *piece;
		char buf[4];

		while (run < n && (unsigned char)(s[run] - 0x20) < 0x5f && s[run] != '\\' &&
		       s[run] != '"')
			run++;
		memcpy(p, s + i, run - i);
		p += run - i;
		i = run;
		if (i == n)
			break;
		if (s[i] == '"') {
			*p++ = '\\';
			*p++ = s[i++];
			continue;
		}
		i += escape_step(s + i, n - i, buf, &piece, &len);
		p = quote_into(p, piece, len);
	}
	*p++ = '"';
	commit(w, p);
}

void jsonw_escaped(struct jsonw *w, const char *k, const char *s)
{
	key(w, k);
	put_quoted(w, s);
}

void jsonw_str(struct jsonw *w, const char *k, const char *s)
{
	jsonw_bytes(w, k, s, strlen(s));
}

void jsonw_int(struct jsonw *w, const char *k, int64_t v)
{
	char b[24], *end = b + sizeof(b), *p;
	/* the magnitude in unsigned arithmetic, so INT64_MIN has one too */
	uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	p = fmt_u64(end, mag);
	if (v < 0)
		*--p = '-';
	key(w, k);
	put(w, p, (size_t)(end - p));
}

void jsonw_uint(struct jsonw *w, const char *k, uint64_t v)
{
	char b[24], *end = b + sizeof(b), *p = fmt_u64(end, v);

	key(w, k);
	put(w, p, (size_t)(end - p));
}

void jsonw_bool(struct jsonw *w, const char *k, bool v)
{
	key(w, k);
	puts_(w, v ? "true" : "false");
}

void jsonw_null(struct jsonw *w, const char *k)
{
	key(w, k);
	puts_(w, "null");
}

void jsonw_open(struct jsonw *w, const char *k, char bracket)
{
	key(w, k);
	put(w, &bracket, 1);
	w->need_comma = false;
}

void jsonw_close(struct jsonw *w, char bracket)
{
	put(w, &bracket, 1);
	w->need_comma = true;
}

void jsonw_elem_str(struct jsonw *w, const char *s)
{
	jsonw_bytes(w, NULL, s, strlen(s));
}
