// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of the monitor's record path and /proc scan, with a fake kernel (kops that
 * record track/untrack/retool calls), a fake /proc tree under a temporary directory and the
 * real JSON sink writing to memory.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "monitor/monitor.h"
#include "monitor/facts_store.h"
#include "core/procfacts.h"
#include "rules/rules.h"
#include "util/timefmt.h"

/* ---- fake kernel --------------------------------------------------------------------- */

#define MAX_CALLS 64

struct call {
	uint32_t pid, root;
	uint16_t tool, reason;
};

struct fake_kernel {
	struct call track[MAX_CALLS], retool[MAX_CALLS];
	uint32_t untrack[MAX_CALLS];
	size_t ntrack, nuntrack, nretool, nflush;
	uint32_t flush_pid;
	bool flush_emits;
	/* the process that execs reexec_exe as it is untracked (a candidate's second exec) */
	uint32_t reexec_pid;
	const char *reexec_exe;
};

static void fake_proc(uint32_t pid, uint32_t ppid, const char *comm, const char *exe);

static int fk_track(void *ctx, uint32_t pid, uint16_t tool, uint16_t reason, uint32_t root)
{
	struct fake_kernel *k = ctx;

	if (k->ntrack < MAX_CALLS)
		k->track[k->ntrack] = (struct call){ pid, root, tool, reason };
	k->ntrack++;
	return 0;
}

static void fk_untrack(void *ctx, uint32_t pid)
{
	struct fake_kernel *k = ctx;

	if (k->nuntrack < MAX_CALLS)
		k->untrack[k->nuntrack] = pid;
	k->nuntrack++;
	if (pid == k->reexec_pid && k->reexec_exe)
		fake_proc(pid, 1, "chat", k->reexec_exe);
}

static int fk_retool(void *ctx, uint32_t pid, uint16_t tool)
{
	struct fake_kernel *k = ctx;

	if (k->nretool < MAX_CALLS)
		k->retool[k->nretool] = (struct call){ .pid = pid, .tool = tool };
	k->nretool++;
	return 0;
}

static int fk_flush(void *ctx, uint32_t pid, uint32_t reason,
		    void (*emit)(void *m, const void *rec, size_t len), void *m)
{
	struct fake_kernel *k = ctx;
	struct lw_rec_conn_bytes r = {
		.hdr = { .type = LW_REC_CONN_BYTES,
			 .size = sizeof(r),
			 .version = LW_RECORD_VERSION,
			 .ts_ns = 9000000000ull,
			 .pid = pid },
		.cookie = 77,
		.bytes = 4096,
		.packets = 3,
		.reason = reason,
		.daddr = { .family = AF_INET, .port = 443, .addr = { 10, 1, 2, 3 } },
	};

	k->nflush++;
	k->flush_pid = pid;
	if (k->flush_emits)
		emit(m, &r, sizeof(r));
	return 0;
}

static const struct monitor_kernel_ops fake_ops = {
	.track = fk_track,
	.untrack = fk_untrack,
	.retool = fk_retool,
	.flush_conns = fk_flush,
};

static bool untracked(const struct fake_kernel *k, uint32_t pid)
{
	for (size_t i = 0; i < k->nuntrack && i < MAX_CALLS; i++) {
		if (k->untrack[i] == pid)
			return true;
	}
	return false;
}

static const struct call *tracked(const struct fake_kernel *k, uint32_t pid)
{
	for (size_t i = 0; i < k->ntrack && i < MAX_CALLS; i++) {
		if (k->track[i].pid == pid)
			return &k->track[i];
	}
	return NULL;
}

/* ---- fake /proc ---------------------------------------------------------------------- */

static char tmpdir[64];
static char proc_root[256];

static void fake_proc(uint32_t pid, uint32_t ppid, const char *comm, const char *exe)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%u", proc_root, pid);
	if (mkdir(path, 0755) && errno != EEXIST)
		perror(path);
	snprintf(path, sizeof(path), "%s/%u/stat", proc_root, pid);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		return;
	}
	/* the shape of /proc/PID/stat; starttime (field 22) is 12345 ticks */
	fprintf(f,
		"%u (%s) S %u %u %u 0 -1 4194560 1000 0 0 0 10 5 0 0 20 0 4 0 12345 "
		"123456789 1000 18446744073709551615 1 1 0 0 0 0 0 4096 17920 0 0 0 17 3 0 0 0 0 0\n",
		pid, comm, ppid, pid, pid);
	fclose(f);
	snprintf(path, sizeof(path), "%s/%u/exe", proc_root, pid);
	unlink(path);
	if (exe && symlink(exe, path))
		perror(path);
}

static void rm_tree(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0) /* NOLINT(cert-env33-c): a fixed command on our mkdtemp dir */
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

/* ---- records ------------------------------------------------------------------------- */

static uint64_t now_ns = 1000000000ull;

static void fill_hdr(struct lw_rec_hdr *h, unsigned int type, size_t size, uint32_t pid,
		     uint16_t tool, const char *comm)
{
	h->type = (__u16)type;
	h->size = (__u16)size;
	h->version = LW_RECORD_VERSION;
	h->tool = tool;
	h->ts_ns = (now_ns += 1000);
	h->pid = pid;
	h->tid = pid;
	h->uid = 1000;
	memset(h->comm, 0, sizeof(h->comm));
	memcpy(h->comm, comm, strnlen(comm, sizeof(h->comm)));
}

/* Hands a heap copy of exactly len bytes to the monitor, as the ring buffer would. */
static void feed(struct monitor *m, const void *rec, size_t len)
{
	void *p = malloc(len);

	memcpy(p, rec, len);
	monitor_handle_record(m, p, len);
	free(p);
}

static void send_exec(struct monitor *m, uint32_t pid, uint32_t ppid, uint16_t tool, bool candidate,
		      const char *comm, const char *filename)
{
	struct lw_rec_exec r;
	size_t n = strlen(filename), size = offsetof(struct lw_rec_exec, filename) + n + 1;

	memset(&r, 0, sizeof(r));
	fill_hdr(&r.hdr, LW_REC_EXEC, size, pid, tool, comm);
	r.hdr.flags = candidate ? LW_F_CANDIDATE : 0;
	r.ppid = ppid;
	r.match = candidate ? LW_MATCH_NAME : LW_MATCH_INHERITED;
	r.filename_len = (__u16)n;
	memcpy(r.filename, filename, n + 1);
	feed(m, &r, size);
}

static void send_fork(struct monitor *m, uint32_t parent, uint32_t child, uint16_t tool,
		      const char *comm)
{
	struct lw_rec_fork r;

	memset(&r, 0, sizeof(r));
	fill_hdr(&r.hdr, LW_REC_FORK, sizeof(r), parent, tool, comm);
	r.child_pid = child;
	feed(m, &r, sizeof(r));
}

static void send_exit(struct monitor *m, uint32_t pid, uint16_t tool, const char *comm)
{
	struct lw_rec_exit r;

	memset(&r, 0, sizeof(r));
	fill_hdr(&r.hdr, LW_REC_EXIT, sizeof(r), pid, tool, comm);
	feed(m, &r, sizeof(r));
}

