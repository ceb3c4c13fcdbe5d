// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Replay throughput for `make bench`: builds a realistic recorded stream of ring-buffer
 * records in memory (an Ollama-like tree: opens, DNS queries and answers, TLS and HTTP
 * connections with their stream heads and byte counts, forks, execs and exits), then times
 * monitor_handle_record() over it on one core, with a fake kernel (no BPF):
 *
 *   null   decode + process table + naming + rules, a sink that writes nothing
 *   text   the same, writing the default text output to /dev/null
 *   json   the same, writing JSON lines to /dev/null
 *   null10k / text10k   the default pack plus 10,000 generated rules
 *   capture   the capture writer (--capture): every record of the stream written as
 *             zlib-compressed, hash-chained, fdatasync'ed blocks to a file in $BENCH_CAPTURE_DIR
 *             (default "."), opened, written and sealed each pass
 *
 *   replay [SECONDS_PER_ROUND [ROUNDS [ONLY]]]     (ONLY: run just that configuration)
 * Prints one line per configuration: "replay NAME RECORDS_PER_S_MEDIAN MIN MAX NS_PER_RECORD
 * EVENTS_PER_PASS VERDICTS_PER_PASS", and "replay-stream RECORDS BYTES" first; the capture
 * writer's as "capture RECORDS_PER_S_MEDIAN MIN MAX NS_PER_RECORD FILE_BYTES_PER_PASS".
 *
 *   replay --write-capture FILE RECORDS
 * writes the same stream, passes end to end until RECORDS records, as a sealed capture
 * (capture/capture_writer.h), for the report's row (`llmwatch report` of it), and prints
 * "capture-written RECORDS BYTES".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tls_hello.h"
#include "names/dns_parse.h"
#include "capture/capture_writer.h"
#include "gen_rules.h"
#include "llmwatch/events.h"
#include "monitor/monitor.h"
#include "rules/rules.h"
#include "sinks/sink.h"
#include "util/timefmt.h"

#define STREAM_RECORDS 200000
#define N_GENERATED 10000
#define VERDICTS_MAX 8

/* ---- the recorded stream ------------------------------------------------------------ */

struct stream {
	uint8_t *buf;
	size_t len, cap;
	size_t *off; /* record start offsets */
	size_t n, ncap;
	uint64_t ts; /* next timestamp */
};

static struct stream st;

static void *rec_new(size_t size)
{
	void *p;

	size = (size + 7) & ~(size_t)7; /* the ring buffer keeps records 8-byte aligned */
	if (st.len + size > st.cap) {
		st.cap = st.cap ? st.cap * 2 : (1u << 20);
		st.buf = realloc(st.buf, st.cap);
	}
	if (st.n == st.ncap) {
		st.ncap = st.ncap ? st.ncap * 2 : 4096;
		st.off = realloc(st.off, st.ncap * sizeof(*st.off));
	}
	if (!st.buf || !st.off) {
		fprintf(stderr, "replay: out of memory\n");
		exit(1);
	}
	st.off[st.n++] = st.len;
	p = st.buf + st.len;
	memset(p, 0, size);
	st.len += size;
	return p;
}

static void hdr(struct lw_rec_hdr *h, uint16_t type, size_t size, uint32_t pid, uint16_t tool,
		const char *comm)
{
	h->type = type;
	h->size = (uint16_t)size;
	h->version = LW_RECORD_VERSION;
	h->tool = tool;
	h->ts_ns = st.ts;
	st.ts += 3000; /* about 330k records/s of a busy tool */
	h->pid = pid;
	h->tid = pid;
	h->uid = 1000;
	strncpy(h->comm, comm, LW_COMM_LEN - 1);
}

/* Record sizes as the kernel sends them: cut after the path's NUL. */
static size_t rec_size(const struct lw_rec_hdr *h)
{
	return h->size;
}

static void add_exec(uint32_t pid, uint32_t ppid, uint16_t tool, const char *comm, const char *file)
{
	size_t fl = strlen(file), size = offsetof(struct lw_rec_exec, filename) + fl + 1;
	struct lw_rec_exec *r = rec_new(size);

	hdr(&r->hdr, LW_REC_EXEC, size, pid, tool, comm);
	r->ppid = ppid;
	r->match = LW_MATCH_INHERITED;
	r->filename_len = (uint16_t)fl;
	memcpy(r->filename, file, fl + 1);
}

