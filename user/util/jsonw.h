/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A small JSON object writer for one-line output records. String values go through
 * escape_bytes() first, so untrusted bytes appear in the same reversible escaped form as in
 * text output, and then through JSON's own escaping (both in one pass, byte for byte what
 * the two steps give: tests/unit/test_escape_ref.c).
 */
#ifndef LW_JSONW_H
#define LW_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct jsonw {
	char *buf;
	size_t len, cap;
	bool need_comma;
	bool oom; /* an allocation failed: the object is incomplete */
};

void jsonw_init(struct jsonw *w);
void jsonw_free(struct jsonw *w);
/* Starts a new top-level object, discarding what was there. */
void jsonw_begin(struct jsonw *w);
/* Closes the object. Returns 0, or -ENOMEM if anything was lost on the way. */
int jsonw_end(struct jsonw *w);
/* jsonw_end(), and a '\n' after the object: one line of JSON Lines output, ready to write. */
int jsonw_end_line(struct jsonw *w);

void jsonw_str(struct jsonw *w, const char *key, const char *s);
void jsonw_bytes(struct jsonw *w, const char *key, const char *s, size_t n);
/*
 * A string that is already in escaped form (escape_bytes() output, or text built from
 * such pieces): only JSON's own quoting is applied, so it is not escaped twice.
 */
void jsonw_escaped(struct jsonw *w, const char *key, const char *s);
void jsonw_int(struct jsonw *w, const char *key, int64_t v);
void jsonw_uint(struct jsonw *w, const char *key, uint64_t v);
void jsonw_bool(struct jsonw *w, const char *key, bool v);
void jsonw_null(struct jsonw *w, const char *key);
/* Opens a nested object or array under key (key NULL inside an array). */
void jsonw_open(struct jsonw *w, const char *key, char bracket);
void jsonw_close(struct jsonw *w, char bracket);
/* Appends a string element inside an array. */
void jsonw_elem_str(struct jsonw *w, const char *s);

#endif /* LW_JSONW_H */