static void send_connect(struct monitor *m, uint32_t pid, uint16_t tool, const char *comm)
{
	struct lw_rec_sock r;
	size_t size = offsetof(struct lw_rec_sock, unix_path);

	memset(&r, 0, sizeof(r));
	fill_hdr(&r.hdr, LW_REC_CONNECT, size, pid, tool, comm);
	r.fd = 5;
	r.ret = -115; /* EINPROGRESS */
	r.addr.family = AF_INET6;
	r.addr.port = 443;
	r.addr.addr[0] = 0x20, r.addr.addr[1] = 0x01, r.addr.addr[2] = 0x0d, r.addr.addr[3] = 0xb8;
	r.addr.addr[15] = 1;
	r.sock_type = SOCK_STREAM;
	feed(m, &r, size);
}

static void send_open(struct monitor *m, uint32_t pid, uint16_t tool, const char *comm,
		      const char *path)
{
	struct lw_rec_open r;
	size_t n = strlen(path), size = offsetof(struct lw_rec_open, path) + n + 1;

	memset(&r, 0, sizeof(r));
	fill_hdr(&r.hdr, LW_REC_OPEN, size, pid, tool, comm);
	r.dfd = -100;
	r.ret = 9;
	r.flags = O_RDWR | O_CREAT | O_CLOEXEC;
	r.path_len = (__u16)n;
	memcpy(r.path, path, n + 1);
	feed(m, &r, size);
}

/* ---- sink output --------------------------------------------------------------------- */

static FILE *out;
static char *out_buf;
static size_t out_len, out_seen;

/* The lines written since the last call, each parsed; returns how many (at most max). */
static size_t new_lines(cJSON **lines, size_t max)
{
	size_t n = 0;

	fflush(out);
	while (out_seen < out_len) {
		char *start = out_buf + out_seen, *nl = memchr(start, '\n', out_len - out_seen);
		char *copy;

		if (!nl)
			break;
		copy = strndup(start, (size_t)(nl - start));
		if (n < max) {
			lines[n] = cJSON_Parse(copy);
			if (!lines[n])
				fprintf(stderr, "not JSON: %s\n", copy);
		}
		n++;
		free(copy);
		out_seen = (size_t)(nl - out_buf) + 1;
	}
	return n;
}