static void add_fork(uint32_t parent, uint32_t child, uint16_t tool, const char *comm)
{
	struct lw_rec_fork *r = rec_new(sizeof(*r));

	hdr(&r->hdr, LW_REC_FORK, sizeof(*r), parent, tool, comm);
	r->child_pid = child;
}

static void add_exit(uint32_t pid, uint16_t tool, const char *comm)
{
	struct lw_rec_exit *r = rec_new(sizeof(*r));

	hdr(&r->hdr, LW_REC_EXIT, sizeof(*r), pid, tool, comm);
}

static void add_open(uint32_t pid, uint16_t tool, const char *comm, const char *path,
		     uint64_t flags, int ret)
{
	size_t pl = strlen(path), size = offsetof(struct lw_rec_open, path) + pl + 1;
	struct lw_rec_open *r = rec_new(size);

	hdr(&r->hdr, LW_REC_OPEN, size, pid, tool, comm);
	r->dfd = -100;
	r->ret = ret;
	r->flags = flags;
	r->path_len = (uint16_t)pl;
	memcpy(r->path, path, pl + 1);
}

static void sockaddr4(struct lw_sockaddr *a, const char *ip, uint16_t port)
{
	a->family = AF_INET;
	a->port = port;
	inet_pton(AF_INET, ip, a->addr);
}

/* connect, send, bind: the kernel cuts the record before unix_path for IP sockets */
static void add_sock(uint16_t type, uint32_t pid, uint16_t tool, const char *comm, int fd, int ret,
		     uint64_t bytes, uint64_t cookie, const char *ip, uint16_t port,
		     uint16_t sock_type)
{
	size_t size = offsetof(struct lw_rec_sock, unix_path);
	struct lw_rec_sock *r = rec_new(size);

	hdr(&r->hdr, type, size, pid, tool, comm);
	r->fd = fd;
	r->ret = ret;
	r->bytes = bytes;
	r->cookie = cookie;
	r->sock_type = sock_type;
	sockaddr4(&r->addr, ip, port);
}

static void add_listen(uint32_t pid, uint16_t tool, const char *comm, uint16_t port)
{
	struct lw_rec_listen *r = rec_new(sizeof(*r));

	hdr(&r->hdr, LW_REC_LISTEN, sizeof(*r), pid, tool, comm);
	r->fd = 5;
	r->backlog = 128;
	sockaddr4(&r->local, "127.0.0.1", port);
}

static void add_conn_bytes(uint32_t pid, uint16_t tool, uint64_t cookie, const char *ip,
			   uint16_t port, uint64_t bytes)
{
	struct lw_rec_conn_bytes *r = rec_new(sizeof(*r));

	/* made in softirq or by the close tracepoint: no comm, no tid */
	hdr(&r->hdr, LW_REC_CONN_BYTES, sizeof(*r), pid, tool, "");
	r->hdr.tid = 0;
	r->cookie = cookie;
	r->bytes = bytes;
	r->packets = bytes / 1400 + 1;
	sockaddr4(&r->daddr, ip, port);
	r->reason = LW_CLOSE_TCP;
}

static void add_payload(uint32_t pid, uint16_t tool, uint64_t cookie, const char *ip, uint16_t port,
			uint8_t dir, uint8_t proto, const void *data, size_t len)
{
	size_t size = offsetof(struct lw_rec_payload, data) + len;
	struct lw_rec_payload *r = rec_new(size);

	hdr(&r->hdr, LW_REC_PAYLOAD, size, pid, tool, "");
	r->cookie = cookie;
	sockaddr4(&r->remote, ip, port);
	r->direction = dir;
	r->protocol = proto;
	r->len = (uint16_t)len;
	memcpy(r->data, data, len);
}

/* ---- payloads: a TLS ClientHello with a server name, a DNS answer ---------------------- */

/* A ClientHello naming name, in one TLS record. */
static void tls_hello(struct bytebuf *out, const char *name)
{
	static struct bytebuf hs;

	tls_hello_msg(&hs, name, strlen(name), true, 0, false);
	out->n = 0;
	put8(out, 22);
	put16(out, 0x0301);
	put16(out, (unsigned int)hs.n);
	putraw(out, hs.b, hs.n);
}

