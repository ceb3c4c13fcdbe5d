/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The Prometheus text exposition format (version 0.0.4, what node_exporter's textfile
 * collector reads), built in memory: metric families (# HELP, # TYPE) and samples with
 * escaped label values. Knows nothing of what is measured.
 */
#ifndef LW_METRICS_FMT_H
#define LW_METRICS_FMT_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A growing text buffer; a failed allocation is remembered and reported by the end. */
struct metrics_buf {
	char *p;
	size_t len, cap;
	bool failed;
};

/* One label: its name (a constant of ours, never input) and its value (any bytes). */
struct metrics_label {
	const char *name;
	const char *value;
};

/*
 * Writes value as a label value, without the quotes, into dst (NUL-terminated when size >
 * 0): a backslash as \\, a double quote as \", a newline as \n, as the format asks; any
 * other control byte, DEL, or byte that is not valid UTF-8 as the text \xNN (whose
 * backslash is itself escaped, so "\\xNN" in the file), since label values must be UTF-8
 * and a file an admin may cat must not move their cursor. Returns the length the whole
 * form needs, like snprintf; a cut is never inside an escape.
 */
size_t metrics_fmt_label_value(char *dst, size_t size, const char *value);

/* Starts a family: "# HELP name help" (help escaped: \\ and \n) and "# TYPE name type". */
void metrics_fmt_family(struct metrics_buf *b, const char *name, const char *type,
			const char *help);

/* One sample: name{l1="v1",...} value, with value an integer (counters, most gauges). */
void metrics_fmt_uint(struct metrics_buf *b, const char *name, const struct metrics_label *l,
		      size_t nl, uint64_t value);

/* The same with a floating-point value (seconds, ratios), written so it parses back exactly. */
void metrics_fmt_double(struct metrics_buf *b, const char *name, const struct metrics_label *l,
			size_t nl, double value);

/* Returns 0, or -ENOMEM if any append failed (the text is then incomplete). */
static inline int metrics_fmt_status(const struct metrics_buf *b)
{
	return b->failed ? -ENOMEM : 0;
}

void metrics_buf_free(struct metrics_buf *b);

#endif /* LW_METRICS_FMT_H */
