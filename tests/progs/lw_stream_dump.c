// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A viewer of a daemon's event stream for the end-to-end tests (live/stream_client.h):
 * attaches to SOCKET, prints each event as the text output does (sinks: escaped, one line
 * and its alerts), the hello, counters and missed events on stderr, and exits after N
 * events, once a line holds TEXT, or at the timeout.
 *
 *   lw_stream_dump [-n N] [-u TEXT] [-t SECS] SOCKET
 *
 * Exit status: 0 done (N events, or TEXT seen), 1 timeout, 2 the stream ended or broke,
 * 3 refused (EACCES: the daemon's reason on stderr), 4 no daemon (ENOENT, ECONNREFUSED),
 * 5 usage or another error.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "live/stream_client.h"
#include "sinks/sink.h"

/* The text sink writes into a memory stream; each event's lines are checked, then printed. */
struct dump {
	struct sink sink;
	struct sink *text;
	char *buf;
	size_t len;
	FILE *mem;
	unsigned long events;
	const char *until;
	int found;
};

static int dump_event(struct sink *s, const struct lw_event *ev, const struct rules_verdict *v,
		      size_t nv)
{
	struct dump *d = (struct dump *)s;
	int rc = d->text->ops->event(d->text, ev, v, nv);

	fflush(d->mem);
	fwrite(d->buf, 1, d->len, stdout);
	fflush(stdout);
	if (d->until && d->len && strstr(d->buf, d->until))
		d->found = 1;
	rewind(d->mem);
	d->len = 0;
	d->buf[0] = '\0';
	d->events++;
	return rc;
}

static int dump_summary(struct sink *s, const struct lw_stats *st)
{
	(void)s, (void)st;
	return 0;
}

static void dump_destroy(struct sink *s)
{
	(void)s;
}

static const struct sink_ops dump_ops = { dump_event, dump_summary, dump_destroy, NULL, NULL };

static void on_stats(void *ctx, const struct lw_stats *st)
{
	(void)ctx;
	fprintf(stderr, "stats: records=%llu lost=%llu\n", (unsigned long long)st->records,
		(unsigned long long)stats_total_losses(st));
}

static void on_missed(void *ctx, uint64_t n)
{
	(void)ctx;
	fprintf(stderr, "missed: %llu\n", (unsigned long long)n);
}

static void on_hello(void *ctx, const char *version, const char *digest, const char *host)
{
	(void)ctx;
	fprintf(stderr, "hello: version=%s rules=%s host=%s\n", version, digest, host);
}

static const struct stream_client_ops ops = { on_stats, on_missed, on_hello };

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* What the text sink and its memory stream hold. */
static void dump_free(struct dump *d)
{
	sink_destroy(d->text);
	if (d->mem)
		fclose(d->mem);
	free(d->buf);
}

int main(int argc, char **argv)
{
	struct dump d = { .sink.ops = &dump_ops };
	struct stream_client *c = NULL;
	unsigned long want = 0;
	double timeout = 10, end;
	char err[1024];
	int opt, rc = 0;

	while ((opt = getopt(argc, argv, "n:u:t:")) != -1) {
		if (opt == 'n')
			want = strtoul(optarg, NULL, 10);
		else if (opt == 'u')
			d.until = optarg;
		else if (opt == 't')
			timeout = strtod(optarg, NULL);
		else
			return 5;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: lw_stream_dump [-n N] [-u TEXT] [-t SECS] SOCKET\n");
		return 5;
	}
	d.mem = open_memstream(&d.buf, &d.len);
	d.text = d.mem ? sink_text_new(d.mem) : NULL;
	if (!d.text) {
		perror("lw_stream_dump: sink");
		dump_free(&d);
		return 5;
	}
	c = stream_client_open(argv[optind], &ops, NULL, &d.sink, err, sizeof(err));
	if (!c) {
		int e = errno;

		fprintf(stderr, "lw_stream_dump: %s\n", err);
		dump_free(&d);
		return e == EACCES ? 3 : e == ENOENT || e == ECONNREFUSED ? 4 : 5;
	}
	end = now_s() + timeout;
	for (;;) {
		struct pollfd p = { .fd = stream_client_fd(c), .events = POLLIN };
		int r;

		if ((want && d.events >= want) || d.found)
			break;
		if (now_s() >= end) {
			fprintf(stderr, "lw_stream_dump: timeout after %lu events\n", d.events);
			rc = 1;
			break;
		}
		if (poll(&p, 1, 100) < 0 && errno != EINTR) {
			perror("lw_stream_dump: poll");
			rc = 5;
			break;
		}
		r = stream_client_read(c, err, sizeof(err));
		if (r == 0 || r == -EAGAIN)
			continue;
		fprintf(stderr, "lw_stream_dump: %s\n", err);
		rc = 2;
		break;
	}
	stream_client_close(c);
	dump_free(&d);
	return rc;
}