/* A response to "name A?" with two A records. */
static void dns_answer(struct bytebuf *p, const char *name, const uint8_t ip[4])
{
	p->n = 0;
	put16(p, 0xbeef);
	put16(p, 0x8180);
	put16(p, 1);
	put16(p, 2);
	put16(p, 0);
	put16(p, 0);
	putname(p, name);
	put16(p, DNS_TYPE_A);
	put16(p, DNS_CLASS_IN);
	for (int i = 0; i < 2; i++) {
		put16(p, 0xc000 | 12);
		put16(p, DNS_TYPE_A);
		put16(p, DNS_CLASS_IN);
		put32(p, 300);
		put16(p, 4);
		putraw(p, ip, 3);
		put8(p, ip[3] + (unsigned int)i);
	}
}

/* ---- the workload ------------------------------------------------------------------- */

#define ROOT_PID 5000
#define N_LONG 8 /* server + runners, all alive for the whole stream */
#define CHILD_BASE 7000
#define N_CHILD 256

static const char *const open_paths[] = {
	"/usr/share/ollama/.ollama/models/blobs/sha256-6a0746a1ec1aef3e7ec53868f220ff6e389f6f8ef87a01d77c96807de94ca2aa",
	"/usr/share/ollama/.ollama/models/manifests/registry.ollama.ai/library/llama3.2/latest",
	"/proc/self/stat",
	"/proc/meminfo",
	"/sys/fs/cgroup/memory.max",
	"/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq",
	"/usr/local/lib/ollama/cuda_v12/libggml-cuda.so",
	"/dev/nvidia0",
	"/dev/nvidiactl",
	"/etc/ssl/certs/ca-certificates.crt",
	"/etc/hosts",
	"/etc/resolv.conf",
	"/home/u/.ollama/id_ed25519",
	"/home/u/.ssh/id_rsa",
	"/home/u/Documents/notes/plan.md",
	"/tmp/ollama1234/runners/cpu_avx2/ollama_llama_server",
};

static const char *const tls_hosts[] = {
	"registry.ollama.ai",
	"huggingface.co",
	"cdn-lfs.huggingface.co",
	"api.mixpanel.com",
	"dd20bb891979d25aebc8bec07b2b3bbc.r2.cloudflarestorage.com",
	"github.com",
	"objects.githubusercontent.com",
	"unknown.example.net",
};

/*
 * One cycle of 100 records: 62 opens, 10 DNS-sized sends, 2 DNS answers, 8 TCP connects
 * (5 named by their TLS or HTTP head, 3 never), 8 closes with byte counts, 1 listen, and a
 * short-lived child: fork, exec, exit. Connection cookies are unique over the stream.
 */
