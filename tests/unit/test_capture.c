// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of the capture file (capture/): what the writer writes the reader gives back
 * byte for byte (records, running processes, loss counters, the seal); a torn last block
 * is reported and the blocks before it read; one changed byte names its block; wrong
 * magic and version name the offset; oversized lengths are refused before any allocation;
 * a symlink is never written through; process facts come back before the records they go
 * with, and an executable's SHA-256 (hashed off the record path) once per file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture/capture_reader.h"
#include "capture/capture_writer.h"
#include "check.h"
#include "core/procfacts.h"
#include "core/profiles.h"
#include "core/proctable.h"
#include "core/stats.h"
#include "report/capture_replay.h"
#include "sinks/sink.h"

static char tmpdir[64];

/* What the reader handed over. */
struct got {
	unsigned char *rec;
	size_t rec_len;
	uint32_t rec_count;
	uint32_t procs;
	char exe[64];
	uint32_t tool_of_42;
	uint64_t losses[2];
	size_t problems;
	char first_problem[256];
	char meta[4096];
};

static void g_header(void *ctx, const struct capture_file_header *h, const char *meta, size_t len)
{
	struct got *g = ctx;

	(void)h;
	if (len >= sizeof(g->meta))
		len = sizeof(g->meta) - 1;
	memcpy(g->meta, meta, len);
	g->meta[len] = '\0';
}

static void g_records(void *ctx, uint64_t block, const void *buf, size_t len, uint32_t count)
{
	struct got *g = ctx;

	(void)block;
	g->rec = realloc(g->rec, g->rec_len + len);
	memcpy(g->rec + g->rec_len, buf, len);
	g->rec_len += len;
	g->rec_count += count;
}

static void g_proc(void *ctx, const struct capture_proc *p, const char *exe, size_t exe_len)
{
	struct got *g = ctx;

	g->procs++;
	if (p->pid == 42) {
		g->tool_of_42 = p->tool;
		snprintf(g->exe, sizeof(g->exe), "%.*s", (int)exe_len, exe);
	}
}

static void g_losses(void *ctx, const struct capture_losses *l, const uint64_t *v)
{
	struct got *g = ctx;

	if (l->n_kernel == LW_LOSS_SLOTS) {
		g->losses[0] = v[LW_REC_OPEN * LW_LOSS_REASON_MAX + LW_LOSS_RESERVE];
		g->losses[1] = v[LW_LOSS_SLOTS]; /* the first user counter: decode_errors */
	}
}

static void g_problem(void *ctx, const char *msg)
{
	struct got *g = ctx;

	if (!g->problems++)
		snprintf(g->first_problem, sizeof(g->first_problem), "%s", msg);
}

static const struct capture_read_ops ops = {
	.header = g_header,
	.records = g_records,
	.proc = g_proc,
	.losses = g_losses,
	.problem = g_problem,
};

/* An open record of pid with a path of n bytes; returns its size. */
static size_t make_open(struct lw_rec_open *r, uint32_t pid, uint64_t ts, size_t n)
{
	size_t size = offsetof(struct lw_rec_open, path) + n + 1;

	memset(r, 0, sizeof(*r));
	lw_rec_hdr_init(&r->hdr, LW_REC_OPEN, (uint16_t)size, 1, pid, ts);
	memset(r->path, 'a' + (int)(ts % 26), n);
	r->path_len = (uint16_t)n;
	r->ret = 3;
	return size;
}

/* The writer's options write_capture() uses (rotation set by the rotation test). */
static struct capture_writer_opts wopts = { .flush_ns = 1000000000ull };

/* Writes a capture of blocks blocks of per records each; the records also go to expect. */
static int write_capture(const char *path, int blocks, int per, bool seal, unsigned char **expect,
			 size_t *expect_len)
{
	struct profile_set set;
	struct proctable pt;
	struct proc_entry *e;
	struct lw_stats st = {};
	struct capture_meta meta = { .llmwatch_version = "test", .profiles = &set, .n_rules = 3 };
	struct capture_writer *w;
	char err[256];

	profiles_init(&set);
	*expect = NULL;
	*expect_len = 0;
	w = capture_writer_open(path, &meta, &wopts, err, sizeof(err));
	if (!w) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	proctable_init(&pt, 16);
	e = proctable_upsert(&pt, 42);
	e->tool = 2;
	e->ppid = 1;
	e->state = PROC_CONFIRMED;
	proctable_set_exe(e, "/usr/bin/ollama");
	proctable_upsert(&pt, 43)->state = PROC_CONFIRMED;
	capture_writer_procs(w, &pt); /* pt lives as long as w: a rotation writes it again */
	st.kernel_losses[LW_REC_OPEN * LW_LOSS_REASON_MAX + LW_LOSS_RESERVE] = 17;
	st.decode_errors = 2;
	capture_writer_losses(w, &st, 5);
	capture_writer_losses(w, &st, 6); /* unchanged: no block */
	for (int b = 0; b < blocks; b++) {
		for (int i = 0; i < per; i++) {
			struct lw_rec_open r;
			size_t n = make_open(&r, 42, (uint64_t)b * (uint64_t)per + (uint64_t)i,
					     (size_t)(i * 7 % 300));

			*expect = realloc(*expect, *expect_len + n);
			memcpy(*expect + *expect_len, &r, n);
			*expect_len += n;
			capture_writer_add(w, &r, n);
		}
		capture_writer_flush(w);
	}
	if (!seal)
		_exit(0); /* as after a SIGKILL: the blocks are on disk, no footer */
	{
		int status = capture_writer_close(w, NULL);

		proctable_free(&pt);
		return status;
	}
}