static void free_lines(cJSON **lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cJSON_Delete(lines[i]);
}

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double jnum(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

/* ---- setup --------------------------------------------------------------------------- */

static struct fake_kernel fk;

static void setup(struct monitor *m)
{
	CHECK_INT(monitor_init(m), 0);
	profiles_init(&m->profiles);
	memset(&fk, 0, sizeof(fk));
	m->kops = &fake_ops;
	m->kctx = &fk;
	m->proc_root = proc_root;
	out_seen = 0;
	if (out)
		fclose(out);
	free(out_buf);
	out_buf = NULL;
	out = open_memstream(&out_buf, &out_len);
	m->sink = sink_json_new(out);
}

static void teardown(struct monitor *m)
{
	sink_destroy(m->sink);
	monitor_free(m);
}

static uint16_t id_of(const struct monitor *m, const char *name)
{
	for (unsigned int id = 1; id <= m->profiles.n; id++) {
		if (strcmp(profiles_name(&m->profiles, id), name) == 0)
			return (uint16_t)id;
	}
	return 0;
}

/* ---- tests --------------------------------------------------------------------------- */

#define JAN_LLAMA "/home/u/.local/share/Jan/data/llamacpp/backends/v1/x/build/bin/llama-server"

/* (1) a `chat` that is not GPT4All is rejected, and so is all that follows from it */
static void test_reject(void)
{
	struct monitor m;
	cJSON *l[8] = { 0 }; /* freed even after a failed check */
	uint16_t gpt = 0;

	setup(&m);
	gpt = id_of(&m, "gpt4all");
	CHECK(gpt != 0);
	fake_proc(1000, 1, "chat", "/usr/bin/chat");
	fake_proc(1, 0, "systemd", "/usr/lib/systemd/systemd");

	send_exec(&m, 1000, 1, gpt, true, "chat", "/usr/bin/chat");
	CHECK_INT(fk.nuntrack, 1);
	CHECK(untracked(&fk, 1000));
	CHECK_INT(fk.nretool, 0);
	CHECK_INT(m.stats.rejected_procs, 1);
	CHECK_INT(m.stats.rejected_records, 1);
	CHECK(proctable_get(&m.procs, 1000) &&
	      proctable_get(&m.procs, 1000)->state == PROC_REJECTED);

	/* records already in flight from it are dropped, not shown as GPT4All's */
	send_connect(&m, 1000, gpt, "chat");
	send_open(&m, 1000, gpt, "chat", "/etc/passwd");
	CHECK_INT(m.stats.rejected_records, 3);
	CHECK_INT(m.stats.rejected_procs, 1);

	/* (4b) its child forked before the untrack took effect is untracked too */
	send_fork(&m, 1000, 1001, gpt, "chat");
	CHECK(untracked(&fk, 1001));
	CHECK_INT(m.stats.rejected_records, 4);
	send_exec(&m, 1001, 1000, gpt, false, "sh", "/bin/sh");
	send_connect(&m, 1001, gpt, "sh");
	CHECK_INT(m.stats.rejected_records, 6);

	CHECK_INT(new_lines(l, 8), 0);
	CHECK_INT(m.stats.decode_errors, 0);
	CHECK_INT(m.stats.output_errors, 0);
	teardown(&m);
}

/* (2) the same name at GPT4All's install path is confirmed; (4) its children follow it */
static void test_confirm_and_fork(void)
{
	struct monitor m;
	struct proc_entry *e;
	cJSON *l[8] = { 0 }; /* freed even after a failed check */
	size_t n;
	uint16_t gpt;

	setup(&m);
	gpt = id_of(&m, "gpt4all");
	fake_proc(1100, 1, "chat", "/home/u/gpt4all/bin/chat");

	send_exec(&m, 1100, 1, gpt, true, "chat", "/home/u/gpt4all/bin/chat");
	CHECK_INT(fk.nuntrack, 0);
	CHECK_INT(fk.nretool, 0);
	CHECK_INT(m.stats.rejected_procs, 0);
	n = new_lines(l, 8);
	CHECK_INT(n, 1);
	if (n == 1 && l[0]) {
		CHECK_STR(jstr(l[0], "type"), "exec");
		CHECK_STR(jstr(l[0], "tool"), "gpt4all");
		CHECK_STR(jstr(l[0], "exe"), "/home/u/gpt4all/bin/chat");
		CHECK_STR(jstr(l[0], "filename"), "/home/u/gpt4all/bin/chat");
		CHECK(jnum(l[0], "pid") == 1100);
		CHECK(jnum(l[0], "ppid") == 1);
	}
	free_lines(l, n);

	/* the exe link is gone by the time user space looks: the exec'd path still confirms */
	send_exec(&m, 1150, 1, gpt, true, "chat", "/opt/gpt4all/bin/chat");
	CHECK_INT(fk.nuntrack, 0);
	n = new_lines(l, 8);
	CHECK_INT(n, 1);
	if (n == 1 && l[0])
		CHECK_STR(jstr(l[0], "tool"), "gpt4all");
	free_lines(l, n);

	/* a fork of a confirmed process: the child belongs to the same tool and tree */
	send_fork(&m, 1100, 1101, gpt, "chat");
	e = proctable_get(&m.procs, 1101);
	CHECK(e != NULL);
	if (e) {
		CHECK_INT(e->tool, gpt);
		CHECK_INT(e->root_pid, 1100);
		CHECK_INT(e->ppid, 1100);
		CHECK_INT(e->state, PROC_CONFIRMED);
	}
	CHECK(!untracked(&fk, 1101));
	send_connect(&m, 1101, gpt, "chat");
	n = new_lines(l, 8);
	CHECK_INT(n, 2);
	if (n == 2 && l[0] && l[1]) {
		CHECK_STR(jstr(l[0], "type"), "fork");
		CHECK(jnum(l[0], "pid") == 1101);
		CHECK(jnum(l[0], "ppid") == 1100);
		CHECK_STR(jstr(l[0], "tool"), "gpt4all");
		CHECK_STR(jstr(l[1], "type"), "connect");
		CHECK(jnum(l[1], "pid") == 1101);
		CHECK(jnum(l[1], "ppid") == 1100);
		CHECK_STR(jstr(l[1], "tool"), "gpt4all");
		CHECK_STR(jstr(l[1], "exe"), "/home/u/gpt4all/bin/chat");
	}
	free_lines(l, n);

	/* an exit writes the exit and asks the kernel for the pid's open connections */
	fk.flush_emits = true;
	send_exit(&m, 1101, gpt, "chat");
	CHECK_INT(fk.nflush, 1);
	CHECK_INT(fk.flush_pid, 1101);
	n = new_lines(l, 8);
	CHECK_INT(n, 2);
	if (n == 2 && l[0] && l[1]) {
		CHECK_STR(jstr(l[0], "type"), "exit");
		CHECK_STR(jstr(l[1], "type"), "conn_bytes");
		CHECK_STR(jstr(l[1], "tool"), "gpt4all");
		CHECK(jnum(l[1], "bytes") == 4096);
		CHECK_STR(jstr(l[1], "daddr"), "10.1.2.3");
	}
	free_lines(l, n);
	e = proctable_get(&m.procs, 1101);
	CHECK(e && e->exited);
	CHECK_INT(m.stats.rejected_records, 0);
	teardown(&m);
}

/* (3) llama-server under Jan's backends directory is Jan's, and the kernel is told so */
static void test_retool(void)
{
	struct monitor m;
	cJSON *l[8] = { 0 }; /* freed even after a failed check */
	size_t n;
	uint16_t ls, jan;

	setup(&m);
	ls = id_of(&m, "llama-server");
	jan = id_of(&m, "jan");
	CHECK(ls && jan && ls != jan);
	fake_proc(1200, 1, "llama-server", JAN_LLAMA);
	send_exec(&m, 1200, 1, ls, true, "llama-server", JAN_LLAMA);
	CHECK_INT(fk.nretool, 1);
	CHECK_INT(fk.retool[0].pid, 1200);
	CHECK_INT(fk.retool[0].tool, jan);
	CHECK_INT(fk.nuntrack, 0);
	n = new_lines(l, 8);
	CHECK_INT(n, 1);
	if (n == 1 && l[0])
		CHECK_STR(jstr(l[0], "tool"), "jan");
	free_lines(l, n);
	/* later records carry the kernel's old id until the retool lands: the table wins */
	send_connect(&m, 1200, ls, "llama-server");
	n = new_lines(l, 8);
	CHECK_INT(n, 1);
	if (n == 1 && l[0])
		CHECK_STR(jstr(l[0], "tool"), "jan");
	free_lines(l, n);

	/* a plain llama.cpp build keeps its own profile */
	fake_proc(1210, 1, "llama-server", "/opt/llama.cpp/build/bin/llama-server");
	send_exec(&m, 1210, 1, ls, true, "llama-server", "/opt/llama.cpp/build/bin/llama-server");
	CHECK_INT(fk.nretool, 1);
	n = new_lines(l, 8);
	CHECK_INT(n, 1);
	if (n == 1 && l[0])
		CHECK_STR(jstr(l[0], "tool"), "llama-server");
	free_lines(l, n);

	/*
	 * A helper named like a tool, started by the tool's own executable (which the kernel
	 * did not track), is the tool's. The parent's exe is read from proc_root, which here
	 * is a long path.
	 */
	{
		uint16_t gpt = id_of(&m, "gpt4all");

		fake_proc(1220, 1, "chat", "/home/u/gpt4all/bin/chat");
		fake_proc(1221, 1220, "maintenancetool", "/tmp/tmp.x/maintenancetool");
		send_exec(&m, 1221, 1220, gpt, true, "maintenancetool",
			  "/tmp/tmp.x/maintenancetool");
		CHECK_INT(fk.nuntrack, 0);
		CHECK_INT(m.stats.rejected_procs, 0);
		n = new_lines(l, 8);
		CHECK_INT(n, 1);
		if (n == 1 && l[0])
			CHECK_STR(jstr(l[0], "tool"), "gpt4all");
		free_lines(l, n);
		/* the same helper under some other parent is not */
		fake_proc(1231, 1, "maintenancetool", "/tmp/tmp.x/maintenancetool");
		send_exec(&m, 1231, 1, gpt, true, "maintenancetool", "/tmp/tmp.x/maintenancetool");
		CHECK(untracked(&fk, 1231));
	}
	teardown(&m);
}

/* (5) rejecting a candidate untracks its tree as seen so far, and nothing else */
static void test_reject_tree(void)
{
	struct monitor m;
	struct proc_entry *e;
	cJSON *l[16];
	size_t n;
	uint16_t gpt, oll;

	setup(&m);
	gpt = id_of(&m, "gpt4all");
	oll = id_of(&m, "ollama");

	/* a child whose fork record is read before its parent's exec record */
	fake_proc(1400, 1, "chat", "/usr/bin/chat");
	now_ns += 1000000;
	{
		uint64_t exec_ts = now_ns + 1000; /* what fill_hdr gives the next record */

		now_ns += 5000; /* the fork happened after the exec */
		send_fork(&m, 1400, 1401, gpt, "chat");
		now_ns = exec_ts - 1000;
	}
	send_exec(&m, 1400, 1, gpt, true, "chat", "/usr/bin/chat");
	CHECK(untracked(&fk, 1400));
	CHECK(untracked(&fk, 1401));
	CHECK(proctable_get(&m.procs, 1401) &&
	      proctable_get(&m.procs, 1401)->state == PROC_REJECTED);
	now_ns += 100000;

	/*
	 * pid reuse: an Ollama server 1300 with a runner 1301; the server exits, its runner
	 * lives on, and a new, unrelated `chat` gets pid 1300. Rejecting it must not untrack
	 * Ollama's runner, whose entry still names 1300 as its root.
	 */
	fake_proc(1300, 1, "ollama", "/usr/local/bin/ollama");
	send_exec(&m, 1300, 1, oll, true, "ollama", "/usr/local/bin/ollama");
	send_fork(&m, 1300, 1301, oll, "ollama");
	send_exec(&m, 1301, 1300, oll, false, "ollama", "/usr/local/bin/ollama");
	send_exit(&m, 1300, oll, "ollama");
	fake_proc(1300, 1, "chat", "/usr/bin/chat");
	fk.nuntrack = 0;
	send_exec(&m, 1300, 1, gpt, true, "chat", "/usr/bin/chat");
	CHECK(untracked(&fk, 1300));
	CHECK(!untracked(&fk, 1301));
	CHECK_INT(fk.nuntrack, 1);
	e = proctable_get(&m.procs, 1301);
	CHECK(e && e->state == PROC_CONFIRMED);
	/*
	 * The new 1300 is rejected: the kernel sends nothing more about it (not even its exit),
	 * so its entry is let go after the grace period; Ollama's runner stays.
	 */
	e = proctable_get(&m.procs, 1300);
	CHECK(e && e->state == PROC_REJECTED && e->exited);
	proctable_reap(&m.procs, now_ns + 100ull * 1000000000ull, 5000000000ull);
	CHECK(proctable_get(&m.procs, 1300) == NULL);
	CHECK(proctable_get(&m.procs, 1301) != NULL);

	n = new_lines(l, 16);
	free_lines(l, n);
	send_connect(&m, 1301, oll, "ollama");
	n = new_lines(l, 16);
	CHECK_INT(n, 1);
	if (n == 1 && l[0])
		CHECK_STR(jstr(l[0], "tool"), "ollama");
	free_lines(l, n);
	teardown(&m);
}

/*
 * (5b) a candidate that execs again while its rejection is decided (after its executable
 * was read, before its untrack): the program it runs then is decided on its own
 */
static void test_reject_reexec(void)
{
	struct monitor m;
	const struct call *c;
	struct proc_entry *e;
	cJSON *l[8] = { 0 };
	size_t n;
	uint16_t gpt;

	setup(&m);
	gpt = id_of(&m, "gpt4all");
	fake_proc(1, 0, "systemd", "/usr/lib/systemd/systemd");
	/* a `chat` that is not GPT4All's, execing GPT4All's */
	fake_proc(1500, 1, "chat", "/usr/bin/chat");
	fk.reexec_pid = 1500;
	fk.reexec_exe = "/home/u/gpt4all/bin/chat";
	send_exec(&m, 1500, 1, gpt, true, "chat", "/usr/bin/chat");
	CHECK(untracked(&fk, 1500));
	c = tracked(&fk, 1500);
	CHECK(c && c->tool == gpt && c->reason == LW_MATCH_NAME && c->root == 1500);
	e = proctable_get(&m.procs, 1500);
	CHECK(e && e->state == PROC_CONFIRMED && !e->exited && e->tool == gpt);
	CHECK(e && !strcmp(e->exe, "/home/u/gpt4all/bin/chat"));
	CHECK_INT(new_lines(l, 8), 0); /* the stray's exec is not shown */
	/* GPT4All's exec record, no candidate's (the kernel tracked it then), is shown */
	send_exec(&m, 1500, 1, gpt, false, "chat", "/home/u/gpt4all/bin/chat");
	send_connect(&m, 1500, gpt, "chat");
	n = new_lines(l, 8);
	CHECK_INT(n, 2);
	if (n == 2 && l[0] && l[1]) {
		CHECK_STR(jstr(l[0], "type"), "exec");
		CHECK_STR(jstr(l[1], "tool"), "gpt4all");
	}
	free_lines(l, n);

	/* one that execs into no tool stays rejected, untracked */
	fk.ntrack = 0;
	fake_proc(1600, 1, "chat", "/usr/bin/chat");
	fk.reexec_pid = 1600;
	fk.reexec_exe = "/bin/sleep";
	send_exec(&m, 1600, 1, gpt, true, "chat", "/usr/bin/chat");
	CHECK(untracked(&fk, 1600));
	CHECK(tracked(&fk, 1600) == NULL);
	e = proctable_get(&m.procs, 1600);
	CHECK(e && e->state == PROC_REJECTED);
	/* and one that did not exec again is not tracked again */
	fake_proc(1700, 1, "chat", "/usr/bin/chat");
	send_exec(&m, 1700, 1, gpt, true, "chat", "/usr/bin/chat");
	CHECK(untracked(&fk, 1700));
	CHECK(tracked(&fk, 1700) == NULL);
	CHECK_INT(m.stats.rejected_procs, 3);
	teardown(&m);
}

/* (6) the /proc scan at start: tool trees by name and path, and --pid trees */
static void test_scan(void)
{
	struct monitor m;
	uint16_t oll, pidtool;
	const struct call *c;
	int extra_pids[1] = { 2300 };
	uint16_t extra_tools[1];
	int got;

	setup(&m);
	/* a /proc of its own, without the other tests' processes */
	snprintf(proc_root, sizeof(proc_root), "%s/scan-proc", tmpdir);
	if (mkdir(proc_root, 0755))
		perror(proc_root);
	oll = id_of(&m, "ollama");
	fake_proc(1, 0, "systemd", "/usr/lib/systemd/systemd");
	fake_proc(2000, 1, "ollama", "/usr/local/bin/ollama");	  /* ollama serve */
	fake_proc(2001, 2000, "ollama", "/usr/local/bin/ollama"); /* ollama runner */
	fake_proc(2002, 2001, "llama-server", "/usr/local/lib/ollama/llama-server");
	fake_proc(2003, 2000, "sh", "/bin/sh");
	fake_proc(2100, 1, "bash", "/bin/bash");
	fake_proc(2101, 2100, "vim", "/usr/bin/vim");
	fake_proc(2200, 1, "chat", "/usr/bin/chat");
	fake_proc(2201, 2200, "sh", "/bin/sh");
	fake_proc(2300, 2100, "python3", "/usr/bin/python3");
	fake_proc(2301, 2300, "python3", "/usr/bin/python3");
	fake_proc(2400, 1, "kthreadd", NULL); /* no exe */

	pidtool = (uint16_t)profiles_add_pid(&m.profiles, 2300);
	extra_tools[0] = pidtool;
	got = monitor_scan_running(&m, extra_pids, extra_tools, 1);
	CHECK_INT(got, 6);
	CHECK_INT(fk.ntrack, 6);
	for (uint32_t pid = 2000; pid <= 2003; pid++) {
		c = tracked(&fk, pid);
		CHECK(c != NULL);
		if (!c)
			continue;
		CHECK_INT(c->tool, oll);
		CHECK_INT(c->root, 2000);
		CHECK_INT(c->reason, LW_MATCH_USER);
	}
	for (uint32_t pid = 2300; pid <= 2301; pid++) {
		c = tracked(&fk, pid);
		CHECK(c != NULL);
		if (!c)
			continue;
		CHECK_INT(c->tool, pidtool);
		CHECK_INT(c->root, 2300);
	}
	CHECK(!tracked(&fk, 1) && !tracked(&fk, 2100) && !tracked(&fk, 2101));
	CHECK(!tracked(&fk, 2200) && !tracked(&fk, 2201) && !tracked(&fk, 2400));

	{
		struct proc_entry *e = proctable_get(&m.procs, 2002);

		CHECK(e != NULL);
		if (e) {
			CHECK_INT(e->ppid, 2001);
			CHECK_INT(e->root_pid, 2000);
			CHECK_INT(e->state, PROC_CONFIRMED);
			CHECK_STR(e->exe, "/usr/local/lib/ollama/llama-server");
			CHECK_STR(e->comm, "llama-server");
		}
	}
	CHECK_STR(profiles_name(&m.profiles, pidtool), "pid:2300");
	CHECK(proctable_get(&m.procs, 2200) == NULL);
	teardown(&m);

	/* an unreadable /proc is an error, not an empty scan */
	setup(&m);
	m.proc_root = "/nonexistent/proc";
	CHECK_INT(monitor_scan_running(&m, NULL, NULL, 0), -ENOENT);
	teardown(&m);
}

static void fake_maps(uint32_t pid, const char *maps)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%u/maps", proc_root, pid);
	f = fopen(path, "w");
	if (f) {
		fputs(maps, f);
		fclose(f);
	}
}