static void make_stream(uint16_t tool)
{
	static const char *const comms[N_LONG] = {
		"ollama", "ollama", "ollama_llama_se", "ollama_llama_se",
		"ollama", "ollama", "ollama",	       "ollama",
	};
	struct bytebuf hello[8], http = { .n = 0 }, dns;
	uint64_t cookie = 1ull << 32;
	uint32_t child = 0;

	st.ts = timefmt_boot_now();
	for (int i = 0; i < 8; i++)
		tls_hello(&hello[i], tls_hosts[i]);
	http.n = (size_t)snprintf(
		(char *)http.b, sizeof(http.b),
		"GET /v2/library/llama3.2/manifests/latest HTTP/1.1\r\n"
		"Host: registry.ollama.ai\r\nUser-Agent: ollama/0.5.7\r\n"
		"Accept: application/vnd.docker.distribution.manifest.v2+json\r\n\r\n");
	add_exec(ROOT_PID, 1, tool, "ollama", "/usr/local/bin/ollama");
	for (uint32_t i = 1; i < N_LONG; i++) {
		add_fork(ROOT_PID, ROOT_PID + i, tool, "ollama");
		if (i == 2 || i == 3)
			add_exec(ROOT_PID + i, ROOT_PID, tool, comms[i],
				 "/tmp/ollama1234/runners/cpu_avx2/ollama_llama_server");
	}
	for (unsigned int cyc = 0; st.n < STREAM_RECORDS; cyc++) {
		uint64_t c0 = cookie;
		char ip[32];

		for (int k = 0; k < 100; k++) {
			uint32_t pid = ROOT_PID + (uint32_t)(k % N_LONG);
			const char *comm = comms[k % N_LONG];
			int h = (int)((cyc + (unsigned int)k) % 8);

			snprintf(ip, sizeof(ip), "104.18.%d.%u", h, 10 + (cyc % 200));
			if (k < 62) {
				const char *p = open_paths[(cyc * 7 + (unsigned int)k) % 16];

				add_open(pid, tool, comm, p,
					 k % 9 == 0 ? O_WRONLY | O_CREAT : O_RDONLY,
					 k % 13 == 0 ? -2 : 7);
			} else if (k < 72) {
				add_sock(LW_REC_SEND, pid, tool, comm, 9, 40, 40, 0, "127.0.0.53",
					 53, SOCK_DGRAM);
			} else if (k < 74) {
				uint8_t a[4] = { 104, 18, (uint8_t)h, (uint8_t)(10 + (cyc % 200)) };

				dns_answer(&dns, tls_hosts[h], a);
				add_payload(pid, tool, 0, "127.0.0.53", 53, LW_DIR_IN, 17, dns.b,
					    dns.n);
			} else if (k < 82) {
				add_sock(LW_REC_CONNECT, pid, tool, comm, 11, -115, 0, cookie++, ip,
					 443, SOCK_STREAM);
			} else if (k < 87) {
				const struct bytebuf *b = k == 86 ? &http : &hello[h];

				add_payload(ROOT_PID, tool, c0 + (uint64_t)(k - 82), ip,
					    k == 86 ? 80 : 443, LW_DIR_OUT, 6, b->b, b->n);
			} else if (k < 95) {
				add_conn_bytes(ROOT_PID, tool, c0 + (uint64_t)(k - 87), ip, 443,
					       (uint64_t)k * 1000 + cyc);
			} else if (k == 95) {
				add_listen(ROOT_PID, tool, "ollama", 11434);
			} else if (k == 96) {
				add_fork(ROOT_PID, CHILD_BASE + child, tool, "ollama");
			} else if (k == 97) {
				add_exec(CHILD_BASE + child, ROOT_PID, tool, "nvidia-smi",
					 "/usr/bin/nvidia-smi");
			} else if (k == 98) {
				add_open(CHILD_BASE + child, tool, "nvidia-smi", "/dev/nvidiactl",
					 O_RDWR, 3);
			} else {
				add_exit(CHILD_BASE + child, tool, "nvidia-smi");
				child = (child + 1) % N_CHILD;
			}
		}
	}
}

/* Moves every timestamp forward by span, so each pass looks like time going on. */
static void shift_stream(uint64_t span)
{
	for (size_t i = 0; i < st.n; i++)
		((struct lw_rec_hdr *)(st.buf + st.off[i]))->ts_ns += span;
}

/* ---- rules, sinks, fake kernel -------------------------------------------------------- */

static int fake_home(uint32_t uid, char *buf, size_t size, void *ctx)
{
	(void)ctx, (void)uid;
	snprintf(buf, size, "/home/u");
	return 0;
}

static struct rules *build_rules(bool generated)
{
	struct rules_builder *b = rules_builder_new();
	struct rules *r;
	char *text = NULL;

	if (!b)
		return NULL;
	rules_builder_add_default(b);
	if (generated) {
		text = bench_generate_rules(N_GENERATED);
		if (text)
			rules_builder_add_text(b, "generated.json", text, strlen(text), false);
	}
	rules_builder_set_home_fn(b, fake_home, NULL);
	r = rules_builder_build(b);
	for (size_t i = 0; !r && i < rules_builder_error_count(b) && i < 5; i++)
		fprintf(stderr, "%s\n", rules_builder_error(b, i));
	rules_builder_free(b);
	free(text);
	return r;
}

/* As cmd_monitor.c plugs the rules into the monitor. */
struct matcher {
	struct rules *rules;
	struct rules_verdict v[VERDICTS_MAX];
	uint64_t verdicts;
};