/* write_capture() in a child that dies without closing, as llmwatch under SIGKILL. */
static int write_killed(const char *path, int blocks, int per, unsigned char **expect,
			size_t *expect_len)
{
	pid_t pid;
	int status;

	*expect = NULL;
	*expect_len = 0;
	pid = fork();

	if (pid == 0) {
		write_capture(path, blocks, per, false, expect, expect_len);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	/* the records it wrote, made again the same way (they depend on nothing else) */
	*expect = NULL;
	*expect_len = 0;
	for (int b = 0; b < blocks; b++)
		for (int i = 0; i < per; i++) {
			struct lw_rec_open r;
			size_t n = make_open(&r, 42, (uint64_t)b * (uint64_t)per + (uint64_t)i,
					     (size_t)(i * 7 % 300));

			*expect = realloc(*expect, *expect_len + n);
			memcpy(*expect + *expect_len, &r, n);
			*expect_len += n;
		}
	return 0;
}

static unsigned char *slurp(const char *path, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY);
	unsigned char *p;

	ssize_t n;

	*len = 0;
	if (fd < 0 || fstat(fd, &st)) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	p = malloc((size_t)st.st_size + 1);
	n = p ? read(fd, p, (size_t)st.st_size) : -1;
	close(fd);
	if (n < 0) {
		free(p);
		return NULL;
	}
	*len = (size_t)n;
	return p;
}

/* The offset of block n (walking the headers as written). */
static size_t block_offset(const unsigned char *p, size_t len, int n)
{
	struct capture_file_header fh;
	size_t off;

	memcpy(&fh, p, sizeof(fh));
	off = sizeof(fh) + fh.meta_len;
	for (int i = 0; i < n && off < len; i++) {
		struct capture_block_header h;

		memcpy(&h, p + off, sizeof(h));
		off += sizeof(h) + h.stored_len + CAPTURE_HASH_LEN;
	}
	return off;
}

static void test_round_trip(void)
{
	char path[128];
	unsigned char *expect;
	size_t expect_len;
	struct capture_read_result r;
	struct got g = {};

	snprintf(path, sizeof(path), "%s/round.lwc", tmpdir);
	CHECK_INT(write_capture(path, 3, 200, true, &expect, &expect_len), 0);
	CHECK_INT(capture_read_file(path, &ops, &g, &r), 0);
	CHECK_INT(r.version, CAPTURE_VERSION);
	CHECK(r.chain_ok);
	CHECK(r.sealed);
	CHECK(!r.truncated);
	CHECK_INT(r.bad_blocks, 0);
	CHECK_INT(r.records, 600);
	CHECK_INT(r.footer.records, 600);
	CHECK_INT(r.blocks, 1 + 1 + 3 + 1); /* procs, losses, records x3, footer */
	CHECK_INT(g.rec_count, 600);
	CHECK_INT(g.rec_len, expect_len);
	CHECK(g.rec_len == expect_len && memcmp(g.rec, expect, expect_len) == 0);
	CHECK_INT(g.procs, 2);
	CHECK_INT(g.tool_of_42, 2);
	CHECK_STR(g.exe, "/usr/bin/ollama");
	CHECK_INT(g.losses[0], 17);
	CHECK_INT(g.losses[1], 2);
	CHECK_INT(g.problems, 0);
	CHECK(strstr(g.meta, "llmwatch=test\n") != NULL);
	CHECK(strstr(g.meta, "profile.1=ollama\n") != NULL);
	CHECK(strstr(g.meta, "boot_ns=") != NULL && strstr(g.meta, "wall_ns=") != NULL);
	CHECK(capture_read_verdict("x", &r, stderr));
	free(g.rec);
	free(expect);
}

/* The file ends inside its last block: reported with its number and offset, the rest read. */
static void test_torn_tail(void)
{
	char path[128];
	unsigned char *expect, *p;
	size_t expect_len, len, cut;
	struct capture_read_result r;
	struct got g = {};

	snprintf(path, sizeof(path), "%s/torn.lwc", tmpdir);
	CHECK_INT(write_killed(path, 4, 100, &expect, &expect_len), 0);
	p = slurp(path, &len);
	/* blocks: 0 procs, 1 losses, 2..5 records; block 5 torn in its middle */
	cut = block_offset(p, len, 5) + 40;
	CHECK(cut < len);
	CHECK_INT(capture_read_mem(p, cut, &ops, &g, &r), 0);
	CHECK(r.truncated);
	CHECK_INT(r.truncated_block, 5);
	CHECK_INT(r.truncated_offset, block_offset(p, len, 5));
	CHECK(!r.sealed);
	CHECK(r.chain_ok);
	CHECK_INT(r.records, 300);
	CHECK(g.rec_len <= expect_len &&
	      (g.rec_len == 0 || (expect && memcmp(g.rec, expect, g.rec_len) == 0)));
	CHECK(strstr(g.first_problem, "block 5 at offset ") != NULL &&
	      strstr(g.first_problem, "truncated") != NULL);
	CHECK(!capture_read_verdict("x", &r, stderr));
	/* only a few bytes of the next block header: torn too */
	free(g.rec);
	memset(&g, 0, sizeof(g));
	CHECK_INT(capture_read_mem(p, block_offset(p, len, 3) + 5, &ops, &g, &r), 0);
	CHECK(r.truncated);
	CHECK_INT(r.truncated_block, 3);
	CHECK_INT(r.records, 100);
	free(g.rec);
	free(p);
	free(expect);
}