/* (6b) the scan for inference runtimes: what a process maps makes it watched */
static void test_scan_runtimes(void)
{
	struct monitor m;
	const struct call *c;
	cJSON *l[8] = { 0 };
	size_t n;
	uint16_t tool;

	setup(&m);
	snprintf(proc_root, sizeof(proc_root), "%s/rt-proc", tmpdir);
	if (mkdir(proc_root, 0755))
		perror(proc_root);
	fake_proc(3000, 1, "electron", "/opt/app/electron");
	fake_maps(3000, "1000-2000 r-xp 00000000 08:01 7 /usr/lib/libc.so.6\n"
			"2000-3000 r-xp 00000000 08:01 8 /opt/app/llama-addon.node\n");
	fake_proc(3001, 1, "python3", "/usr/bin/python3");
	fake_maps(3001, "1000-2000 r-xp 00000000 08:01 7 /usr/lib/libc.so.6\n");
	/* no maps file (its stat has a virtual size: a kernel thread's is 0, never read) */
	fake_proc(3002, 1, "gone", NULL);

	CHECK_INT(monitor_scan_runtimes(&m), 1);
	c = tracked(&fk, 3000);
	CHECK(c != NULL);
	CHECK(!tracked(&fk, 3001) && !tracked(&fk, 3002));
	tool = id_of(&m, "runtime:node-llama-cpp");
	if (c) {
		CHECK_INT(c->tool, tool);
		CHECK_INT(c->root, 3000);
		CHECK_INT(c->reason, LW_MATCH_USER);
	}
	CHECK(m.rt.found == 1 && m.rt.checked == 3 && m.rt.skipped == 0);

	/* the next pass reads only the unreadable one again: one is watched, one unchanged */
	CHECK_INT(monitor_scan_runtimes(&m), 0);
	CHECK(m.rt.checked == 4 && m.rt.skipped == 1 && fk.ntrack == 1);
	/* a second runtime of the same kind shares the tool */
	fake_proc(3003, 1, "node", "/usr/bin/node");
	fake_maps(3003, "2000-3000 r-xp 00000000 08:01 8 /srv/x/llama-addon.node\n");
	CHECK_INT(monitor_scan_runtimes(&m), 1);
	c = tracked(&fk, 3003);
	CHECK(c && c->tool == tool);

	/* the first event carries the evidence, the next does not */
	send_open(&m, 3000, tool, "electron", "/etc/hostname");
	send_open(&m, 3000, tool, "electron", "/etc/hosts");
	n = new_lines(l, 8);
	CHECK_INT(n, 2);
	if (n == 2 && l[0] && l[1]) {
		CHECK_STR(jstr(l[0], "tool"), "runtime:node-llama-cpp");
		CHECK_STR(jstr(l[0], "evidence"), "/opt/app/llama-addon.node");
		CHECK_STR(jstr(l[0], "exe"), "/opt/app/electron");
		CHECK_STR(jstr(l[1], "tool"), "runtime:node-llama-cpp");
		CHECK(cJSON_GetObjectItemCaseSensitive(l[1], "evidence") == NULL);
	}
	free_lines(l, n);
	teardown(&m);

	setup(&m);
	m.proc_root = "/nonexistent/proc";
	CHECK_INT(monitor_scan_runtimes(&m), -ENOENT);
	teardown(&m);
}

