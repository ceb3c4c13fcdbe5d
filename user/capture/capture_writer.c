// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The capture file's writer (see capture_writer.h and docs/capture-format.md). */
#include "capture/capture_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "capture/capture_format.h"
#include "core/profiles.h"
#include "core/proctable.h"
#include "core/stats.h"
#include "llmwatch/events.h"

/*
 * Records buffered before a block is written: at ~115 bytes a record, a block every ~2,000
 * records in a flood (a few syncs a second at most), and zlib has enough to work with.
 */
#define WRITER_RAW_BYTES (256u << 10)
_Static_assert(WRITER_RAW_BYTES <= CAPTURE_BLOCK_RAW_MAX, "a block the reader refuses");

/* Loss counters in a snapshot: the kernel's slots, then the user side's. */
#define N_LOSSES (LW_LOSS_SLOTS + STATS_USER_LOSS_COUNTERS)

struct capture_writer {
	int fd;
	char *path;
	uint64_t flush_ns, last_flush_ns;
	unsigned char prev[CAPTURE_HASH_LEN]; /* the chain: the last block's hash */
	uint64_t seq;
	off_t good_off;	   /* end of the last whole block */
	uint64_t max_size; /* rotate before a block could take the file past this; 0: never */
	unsigned int keep; /* rotated files kept: PATH.1 (newest) to PATH.keep */
	char *meta;	   /* the header text, written again at the top of each new file */
	uint32_t meta_len;
	struct proctable *procs; /* written again at the top of each new file */
	uint64_t file_records;	 /* records in the current file (its footer's count) */
	uint64_t rotations;
	bool rotating;
	unsigned char *raw;
	size_t raw_len;
	uint32_t raw_count;
	unsigned char *out; /* block header + compressed payload + hash */
	size_t out_size;
	uint64_t *losses; /* last snapshot written */
	struct capture_writer_stats st;
	bool told; /* the first loss was said */
};

static int sha256(const unsigned char *prev, const void *a, size_t alen, const void *b, size_t blen,
		  unsigned char *md)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned int n = 0;
	int ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) &&
		 (!prev || EVP_DigestUpdate(c, prev, CAPTURE_HASH_LEN)) &&
		 EVP_DigestUpdate(c, a, alen) && (!blen || EVP_DigestUpdate(c, b, blen)) &&
		 EVP_DigestFinal_ex(c, md, &n);

	EVP_MD_CTX_free(c);
	return ok && n == CAPTURE_HASH_LEN ? 0 : -EIO;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A failed block: counted, said once, and the file cut back to its last whole block. */
static void lost(struct capture_writer *w, uint32_t count, int err)
{
	w->st.write_errors++;
	w->st.lost_records += count;
	if (!w->told)
		fprintf(stderr,
			"llmwatch: --capture %s: cannot write a block: %s (its records are "
			"lost; counted, said once)\n",
			w->path, strerror(-err));
	w->told = true;
	if (ftruncate(w->fd, w->good_off) == 0)
		lseek(w->fd, w->good_off, SEEK_SET);
}

/* Writes one block of payload[len] (count items), compressed when compress is set. */
static void rotate(struct capture_writer *w);

static int write_block(struct capture_writer *w, uint16_t kind, const void *payload, size_t len,
		       uint32_t count, bool compress)
{
	struct capture_block_header h = {
		.magic = CAPTURE_BLOCK_MAGIC,
		.kind = kind,
		.raw_len = (uint32_t)len,
		.count = count,
		.seq = w->seq,
	};
	size_t need = sizeof(h) + (compress ? compressBound(len) : len) + CAPTURE_HASH_LEN;
	uLongf stored;
	int err;

	if (len > CAPTURE_BLOCK_RAW_MAX)
		return -EMSGSIZE;
	/*
	 * Rotation before a block that could take the file past max-size (judged by zlib's
	 * bound, so a file stays under it), never while a rotation writes the new file's top.
	 */
	if (w->max_size && !w->rotating && w->seq > 0 &&
	    (uint64_t)w->good_off + need > w->max_size) {
		rotate(w);
		h.seq = w->seq;
	}
	if (need > w->out_size) {
		unsigned char *grown = realloc(w->out, need);

		if (!grown)
			return -ENOMEM;
		w->out = grown;
		w->out_size = need;
	}
	stored = (uLongf)(need - sizeof(h) - CAPTURE_HASH_LEN);
	if (compress) {
		/* level 1: the fastest, so the writer keeps up with the ring flat out */
		if (compress2(w->out + sizeof(h), &stored, payload, len, 1) != Z_OK)
			return -EIO;
		h.flags = CAPTURE_BF_ZLIB;
	} else {
		memcpy(w->out + sizeof(h), payload, len);
		stored = len;
	}
	h.stored_len = (uint32_t)stored;
	memcpy(w->out, &h, sizeof(h));
	err = sha256(w->prev, w->out, sizeof(h) + stored, NULL, 0, w->out + sizeof(h) + stored);
	if (err)
		return err;
	err = write_all(w->fd, w->out, sizeof(h) + stored + CAPTURE_HASH_LEN);
	if (!err && fdatasync(w->fd))
		err = -errno;
	if (err)
		return err;
	memcpy(w->prev, w->out + sizeof(h) + stored, CAPTURE_HASH_LEN);
	w->seq++;
	w->good_off += (off_t)(sizeof(h) + stored + CAPTURE_HASH_LEN);
	w->st.blocks++;
	w->st.bytes += sizeof(h) + stored + CAPTURE_HASH_LEN;
	return 0;
}