/* One byte changed in the middle: the chain check names that block, the others are read. */
static void test_tampered(void)
{
	char path[128];
	unsigned char *expect, *p;
	size_t expect_len, len, at;
	struct capture_read_result r;
	struct got g = {};

	snprintf(path, sizeof(path), "%s/tamper.lwc", tmpdir);
	CHECK_INT(write_capture(path, 5, 100, true, &expect, &expect_len), 0);
	p = slurp(path, &len);
	at = (block_offset(p, len, 4) + block_offset(p, len, 5)) / 2; /* inside block 4 */
	p[at] ^= 0x01;
	CHECK_INT(capture_read_mem(p, len, &ops, &g, &r), 0);
	CHECK(!r.chain_ok);
	CHECK_INT(r.first_bad_hash, 4);
	CHECK_INT(r.first_bad_offset, block_offset(p, len, 4));
	CHECK(r.sealed); /* the footer itself is intact */
	CHECK(strstr(g.first_problem, "block 4 at offset ") != NULL);
	CHECK(strstr(g.first_problem, ": hash mismatch: the chain is broken here") != NULL);
	CHECK(!capture_read_verdict("x", &r, stderr));
	/* a changed sequence number (in the hashed header): both said */
	p[at] ^= 0x01;
	p[block_offset(p, len, 4) + offsetof(struct capture_block_header, seq)] ^= 0x02;
	free(g.rec);
	memset(&g, 0, sizeof(g));
	CHECK_INT(capture_read_mem(p, len, &ops, &g, &r), 0);
	CHECK_INT(r.first_bad_hash, 4);
	CHECK(strstr(g.first_problem, ": hash mismatch, out of sequence: the chain is broken") !=
	      NULL);
	p[block_offset(p, len, 4) + offsetof(struct capture_block_header, seq)] ^= 0x02;
	p[at] ^= 0x01;
	/* a changed header breaks the chain at block 0 */
	p[at] ^= 0x01;
	p[sizeof(struct capture_file_header) + 2] ^= 0x20;
	free(g.rec);
	memset(&g, 0, sizeof(g));
	CHECK_INT(capture_read_mem(p, len, &ops, &g, &r), 0);
	CHECK(!r.chain_ok);
	CHECK_INT(r.first_bad_hash, 0);
	free(g.rec);
	free(p);
	free(expect);
}

static void test_bad_header(void)
{
	char path[128];
	unsigned char *expect, *p;
	size_t expect_len, len;
	struct capture_read_result r;
	struct capture_file_header fh;
	struct got g = {};

	snprintf(path, sizeof(path), "%s/bad.lwc", tmpdir);
	CHECK_INT(write_capture(path, 1, 10, true, &expect, &expect_len), 0);
	p = slurp(path, &len);
	p[0] = 'X';
	CHECK_INT(capture_read_mem(p, len, &ops, &g, &r), -EBADMSG);
	CHECK(strstr(r.error, "offset 0: not an llmwatch capture") != NULL);
	p[0] = 'L';
	memcpy(&fh, p, sizeof(fh));
	fh.version = 9;
	memcpy(p, &fh, sizeof(fh));
	CHECK_INT(capture_read_mem(p, len, &ops, &g, &r), -EBADMSG);
	CHECK(strstr(r.error, "offset 12: format version 9, this llmwatch reads 1 to 1") != NULL);
	fh.version = 1;
	fh.meta_len = 0xfffffff0u;
	memcpy(p, &fh, sizeof(fh));
	CHECK_INT(capture_read_mem(p, len, &ops, &g, &r), -EBADMSG);
	CHECK(strstr(r.error, "header text of 4294967280 bytes") != NULL);
	CHECK_INT(capture_read_mem(p, 10, &ops, &g, &r), -EBADMSG);
	free(p);
	free(expect);
	free(g.rec);
}

/* Lengths beyond the limits are refused with the block and offset, before any allocation. */
static void test_oversized(void)
{
	char path[128], want[64];
	unsigned char *expect, *p;
	size_t expect_len, len, off;
	struct capture_read_result r;
	struct capture_block_header h;
	struct got g = {};

	snprintf(path, sizeof(path), "%s/big.lwc", tmpdir);
	CHECK_INT(write_capture(path, 2, 10, true, &expect, &expect_len), 0);
	p = slurp(path, &len);
	off = block_offset(p, len, 2);
	memcpy(&h, p + off, sizeof(h));
	h.raw_len = 0xffffffffu;
	memcpy(p + off, &h, sizeof(h));
	CHECK_INT(capture_read_mem(p, len, &ops, &g, &r), -EBADMSG);
	snprintf(want, sizeof(want), "block 2 at offset %zu: lengths", off);
	CHECK(strstr(r.error, want) != NULL);
	CHECK_INT(r.records, 0); /* blocks 0 and 1 are procs and losses */
	h.raw_len = 10;
	h.stored_len = CAPTURE_BLOCK_STORED_MAX + 1;
	memcpy(p + off, &h, sizeof(h));
	CHECK_INT(capture_read_mem(p, len, &ops, &g, &r), -EBADMSG);
	CHECK(strstr(r.error, want) != NULL);
	/* within the limits but past the end of the file: a torn tail, not a read past it */
	h.stored_len = CAPTURE_BLOCK_STORED_MAX;
	memcpy(p + off, &h, sizeof(h));
	CHECK_INT(capture_read_mem(p, len, &ops, &g, &r), 0);
	CHECK(r.truncated);
	CHECK_INT(r.truncated_block, 2);
	free(p);
	free(expect);
	free(g.rec);
}

/*
 * max-size: each file stays under it, is sealed, starts with the header and the running
 * processes, and reads on its own; PATH.1 is the newest rotated, PATH.keep the oldest kept.
 */
