// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Rules matcher benchmark: events per second against the default pack, and against the
 * default pack plus 10,000 generated rules (exact hosts, *.suffixes, CIDRs, path globs);
 * prints both and their ratio, which should stay under 2 (matching cost must not grow with
 * the number of rules). `make bench-rules`.
 *
 *   bench_rules --curve N...   for each N, the default pack plus N generated rules: one line
 *                              "rules-curve N RULES BUILD_MS NS_PER_EVENT HEAP_BYTES" (make
 *                              bench's rules curve, issue 18)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "bench/gen_rules.h"
#include "core/event.h"
#include "rules/rules.h"

#define N_GENERATED 10000

static int fake_home(uint32_t uid, char *buf, size_t size, void *ctx)
{
	(void)ctx;
	snprintf(buf, size, "/home/u%u", uid);
	return 0;
}

/* The default pack plus the rule file text (NULL: none), parsed and compiled. */
static struct rules *build_text(const char *text)
{
	struct rules_builder *b = rules_builder_new();
	struct rules *r;

	rules_builder_add_default(b);
	if (text)
		rules_builder_add_text(b, "generated.json", text, strlen(text), false);
	rules_builder_set_home_fn(b, fake_home, NULL);
	r = rules_builder_build(b);
	if (!r)
		for (size_t i = 0; i < rules_builder_error_count(b) && i < 5; i++)
			fprintf(stderr, "%s\n", rules_builder_error(b, i));
	rules_builder_free(b);
	return r;
}

#define N_EVENTS 64
static struct lw_event events[N_EVENTS];
static struct lw_sockaddr addrs[N_EVENTS];
static char paths[N_EVENTS][128];

static void make_events(void)
{
	static const char *const hosts[] = {
		"api.mixpanel.com",
		"huggingface.co",
		"cdn-lfs.huggingface.co",
		"registry.ollama.ai",
		"unknown.example.net",
		"a.b.c.d.e.example.org",
		"h4.bench-exact.example",
		"x.s5.bench-suffix.example",
		NULL,
		NULL,
	};
	static const char *const ips[] = {
		"104.16.1.1",	"11.7.13.9", "11.200.1.1", "192.168.1.10",
		"2606:4700::1", "127.0.0.1", "8.8.8.8",
	};
	static const char *const files[] = {
		"/home/u1000/.ssh/id_rsa",
		"/etc/shadow",
		"/home/u1000/.ollama/models/blobs/sha256-1",
		"/dev/nvidia0",
		"/proc/meminfo",
		"/home/u1000/Documents/a/b/c.pdf",
		"/usr/local/lib/ollama/cuda_v12/libggml.so",
		"/opt/bench/d3/x",
		"/home/u1000/bench7/a.key",
		"/sys/fs/cgroup/memory.max",
	};
	static const char *const tools[] = { "ollama", "gpt4all", "jan", "lm-studio", "vllm" };

	for (int i = 0; i < N_EVENTS; i++) {
		struct lw_event *ev = &events[i];

		memset(ev, 0, sizeof(*ev));
		ev->pid = 1000 + (uint32_t)i;
		ev->uid = 1000;
		ev->tool = tools[i % 5];
		snprintf(ev->comm, sizeof(ev->comm), "%s", ev->tool);
		ev->exe = "";
		if (i % 3 == 2) {
			ev->type = LW_REC_OPEN;
			snprintf(paths[i], sizeof(paths[i]), "%s", files[(i / 3) % 10]);
			ev->path = paths[i];
			ev->path_len = strlen(paths[i]);
			ev->open_flags = O_RDONLY;
			ev->ret = 3;
			continue;
		}
		ev->type = i % 7 == 0 ? LW_REC_SEND : i % 11 == 0 ? LW_REC_LISTEN : LW_REC_CONNECT;
		addrs[i].port = i % 5 == 0 ? 53 : 443;
		if (inet_pton(AF_INET, ips[i % 7], addrs[i].addr) == 1)
			addrs[i].family = AF_INET;
		else if (inet_pton(AF_INET6, ips[i % 7], addrs[i].addr) == 1)
			addrs[i].family = AF_INET6;
		ev->addr = &addrs[i];
		ev->host = hosts[i % 10];
	}
}

static double now(void)
{
	struct timespec ts;

	/* CPU time: on a shared host the wall clock also counts other tasks' turns */
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Best of several rounds: events per second, and verdicts per pass over the events. */
static double run(const struct rules *r, long *verdicts)
{
	struct rules_verdict v[8];
	double best = 0;
	long iters = 20000;

	*verdicts = 0;
	for (int i = 0; i < N_EVENTS; i++) {
		int n = rules_match(r, &events[i], v, 8);

		*verdicts += n > 0 ? n : 0;
	}
	for (int round = 0; round < 5; round++) {
		double t0 = now(), dt;
		volatile long sink = 0;

		for (long k = 0; k < iters; k++)
			sink += rules_match(r, &events[k % N_EVENTS], v, 8);
		dt = now() - t0;
		if (iters / dt > best)
			best = (double)iters / dt;
		(void)sink;
	}
	return best;
}

static struct rules *build(bool generated)
{
	char *text = generated ? bench_generate_rules(N_GENERATED) : NULL;
	struct rules *r = build_text(text);

	free(text);
	return r;
}

/* Heap in use, small and mmap'd blocks together. */
static size_t heap_bytes(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

static int curve(int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		unsigned long n = strtoul(argv[i], NULL, 10);
		double t0, tb, rate;
		struct rules *r;
		char *text;
		size_t h0;
		long v;

		if (n > 1000000) {
			fprintf(stderr, "bench_rules: %s rules: at most 1,000,000\n", argv[i]);
			return 2;
		}
		/* the text is what a rule file would hold: its making is not the load */
		text = n ? bench_generate_rules((unsigned int)n) : NULL;
		h0 = heap_bytes();
		t0 = now();
		r = build_text(text);
		tb = now() - t0;
		free(text);
		if (!r) {
			fprintf(stderr, "bench_rules: cannot build %lu rules\n", n);
			return 1;
		}
		rate = run(r, &v);
		printf("rules-curve %lu %zu %.1f %.1f %zu\n", n, rules_count(r), tb * 1e3,
		       1e9 / rate, heap_bytes() - h0);
		fflush(stdout);
		rules_free(r);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct rules *small, *big;
	double a, b, t0, tb;
	long va, vb;

	make_events();
	if (argc > 1 && !strcmp(argv[1], "--curve"))
		return curve(argc - 2, argv + 2);
	small = build(false);
	t0 = now();
	big = build(true);
	tb = now() - t0;
	if (!small || !big) {
		fprintf(stderr, "bench_rules: cannot build the rule sets\n");
		return 1;
	}
	a = run(small, &va);
	b = run(big, &vb);
	printf("default pack:           %6zu rules  %10.0f events/s  %7.1f ns/event  (%ld verdicts per %d events)\n",
	       rules_count(small), a, 1e9 / a, va, N_EVENTS);
	printf("default + %d generated: %6zu rules  %10.0f events/s  %7.1f ns/event  (%ld verdicts per %d events; built in %.0f ms)\n",
	       N_GENERATED, rules_count(big), b, 1e9 / b, vb, N_EVENTS, tb * 1e3);
	printf("cost ratio (generated / default): %.2f (must stay below 2.00)\n", a / b);
	rules_free(small);
	rules_free(big);
	return a / b < 2.0 ? 0 : 1;
}
