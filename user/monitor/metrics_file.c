// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* --metrics: the Prometheus textfile, written atomically (see metrics_file.h). */
#include "monitor/metrics_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "monitor/monitor.h"
#include "util/timefmt.h"

struct metrics_file *metrics_file_new(const char *path, uint64_t interval_ns, uint64_t now_ns,
				      char *err, size_t errsz)
{
	struct metrics_file *mf;
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	char dir[PATH_MAX];
	int e;

	if (!base[0] || strcmp(base, ".") == 0 || strcmp(base, "..") == 0 ||
	    strlen(base) >= sizeof(mf->base)) {
		snprintf(err, errsz, "\"%s\": not a file name (or longer than 255 bytes)", path);
		errno = EINVAL;
		return NULL;
	}
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if ((size_t)(slash - path) >= sizeof(dir)) {
		snprintf(err, errsz, "\"%s\": path too long", path);
		errno = ENAMETOOLONG;
		return NULL;
	} else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	mf = calloc(1, sizeof(*mf));
	if (!mf || !(mf->path = strdup(path))) {
		free(mf);
		snprintf(err, errsz, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	mf->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (mf->dirfd < 0) {
		e = errno;
		snprintf(err, errsz, "%s: cannot open the directory %s: %s", path, dir,
			 strerror(e));
		free(mf->path);
		free(mf);
		errno = e;
		return NULL;
	}
	snprintf(mf->base, sizeof(mf->base), "%s", base);
	snprintf(mf->tmp, sizeof(mf->tmp), "%s.tmp", base);
	mf->interval_ns = interval_ns;
	mf->start_ns = now_ns;
	mf->last_ns = now_ns;
	return mf;
}

void metrics_file_free(struct metrics_file *mf)
{
	if (!mf)
		return;
	close(mf->dirfd);
	free(mf->path);
	free(mf);
}

/* ---- the text ------------------------------------------------------------------------ */

static int count_watched(struct proc_entry *e, void *arg)
{
	if (e->state == PROC_CONFIRMED && !e->exited)
		(*(uint64_t *)arg)++;
	return 0;
}

static void put_counts(struct metrics_buf *b, const struct evcount *c, bool alerts)
{
	const char *name = alerts ? "llmwatch_alerts_total" : "llmwatch_events_total";

	metrics_fmt_family(b, name, "counter",
			   alerts ? "Events written with an alert verdict, by event type and tool "
				    "(llmwatch's own loss alerts: type events_lost, tool \"\")" :
				    "Events written to the outputs, by event type and tool");
	for (size_t r = 0; r < c->n; r++) {
		const struct evcount_row *row = &c->rows[r];

		for (unsigned int k = 0; k < LW_EV_KINDS; k++) {
			uint64_t v = alerts ? row->alerts[k] : row->events[k];
			struct metrics_label l[] = {
				{ "type", event_type_name(event_slot_kind(k)) },
				{ "tool", row->tool },
			};

			if (v)
				metrics_fmt_uint(b, name, l, 2, v);
		}
	}
}

static void put_losses(struct metrics_buf *b, const struct lw_stats *st)
{
	struct stats_loss_counter c[STATS_LOSS_COUNTERS];

	stats_loss_counters(st, c);
	metrics_fmt_family(b, "llmwatch_kernel_lost_total", "counter",
			   "Records the kernel side could not deliver, by record type and reason");
	for (size_t i = 0; i < LW_LOSS_SLOTS; i++) {
		struct metrics_label l[] = { { "type", c[i].type }, { "reason", c[i].reason } };

		metrics_fmt_uint(b, "llmwatch_kernel_lost_total", l, 2, c[i].value);
	}
	metrics_fmt_family(b, "llmwatch_user_lost_total", "counter",
			   "What user space lost, by counter (as in the JSON summary)");
	for (size_t i = LW_LOSS_SLOTS; i < STATS_LOSS_COUNTERS; i++) {
		struct metrics_label l[] = { { "counter", c[i].reason } };

		metrics_fmt_uint(b, "llmwatch_user_lost_total", l, 1, c[i].value);
	}
	metrics_fmt_family(b, "llmwatch_lost_total", "counter",
			   "Everything lost, kernel and user side (the sum of the two above)");
	metrics_fmt_uint(b, "llmwatch_lost_total", NULL, 0, stats_total_losses(st));
	metrics_fmt_family(b, "llmwatch_output_errors_total", "counter",
			   "Writes that failed, per output (--output as given)");
	for (size_t i = 0; i < st->n_outputs && i < LW_OUTPUTS_MAX; i++) {
		struct metrics_label l[] = { { "output", st->outputs[i].name } };

		metrics_fmt_uint(b, "llmwatch_output_errors_total", l, 1, st->outputs[i].errors);
	}
}

static void put_ring(struct metrics_buf *b, const struct lw_stats *st)
{
	/* unknown (the kernel refused the mapping): no number rather than a made-up one */
	if (!st->ring_size)
		return;
	metrics_fmt_family(b, "llmwatch_ring_buffer_size_bytes", "gauge",
			   "Data size of the BPF ring buffer");
	metrics_fmt_uint(b, "llmwatch_ring_buffer_size_bytes", NULL, 0, st->ring_size);
	metrics_fmt_family(b, "llmwatch_ring_buffer_used_bytes", "gauge",
			   "Bytes waiting in the ring buffer before the latest drain");
	metrics_fmt_uint(b, "llmwatch_ring_buffer_used_bytes", NULL, 0, st->ring_used);
	metrics_fmt_family(b, "llmwatch_ring_buffer_used_peak_bytes", "gauge",
			   "The most bytes seen waiting in the ring buffer before a drain, since "
			   "the start");
	metrics_fmt_uint(b, "llmwatch_ring_buffer_used_peak_bytes", NULL, 0, st->ring_used_peak);
}

int metrics_file_format(struct metrics_buf *b, struct monitor *m, const struct metrics_file *mf,
			uint64_t now_ns)
{
	struct timespec wall = timefmt_wall(now_ns);
	uint64_t watched = 0;

	proctable_foreach(&m->procs, count_watched, &watched);
	metrics_fmt_family(b, "llmwatch_records_total", "counter",
			   "Records received from the kernel");
	metrics_fmt_uint(b, "llmwatch_records_total", NULL, 0, m->stats.records);
	put_counts(b, &m->counts, false);
	put_counts(b, &m->counts, true);
	metrics_fmt_family(b, "llmwatch_events_uncounted_total", "counter",
			   "Events written but not counted by type and tool (too many tools)");
	metrics_fmt_uint(b, "llmwatch_events_uncounted_total", NULL, 0, m->counts.uncounted);
	put_losses(b, &m->stats);
	put_ring(b, &m->stats);
	metrics_fmt_family(b, "llmwatch_host_names_evicted_total", "counter",
			   "Host names forgotten to make room (the cache full, or an address past "
			   "the names it keeps): not records, but later connections to those "
			   "addresses may go unnamed");
	metrics_fmt_uint(b, "llmwatch_host_names_evicted_total", NULL, 0, m->stats.names_evicted);
	metrics_fmt_family(b, "llmwatch_watched_processes", "gauge",
			   "Processes of watched tools running now");
	metrics_fmt_uint(b, "llmwatch_watched_processes", NULL, 0, watched);
	if (mf) {
		metrics_fmt_family(b, "llmwatch_uptime_seconds", "gauge",
				   "Seconds since llmwatch started");
		metrics_fmt_double(b, "llmwatch_uptime_seconds", NULL, 0,
				   (double)(now_ns - mf->start_ns) / 1e9);
		metrics_fmt_family(b, "llmwatch_metrics_write_errors_total", "counter",
				   "Writes of this file that failed (the previous one stayed)");
		metrics_fmt_uint(b, "llmwatch_metrics_write_errors_total", NULL, 0,
				 mf->write_errors);
		metrics_fmt_family(b, "llmwatch_metrics_last_write_timestamp_seconds", "gauge",
				   "When this file was written (Unix time): a file is only seen "
				   "once written whole, so this is the last successful write");
		metrics_fmt_double(b, "llmwatch_metrics_last_write_timestamp_seconds", NULL, 0,
				   (double)wall.tv_sec + (double)wall.tv_nsec * 1e-9);
	}
	return metrics_fmt_status(b);
}

/* ---- the write ----------------------------------------------------------------------- */

/* Writes the text to base.tmp, syncs it, renames it over base, syncs the directory. */
static int write_atomically(struct metrics_file *mf, const char *text, size_t len)
{
	int fd, err = 0;

	/*
	 * A leftover tmp (a crash) or anything planted there goes first: unlinkat removes a
	 * symlink itself, and O_EXCL | O_NOFOLLOW then refuses one created meanwhile.
	 */
	if (unlinkat(mf->dirfd, mf->tmp, 0) && errno != ENOENT)
		return -errno;
	/* 0644: node_exporter reads it as its own user */
	fd = openat(mf->dirfd, mf->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	for (size_t off = 0; off < len && !err;) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0 && errno != EINTR)
			err = -errno;
		else if (n > 0)
			off += (size_t)n;
	}
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	/* rename replaces base itself, even when base is a symlink: it is never followed */
	if (!err && renameat(mf->dirfd, mf->tmp, mf->dirfd, mf->base))
		err = -errno;
	if (err) {
		unlinkat(mf->dirfd, mf->tmp, 0);
		return err;
	}
	fsync(mf->dirfd); /* the rename itself survives a crash; the file is whole either way */
	return 0;
}

int metrics_file_write(struct metrics_file *mf, struct monitor *m, uint64_t now_ns, bool quiet)
{
	struct metrics_buf b = {};
	int err;

	mf->last_ns = now_ns;
	err = metrics_file_format(&b, m, mf, now_ns);
	if (!err)
		err = write_atomically(mf, b.p, b.len);
	metrics_buf_free(&b);
	if (!err)
		return 0;
	mf->write_errors++;
	if (!quiet && !mf->told)
		fprintf(stderr,
			"llmwatch: warning: --metrics %s: %s (the previous file stays; failures "
			"are counted in llmwatch_metrics_write_errors_total)\n",
			mf->path, strerror(-err));
	mf->told = mf->told || !quiet;
	return err;
}

int metrics_file_tick(struct metrics_file *mf, struct monitor *m, uint64_t now_ns)
{
	if (now_ns - mf->last_ns < mf->interval_ns)
		return 0;
	return metrics_file_write(mf, m, now_ns, false);
}