static void test_rotation(void)
{
	char path[128], name[160];
	unsigned char *expect;
	size_t expect_len;
	uint64_t total = 0, prev_first_ts = UINT64_MAX;
	struct stat st;

	snprintf(path, sizeof(path), "%s/rot.lwc", tmpdir);
	wopts.max_size = 30000;
	wopts.keep = 2;
	CHECK_INT(write_capture(path, 30, 100, true, &expect, &expect_len), 0);
	wopts.max_size = 0;
	wopts.keep = 0;
	for (int i = 0; i <= 3; i++) {
		struct capture_read_result r;
		struct got g = {};

		if (i)
			snprintf(name, sizeof(name), "%s.%d", path, i);
		else
			snprintf(name, sizeof(name), "%s", path);
		if (i == 3) {
			CHECK(stat(name, &st) != 0); /* beyond keep: removed */
			break;
		}
		CHECK_INT(stat(name, &st), 0);
		CHECK(st.st_size <= 30000);
		CHECK_INT(capture_read_file(name, &ops, &g, &r), 0);
		CHECK(r.chain_ok);
		CHECK(r.sealed);
		CHECK(!r.truncated);
		CHECK_INT(g.procs, 2);
		CHECK_STR(g.exe, "/usr/bin/ollama");
		CHECK(r.records > 0);
		CHECK_INT(r.footer.records, r.records);
		CHECK(strstr(g.meta, "profile.1=ollama\n") != NULL);
		/* PATH holds the newest records, PATH.2 the oldest kept */
		if (g.rec_len >= sizeof(struct lw_rec_hdr)) {
			struct lw_rec_hdr h;

			memcpy(&h, g.rec, sizeof(h));
			CHECK(h.ts_ns < prev_first_ts);
			prev_first_ts = h.ts_ns;
		}
		total += r.records;
		free(g.rec);
	}
	CHECK(total < 3000); /* the oldest went with PATH.3 */
	CHECK(total >= 200);
	free(expect);
}

static void test_symlink_refused(void)
{
	char path[128], target[128], err[256];
	struct capture_meta meta = { .llmwatch_version = "test" };
	struct stat st;

	snprintf(target, sizeof(target), "%s/target", tmpdir);
	snprintf(path, sizeof(path), "%s/link.lwc", tmpdir);
	CHECK_INT(symlink(target, path), 0);
	CHECK(capture_writer_open(path, &meta, &wopts, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "symbolic link") != NULL);
	CHECK(stat(target, &st) != 0); /* nothing created through it */
}

/* What the facts callbacks handed over. */
struct got_facts {
	int n, hashes, order_ok, records;
	uint32_t pid[4];
	char cmdline[4][64], exe[4][64], evidence[4][64], comm[4][17];
	uint8_t why[4], from[4];
	uint64_t netns[4], host_netns[4], start[4];
	struct exe_file_key key[4];
	struct exe_file_key hkey[4];
	bool hok[4];
	unsigned char sha[4][32];
};

static void gf_records(void *ctx, uint64_t block, const void *buf, size_t len, uint32_t count)
{
	struct got_facts *g = ctx;

	(void)block, (void)buf, (void)len;
	/* the facts learned while these records were handled came first */
	g->order_ok = g->n == 4;
	g->records += (int)count;
}

static void gf_facts(void *ctx, const struct proc_facts *f)
{
	struct got_facts *g = ctx;

	if (g->n == 4)
		return;
	g->pid[g->n] = f->pid;
	snprintf(g->cmdline[g->n], sizeof(g->cmdline[0]), "%s", f->cmdline);
	snprintf(g->exe[g->n], sizeof(g->exe[0]), "%s", f->exe);
	snprintf(g->evidence[g->n], sizeof(g->evidence[0]), "%s", f->evidence);
	memcpy(g->comm[g->n], f->comm, sizeof(g->comm[0]));
	g->why[g->n] = f->why;
	g->netns[g->n] = f->netns_ino;
	g->host_netns[g->n] = f->host_netns_ino;
	g->start[g->n] = f->start_ns;
	g->from[g->n] = f->exe_from;
	g->key[g->n++] = f->exe_key;
}

static void gf_hash(void *ctx, const struct exe_file_key *key, bool ok, const unsigned char *sha)
{
	struct got_facts *g = ctx;

	if (g->hashes == 4)
		return;
	g->hkey[g->hashes] = *key;
	g->hok[g->hashes] = ok;
	memcpy(g->sha[g->hashes++], sha, 32);
}

/*
 * Four processes' facts: two running the same executable (a fake /proc whose PID/exe
 * links to a file holding "abc"), one gone before its exe could be opened, whose path is
 * gone too, and one gone whose path is that same file (opened by its path, and said so).
 * The file is hashed once, its SHA-256 the standard one of "abc"; every fact comes back
 * whole and before the records block written with it.
 */