static size_t match(void *ctx, const struct lw_event *ev, const struct rules_verdict **out)
{
	struct matcher *mt = ctx;
	int n = rules_match(mt->rules, ev, mt->v, VERDICTS_MAX);

	*out = mt->v;
	if (n <= 0)
		return 0;
	if (n > VERDICTS_MAX)
		n = VERDICTS_MAX;
	mt->verdicts += (uint64_t)n;
	return (size_t)n;
}

static int null_event(struct sink *s, const struct lw_event *ev, const struct rules_verdict *v,
		      size_t nv)
{
	(void)s, (void)ev, (void)v, (void)nv;
	return 0;
}

static int null_summary(struct sink *s, const struct lw_stats *stats)
{
	(void)s, (void)stats;
	return 0;
}

static void null_destroy(struct sink *s)
{
	(void)s;
}

static const struct sink_ops null_ops = {
	.event = null_event,
	.summary = null_summary,
	.destroy = null_destroy,
};
static struct sink null_sink = { .ops = &null_ops };

static int k_track(void *ctx, uint32_t pid, uint16_t tool, uint16_t reason, uint32_t root)
{
	(void)ctx, (void)pid, (void)tool, (void)reason, (void)root;
	return 0;
}

static void k_untrack(void *ctx, uint32_t pid)
{
	(void)ctx, (void)pid;
}

static int k_retool(void *ctx, uint32_t pid, uint16_t tool)
{
	(void)ctx, (void)pid, (void)tool;
	return 0;
}

/* The kernel's connection table is empty here: every close came as a record. */
static int k_flush(void *ctx, uint32_t pid, uint32_t reason,
		   void (*emit)(void *m, const void *rec, size_t len), void *m)
{
	(void)ctx, (void)pid, (void)reason, (void)emit, (void)m;
	return 0;
}

static const struct monitor_kernel_ops fake_kops = {
	.track = k_track,
	.untrack = k_untrack,
	.retool = k_retool,
	.flush_conns = k_flush,
};

/* ---- timing ------------------------------------------------------------------------- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static char empty_proc[] = "/tmp/lwbench-proc.XXXXXX";

/* One configuration: its monitor, and the rate of each round so far. */
struct replay_run {
	const char *name;
	struct matcher mt;
	struct monitor m;
	FILE *devnull;
	double rate[16];
	int rounds;
	uint64_t verdicts_pass, events_pass;
};

/* Sets up r's monitor and warms it with one untimed pass (which counts what a pass makes). */
static int run_init(struct replay_run *r, const char *name, struct rules *rules,
		    const char *sink_kind)
{
	memset(r, 0, sizeof(*r));
	r->name = name;
	r->mt.rules = rules;
	if (monitor_init(&r->m)) {
		fprintf(stderr, "replay: out of memory\n");
		return -1;
	}
	profiles_init(&r->m.profiles);
	r->m.kops = &fake_kops;
	r->m.proc_root = empty_proc; /* exe links are not found: as for a process gone */
	r->m.match = match;
	r->m.match_ctx = &r->mt;
	if (!strcmp(sink_kind, "null")) {
		r->m.sink = &null_sink;
	} else {
		r->devnull = fopen("/dev/null", "we");
		r->m.sink = !r->devnull		       ? NULL :
			    !strcmp(sink_kind, "json") ? sink_json_new(r->devnull) :
							 sink_text_new(r->devnull);
		if (!r->m.sink) {
			fprintf(stderr, "replay: cannot open the %s sink\n", sink_kind);
			return -1;
		}
	}
	shift_stream(st.ts - ((struct lw_rec_hdr *)st.buf)->ts_ns + 3000);
	for (size_t i = 0; i < st.n; i++) {
		const void *rec = st.buf + st.off[i];

		monitor_handle_record(&r->m, rec, rec_size(rec));
	}
	monitor_tick(&r->m, st.ts);
	r->verdicts_pass = r->mt.verdicts;
	r->events_pass = r->m.stats.records - r->m.stats.by_type[LW_REC_PAYLOAD];
	return 0;
}