/* Writes proc_root/PID/cmdline: the arguments, NUL-separated, as the kernel shows them. */
static void fake_cmdline(uint32_t pid, const char *const *argv)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%u/cmdline", proc_root, pid);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		return;
	}
	for (; *argv; argv++)
		fwrite(*argv, 1, strlen(*argv) + 1, f);
	fclose(f);
}

#define ARGV(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* A fresh fake /proc named name, for a test that scans it. */
static void own_proc(const char *name)
{
	snprintf(proc_root, sizeof(proc_root), "%s/%s", tmpdir, name);
	if (mkdir(proc_root, 0755))
		perror(proc_root);
}

/*
 * (6c) tools run by an interpreter, at exec: a candidate whose executable is python is
 * confirmed by its command line, which its first event carries as evidence
 */
static void test_cmdline_exec(void)
{
	struct monitor m;
	cJSON *l[8] = { 0 };
	size_t n;
	uint16_t vllm;

	setup(&m);
	own_proc("exec-proc");
	vllm = id_of(&m, "vllm");
	CHECK(vllm != 0);
	/* the vllm console script run by a relative path: exe python, no absolute filename */
	fake_proc(4500, 1, "vllm", "/usr/bin/python3.11");
	fake_cmdline(4500, ARGV("/usr/bin/python3.11", "./vllm", "serve", "m"));
	send_exec(&m, 4500, 1, vllm, true, "vllm", "./vllm");
	CHECK_INT(fk.nuntrack, 0);
	CHECK_INT(m.stats.rejected_procs, 0);
	CHECK(m.rt.cmdlines == 1 && m.rt.by_cmdline == 1);
	n = new_lines(l, 8);
	CHECK_INT(n, 1);
	if (n == 1 && l[0]) {
		CHECK_STR(jstr(l[0], "tool"), "vllm");
		CHECK_STR(jstr(l[0], "exe"), "/usr/bin/python3.11");
		CHECK_STR(jstr(l[0], "evidence"), "/usr/bin/python3.11 ./vllm serve m");
	}
	free_lines(l, n);
	/* the evidence goes with the first event only */
	send_connect(&m, 4500, vllm, "vllm");
	n = new_lines(l, 8);
	CHECK_INT(n, 1);
	if (n == 1 && l[0])
		CHECK(cJSON_GetObjectItemCaseSensitive(l[0], "evidence") == NULL);
	free_lines(l, n);

	/* another script called vllm, whose command line names no tool: rejected */
	fake_proc(4501, 1, "vllm", "/usr/bin/python3.11");
	fake_cmdline(4501, ARGV("/usr/bin/python3.11", "./vllm", "--help"));
	send_exec(&m, 4501, 1, vllm, true, "vllm", "./vllm");
	CHECK(untracked(&fk, 4501));
	CHECK(m.rt.cmdlines == 2 && m.rt.by_cmdline == 1);

	/* a candidate that is no interpreter (GPT4All's chat) is judged by its path alone */
	fake_proc(4503, 1, "chat", "/usr/bin/chat");
	fake_cmdline(4503, ARGV("chat", "-m", "vllm.entrypoints.openai.api_server"));
	send_exec(&m, 4503, 1, id_of(&m, "gpt4all"), true, "chat", "/usr/bin/chat");
	CHECK(untracked(&fk, 4503));
	CHECK(m.rt.cmdlines == 2 && m.rt.by_cmdline == 1);

	/* confirmed by its path: the command line is not read */
	fake_proc(4502, 1, "vllm", "/usr/bin/python3.11");
	fake_cmdline(4502, ARGV("/usr/bin/python3.11", "/home/u/.local/bin/vllm", "serve"));
	send_exec(&m, 4502, 1, vllm, true, "vllm", "/home/u/.local/bin/vllm");
	CHECK(!untracked(&fk, 4502));
	CHECK(m.rt.cmdlines == 2);
	n = new_lines(l, 8);
	CHECK_INT(n, 1);
	if (n == 1 && l[0]) {
		CHECK_STR(jstr(l[0], "tool"), "vllm");
		CHECK(cJSON_GetObjectItemCaseSensitive(l[0], "evidence") == NULL);
	}
	free_lines(l, n);
	teardown(&m);
}