static void test_facts(void)
{
	static const unsigned char abc_sha256[32] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
		0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
		0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
	};
	static const struct capture_read_ops fops = {
		.records = gf_records,
		.facts = gf_facts,
		.exe_hash = gf_hash,
	};
	char path[128], root[128], bin[160], link[160];
	struct capture_writer_opts o = { .flush_ns = 1000000000ull, .proc_root = root };
	struct capture_meta meta = { .llmwatch_version = "test" };
	struct capture_read_result r;
	struct capture_writer *w;
	struct got_facts g = {};
	struct lw_rec_open rec;
	char err[256];
	struct proc_facts f = {
		.ppid = 1,
		.start_ns = 1000,
		.tool = 3,
		.why = PROC_WHY_CMDLINE,
		.cmdline_state = PROC_CMDLINE_FULL,
		.netns_ino = 4026531840u,
		.host_netns_ino = 4026531840u,
		.comm = "open-webui",
		.exe = "/usr/bin/python3.11",
		.cmdline = "/usr/bin/python3 ./open-webui serve",
		.parent_exe = "/usr/bin/bash",
		.evidence = "/usr/bin/python3 ./open-webui serve",
	};
	int fd;

	snprintf(path, sizeof(path), "%s/facts.lwc", tmpdir);
	snprintf(root, sizeof(root), "%s/proc", tmpdir);
	snprintf(bin, sizeof(bin), "%s/tool-bin", tmpdir);
	fd = open(bin, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	CHECK(fd >= 0 && write(fd, "abc", 3) == 3);
	close(fd);
	mkdir(root, 0700);
	for (int pid = 100; pid <= 101; pid++) {
		snprintf(link, sizeof(link), "%s/%d", root, pid);
		mkdir(link, 0700);
		snprintf(link, sizeof(link), "%s/%d/exe", root, pid);
		CHECK_INT(symlink(bin, link), 0);
	}
	w = capture_writer_open(path, &meta, &o, err, sizeof(err));
	CHECK(w != NULL);
	if (!w)
		return;
	for (uint32_t pid = 100; pid <= 103; pid++) {
		f.pid = f.root_pid = pid;
		f.exe = pid == 102 ? "/nonexistent/llmwatch-test-tool" :
			pid == 103 ? bin :
				     "/usr/bin/python3.11";
		capture_writer_facts(w, &f);
		capture_writer_add(w, &rec, make_open(&rec, pid, pid, 10));
	}
	CHECK_INT(capture_writer_close(w, NULL), 0);
	CHECK_INT(capture_read_file(path, &fops, &g, &r), 0);
	CHECK(r.chain_ok && r.sealed);
	CHECK_INT(g.n, 4);
	CHECK(g.order_ok);
	CHECK_INT(g.records, 4);
	CHECK_INT(g.pid[0], 100);
	CHECK_INT(g.pid[2], 102);
	CHECK_STR(g.cmdline[1], "/usr/bin/python3 ./open-webui serve");
	CHECK_STR(g.exe[1], "/usr/bin/python3.11");
	CHECK_STR(g.evidence[0], "/usr/bin/python3 ./open-webui serve");
	CHECK_STR(g.comm[0], "open-webui");
	CHECK_INT(g.why[0], PROC_WHY_CMDLINE);
	CHECK_INT(g.netns[0], 4026531840u);
	CHECK_INT(g.host_netns[0], 4026531840u);
	CHECK_INT(g.start[0], 1000);
	/* the same file for both: one hash, the key of both facts */
	CHECK(exe_file_key_known(&g.key[0]));
	CHECK_INT(g.key[0].size, 3);
	CHECK(!memcmp(&g.key[0], &g.key[1], sizeof(g.key[0])));
	CHECK(!exe_file_key_known(&g.key[2])); /* 102 has no exe: gone, and its path too */
	CHECK_INT(g.from[0], CAPTURE_EXE_FROM_PROC);
	/* 103 was gone, its path is the same file: that file, said to be by path */
	CHECK(!memcmp(&g.key[3], &g.key[0], sizeof(g.key[0])));
	CHECK_INT(g.from[3], CAPTURE_EXE_FROM_PATH);
	CHECK_INT(g.hashes, 1);
	CHECK(g.hok[0]);
	CHECK(!memcmp(&g.hkey[0], &g.key[0], sizeof(g.key[0])));
	CHECK(!memcmp(g.sha[0], abc_sha256, 32));
}

/* What each rotated file's facts said, for test_rotation_facts(). */
struct rot_facts {
	int of_running, of_exited, hashes, order_ok, records;
	char cmdline[64];
};

static void rf_records(void *ctx, uint64_t block, const void *buf, size_t len, uint32_t count)
{
	struct rot_facts *g = ctx;

	(void)block, (void)buf, (void)len;
	if (!g->records)
		g->order_ok = g->of_running > 0; /* the facts came before the first records */
	g->records += (int)count;
}

static void rf_facts(void *ctx, const struct proc_facts *f)
{
	struct rot_facts *g = ctx;

	if (f->pid == 200) {
		g->of_running++;
		snprintf(g->cmdline, sizeof(g->cmdline), "%s", f->cmdline);
	} else if (f->pid == 201) {
		g->of_exited++;
	}
}

static void rf_hash(void *ctx, const struct exe_file_key *key, bool ok, const unsigned char *sha)
{
	struct rot_facts *g = ctx;

	(void)key, (void)sha;
	g->hashes += ok;
}

/*
 * A rotated capture: every file starts with the facts of the processes still running (and
 * their executables' hash), so each replays alone with what the live run knew; a process
 * that has exited is not carried into the files after its exit.
 */
