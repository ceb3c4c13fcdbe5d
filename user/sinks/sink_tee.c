// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The tee: each event to every output, failures counted per output (see sink_tee.h). */
#include "sinks/sink_tee.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct tee_output {
	struct sink *s;
	char *name;
	uint64_t errors;
	bool told; /* its first failure was told on diag */
};

struct tee_sink {
	struct sink sink;
	FILE *diag;
	size_t n;
	struct tee_output out[LW_OUTPUTS_MAX];
};

static struct tee_sink *tee_of(struct sink *s)
{
	return (struct tee_sink *)s;
}

/* Counts a failed call on output o, and tells the first one. */
static void failed(struct tee_sink *t, struct tee_output *o, const char *what, int err)
{
	o->errors++;
	if (!o->told && t->diag) {
		fprintf(t->diag,
			"llmwatch: output %s: %s failed: %s (counted in the summary; "
			"the other outputs go on)\n",
			o->name, what, strerror(-err));
		fflush(t->diag);
	}
	o->told = true;
}

static int tee_event(struct sink *s, const struct lw_event *ev, const struct rules_verdict *v,
		     size_t nv)
{
	struct tee_sink *t = tee_of(s);
	int first = 0;

	for (size_t i = 0; i < t->n; i++) {
		int err = t->out[i].s->ops->event(t->out[i].s, ev, v, nv);

		if (err && !first)
			first = err;
		if (err)
			failed(t, &t->out[i], "writing", err);
	}
	return first;
}

static int tee_summary(struct sink *s, const struct lw_stats *st)
{
	struct tee_sink *t = tee_of(s);
	struct lw_stats with_outputs = *st;
	int first = 0;

	sink_tee_stats(s, &with_outputs);
	for (size_t i = 0; i < t->n; i++) {
		int err = t->out[i].s->ops->summary(t->out[i].s, &with_outputs);

		if (err && !first)
			first = err;
		if (err)
			failed(t, &t->out[i], "writing the summary", err);
	}
	return first;
}

static int tee_flush(struct sink *s)
{
	struct tee_sink *t = tee_of(s);
	int first = 0;

	for (size_t i = 0; i < t->n; i++) {
		int err = sink_flush(t->out[i].s);

		if (err && !first)
			first = err;
		if (err)
			failed(t, &t->out[i], "flushing", err);
	}
	return first;
}

/*
 * Each output reopens its file. A failure loses no line (the output keeps the file it had),
 * so it is not counted, but told every time: SIGHUP is rare, and the admin who sent it
 * expects a new file.
 */
static int tee_reopen(struct sink *s)
{
	struct tee_sink *t = tee_of(s);
	int first = 0;

	for (size_t i = 0; i < t->n; i++) {
		int err = sink_reopen(t->out[i].s);

		if (!err)
			continue;
		if (!first)
			first = err;
		if (t->diag) {
			fprintf(t->diag,
				"llmwatch: output %s: reopening failed: %s (still writing to "
				"the file opened before)\n",
				t->out[i].name, strerror(-err));
			fflush(t->diag);
		}
	}
	return first;
}

static void tee_destroy(struct sink *s)
{
	struct tee_sink *t = tee_of(s);

	for (size_t i = 0; i < t->n; i++) {
		sink_destroy(t->out[i].s);
		free(t->out[i].name);
	}
	free(t);
}

static const struct sink_ops tee_ops = {
	.event = tee_event,
	.summary = tee_summary,
	.destroy = tee_destroy,
	.flush = tee_flush,
	.reopen = tee_reopen,
};

struct sink *sink_tee_new(FILE *diag)
{
	struct tee_sink *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->sink.ops = &tee_ops;
	t->diag = diag;
	return &t->sink;
}

int sink_tee_add(struct sink *tee, struct sink *s, const char *name)
{
	struct tee_sink *t = tee_of(tee);
	char *copy;

	if (t->n == LW_OUTPUTS_MAX) {
		sink_destroy(s);
		return -ENOSPC;
	}
	copy = strdup(name);
	if (!copy) {
		sink_destroy(s);
		return -ENOMEM;
	}
	t->out[t->n++] = (struct tee_output){ .s = s, .name = copy };
	return 0;
}

void sink_tee_stats(const struct sink *tee, struct lw_stats *st)
{
	const struct tee_sink *t = (const struct tee_sink *)tee;

	st->n_outputs = t->n;
	for (size_t i = 0; i < t->n; i++)
		st->outputs[i] = (struct lw_output_stats){ t->out[i].name, t->out[i].errors };
}
