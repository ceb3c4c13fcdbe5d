// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * report_build() and report_write_json() (report.h): the captures replayed into the model
 * (report_model.c), then the document's captures and completeness from what the reader
 * said of each file and from the loss snapshots they hold.
 */
#include "report/report.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/event.h"
#include "core/stats.h"
#include "report/capture_replay.h"
#include "report/report_model.h"

/* ---- captures -------------------------------------------------------------------------- */

static cJSON *str_or_null(const char *s)
{
	return s && *s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static int add(cJSON *o, const char *k, cJSON *v)
{
	if (!v || !cJSON_AddItemToObject(o, k, v)) {
		cJSON_Delete(v);
		return -ENOMEM;
	}
	return 0;
}

static cJSON *capture_json(const struct capture_replay_file *f)
{
	const struct capture_read_result *r = &f->res;
	cJSON *o = cJSON_CreateObject();
	int err = 0;

	if (!o)
		return NULL;
	err |= add(o, "file", cJSON_CreateString(f->path));
	err |= add(o, "format_version", cJSON_CreateNumber(r->version));
	err |= add(o, "record_version", cJSON_CreateNumber(f->record_version));
	err |= add(o, "llmwatch", str_or_null(f->llmwatch));
	err |= add(o, "host", str_or_null(f->host));
	err |= add(o, "kernel", str_or_null(f->kernel));
	err |= add(o, "start",
		   f->records_seen ? report_time_json(report_wall_ns(f, f->first_ts_ns)) :
				     cJSON_CreateNull());
	err |= add(o, "end",
		   f->records_seen ? report_time_json(report_wall_ns(f, f->last_ts_ns)) :
				     cJSON_CreateNull());
	err |= add(o, "blocks", cJSON_CreateNumber((double)r->blocks));
	err |= add(o, "records", cJSON_CreateNumber((double)r->records));
	err |= add(o, "chain", cJSON_CreateString(r->chain_ok ? "intact" : "broken"));
	err |= add(o, "first_bad_block",
		   r->chain_ok ? cJSON_CreateNull() :
				 cJSON_CreateNumber((double)r->first_bad_hash));
	err |= add(o, "sealed", cJSON_CreateBool(r->sealed));
	err |= add(o, "torn_tail", cJSON_CreateBool(r->truncated));
	err |= add(o, "skipped_blocks", cJSON_CreateNumber((double)r->bad_blocks));
	err |= add(o, "error", f->err ? cJSON_CreateString(r->error) : cJSON_CreateNull());
	if (err) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* ---- completeness ---------------------------------------------------------------------- */

/* n with thousands separators ("1,204"). */
static const char *grouped(uint64_t n, char buf[32])
{
	char digits[24];
	int len = snprintf(digits, sizeof(digits), "%" PRIu64, n), o = 0;

	for (int i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

static int reason(cJSON *reasons, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int reason(cJSON *reasons, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return cJSON_AddItemToArray(reasons, cJSON_CreateString(buf)) ? 0 : -ENOMEM;
}

/* What the reader said of each file, in words. */
static int file_reasons(cJSON *reasons, const struct capture_replay_file *f)
{
	const struct capture_read_result *r = &f->res;
	char a[32], b[32];
	int err = 0;

	if (f->err)
		err |= reason(reasons, "reading %s stopped early: %s", f->path, r->error);
	if (!r->chain_ok)
		err |= reason(reasons, "chain broken from block %" PRIu64 " of %s",
			      r->first_bad_hash, f->path);
	if (r->truncated)
		err |= reason(reasons,
			      "%s ends in a torn block (block %" PRIu64 " at offset %" PRIu64 ")",
			      f->path, r->truncated_block, r->truncated_offset);
	if (r->bad_blocks)
		err |= reason(reasons, "%s blocks of %s could not be decoded (skipped)",
			      grouped(r->bad_blocks, a), f->path);
	if (!r->sealed)
		err |= reason(reasons,
			      "%s was not sealed: the capture did not end with a clean stop",
			      f->path);
	if (r->sealed && r->footer.write_errors)
		err |= reason(reasons, "the capture writer lost %s blocks (%s records) of %s",
			      grouped(r->footer.write_errors, a),
			      grouped(r->footer.lost_records, b), f->path);
	if (f->feed_errors)
		err |= reason(reasons, "%s record blocks of %s held malformed records",
			      grouped(f->feed_errors, a), f->path);
	return err;
}

/*
 * Whether snapshot s is the first of another run: the captures of one run (a rotation's
 * files) share their header text, clocks included; a capture of another run has its own.
 */
static bool loss_new_run(const struct capture_replay_result *res, size_t s)
{
	const struct capture_replay_file *a, *b;

	if (!s)
		return true;
	a = &res->files[res->losses[s - 1].file];
	b = &res->files[res->losses[s].file];
	return a != b && (a->boot_ns != b->boot_ns || a->wall_ns != b->wall_ns);
}

/*
 * The counters over the captures: snapshots in order, each cumulative since its run
 * started; another run's counters are added to the last of the run before (and a counter
 * that went down, whatever the header says, started again).
 */
static void loss_totals(const struct capture_replay_result *res, uint64_t *total)
{
	uint64_t acc[STATS_LOSS_COUNTERS] = { 0 }, prev[STATS_LOSS_COUNTERS] = { 0 };

	for (size_t s = 0; s < res->n_losses; s++) {
		if (loss_new_run(res, s)) {
			for (size_t i = 0; i < STATS_LOSS_COUNTERS; i++)
				acc[i] += prev[i];
			memset(prev, 0, sizeof(prev));
		}
		for (size_t i = 0; i < STATS_LOSS_COUNTERS; i++) {
			uint64_t v = res->losses[s].v[i];

			if (v < prev[i])
				acc[i] += prev[i];
			prev[i] = v;
		}
	}
	for (size_t i = 0; i < STATS_LOSS_COUNTERS; i++)
		total[i] = acc[i] + prev[i];
}

/* Intervals between two snapshots in which a counter grew, with how much. */
static cJSON *loss_windows(const struct capture_replay_result *res)
{
	uint64_t prev[STATS_LOSS_COUNTERS] = { 0 };
	int64_t prev_t = 0;
	cJSON *arr = cJSON_CreateArray();

	for (size_t s = 0; arr && s < res->n_losses; s++) {
		const struct capture_replay_loss *l = &res->losses[s];
		const struct capture_replay_file *f = &res->files[l->file];
		int64_t t = report_wall_ns(f, l->ts_ns);
		uint64_t grew = 0;
		cJSON *w;

		/* a run's first snapshot: its losses happened since its capture started */
		if (loss_new_run(res, s)) {
			memset(prev, 0, sizeof(prev));
			prev_t = f->records_seen ? report_wall_ns(f, f->first_ts_ns) : 0;
		}
		for (size_t i = 0; i < STATS_LOSS_COUNTERS; i++) {
			grew += l->v[i] >= prev[i] ? l->v[i] - prev[i] : l->v[i];
			prev[i] = l->v[i];
		}
		if (prev_t > t) /* losses before the capture's first record: since when, unknown */
			prev_t = 0;
		if (grew) {
			w = cJSON_CreateObject();
			if (!w || !cJSON_AddItemToArray(arr, w)) {
				cJSON_Delete(w);
				cJSON_Delete(arr);
				return NULL;
			}
			if (add(w, "from", report_time_json(prev_t)) ||
			    add(w, "to", report_time_json(t)) ||
			    add(w, "lost", cJSON_CreateNumber((double)grew))) {
				cJSON_Delete(arr);
				return NULL;
			}
		}
		prev_t = t;
	}
	return arr;
}

/* "1,204 events lost: connect 1,200 (ring_full), decode_errors 4" */
static int loss_reason(cJSON *reasons, const struct stats_loss_counter *c, const uint64_t *v,
		       uint64_t total)
{
	char buf[1024], n[32];
	size_t o;

	o = (size_t)snprintf(buf, sizeof(buf), "%s events lost:", grouped(total, n));
	for (size_t i = 0; i < STATS_LOSS_COUNTERS && o < sizeof(buf); i++) {
		if (!v[i])
			continue;
		if (c[i].type)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, " %s %s (%s),", c[i].type,
					      grouped(v[i], n), c[i].reason);
		else
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, " %s %s,", c[i].reason,
					      grouped(v[i], n));
	}
	if (o < sizeof(buf) && buf[o - 1] == ',')
		buf[o - 1] = '\0';
	return reason(reasons, "%s", buf);
}

static cJSON *completeness_json(const struct capture_replay_result *res)
{
	static const struct lw_stats zero;
	struct stats_loss_counter c[STATS_LOSS_COUNTERS];
	uint64_t v[STATS_LOSS_COUNTERS], total = 0, writer_lost = 0;
	cJSON *o = cJSON_CreateObject(), *reasons = cJSON_CreateArray();
	cJSON *lost = cJSON_CreateObject(), *by_type = cJSON_CreateObject();
	cJSON *by_reason = cJSON_CreateObject(), *user = cJSON_CreateObject(), *windows;
	int err = 0;

	stats_loss_counters(&zero, c); /* the counters' names */
	loss_totals(res, v);
	if (!o || !reasons || !lost || !by_type || !by_reason || !user)
		goto fail;
	for (size_t i = 0; i < res->n_files; i++)
		err |= file_reasons(reasons, &res->files[i]);
	for (size_t i = 0; i < STATS_LOSS_COUNTERS; i++)
		total += v[i];
	if (total)
		err |= loss_reason(reasons, c, v, total);
	for (unsigned int t = 0; t < LW_REC_TYPE_MAX; t++) {
		uint64_t sum = 0;

		for (unsigned int r = 0; r < LW_LOSS_REASON_MAX; r++)
			sum += v[t * LW_LOSS_REASON_MAX + r];
		if (strcmp(event_type_name(t), "unknown") != 0)
			err |= add(by_type, event_type_name(t), cJSON_CreateNumber((double)sum));
	}
	for (unsigned int r = 0; r < LW_LOSS_REASON_MAX; r++) {
		uint64_t sum = 0;

		for (unsigned int t = 0; t < LW_REC_TYPE_MAX; t++)
			sum += v[t * LW_LOSS_REASON_MAX + r];
		err |= add(by_reason, stats_loss_reason_name(r), cJSON_CreateNumber((double)sum));
	}
	for (size_t i = LW_LOSS_SLOTS; i < STATS_LOSS_COUNTERS; i++)
		err |= add(user, c[i].reason, cJSON_CreateNumber((double)v[i]));
	for (size_t i = 0; i < res->n_files; i++)
		writer_lost += res->files[i].res.footer.lost_records;
	windows = loss_windows(res);
	err |= add(lost, "total", cJSON_CreateNumber((double)(total + writer_lost)));
	err |= add(lost, "by_type", by_type);
	err |= add(lost, "by_reason", by_reason);
	err |= add(lost, "user", user);
	err |= add(lost, "capture_writer", cJSON_CreateNumber((double)writer_lost));
	err |= add(lost, "windows", windows);
	by_type = by_reason = user = NULL;
	err |= add(o, "verdict",
		   cJSON_CreateString(cJSON_GetArraySize(reasons) ? "incomplete" : "complete"));
	err |= add(o, "reasons", reasons);
	reasons = NULL;
	err |= add(o, "lost", lost);
	lost = NULL;
	if (err)
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	cJSON_Delete(reasons);
	cJSON_Delete(lost);
	cJSON_Delete(by_type);
	cJSON_Delete(by_reason);
	cJSON_Delete(user);
	return NULL;
}

/* ---- the document ---------------------------------------------------------------------- */

int report_build(const char *const *files, size_t n, const struct report_opts *o, cJSON **out,
		 char *errbuf, size_t errsz)
{
	struct capture_replay_opts ro = {
		.rules = o->rules,
		.n_rules = o->n_rules,
		.no_default_rules = o->no_default_rules,
		.profiles = o->profiles,
		.n_profiles = o->n_profiles,
		.who = "report",
		.hooks = &report_model_hooks,
	};
	struct capture_replay_result res;
	struct report_model *m = report_model_new();
	cJSON *doc = NULL, *caps;
	char generator[128];
	int err;

	*out = NULL;
	if (!m) {
		snprintf(errbuf, errsz, "out of memory");
		return -ENOMEM;
	}
	ro.hook_ctx = m;
	err = capture_replay(files, n, &ro, report_model_sink(m), &res);
	if (err) {
		snprintf(errbuf, errsz, "%s",
			 err == -EINVAL ? "the rules or profiles did not load" : strerror(-err));
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const struct capture_replay_file *f = &res.files[i];

		/* unreadable, or not a capture at all (its header refused): no report of it */
		if (f->err && (f->err != -EBADMSG || !f->record_version)) {
			snprintf(errbuf, errsz, "%s: %s", f->path,
				 f->err == -EBADMSG ? f->res.error : strerror(-f->err));
			err = f->err;
			goto out;
		}
	}
	err = -ENOMEM;
	snprintf(errbuf, errsz, "out of memory");
	snprintf(generator, sizeof(generator), "llmwatch %s", o->version ? o->version : "unknown");
	doc = cJSON_CreateObject();
	if (!doc)
		goto out;
	caps = cJSON_CreateArray();
	if (add(doc, "report_version", cJSON_CreateNumber(REPORT_VERSION)) ||
	    add(doc, "generator", cJSON_CreateString(generator)) || add(doc, "captures", caps) ||
	    add(doc, "evaluation", cJSON_CreateNull())) /* filled by llmwatch eval */
		goto out;
	for (size_t i = 0; i < n; i++)
		if (!cJSON_AddItemToArray(caps, capture_json(&res.files[i])))
			goto out;
	if (add(doc, "completeness", completeness_json(&res)) || report_model_write(m, doc))
		goto out;
	*out = doc;
	doc = NULL;
	err = 0;
	errbuf[0] = '\0';
out:
	cJSON_Delete(doc);
	capture_replay_result_free(&res);
	report_model_free(m);
	return err;
}

int report_write_json(FILE *f, const cJSON *doc)
{
	char *s = cJSON_Print(doc);
	int err = 0;

	if (!s)
		return -ENOMEM;
	if (fputs(s, f) == EOF || fputc('\n', f) == EOF)
		err = -EIO;
	free(s);
	return err;
}