/* The live run's records and facts, as a capture would hold them. */
static unsigned char live_recs[1 << 16];
static size_t live_len;
static struct monitor *replay_m;
static int live_facts;

static void collect_record(void *ctx, const void *data, size_t len)
{
	(void)ctx;
	if (live_len + len + sizeof(uint32_t) > sizeof(live_recs))
		return;
	memcpy(live_recs + live_len, &len, sizeof(uint32_t));
	memcpy(live_recs + live_len + sizeof(uint32_t), data, len);
	live_len += sizeof(uint32_t) + len;
}

static void collect_facts(void *ctx, const struct proc_facts *f)
{
	(void)ctx;
	live_facts++;
	if (replay_m)
		CHECK_INT(monitor_restore_facts(replay_m, f), 0);
}

static void feed_live_records(struct monitor *m)
{
	for (size_t at = 0; at < live_len;) {
		uint32_t len;

		memcpy(&len, live_recs + at, sizeof(len));
		feed(m, live_recs + at + sizeof(len), len);
		at += sizeof(len) + len;
	}
}

/*
 * A replay, which reads no /proc, decides as the live run did from the facts it read: an
 * interpreter-run candidate is confirmed by the command line the live run read, its first
 * event carries it as evidence, and the rules' context (argv) is the live one.
 */
static void test_facts_replay(void)
{
	struct monitor m, r, bare;
	struct proc_entry *e;
	uint16_t vllm;

	setup(&m);
	own_proc("facts-proc");
	vllm = id_of(&m, "vllm");
	fake_proc(4600, 1, "vllm", "/usr/bin/python3.11");
	fake_cmdline(4600, ARGV("/usr/bin/python3.11", "./vllm", "serve", "m"));
	live_len = 0;
	live_facts = 0;
	m.record_tap = collect_record;
	m.facts_tap = collect_facts;
	CHECK_INT(monitor_init(&r), 0);
	profiles_init(&r.profiles);
	r.kops = &fake_ops;
	r.kctx = &fk;
	r.proc_root = "/dev/null";
	replay_m = &r;
	send_exec(&m, 4600, 1, vllm, true, "vllm", "./vllm");
	send_connect(&m, 4600, vllm, "vllm");
	replay_m = NULL;
	CHECK_INT(live_facts, 1); /* once per program: at its first event */
	e = proctable_get(&m.procs, 4600);
	CHECK(e && e->why == PROC_WHY_CMDLINE);

	feed_live_records(&r);
	CHECK_INT(r.stats.rejected_procs, 0);
	e = proctable_get(&r.procs, 4600);
	CHECK(e != NULL);
	if (e) {
		CHECK_INT(e->state, PROC_CONFIRMED);
		CHECK_INT(e->tool, vllm);
		CHECK_INT(e->why, PROC_WHY_CMDLINE);
		CHECK_STR(e->exe, "/usr/bin/python3.11");
		CHECK_STR(e->cmdline ? e->cmdline : "", "/usr/bin/python3.11 ./vllm serve m");
		CHECK_INT(e->cmdline_state, PROC_CMDLINE_FULL);
	}
	CHECK_INT(r.stats.cmdline_unreadable, 0);
	CHECK_INT(facts_store_dropped(r.restored), 0);

	/*
	 * the same records without the facts (what replays did before): the exec'd path alone
	 * decides, and the rules' context is unknown
	 */
	CHECK_INT(monitor_init(&bare), 0);
	profiles_init(&bare.profiles);
	bare.kops = &fake_ops;
	bare.kctx = &fk;
	bare.proc_root = "/dev/null";
	feed_live_records(&bare);
	e = proctable_get(&bare.procs, 4600);
	CHECK(e && e->why != PROC_WHY_CMDLINE && !e->cmdline);
	CHECK(bare.stats.cmdline_unreadable > 0);
	monitor_free(&bare);
	monitor_free(&r);
	teardown(&m);
}

/*
 * (6d) tools run by an interpreter, in the start-up scan and the periodic scan: found by
 * their command line with the processes they started; plain interpreters are not; each
 * command line is read once
 */