/* One timed round of r: whole passes for at least secs; records per second. */
static void run_round(struct replay_run *r, double secs)
{
	uint64_t span = st.ts - ((struct lw_rec_hdr *)st.buf)->ts_ns + 3000;
	uint64_t done = 0;
	double t0, dt = 0;

	while (dt < secs) {
		/* every pass is later than the last one of any configuration: time moves on */
		shift_stream(span);
		t0 = now();
		for (size_t i = 0; i < st.n; i++) {
			const void *rec = st.buf + st.off[i];

			monitor_handle_record(&r->m, rec, rec_size(rec));
		}
		/* the event loop's periodic work, as run_loop does it on each pass */
		monitor_tick(&r->m, ((struct lw_rec_hdr *)(st.buf + st.off[st.n - 1]))->ts_ns);
		proctable_reap(&r->m.procs,
			       ((struct lw_rec_hdr *)(st.buf + st.off[st.n - 1]))->ts_ns,
			       5000000000ull);
		dt += now() - t0;
		done += st.n;
	}
	if (r->rounds < 16)
		r->rate[r->rounds++] = (double)done / dt;
}

/* Prints r's line and frees it. */
static int run_finish(struct replay_run *r)
{
	int n = r->rounds, err = 0;

	monitor_flush(&r->m);
	if (r->m.stats.decode_errors || r->m.stats.rejected_records || r->m.stats.output_errors) {
		fprintf(stderr, "replay: %s: %lu decode errors, %lu rejected, %lu output errors\n",
			r->name, (unsigned long)r->m.stats.decode_errors,
			(unsigned long)r->m.stats.rejected_records,
			(unsigned long)r->m.stats.output_errors);
		err = -1;
	} else if (n) {
		qsort(r->rate, (size_t)n, sizeof(r->rate[0]), cmp_double);
		printf("replay %s %.0f %.0f %.0f %.1f %lu %lu\n", r->name, r->rate[n / 2],
		       r->rate[0], r->rate[n - 1], 1e9 / r->rate[n / 2],
		       (unsigned long)r->events_pass, (unsigned long)r->verdicts_pass);
		fflush(stdout);
	}
	if (r->m.sink && r->m.sink != &null_sink)
		sink_destroy(r->m.sink);
	if (r->devnull)
		fclose(r->devnull);
	monitor_free(&r->m);
	return err;
}

static const struct {
	const char *name, *sink;
	bool big;
} configs[] = {
	{ "null", "null", false },   { "text", "text", false },	  { "json", "json", false },
	{ "null10k", "null", true }, { "text10k", "text", true },
};
#define NCONFIGS (sizeof(configs) / sizeof(configs[0]))

/*
 * One round of the capture writer: passes over the stream for secs, each into a new file,
 * opened, every record added, sealed (the footer, a last sync). Returns records/s, or -1.
 */
static double capture_round(const char *path, double secs, uint64_t *file_bytes)
{
	struct capture_meta meta = { .llmwatch_version = "bench" };
	struct capture_writer_opts o = { .flush_ns = 1000000000ull }; /* the default */
	struct capture_writer_stats cs;
	uint64_t done = 0;
	double t0, dt = 0;
	char err[256];

	while (dt < secs) {
		struct capture_writer *w;

		unlink(path);
		t0 = now();
		w = capture_writer_open(path, &meta, &o, err, sizeof(err));
		if (!w) {
			fprintf(stderr, "replay: capture: %s\n", err);
			return -1;
		}
		for (size_t i = 0; i < st.n; i++) {
			const void *rec = st.buf + st.off[i];

			capture_writer_add(w, rec, rec_size(rec));
		}
		capture_writer_get_stats(w, &cs);
		if (capture_writer_close(w, NULL)) {
			fprintf(stderr, "replay: capture: blocks lost\n");
			return -1;
		}
		dt += now() - t0;
		done += st.n;
		*file_bytes = cs.bytes;
	}
	return (double)done / dt;
}

/* The capture writer's row: rounds of capture_round(), the median and the spread. */
static int capture_bench(double secs, int rounds)
{
	const char *dir = getenv("BENCH_CAPTURE_DIR");
	char path[4096];
	double rate[16] = { 0 };
	uint64_t bytes = 0;
	int n = 0;

	if (rounds <= 0)
		return -1;
	snprintf(path, sizeof(path), "%s/bench-capture.%d.lwc", dir && *dir ? dir : ".",
		 (int)getpid());
	for (; n < rounds && n < 16; n++) {
		rate[n] = capture_round(path, secs, &bytes);
		if (rate[n] < 0) {
			unlink(path);
			return -1;
		}
	}
	unlink(path);
	qsort(rate, (size_t)n, sizeof(rate[0]), cmp_double);
	printf("capture %.0f %.0f %.0f %.1f %lu\n", rate[n / 2], rate[0], rate[n - 1],
	       1e9 / rate[n / 2], (unsigned long)bytes);
	return 0;
}