static void test_rotation_facts(void)
{
	static const struct capture_read_ops fops = {
		.records = rf_records,
		.facts = rf_facts,
		.exe_hash = rf_hash,
	};
	char path[128], name[160], root[128], bin[160], link[160], err[256];
	struct capture_writer_opts o = {
		.flush_ns = 1000000000ull, .proc_root = root, .max_size = 20000, .keep = 5
	};
	struct capture_meta meta = { .llmwatch_version = "test" };
	struct proc_facts f = {
		.ppid = 1,
		.tool = 1,
		.why = PROC_WHY_EXE,
		.cmdline_state = PROC_CMDLINE_FULL,
		.comm = "ollama",
		.exe = "/usr/bin/ollama",
		.cmdline = "ollama serve",
		.parent_exe = "/usr/lib/systemd/systemd",
		.evidence = "",
	};
	struct capture_writer_stats st;
	struct capture_writer *w;
	struct proctable pt;
	struct proc_entry *gone;
	int fd, files = 0, exited_in[6] = { 0 };

	snprintf(path, sizeof(path), "%s/rotfacts.lwc", tmpdir);
	snprintf(root, sizeof(root), "%s/rproc", tmpdir);
	snprintf(bin, sizeof(bin), "%s/rot-bin", tmpdir);
	fd = open(bin, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	CHECK(fd >= 0 && write(fd, "abc", 3) == 3);
	close(fd);
	mkdir(root, 0700);
	snprintf(link, sizeof(link), "%s/200", root);
	mkdir(link, 0700);
	snprintf(link, sizeof(link), "%s/200/exe", root);
	CHECK_INT(symlink(bin, link), 0);
	w = capture_writer_open(path, &meta, &o, err, sizeof(err));
	CHECK(w != NULL);
	if (!w)
		return;
	proctable_init(&pt, 16);
	proctable_upsert(&pt, 200)->state = PROC_CONFIRMED;
	gone = proctable_upsert(&pt, 201);
	gone->state = PROC_CONFIRMED;
	capture_writer_procs(w, &pt);
	f.pid = f.root_pid = 200;
	capture_writer_facts(w, &f);
	f.pid = f.root_pid = 201;
	f.cmdline = "ollama runner";
	capture_writer_facts(w, &f);
	gone->exited = true; /* 201 exits: the files started after this do not carry it */
	/* the hash is written into the file current when it is done: wait for it (bounded) */
	for (int tries = 0; tries < 500; tries++) {
		capture_writer_flush(w);
		capture_writer_get_stats(w, &st);
		if (st.exe_hashed)
			break;
		usleep(10000);
	}
	CHECK_INT(st.exe_hashed, 1);
	for (int b = 0; b < 40; b++) {
		for (int i = 0; i < 50; i++) {
			struct lw_rec_open r;

			capture_writer_add(w, &r,
					   make_open(&r, 200, (uint64_t)b * 50 + (uint64_t)i, 200));
		}
		capture_writer_flush(w);
	}
	capture_writer_get_stats(w, &st);
	CHECK_INT(capture_writer_close(w, NULL), 0);
	proctable_free(&pt);
	CHECK_INT(st.facts_unkept, 0);
	for (int i = 0; i <= 5; i++) {
		struct capture_read_result r;
		struct rot_facts g = {};

		if (i)
			snprintf(name, sizeof(name), "%s.%d", path, i);
		else
			snprintf(name, sizeof(name), "%s", path);
		if (capture_read_file(name, &fops, &g, &r))
			continue;
		files++;
		CHECK(r.chain_ok && r.sealed);
		CHECK_INT(g.of_running, 1);
		CHECK_STR(g.cmdline, "ollama serve");
		CHECK(g.order_ok);
		CHECK_INT(g.hashes, 1);
		exited_in[i] = g.of_exited;
	}
	CHECK(files >= 3); /* rotated at least twice */
	/* only the first file, written before 201 exited, has its facts */
	for (int i = 0; i < files; i++)
		CHECK_INT(exited_in[i], i == files - 1 && files < 6 ? 1 : 0);
}

/* What a file said of the tool ids added during the run. */
struct got_profiles {
	unsigned int id;
	char name[64];
	int named, records_before; /* records seen before the id was named */
	int records;
};

static void gp_profile(void *ctx, unsigned int id, const char *name)
{
	struct got_profiles *g = ctx;

	if (!g->named++) {
		g->id = id;
		snprintf(g->name, sizeof(g->name), "%s", name);
		g->records_before = g->records;
	}
}

static void gp_records(void *ctx, uint64_t block, const void *buf, size_t len, uint32_t count)
{
	struct got_profiles *g = ctx;

	(void)block, (void)buf, (void)len;
	g->records += (int)count;
}

/* A sink that keeps the tool name of the last event it got. */
struct tool_sink {
	struct sink s;
	char tool[64];
	int events;
};

static int ts_event(struct sink *s, const struct lw_event *ev, const struct rules_verdict *v,
		    size_t nv)
{
	struct tool_sink *t = (struct tool_sink *)s;

	(void)v, (void)nv;
	snprintf(t->tool, sizeof(t->tool), "%s", ev->tool);
	t->events++;
	return 0;
}

static int ts_summary(struct sink *s, const struct lw_stats *st)
{
	(void)s, (void)st;
	return 0;
}

static void ts_destroy(struct sink *s)
{
	(void)s;
}

/*
 * A tool id added during the run (runtime:KIND, as --runtime-scan adds them) is named in
 * the facts before the first record that carries it, and again at the top of every rotated
 * file after it; a replay names the events by it.
 */
static void test_runtime_profile(void)
{
	static const struct capture_read_ops pops = {
		.records = gp_records,
		.profile = gp_profile,
	};
	static const struct sink_ops tops = { .event = ts_event,
					      .summary = ts_summary,
					      .destroy = ts_destroy };
	char path[128], name[160], err[256];
	struct capture_writer_opts o = { .flush_ns = 1000000000ull, .max_size = 20000, .keep = 9 };
	struct profile_set set;
	struct capture_meta meta = { .llmwatch_version = "test", .profiles = &set };
	struct capture_writer *w;
	struct proctable pt;
	int id, files = 0;

	profiles_init(&set);
	snprintf(path, sizeof(path), "%s/runtime.lwc", tmpdir);
	w = capture_writer_open(path, &meta, &o, err, sizeof(err));
	CHECK(w != NULL);
	if (!w)
		return;
	proctable_init(&pt, 16);
	proctable_upsert(&pt, 300)->state = PROC_CONFIRMED;
	capture_writer_procs(w, &pt);
	{
		struct lw_rec_open r;

		capture_writer_add(w, &r, make_open(&r, 300, 1, 10)); /* before the id exists */
		capture_writer_flush(w);
	}
	id = profiles_add_runtime(&set, "llama.cpp");
	CHECK(id > 0);
	proctable_get(&pt, 300)->tool = (uint16_t)id; /* as the runtime scan tracks it */
	for (int b = 0; b < 40; b++) {
		for (int i = 0; i < 50; i++) {
			struct lw_rec_open r;
			size_t n = make_open(&r, 300, 2 + (uint64_t)b * 50 + (uint64_t)i, 200);

			r.hdr.tool = (uint16_t)id;
			capture_writer_add(w, &r, n);
		}
		capture_writer_flush(w);
	}
	CHECK_INT(capture_writer_close(w, NULL), 0);
	proctable_free(&pt);
	for (int i = 0; i <= 9; i++) {
		struct capture_read_result r;
		struct got_profiles g = {};

		if (i)
			snprintf(name, sizeof(name), "%s.%d", path, i);
		else
			snprintf(name, sizeof(name), "%s", path);
		if (capture_read_file(name, &pops, &g, &r))
			break;
		files++;
		CHECK_INT(g.named, 1);
		CHECK_INT(g.id, id);
		CHECK_STR(g.name, "runtime:llama.cpp");
		/* named before any record carrying it: in the first file, after the one before */
		CHECK(g.records_before <= 1);
	}
	CHECK(files >= 3);
	/* replayed alone, the newest file names its events by the runtime tool */
	{
		const char *one[] = { path };
		struct capture_replay_opts ro = { .no_default_rules = true, .who = "test" };
		struct capture_replay_result res;
		struct tool_sink t = { .s = { .ops = &tops } };

		CHECK_INT(capture_replay(one, 1, &ro, &t.s, &res), 0);
		CHECK(!res.profiles_differ);
		CHECK(t.events > 0);
		CHECK_STR(t.tool, "runtime:llama.cpp");
		capture_replay_result_free(&res);
	}
}

/* A facts entry whose string lengths overrun it, and an unknown entry type: said, skipped. */
static void test_facts_hostile(void)
{
	unsigned char buf[sizeof(struct capture_fact_proc) + 8 + 16];
	struct capture_fact_proc p = { .h = { .type = CAPTURE_FACT_PROC, .len = sizeof(p) + 4 },
				       .exe_len = 4000 };
	struct capture_fact_hdr other = { .type = 99, .len = 16 };
	char path[128];
	struct capture_writer_opts o = { .flush_ns = 1000000000ull };
	struct capture_meta meta = { .llmwatch_version = "test" };
	struct capture_read_result r;
	struct got gp = {};
	char err[256];
	struct capture_writer *w;
	static const struct capture_read_ops fops = {
		.problem = g_problem,
	};

	memset(buf, 0, sizeof(buf));
	memcpy(buf, &p, sizeof(p));
	memcpy(buf + sizeof(p) + 4, &other, sizeof(other));
	snprintf(path, sizeof(path), "%s/hostile-facts.lwc", tmpdir);
	w = capture_writer_open(path, &meta, &o, err, sizeof(err));
	CHECK(w != NULL);
	if (!w)
		return;
	capture_writer_close(w, NULL);
	/* a raw facts block spliced in would break the chain; read it through the reader's
	 * own framing instead: the writer's bytes, then the hostile block built here */
	{
		size_t len;
		unsigned char *file = slurp(path, &len);
		struct capture_block_header h = { .magic = CAPTURE_BLOCK_MAGIC,
						  .kind = CAPTURE_BLOCK_FACTS,
						  .stored_len = sizeof(p) + 4 + sizeof(other),
						  .raw_len = sizeof(p) + 4 + sizeof(other),
						  .count = 2 };
		size_t at = block_offset(file, len, 0); /* the footer: replaced */
		unsigned char *out = malloc(at + sizeof(h) + h.stored_len + 32);

		memcpy(out, file, at);
		memcpy(out + at, &h, sizeof(h));
		memcpy(out + at + sizeof(h), buf, h.stored_len);
		memset(out + at + sizeof(h) + h.stored_len, 0, 32);
		CHECK_INT(capture_read_mem(out, at + sizeof(h) + h.stored_len + 32, &fops, &gp, &r),
			  0);
		CHECK(!r.chain_ok); /* its hash is not the chain's: said, and read on */
		CHECK(gp.problems >= 2);
		free(out);
		free(file);
	}
}

struct got_names {
	int n, payloads;
	uint64_t cookie;
	uint8_t source;
	uint16_t port;
	char host[64];
};

static void gn_name(void *ctx, const struct conn_name_fact *f)
{
	struct got_names *g = ctx;

	g->n++;
	g->cookie = f->cookie;
	g->source = f->source;
	g->port = f->remote.port;
	snprintf(g->host, sizeof(g->host), "%s", f->host);
}

static void gn_records(void *ctx, uint64_t block, const void *buf, size_t len, uint32_t count)
{
	struct got_names *g = ctx;
	const unsigned char *p = buf;

	(void)block, (void)count;
	for (size_t at = 0; at + sizeof(struct lw_rec_hdr) <= len;) {
		const struct lw_rec_hdr *h = (const void *)(p + at);

		g->payloads += h->type == LW_REC_PAYLOAD;
		if (!h->size)
			break;
		at += h->size;
	}
}

/* A payload record of direction dir from port; its size. */
static size_t make_payload(struct lw_rec_payload *r, uint8_t dir, uint16_t port)
{
	size_t size = offsetof(struct lw_rec_payload, data) + 8;

	memset(r, 0, sizeof(*r));
	lw_rec_hdr_init(&r->hdr, LW_REC_PAYLOAD, (uint16_t)size, 1, 7, 5);
	r->direction = dir;
	r->remote.family = 2;
	r->remote.port = port;
	r->len = 8;
	memcpy(r->data, "\x16\x03\x01....", 8);
	return size;
}

/*
 * Without --capture-payloads the tap leaves the stream heads out (counted) and keeps the DNS
 * answers; with it, both. A connection's name fact comes back whole.
 */
static void test_payloads_and_names(void)
{
	static const struct capture_read_ops nops = {
		.records = gn_records,
		.conn_name = gn_name,
	};
	struct capture_meta meta = { .llmwatch_version = "test" };
	struct conn_name_fact nf = { .cookie = 77,
				     .ts_ns = 9,
				     .pid = 7,
				     .root_pid = 7,
				     .remote = { .family = 2, .port = 443 },
				     .source = CONN_NAME_SNI,
				     .host = "api.mixpanel.com" };
	struct capture_read_result r;
	struct lw_rec_payload rec;

	for (int with = 0; with <= 1; with++) {
		struct capture_writer_opts o = { .flush_ns = 1000000000ull, .payloads = with };
		struct capture_writer_stats st;
		struct got_names g = {};
		struct capture_writer *w;
		char path[128], err[256];

		snprintf(path, sizeof(path), "%s/payloads%d.lwc", tmpdir, with);
		w = capture_writer_open(path, &meta, &o, err, sizeof(err));
		CHECK(w != NULL);
		if (!w)
			return;
		capture_writer_tap(w, &rec, make_payload(&rec, LW_DIR_OUT, 443)); /* a head */
		capture_writer_tap(w, &rec, make_payload(&rec, LW_DIR_IN, 53));	  /* DNS */
		capture_writer_tap(w, &rec, make_payload(&rec, LW_DIR_IN, 443));  /* a reply */
		capture_writer_name_tap(w, &nf);
		capture_writer_get_stats(w, &st);
		CHECK_INT(st.heads_left_out, with ? 0 : 2);
		CHECK_INT(st.names, 1);
		CHECK_INT(capture_writer_close(w, NULL), 0);
		CHECK_INT(capture_read_file(path, &nops, &g, &r), 0);
		CHECK_INT(g.payloads, with ? 3 : 1);
		CHECK_INT(g.n, 1);
		CHECK_INT(g.cookie, 77);
		CHECK_INT(g.source, CONN_NAME_SNI);
		CHECK_INT(g.port, 443);
		CHECK_STR(g.host, "api.mixpanel.com");
	}
}

/*
 * Rotation into a directory that is gone: FILE cannot be created again; the records
 * meanwhile are lost and counted, it is retried (bounded) and, once the directory is back,
 * created again with its header: that file reads whole.
 */
static void test_rotation_reopen(void)
{
	struct capture_writer_opts o = {
		.flush_ns = 1000000000ull, .max_size = 1000, .keep = 1, .reopen_interval_ns = 1
	};
	struct capture_meta meta = { .llmwatch_version = "test" };
	char dir[128], gone[140], path[160], err[256];
	struct capture_writer_stats st;
	struct capture_read_result r;
	struct capture_writer *w;
	struct lw_rec_open rec;
	struct got g = {};
	uint64_t ts = 1;

	snprintf(dir, sizeof(dir), "%s/rotdir", tmpdir);
	snprintf(gone, sizeof(gone), "%s.gone", dir);
	snprintf(path, sizeof(path), "%s/cap.lwc", dir);
	CHECK_INT(mkdir(dir, 0700), 0);
	w = capture_writer_open(path, &meta, &o, err, sizeof(err));
	CHECK(w != NULL);
	if (!w)
		return;
	/* the directory goes: the next rotation cannot create FILE again */
	CHECK_INT(rename(dir, gone), 0);
	for (int b = 0; b < 12; b++) {
		for (int i = 0; i < 100; i++, ts++)
			capture_writer_add(w, &rec, make_open(&rec, 42, ts, 60));
		capture_writer_flush(w);
	}
	capture_writer_get_stats(w, &st);
	CHECK(st.lost_records > 0);
	CHECK(st.write_errors > 0);
	/* back: the next block creates it again */
	CHECK_INT(mkdir(dir, 0700), 0);
	for (int i = 0; i < 50; i++, ts++)
		capture_writer_add(w, &rec, make_open(&rec, 42, ts, 60));
	capture_writer_flush(w);
	capture_writer_get_stats(w, &st);
	CHECK_INT(capture_writer_close(w, NULL), -1); /* something was lost: said */
	CHECK_INT(capture_read_file(path, &ops, &g, &r), 0);
	CHECK(r.chain_ok && r.sealed);
	CHECK_INT(r.records, 50);
	CHECK(r.footer.lost_records > 0);
	free(g.rec);
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/lwcap.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_round_trip();
	test_torn_tail();
	test_tampered();
	test_bad_header();
	test_oversized();
	test_symlink_refused();
	test_rotation();
	test_facts();
	test_facts_hostile();
	test_rotation_facts();
	test_runtime_profile();
	test_payloads_and_names();
	test_rotation_reopen();
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		/* tmpdir is our own mkdtemp() name: no shell metacharacters in it */
		if (system(cmd)) /* NOLINT(cert-env33-c) */
			fprintf(stderr, "cannot remove %s\n", tmpdir);
	}
	return check_summary("test_capture");
}