static void test_cmdline_scans(void)
{
	struct monitor m;
	const struct call *c;
	cJSON *l[8] = { 0 };
	uint64_t reads;
	size_t n;
	uint16_t vllm, webui;

	setup(&m);
	own_proc("cmd-proc");
	vllm = id_of(&m, "vllm");
	webui = id_of(&m, "open-webui");
	fake_proc(1, 0, "systemd", "/usr/lib/systemd/systemd");
	fake_cmdline(1, ARGV("/sbin/init"));
	/* python3 -m vllm... and the engine process it forked */
	fake_proc(4000, 1, "python3", "/usr/bin/python3.11");
	fake_cmdline(4000, ARGV("python3", "-m", "vllm.entrypoints.openai.api_server"));
	fake_proc(4001, 4000, "python3", "/usr/bin/python3.11");
	fake_cmdline(4001, ARGV("/usr/bin/python3.11", "-c", "from multiprocessing.spawn ..."));
	/* the vllm console script: comm vllm, exe python (missed by name and path alone) */
	fake_proc(4002, 1, "vllm", "/usr/bin/python3.11");
	fake_cmdline(4002, ARGV("/usr/bin/python3.11", "/home/u/.local/bin/vllm", "serve", "m"));
	fake_proc(4100, 1, "python3", "/usr/bin/python3.11");
	fake_cmdline(4100, ARGV("python3", "/tmp/x.py"));
	fake_proc(4200, 1, "uvicorn", "/usr/local/bin/python3.11");
	fake_cmdline(4200, ARGV("/usr/local/bin/python3", "/usr/local/bin/uvicorn",
				"open_webui.main:app", "--host", "0.0.0.0"));
	fake_proc(4300, 1, "node", "/usr/bin/node");
	fake_cmdline(4300, ARGV("node", "/app/server/index.js"));
	fake_proc(4400, 1, "bash", "/bin/bash");
	fake_cmdline(4400, ARGV("bash", "-c", "python3 -m vllm.entrypoints.openai.api_server"));

	CHECK_INT(monitor_scan_running(&m, NULL, NULL, 0), 4);
	c = tracked(&fk, 4000);
	CHECK(c && c->tool == vllm && c->root == 4000);
	c = tracked(&fk, 4001);
	CHECK(c && c->tool == vllm && c->root == 4000);
	c = tracked(&fk, 4002);
	CHECK(c && c->tool == vllm && c->root == 4002);
	c = tracked(&fk, 4200);
	CHECK(c && c->tool == webui && c->root == 4200);
	CHECK(!tracked(&fk, 1) && !tracked(&fk, 4100) && !tracked(&fk, 4300));
	CHECK(!tracked(&fk, 4400)); /* bash is no interpreter: its command line is not read */
	/* python3 x4 (4001 too), vllm, uvicorn, node: never systemd's or bash's */
	CHECK_INT(m.rt.cmdlines, 6);
	CHECK_INT(m.rt.by_cmdline, 3);

	/* the root's first event carries the command line that named it */
	send_open(&m, 4000, vllm, "python3", "/etc/hostname");
	send_open(&m, 4001, vllm, "python3", "/etc/hostname");
	n = new_lines(l, 8);
	CHECK_INT(n, 2);
	if (n == 2 && l[0] && l[1]) {
		CHECK_STR(jstr(l[0], "tool"), "vllm");
		CHECK_STR(jstr(l[0], "evidence"), "python3 -m vllm.entrypoints.openai.api_server");
		CHECK_STR(jstr(l[1], "tool"), "vllm");
		CHECK(cJSON_GetObjectItemCaseSensitive(l[1], "evidence") == NULL);
	}
	free_lines(l, n);

	/* the periodic scan reads none of those command lines again */
	reads = m.rt.cmdlines;
	CHECK_INT(monitor_scan_runtimes(&m), 0);
	CHECK(m.rt.cmdlines == reads);
	CHECK_INT(fk.ntrack, 4);

	/* started since: python3 -m vllm... with a child it forked before the scan */
	fake_proc(5000, 4400, "python3", "/usr/bin/python3.11");
	fake_cmdline(5000, ARGV("python3", "-m", "vllm.entrypoints.openai.api_server"));
	fake_proc(5001, 5000, "python3", "/usr/bin/python3.11");
	fake_cmdline(5001, ARGV("python3", "-c", "worker"));
	fake_proc(5002, 5001, "sh", "/bin/sh");
	fake_proc(5100, 1, "python3", "/usr/bin/python3.11");
	fake_cmdline(5100, ARGV("python3", "-m", "http.server"));
	CHECK_INT(monitor_scan_runtimes(&m), 1);
	c = tracked(&fk, 5000);
	CHECK(c && c->tool == vllm && c->root == 5000 && c->reason == LW_MATCH_USER);
	c = tracked(&fk, 5001);
	CHECK(c && c->tool == vllm && c->root == 5000);
	c = tracked(&fk, 5002);
	CHECK(c && c->tool == vllm && c->root == 5000);
	CHECK(!tracked(&fk, 5100) && !tracked(&fk, 4400));
	/*
	 * 5000 named the tool, 5100 did not; 5001 is read only if the pass (in directory
	 * order) came to it before its parent, and is adopted with its parent all the same
	 */
	CHECK(m.rt.cmdlines == reads + 2 || m.rt.cmdlines == reads + 3);
	CHECK(m.rt.by_cmdline == 4);
	send_connect(&m, 5000, vllm, "python3");
	n = new_lines(l, 8);
	CHECK_INT(n, 1);
	if (n == 1 && l[0]) {
		CHECK_STR(jstr(l[0], "tool"), "vllm");
		CHECK_STR(jstr(l[0], "evidence"), "python3 -m vllm.entrypoints.openai.api_server");
	}
	free_lines(l, n);

	/* nothing is read twice; a process that exec'd another interpreter is read again */
	reads = m.rt.cmdlines;
	CHECK_INT(monitor_scan_runtimes(&m), 0);
	CHECK(m.rt.cmdlines == reads);
	fake_proc(5100, 1, "node", "/usr/bin/node");
	fake_cmdline(5100, ARGV("node", "/home/u/anything-llm/server/index.js"));
	CHECK_INT(monitor_scan_runtimes(&m), 1);
	CHECK(m.rt.cmdlines == reads + 1);
	c = tracked(&fk, 5100);
	CHECK(c && c->tool == id_of(&m, "anythingllm"));

	/*
	 * caught in the middle of exec: the new name, no arguments yet (the kernel sets them
	 * after the name). That empty command line is no answer: the next pass reads it again.
	 */
	fake_proc(5200, 1, "node", "/usr/bin/node");
	fake_cmdline(5200, ARGV(""));
	reads = m.rt.cmdlines;
	CHECK_INT(monitor_scan_runtimes(&m), 0);
	CHECK(m.rt.cmdlines == reads + 1);
	fake_cmdline(5200, ARGV("node", "/opt/anything-llm/server/index.js"));
	CHECK_INT(monitor_scan_runtimes(&m), 1);
	c = tracked(&fk, 5200);
	CHECK(c && c->tool == id_of(&m, "anythingllm"));
	teardown(&m);
}

/* (7) the JSON lines of a connect and an open record carry the documented fields */
static void test_json_fields(void)
{
	struct monitor m;
	cJSON *l[8] = { 0 }; /* freed even after a failed check */
	size_t n;
	uint16_t oll;
	const char *ts;

	setup(&m);
	oll = id_of(&m, "ollama");
	fake_proc(2500, 1, "ollama", "/usr/local/bin/ollama");
	send_exec(&m, 2500, 1, oll, true, "ollama", "/usr/local/bin/ollama");
	send_connect(&m, 2500, oll, "ollama");
	send_open(&m, 2500, oll, "ollama", "/home/u/.ollama/models/\x1b[2Jx");
	n = new_lines(l, 8);
	CHECK_INT(n, 3);
	if (n == 3 && l[1] && l[2]) {
		CHECK_STR(jstr(l[1], "kind"), "event");
		CHECK_STR(jstr(l[1], "type"), "connect");
		ts = jstr(l[1], "ts");
		CHECK(ts != NULL);
		if (ts) {
			/* 2026-11-29T04:50:12.123456Z */
			CHECK_INT(strlen(ts), 27);
			CHECK(ts[4] == '-' && ts[7] == '-' && ts[10] == 'T' && ts[13] == ':' &&
			      ts[16] == ':' && ts[19] == '.' && ts[26] == 'Z');
		}
		CHECK_STR(jstr(l[1], "tool"), "ollama");
		CHECK(jnum(l[1], "pid") == 2500);
		CHECK(jnum(l[1], "ppid") == 1);
		CHECK_STR(jstr(l[1], "comm"), "ollama");
		CHECK_STR(jstr(l[1], "exe"), "/usr/local/bin/ollama");
		CHECK_STR(jstr(l[1], "daddr"), "2001:db8::1");
		CHECK(jnum(l[1], "dport") == 443);
		CHECK_STR(jstr(l[1], "family"), "ipv6");
		CHECK_STR(jstr(l[1], "sock_type"), "stream");
		CHECK(jnum(l[1], "ret") == -115);
		CHECK_STR(jstr(l[1], "error"), "EINPROGRESS");

		CHECK_STR(jstr(l[2], "type"), "open");
		CHECK_STR(jstr(l[2], "path"), "/home/u/.ollama/models/\\x1b[2Jx");
		CHECK(jnum(l[2], "flags") == (O_RDWR | O_CREAT | O_CLOEXEC));
		CHECK(jnum(l[2], "ret") == 9);
		CHECK_STR(jstr(l[2], "access"), "rdwr");
		CHECK_STR(jstr(l[2], "flags_text"), "O_RDWR|O_CREAT|O_CLOEXEC");
		CHECK(jnum(l[2], "dfd") == -100);
	}
	free_lines(l, n);

	/* a malformed record is counted, not written */
	{
		char junk[10] = { 0 };

		feed(&m, junk, sizeof(junk));
		CHECK_INT(m.stats.decode_errors, 1);
		CHECK_INT(new_lines(l, 8), 0);
	}
	CHECK_INT(m.stats.by_type[LW_REC_CONNECT], 1);
	CHECK_INT(m.stats.by_type[LW_REC_OPEN], 1);
	CHECK_INT(m.stats.records, 4);
	teardown(&m);
}