void capture_writer_flush(struct capture_writer *w)
{
	int err;

	if (!w || !w->raw_count)
		return;
	err = write_block(w, CAPTURE_BLOCK_RECORDS, w->raw, w->raw_len, w->raw_count, true);
	if (err) {
		lost(w, w->raw_count, err);
	} else {
		w->st.records += w->raw_count;
		w->file_records += w->raw_count;
	}
	w->raw_len = 0;
	w->raw_count = 0;
}

void capture_writer_add(struct capture_writer *w, const void *rec, size_t len)
{
	if (len > WRITER_RAW_BYTES)
		return; /* cannot happen: records are at most a few KiB (events.h) */
	if (w->raw_len + len > WRITER_RAW_BYTES)
		capture_writer_flush(w);
	memcpy(w->raw + w->raw_len, rec, len);
	w->raw_len += len;
	w->raw_count++;
}

void capture_writer_tap(void *w, const void *rec, size_t len)
{
	capture_writer_add(w, rec, len);
}

void capture_writer_tick(struct capture_writer *w, uint64_t now_ns)
{
	if (!w || now_ns - w->last_flush_ns < w->flush_ns)
		return;
	w->last_flush_ns = now_ns;
	capture_writer_flush(w);
}

/* ---- processes and losses -------------------------------------------------------------- */

struct procs_buf {
	unsigned char *p;
	size_t len, size;
	uint32_t count;
	bool full;
};

static int add_proc(struct proc_entry *e, void *arg)
{
	struct procs_buf *b = arg;
	size_t exe_len = e->exe ? strnlen(e->exe, LW_PATH_MAX) : 0;
	struct capture_proc cp = {
		.pid = e->pid,
		.ppid = e->ppid,
		.uid = e->uid,
		.root_pid = e->root_pid,
		.tool = e->tool,
		.exe_len = (uint16_t)exe_len,
	};

	if (e->exited || e->state == PROC_REJECTED)
		return 0;
	if (b->len + sizeof(cp) + exe_len > CAPTURE_BLOCK_RAW_MAX) {
		b->full = true;
		return 1;
	}
	if (b->len + sizeof(cp) + exe_len > b->size) {
		size_t size = (b->size ? b->size * 2 : 4096) + sizeof(cp) + exe_len;
		unsigned char *grown = realloc(b->p, size);

		if (!grown) {
			b->full = true;
			return 1;
		}
		b->p = grown;
		b->size = size;
	}
	memcpy(cp.comm, e->comm, sizeof(cp.comm));
	memcpy(b->p + b->len, &cp, sizeof(cp));
	if (exe_len)
		memcpy(b->p + b->len + sizeof(cp), e->exe, exe_len);
	b->len += sizeof(cp) + exe_len;
	b->count++;
	return 0;
}

void capture_writer_procs(struct capture_writer *w, struct proctable *pt)
{
	struct procs_buf b = {};
	int err;

	if (!w)
		return;
	w->procs = pt; /* a rotation writes them again, as they are then */
	proctable_foreach(pt, add_proc, &b);
	if (b.full)
		fprintf(stderr,
			"llmwatch: --capture %s: the running processes did not all fit "
			"(some are written without their tool and executable)\n",
			w->path);
	err = write_block(w, CAPTURE_BLOCK_PROCS, b.p, b.len, b.count, true);
	if (err)
		lost(w, b.count, err);
	free(b.p);
}

