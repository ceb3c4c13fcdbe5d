// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The live view's benchmark (issue 16): the events per second its model absorbs on one
 * core (live/live_model.c fed a mix of opens, connects, byte counts, sends, execs and
 * listens from 64 processes, some with verdicts), and the frame time (every pane's header,
 * rows and the status line formatted at 200x60, live/live_panels.c) while the model
 * absorbs 100,000 events/s. Goals: >= 100,000 events/s absorbed; a frame well under the
 * refresh period (1 s): under 50 ms. Lines for tools/bench.py:
 *
 *   live-absorb MEDIAN MIN MAX NS_PER_EVENT     (events/s over the rounds)
 *   live-frame MEDIAN_MS MAX_MS RATE BUSY       (at RATE events/s; BUSY: share of a core)
 *
 * Usage: live [SECONDS_PER_ROUND [ROUNDS]] (default 1 and 5).
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "core/event.h"
#include "live/live_model.h"
#include "live/live_panels.h"
#include "rules/rules.h"
#include "sinks/sink.h"

#define N_PROCS 64
#define N_PATHS 4096
#define N_HOSTS 256
#define N_MIX 8192 /* events in the mix, fed round and round */
#define RATE 100000
#define WIDTH 200
#define HEIGHT 60

static struct lw_event mix[N_MIX];
static struct rules_verdict mix_v[N_MIX];
static size_t mix_nv[N_MIX];
static struct lw_sockaddr addrs[N_HOSTS];
static char paths[N_PATHS][96], hosts[N_HOSTS][48], comms[N_PROCS][16];

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void make_mix(void)
{
	static const char *const tel[] = { "telemetry" }, *const cred[] = { "credentials" };
	static const uint16_t types[] = { LW_REC_OPEN,	     LW_REC_OPEN, LW_REC_OPEN,
					  LW_REC_CONNECT,    LW_REC_SEND, LW_REC_CONN_BYTES,
					  LW_REC_OPEN,	     LW_REC_SEND, LW_REC_CONNECT,
					  LW_REC_CONN_BYTES, LW_REC_OPEN, LW_REC_EXEC };
	unsigned seed = 42;

	for (int i = 0; i < N_PROCS; i++)
		snprintf(comms[i], sizeof(comms[i]), "tool%02d", i);
	for (int i = 0; i < N_PATHS; i++)
		snprintf(paths[i], sizeof(paths[i]), "/home/u/.cache/tool%02d/dir%03d/file%04d.bin",
			 i % N_PROCS, i % 97, i);
	for (int i = 0; i < N_HOSTS; i++) {
		snprintf(hosts[i], sizeof(hosts[i]), "api%03d.example.com", i);
		addrs[i].family = AF_INET;
		addrs[i].port = 443;
		addrs[i].addr[0] = 203;
		addrs[i].addr[2] = (uint8_t)(i >> 8);
		addrs[i].addr[3] = (uint8_t)i;
	}
	for (int i = 0; i < N_MIX; i++) {
		struct lw_event *ev = &mix[i];
		unsigned r = rand_r(&seed);
		int p = (int)(r % N_PROCS), h = (int)(r / 7 % N_HOSTS);

		memset(ev, 0, sizeof(*ev));
		ev->type = types[r / 3 % (sizeof(types) / sizeof(types[0]))];
		ev->pid = ev->tid = 1000 + (uint32_t)p;
		ev->ppid = p ? 1000 + (uint32_t)(p / 8 * 8) : 1;
		ev->uid = 1000;
		ev->tool = p < 32 ? "ollama" : "claude";
		ev->exe = p < 32 ? "/usr/bin/ollama" : "/usr/bin/node";
		ev->netns = EVENT_NETNS_HOST;
		snprintf(ev->comm, sizeof(ev->comm), "%s", comms[p]);
		ev->sock_type = 1;
		switch (ev->type) {
		case LW_REC_OPEN:
			ev->path = paths[r / 11 % N_PATHS];
			ev->path_len = strlen(ev->path);
			ev->open_flags = O_RDONLY;
			if (r % 50 == 0) { /* a flagged read now and then */
				ev->path = "/home/u/.ssh/id_ed25519";
				ev->path_len = strlen(ev->path);
				mix_v[i] = (struct rules_verdict){ .rule = "cred-ssh",
								   .severity = RULES_SEV_HIGH,
								   .tags = cred,
								   .n_tags = 1 };
				snprintf(mix_v[i].message, sizeof(mix_v[i].message),
					 "%s read ~/.ssh/id_ed25519", comms[p]);
				mix_nv[i] = 1;
			}
			break;
		case LW_REC_EXEC:
			ev->filename = ev->exe;
			ev->argv = "tool --serve --port 11434";
			break;
		default:
			ev->addr = &addrs[h];
			ev->host = hosts[h];
			ev->host_source = "dns";
			ev->bytes = ev->type == LW_REC_CONNECT ? 0 : 1500;
			ev->cookie = (uint64_t)h + 1;
			if (ev->type == LW_REC_CONNECT && h % 16 == 0) {
				mix_v[i] = (struct rules_verdict){ .rule = "telemetry-host",
								   .severity = RULES_SEV_MEDIUM,
								   .tags = tel,
								   .n_tags = 1 };
				snprintf(mix_v[i].message, sizeof(mix_v[i].message), "%s to %s",
					 comms[p], hosts[h]);
				mix_nv[i] = 1;
			}
			break;
		}
	}
}