/* A TCP connect with no name yet waits for its stream head; one to port 53 never does. */
static void send_tcp4(struct monitor *m, uint32_t pid, uint16_t tool, uint16_t port,
		      uint64_t cookie)
{
	struct lw_rec_sock r;
	size_t size = offsetof(struct lw_rec_sock, unix_path);

	memset(&r, 0, sizeof(r));
	fill_hdr(&r.hdr, LW_REC_CONNECT, size, pid, tool, "ollama");
	r.fd = 7;
	r.ret = 0;
	r.cookie = cookie;
	r.addr.family = AF_INET;
	r.addr.port = port;
	r.addr.addr[0] = 203, r.addr.addr[1] = 0, r.addr.addr[2] = 113, r.addr.addr[3] = 1;
	r.sock_type = SOCK_STREAM;
	feed(m, &r, size);
}

static void test_connect_hold(void)
{
	struct monitor m;
	cJSON *l[8] = { 0 }; /* freed even after a failed check */
	size_t n;
	uint16_t oll;

	setup(&m);
	oll = id_of(&m, "ollama");
	fake_proc(2600, 1, "ollama", "/usr/local/bin/ollama");
	send_exec(&m, 2600, 1, oll, true, "ollama", "/usr/local/bin/ollama");
	CHECK_INT(new_lines(l, 8), 1);
	free_lines(l, 1);
	send_tcp4(&m, 2600, oll, 443, 501); /* its TLS head may still name it: held */
	CHECK_INT(new_lines(l, 8), 0);
	send_tcp4(&m, 2600, oll, 53, 502); /* DNS over TCP: nothing will name it */
	n = new_lines(l, 8);
	CHECK_INT(n, 1);
	if (n == 1 && l[0])
		CHECK(jnum(l[0], "dport") == 53);
	free_lines(l, n);
	monitor_tick(&m, now_ns + 3000000000ull); /* past the wait: written, unnamed */
	n = new_lines(l, 8);
	CHECK_INT(n, 1);
	if (n == 1 && l[0]) {
		CHECK(jnum(l[0], "dport") == 443);
		CHECK_STR(jstr(l[0], "host_source"), "none");
	}
	free_lines(l, n);
	teardown(&m);
}

/* (9) identical alerts are folded: the first written, the repeats summarised by the tick */
static size_t match_secrets(void *ctx, const struct lw_event *ev, const struct rules_verdict **vout)
{
	static struct rules_verdict v = { .rule = "secrets", .severity = RULES_SEV_HIGH };

	(void)ctx;
	*vout = &v;
	snprintf(v.message, sizeof(v.message), "read a secret");
	return ev->type == LW_REC_OPEN && strstr(ev->path, "/.ssh/") ? 1 : 0;
}

static void test_fold(void)
{
	struct monitor m;
	cJSON *l[8] = { 0 }; /* freed even after a failed check */
	const cJSON *fold;
	size_t n;
	uint16_t oll;

	setup(&m);
	m.match = match_secrets;
	CHECK_INT(monitor_set_fold(&m, 10000000000ull), 0);
	oll = id_of(&m, "ollama");
	fake_proc(2700, 1, "ollama", "/usr/local/bin/ollama");
	send_exec(&m, 2700, 1, oll, true, "ollama", "/usr/local/bin/ollama");
	for (int i = 0; i < 3; i++)
		send_open(&m, 2700, oll, "ollama", "/home/u/.ssh/id_rsa");
	send_open(&m, 2700, oll, "ollama", "/home/u/.ssh/id_ed25519");
	send_open(&m, 2700, oll, "ollama", "/etc/hostname"); /* no alert: never folded */
	send_open(&m, 2700, oll, "ollama", "/etc/hostname");
	n = new_lines(l, 8);
	CHECK_INT(n, 5); /* exec, id_rsa once, id_ed25519, hostname twice */
	free_lines(l, n);
	monitor_tick(&m, now_ns + 5000000000ull);
	CHECK_INT(new_lines(l, 8), 0);
	monitor_tick(&m, now_ns + 10000000000ull);
	n = new_lines(l, 8);
	CHECK_INT(n, 1);
	if (n == 1 && l[0]) {
		CHECK_STR(jstr(l[0], "kind"), "alert");
		CHECK_STR(jstr(l[0], "path"), "/home/u/.ssh/id_rsa");
		fold = cJSON_GetObjectItemCaseSensitive(l[0], "fold");
		CHECK(jnum(fold, "count") == 3);
		CHECK(jnum(fold, "window_s") == 10);
		CHECK(jstr(fold, "first") != NULL && jstr(fold, "last") != NULL);
	}
	free_lines(l, n);
	/* at exit, an open window's repeats are written too */
	now_ns += 20000000000ull;
	send_open(&m, 2700, oll, "ollama", "/home/u/.ssh/id_rsa");
	send_open(&m, 2700, oll, "ollama", "/home/u/.ssh/id_rsa");
	CHECK_INT(new_lines(l, 8), 1);
	free_lines(l, 1);
	monitor_flush(&m);
	n = new_lines(l, 8);
	CHECK_INT(n, 1);
	if (n == 1 && l[0])
		CHECK(jnum(cJSON_GetObjectItemCaseSensitive(l[0], "fold"), "count") == 2);
	free_lines(l, n);
	monitor_collect_stats(&m);
	CHECK_INT(m.stats.alerts_folded, 3);
	CHECK_INT(m.stats.fold_full, 0);
	teardown(&m);
}

int main(void)
{
	/* a long temporary path, as under a deep $TMPDIR or a build directory */
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/lwmon.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(proc_root, sizeof(proc_root), "%s/a-fake-proc-directory-with-a-long-name", tmpdir);
	if (mkdir(proc_root, 0755)) {
		perror(proc_root);
		return 1;
	}
	timefmt_init();

	test_reject();
	test_confirm_and_fork();
	test_retool();
	test_reject_tree();
	test_reject_reexec();
	test_scan();
	test_scan_runtimes();
	test_cmdline_exec();
	test_facts_replay();
	test_cmdline_scans();
	test_json_fields();
	test_fold();
	test_connect_hold();

	if (out)
		fclose(out);
	free(out_buf);
	rm_tree();
	return check_summary("test_monitor");
}
