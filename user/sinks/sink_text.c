// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The text sink: one escaped, human-readable line per event. */
#include "sinks/sink.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "rules/rules_output.h"
#include "sinks/sink_file.h"
#include "sinks/sink_textline.h"
#include "util/timefmt.h"

struct text_sink {
	struct sink sink;
	struct sink_file out;
};

/* A fold summary's own line, after the alert it repeats (struct lw_fold). */
static void print_fold(FILE *f, const struct lw_fold *fold)
{
	char first[48], last[48];

	timefmt_rfc3339(first, sizeof(first), fold->first);
	timefmt_rfc3339(last, sizeof(last), fold->last);
	fprintf(f,
		"  [folded] %" PRIu64 " identical alerts from %s to %s (the first written when it "
		"came; window %u s)\n",
		fold->count, first, last, fold->window_s);
}

static int text_event(struct sink *s, const struct lw_event *ev, const struct rules_verdict *v,
		      size_t nv)
{
	struct text_sink *t = (struct text_sink *)s;
	FILE *f = sink_file_begin(&t->out);

	sink_textline_event(f, ev);
	fputc('\n', f);
	if (nv)
		rules_output_text(f, ev, v, nv);
	if (ev->fold)
		print_fold(f, ev->fold);
	return sink_file_end(&t->out);
}

static int text_summary(struct sink *s, const struct lw_stats *st)
{
	(void)s;
	(void)st; /* the monitor prints the human summary to stderr for every sink */
	return 0;
}

static int text_flush(struct sink *s)
{
	return sink_file_flush(&((struct text_sink *)s)->out);
}

static void text_destroy(struct sink *s)
{
	sink_file_close(&((struct text_sink *)s)->out);
	free(s);
}

static int text_reopen(struct sink *s)
{
	return sink_file_reopen(&((struct text_sink *)s)->out);
}

static const struct sink_ops text_ops = {
	.event = text_event,
	.summary = text_summary,
	.destroy = text_destroy,
	.flush = text_flush,
	.reopen = text_reopen,
};

struct sink *sink_text_new(FILE *out)
{
	struct text_sink *t = calloc(1, sizeof(*t));

	if (!t || sink_file_borrow(&t->out, out)) {
		free(t);
		errno = ENOMEM;
		return NULL;
	}
	t->sink.ops = &text_ops;
	return &t->sink;
}

struct sink *sink_text_open(const char *arg, char *err, size_t errsz)
{
	struct text_sink *t = calloc(1, sizeof(*t));
	int e;

	if (!t) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	e = sink_file_open(&t->out, arg, err, errsz);
	if (e) {
		free(t);
		errno = -e;
		return NULL;
	}
	t->sink.ops = &text_ops;
	return &t->sink;
}
