// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A small JSON object writer for one-line output records (see jsonw.h). */
#include "util/jsonw.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util/escape.h"

static void put(struct jsonw *w, const char *s, size_t n)
{
	if (w->oom)
		return;
	if (w->len + n + 1 > w->cap) {
		size_t cap = w->cap ? w->cap : 512;
		char *b;

		while (cap < w->len + n + 1)
			cap *= 2;
		b = realloc(w->buf, cap);
		if (!b) {
			w->oom = true;
			return;
		}
		w->buf = b;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void puts_(struct jsonw *w, const char *s)
{
	put(w, s, strlen(s));
}

/* JSON-quotes an already escaped (printable, valid UTF-8) string. */
static void put_quoted(struct jsonw *w, const char *s)
{
	put(w, "\"", 1);
	while (*s) {
		/* copy each run up to the next character JSON must escape in one go */
		size_t run = strcspn(s, "\"\\");

		put(w, s, run);
		s += run;
		if (*s) {
			char e[2] = { '\\', *s++ };

			put(w, e, 2);
		}
	}
	put(w, "\"", 1);
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

void jsonw_bytes(struct jsonw *w, const char *k, const char *s, size_t n)
{
	char small[512];
	char *esc = small;
	size_t need = escape_bytes(small, sizeof(small), s, n);

	if (need >= sizeof(small)) {
		esc = malloc(need + 1);
		if (!esc) {
			w->oom = true;
			return;
		}
		escape_bytes(esc, need + 1, s, n);
	}
	key(w, k);
	put_quoted(w, esc);
	if (esc != small)
		free(esc);
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
	char b[32];

	snprintf(b, sizeof(b), "%" PRId64, v);
	key(w, k);
	puts_(w, b);
}

void jsonw_uint(struct jsonw *w, const char *k, uint64_t v)
{
	char b[32];

	snprintf(b, sizeof(b), "%" PRIu64, v);
	key(w, k);
	puts_(w, b);
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