/* The stream, passes end to end until n records, as a sealed capture at path. */
static int write_capture(const char *path, uint64_t n)
{
	struct profile_set ps;
	struct capture_meta meta = { .llmwatch_version = "bench", .profiles = &ps };
	struct capture_writer_opts wo = { .flush_ns = 1000000000ull };
	struct capture_writer_stats cs;
	struct capture_writer *w;
	uint16_t tool = 1;
	uint64_t written = 0, span;
	char err[256];

	profiles_init(&ps);
	for (size_t i = 0; i < ps.n; i++) {
		if (!strcmp(ps.p[i].name, "ollama"))
			tool = (uint16_t)(i + 1);
	}
	make_stream(tool);
	span = st.ts - ((struct lw_rec_hdr *)st.buf)->ts_ns + 1000;
	w = capture_writer_open(path, &meta, &wo, err, sizeof(err));
	if (!w) {
		fprintf(stderr, "replay: %s\n", err);
		return 1;
	}
	while (written < n) {
		for (size_t i = 0; i < st.n && written < n; i++, written++) {
			const struct lw_rec_hdr *h = (const void *)(st.buf + st.off[i]);

			capture_writer_add(w, h, rec_size(h));
		}
		shift_stream(span);
	}
	capture_writer_get_stats(w, &cs);
	if (capture_writer_close(w, stderr))
		return 1;
	printf("capture-written %" PRIu64 " %" PRIu64 "\n", written, cs.bytes);
	free(st.buf);
	free(st.off);
	return 0;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? strtod(argv[1], NULL) : 1.0;
	int rounds = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 5, err = 0;
	const char *only = argc > 3 ? argv[3] : NULL;
	struct rules *small, *big;
	struct replay_run runs[NCONFIGS];
	size_t nruns = 0;
	struct profile_set ps;
	uint16_t tool = 1;

	if (argc == 4 && !strcmp(argv[1], "--write-capture")) {
		if (timefmt_init())
			return 1;
		return write_capture(argv[2], strtoull(argv[3], NULL, 10));
	}
	if (secs <= 0 || rounds <= 0) {
		fprintf(stderr, "usage: replay [SECONDS_PER_ROUND [ROUNDS [ONLY]]]\n");
		return 2;
	}
	if (timefmt_init() || !mkdtemp(empty_proc)) {
		fprintf(stderr, "replay: setting up: %s\n", strerror(errno));
		return 1;
	}
	profiles_init(&ps);
	for (size_t i = 0; i < ps.n; i++) {
		if (!strcmp(ps.p[i].name, "ollama"))
			tool = (uint16_t)(i + 1);
	}
	make_stream(tool);
	printf("replay-stream %zu %zu\n", st.n, st.len);
	small = build_rules(false);
	big = build_rules(true);
	if (!small || !big) {
		fprintf(stderr, "replay: cannot build the rule sets\n");
		return 1;
	}
	/*
	 * Rounds interleaved across configurations, so that a slow phase of a shared host
	 * lands on all of them and their ratios hold.
	 */
	for (size_t i = 0; i < NCONFIGS; i++) {
		if (only && strcmp(only, configs[i].name) != 0)
			continue;
		if (run_init(&runs[nruns], configs[i].name, configs[i].big ? big : small,
			     configs[i].sink)) {
			run_finish(&runs[nruns]);
			err = 1;
			continue;
		}
		nruns++;
	}
	for (int rd = 0; rd < rounds && rd < 16; rd++)
		for (size_t i = 0; i < nruns; i++)
			run_round(&runs[i], secs);
	for (size_t i = 0; i < nruns; i++)
		err |= run_finish(&runs[i]);
	if ((!only || !strcmp(only, "capture")) && capture_bench(secs, rounds))
		err = 1;
	rules_free(small);
	rules_free(big);
	rmdir(empty_proc);
	free(st.buf);
	free(st.off);
	return err ? 1 : 0;
}