/* Feeds n events of the mix from *k on, the wall clock moving 10 us per event. */
static void feed(struct live_model *m, size_t n, size_t *k, int64_t *wall)
{
	struct sink *s = live_model_sink(m);

	for (size_t i = 0; i < n; i++, (*k)++) {
		struct lw_event *ev = &mix[*k % N_MIX];

		*wall += 10000;
		ev->wall.tv_sec = *wall / 1000000000;
		ev->wall.tv_nsec = *wall % 1000000000;
		s->ops->event(s, ev, &mix_v[*k % N_MIX], mix_nv[*k % N_MIX]);
	}
}

/* Every pane at WIDTH x HEIGHT, as the screen draws them; returns the rows made. */
static size_t frame(const struct live_model *m, uint64_t now)
{
	static struct live_row rows[HEIGHT];
	struct live_row row;
	size_t made = 0, total;

	for (int p = 0; p < LIVE_PANES; p++) {
		struct live_query q = { .pane = (enum live_pane)p, .width = WIDTH, .pid = 1001 };

		live_panel_header(&q, &row);
		made += live_panel_rows(m, &q, 0, rows, HEIGHT - 3, &total);
	}
	live_panel_status(m, WIDTH, false, now, &row);
	return made + 1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? strtod(argv[1], NULL) : 1, rate[32], fms[32], busy = 0;
	int rounds = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 5;
	int64_t wall = 1700000000LL * 1000000000LL;
	size_t k = 0, made = 0;

	if (rounds < 1 || rounds > 32 || secs <= 0) {
		fprintf(stderr, "usage: live [SECONDS_PER_ROUND [ROUNDS (1-32)]]\n");
		return 2;
	}
	make_mix();
	/* absorbed flat out: events/s on one core, each round a fresh model */
	for (int r = 0; r < rounds; r++) {
		struct live_model *m = live_model_new(NULL);
		uint64_t t0 = now_ns(), t1, n = 0;

		if (!m)
			return 1;
		do {
			feed(m, 4096, &k, &wall);
			n += 4096;
			t1 = now_ns();
		} while (t1 - t0 < (uint64_t)(secs * 1e9));
		rate[r] = (double)n * 1e9 / (double)(t1 - t0);
		live_model_free(m);
	}
	/*
	 * The frame at RATE events/s: each simulated second takes RATE events, then draws
	 * every pane; the frame's time and the share of a core that second cost.
	 */
	{
		struct live_model *m = live_model_new(NULL);
		int frames = (int)(secs * rounds);

		if (!m)
			return 1;
		if (frames < 3)
			frames = 3;
		if (frames > 32)
			frames = 32;
		for (int f = 0; f < frames; f++) {
			uint64_t t0 = now_ns(), t1, t2;

			feed(m, RATE, &k, &wall);
			t1 = now_ns();
			live_model_tick(m, t1);
			made += frame(m, t1);
			t2 = now_ns();
			fms[f] = (double)(t2 - t1) / 1e6;
			busy += (double)(t2 - t0) / 1e9;
		}
		busy /= frames;
		qsort(fms, (size_t)frames, sizeof(double), cmp_double);
		qsort(rate, (size_t)rounds, sizeof(double), cmp_double);
		printf("live model: %.0f events/s absorbed on one core (median of %d rounds, "
		       "%.0f ns per event); goal >= 100,000 events/s: %s\n",
		       rate[rounds / 2], rounds, 1e9 / rate[rounds / 2],
		       rate[rounds / 2] >= 100000 ? "met" : "NOT met");
		printf("live frame: %.2f ms median, %.2f ms max (every pane at %dx%d, %zu rows) while "
		       "absorbing %d events/s, %.0f%% of a core; goal < 50 ms (refresh 1 s): %s\n",
		       fms[frames / 2], fms[frames - 1], WIDTH, HEIGHT, made / (size_t)frames, RATE,
		       busy * 100, fms[frames - 1] < 50 ? "met" : "NOT met");
		printf("live-absorb %.0f %.0f %.0f %.1f\n", rate[rounds / 2], rate[0],
		       rate[rounds - 1], 1e9 / rate[rounds / 2]);
		printf("live-frame %.3f %.3f %d %.3f\n", fms[frames / 2], fms[frames - 1], RATE,
		       busy);
		live_model_free(m);
	}
	return 0;
}