void capture_writer_losses(struct capture_writer *w, const struct lw_stats *s, uint64_t now_ns)
{
	struct stats_loss_counter c[STATS_LOSS_COUNTERS];
	unsigned char buf[sizeof(struct capture_losses) + N_LOSSES * sizeof(uint64_t)];
	struct capture_losses h = { .ts_ns = now_ns,
				    .n_kernel = LW_LOSS_SLOTS,
				    .n_user = STATS_USER_LOSS_COUNTERS };
	uint64_t v[N_LOSSES];
	int err;

	if (!w)
		return;
	stats_loss_counters(s, c);
	for (size_t i = 0; i < N_LOSSES; i++)
		v[i] = c[i].value;
	if (!memcmp(v, w->losses, sizeof(v)))
		return;
	memcpy(w->losses, v, sizeof(v));
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), v, sizeof(v));
	err = write_block(w, CAPTURE_BLOCK_LOSSES, buf, sizeof(buf), N_LOSSES, true);
	if (err)
		lost(w, 0, err);
}

/* ---- the header ------------------------------------------------------------------------ */

/* Appends "key=value\n", control bytes in value shown as '?' (a line per key, always). */
__attribute__((format(printf, 5, 6))) static void meta_add(char *buf, size_t size, size_t *len,
							   const char *key, const char *fmt, ...)
{
	char value[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	for (char *c = value; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	n = snprintf(buf + *len, size - *len, "%s=%s\n", key, value);
	if (n > 0 && (size_t)n < size - *len)
		*len += (size_t)n;
}

static size_t build_meta(char *buf, size_t size, const struct capture_meta *m)
{
	struct timespec boot, wall;
	struct utsname u;
	size_t len = 0;

	clock_gettime(CLOCK_BOOTTIME, &boot);
	clock_gettime(CLOCK_REALTIME, &wall);
	if (uname(&u))
		memset(&u, 0, sizeof(u));
	meta_add(buf, size, &len, "llmwatch", "%s", m->llmwatch_version ? m->llmwatch_version : "");
	meta_add(buf, size, &len, "host", "%s", u.nodename);
	meta_add(buf, size, &len, "kernel", "%s %s", u.release, u.machine);
	/* the same instant on both clocks: records carry BOOTTIME, a reader wants wall time */
	meta_add(buf, size, &len, "boot_ns", "%" PRIu64,
		 (uint64_t)boot.tv_sec * 1000000000u + (uint64_t)boot.tv_nsec);
	meta_add(buf, size, &len, "wall_ns", "%" PRIu64,
		 (uint64_t)wall.tv_sec * 1000000000u + (uint64_t)wall.tv_nsec);
	meta_add(buf, size, &len, "rules", "%zu", m->n_rules);
	meta_add(buf, size, &len, "default_rules", "%s", m->default_rules ? "yes" : "no");
	for (size_t i = 0; i < m->n_rule_paths; i++)
		meta_add(buf, size, &len, "rules_path", "%s", m->rule_paths[i]);
	for (size_t i = 0; m->profiles && i < m->profiles->n; i++) {
		char key[32];

		snprintf(key, sizeof(key), "profile.%zu", i + 1);
		meta_add(buf, size, &len, key, "%s", m->profiles->p[i].name);
	}
	return len;
}

/* Creates w->path anew and writes its header: a file of its own, its chain from the start. */
static int start_file(struct capture_writer *w)
{
	struct capture_file_header h = { .bom = CAPTURE_BOM,
					 .version = CAPTURE_VERSION,
					 .record_version = LW_RECORD_VERSION,
					 .meta_len = w->meta_len };
	int e;

	memcpy(h.magic, CAPTURE_MAGIC, CAPTURE_MAGIC_LEN);
	/* never through a symlink: a planted link must not redirect root's writes */
	w->fd = open(w->path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (w->fd < 0)
		return errno == ELOOP ? -ELOOP : -errno;
	/* the chain starts from the header's hash: a changed header breaks block 0 */
	e = sha256(NULL, &h, sizeof(h), w->meta, w->meta_len, w->prev);
	if (!e)
		e = write_all(w->fd, &h, sizeof(h));
	if (!e)
		e = write_all(w->fd, w->meta, w->meta_len);
	if (!e && fdatasync(w->fd))
		e = -errno;
	w->seq = 0;
	w->file_records = 0;
	w->good_off = (off_t)(sizeof(h) + w->meta_len);
	return e;
}

/* Writes the footer that seals the current file and closes it. Returns 0 or -errno. */
static int seal_file(struct capture_writer *w)
{
	struct capture_footer f;
	struct timespec now;
	int err;

	clock_gettime(CLOCK_BOOTTIME, &now);
	f = (struct capture_footer){
		.blocks = w->seq,
		.records = w->file_records,
		.write_errors = w->st.write_errors,
		.lost_records = w->st.lost_records,
		.end_ts_ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec,
	};
	w->rotating = true; /* the footer never starts a rotation */
	err = write_block(w, CAPTURE_BLOCK_FOOTER, &f, sizeof(f), 1, false);
	w->rotating = false;
	if (w->fd >= 0 && close(w->fd) && !err)
		err = -errno;
	w->fd = -1;
	return err;
}

/*
 * Seals the file, moves PATH to PATH.1 (PATH.1 to PATH.2, ... PATH.keep removed; keep 0:
 * PATH removed) and starts PATH anew with the header and the processes watched now, so each
 * file reads on its own. A failure is counted as the blocks that then cannot be written.
 */
static void rotate(struct capture_writer *w)
{
	size_t n = strlen(w->path) + 16;
	char *from = malloc(n), *to = malloc(n);
	int err;

	err = seal_file(w);
	if (err)
		lost(w, 0, err);
	if (from && to) {
		snprintf(to, n, "%s.%u", w->path, w->keep);
		unlink(to);
		for (unsigned int i = w->keep; i > 1; i--) {
			snprintf(from, n, "%s.%u", w->path, i - 1);
			snprintf(to, n, "%s.%u", w->path, i);
			rename(from, to);
		}
		snprintf(to, n, "%s.1", w->path);
		if (w->keep ? rename(w->path, to) : unlink(w->path))
			fprintf(stderr, "llmwatch: --capture %s: rotating: %s\n", w->path,
				strerror(errno));
	}
	free(from);
	free(to);
	w->rotating = true;
	err = start_file(w);
	if (err) {
		lost(w, 0, err);
	} else if (w->procs) {
		capture_writer_procs(w, w->procs);
	}
	/* the next snapshot goes into the new file whatever the counters */
	memset(w->losses, 0xff, N_LOSSES * sizeof(uint64_t));
	w->rotating = false;
	w->rotations++;
}

struct capture_writer *capture_writer_open(const char *path, const struct capture_meta *meta,
					   const struct capture_writer_opts *o, char *err,
					   size_t errsz)
{
	struct capture_writer *w = calloc(1, sizeof(*w));
	int e = -ENOMEM;

	if (!w || !(w->meta = malloc(CAPTURE_META_MAX)) || !(w->path = strdup(path)) ||
	    !(w->raw = malloc(WRITER_RAW_BYTES)) ||
	    !(w->losses = calloc(N_LOSSES, sizeof(uint64_t))))
		goto fail;
	w->fd = -1;
	w->flush_ns = o->flush_ns;
	w->max_size = o->max_size;
	w->keep = o->keep;
	w->meta_len = (uint32_t)build_meta(w->meta, CAPTURE_META_MAX, meta);
	e = start_file(w);
	if (e)
		goto fail;
	return w;
fail:
	snprintf(err, errsz, "%s: %s", path,
		 e == -ELOOP ? "is a symbolic link (refused)" : strerror(-e));
	if (w) {
		if (w->fd >= 0)
			close(w->fd);
		free(w->meta);
		free(w->path);
		free(w->raw);
		free(w->losses);
		free(w);
	}
	return NULL;
}

void capture_writer_get_stats(const struct capture_writer *w, struct capture_writer_stats *out)
{
	*out = w->st;
}

int capture_writer_close(struct capture_writer *w, FILE *log)
{
	int err, status;

	if (!w)
		return 0;
	capture_writer_flush(w);
	err = seal_file(w);
	if (err)
		lost(w, 0, err);
	if (log) {
		fprintf(log,
			"llmwatch: capture %s: %" PRIu64 " records in %" PRIu64 " blocks%s; "
			"%" PRIu64 " blocks (%" PRIu64 " records) lost",
			w->path, w->st.records, w->st.blocks, err ? ", not sealed" : ", sealed",
			w->st.write_errors, w->st.lost_records);
		if (w->rotations)
			fprintf(log, "; rotated %" PRIu64 " times", w->rotations);
		fprintf(log, "\n");
	}
	status = w->st.write_errors ? -1 : 0;
	free(w->out);
	free(w->raw);
	free(w->losses);
	free(w->meta);
	free(w->path);
	free(w);
	return status;
}
