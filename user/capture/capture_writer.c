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
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "capture/capture_format.h"
#include "capture/exe_hasher.h"
#include "core/procfacts.h"
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

/* Facts buffered before they go out as a block (before the records they go with). */
#define WRITER_FACTS_BYTES (256u << 10)
/* Executables hashing or hashed and not yet collected; and files whose hash is kept. */
#define HASH_QUEUE_MAX 64
#define HASH_CACHE_MAX 1024
/* How long a clean stop waits for the executables still being hashed. */
#define HASH_WAIT_NS (10ull * 1000000000ull)

enum hash_state {
	HASH_PENDING,
	HASH_OK,
	HASH_FAILED
};

/* An executable file whose hash is known or coming: once per file, not per process. */
struct hash_entry {
	struct exe_file_key key;
	uint8_t state;	     /* enum hash_state */
	uint64_t written_in; /* rotations + 1 of the file its hash went into; 0: none */
	unsigned char sha256[32];
};

/*
 * The last facts of each process, kept only when the capture rotates, so each new file
 * starts with the facts of the processes still running (a file replayed alone otherwise
 * lacks the command line and parent of every process started before it). Bounded: past
 * this many, a process's facts are not kept (counted, said at the stop).
 */
#define KEPT_FACTS_MAX 16384

struct kept_fact {
	uint32_t pid;
	uint32_t len;
	unsigned char *blob; /* its CAPTURE_FACT_PROC entry, as written */
};

/* A FILE that cannot be created again after a rotation is tried this many times at most. */
#define REOPEN_TRIES_MAX 600

/* Loss counters in a snapshot: the kernel's slots, then the user side's. */
#define N_LOSSES (LW_LOSS_SLOTS + STATS_USER_LOSS_COUNTERS)

struct capture_writer {
	int fd;
	char *path;
	uint64_t flush_ns, last_flush_ns;
	/*
	 * Record and fact blocks are written when full but synced at most once a flush_ns
	 * (the tick syncs what is left): a sync per 256 KiB block would cap a flood at the
	 * disk's sync rate, and a SIGKILL loses nothing written, only a machine crash does.
	 */
	uint64_t synced_ns;
	bool dirty;
	z_stream zs; /* one deflate state, reset for each block: no allocation per block */
	bool zs_ready;
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
	bool told;     /* the first loss was said */
	bool payloads; /* --capture-payloads: stream heads kept */
	/* FILE could not be created again after a rotation: retried, bounded */
	bool reopen_needed;
	uint64_t reopen_interval_ns, reopen_next_ns, reopen_tries;
	uint64_t lost_unopened; /* records lost while there was no file */
	char *proc_root;	/* where /proc/PID/exe is opened */
	unsigned char *facts;	/* CAPTURE_BLOCK_FACTS entries waiting */
	size_t facts_len;
	uint32_t facts_count;
	struct exe_hasher *hasher; /* NULL: executables are not hashed (out of memory) */
	struct hash_entry *hashes;
	size_t n_hashes, evict; /* evict: the next slot a full cache reuses */
	/* the run's tool ids, and how many the header and then the facts have named */
	const struct profile_set *profiles;
	size_t profiles_in_header, profiles_named;
	struct kept_fact *kept; /* with max_size only: what a new file starts with */
	size_t n_kept, cap_kept;
};

static uint64_t boot_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_BOOTTIME, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

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
	if (w->fd < 0)
		w->lost_unopened += count;
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
static void prune_kept(struct capture_writer *w);
static void name_new_profiles(struct capture_writer *w);
static void reopen(struct capture_writer *w);

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
	if (w->fd < 0 && !w->rotating) {
		reopen(w);
		h.seq = w->seq; /* a new file's chain */
	}
	if (w->fd < 0)
		return -EBADF; /* counted by the caller: no file to write to */
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
		if (!w->zs_ready) {
			if (deflateInit(&w->zs, 1) != Z_OK)
				return -ENOMEM;
			w->zs_ready = true;
		} else if (deflateReset(&w->zs) != Z_OK) {
			return -EIO;
		}
		w->zs.next_in = (Bytef *)(uintptr_t)payload;
		w->zs.avail_in = (uInt)len;
		w->zs.next_out = w->out + sizeof(h);
		w->zs.avail_out = (uInt)stored;
		if (deflate(&w->zs, Z_FINISH) != Z_STREAM_END)
			return -EIO;
		stored = (uLongf)w->zs.total_out;
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
	if (!err && ((kind != CAPTURE_BLOCK_RECORDS && kind != CAPTURE_BLOCK_FACTS) ||
		     boot_now() - w->synced_ns >= w->flush_ns)) {
		if (fdatasync(w->fd))
			err = -errno;
		w->synced_ns = boot_now();
		w->dirty = false;
	} else if (!err) {
		w->dirty = true;
	}
	if (err)
		return err;
	memcpy(w->prev, w->out + sizeof(h) + stored, CAPTURE_HASH_LEN);
	w->seq++;
	w->good_off += (off_t)(sizeof(h) + stored + CAPTURE_HASH_LEN);
	w->st.blocks++;
	w->st.bytes += sizeof(h) + stored + CAPTURE_HASH_LEN;
	return 0;
}

static void flush_facts(struct capture_writer *w);
static void collect_hashes(struct capture_writer *w);

void capture_writer_flush(struct capture_writer *w)
{
	int err;

	if (!w)
		return;
	/* the facts learned from these records go first: a replay needs them before */
	name_new_profiles(w);
	collect_hashes(w);
	flush_facts(w);
	if (!w->raw_count)
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

/* A stream head (not a DNS answer): bytes the process sent, left out by default. */
static bool is_stream_head(const void *rec, size_t len)
{
	const struct lw_rec_payload *p = rec;

	if (len < offsetof(struct lw_rec_payload, data) || p->hdr.type != LW_REC_PAYLOAD)
		return false;
	return !(p->direction == LW_DIR_IN && p->remote.port == 53);
}

void capture_writer_tap(void *arg, const void *rec, size_t len)
{
	struct capture_writer *w = arg;

	if (!w->payloads && is_stream_head(rec, len)) {
		w->st.heads_left_out++;
		return;
	}
	capture_writer_add(w, rec, len);
}

void capture_writer_tick(struct capture_writer *w, uint64_t now_ns)
{
	if (!w || now_ns - w->last_flush_ns < w->flush_ns)
		return;
	w->last_flush_ns = now_ns;
	capture_writer_flush(w);
	prune_kept(w);
	/* blocks written since the last sync, when the buffer filled: synced now */
	if (w->dirty && w->fd >= 0) {
		fdatasync(w->fd);
		w->synced_ns = boot_now();
		w->dirty = false;
	}
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

/* ---- process facts and executables' hashes ------------------------------------------- */

static void flush_facts(struct capture_writer *w)
{
	int err;

	if (!w->facts_count)
		return;
	err = write_block(w, CAPTURE_BLOCK_FACTS, w->facts, w->facts_len, w->facts_count, true);
	if (err) {
		lost(w, 0, err);
		w->st.facts_lost += w->facts_count;
	} else {
		w->st.facts += w->facts_count;
	}
	w->facts_len = 0;
	w->facts_count = 0;
}

/* Room for len more bytes of facts: the waiting ones are written first if need be. */
static unsigned char *facts_room(struct capture_writer *w, size_t len)
{
	if (w->facts_len + len > WRITER_FACTS_BYTES)
		flush_facts(w);
	w->facts_count++;
	w->facts_len += len;
	return w->facts + w->facts_len - len;
}

static void to_key(struct capture_exe_key *out, const struct exe_file_key *k)
{
	out->dev = k->dev;
	out->ino = k->ino;
	out->size = k->size;
	out->mtime_ns = k->mtime_ns;
}

/* Writes e's hash into the current file, once per file. */
static void add_hash_fact(struct capture_writer *w, struct hash_entry *e)
{
	struct capture_fact_exe_hash f = {
		.h = { .type = CAPTURE_FACT_EXE_HASH, .len = sizeof(f) },
		.status = e->state == HASH_OK ? CAPTURE_HASH_OK : CAPTURE_HASH_UNREADABLE,
	};

	if (e->state == HASH_PENDING || e->written_in == w->rotations + 1)
		return;
	to_key(&f.key, &e->key);
	memcpy(f.sha256, e->sha256, sizeof(f.sha256));
	memcpy(facts_room(w, sizeof(f)), &f, sizeof(f));
	e->written_in = w->rotations + 1;
}

static struct hash_entry *find_hash(struct capture_writer *w, const struct exe_file_key *k)
{
	for (size_t i = 0; i < w->n_hashes; i++) {
		if (!memcmp(&w->hashes[i].key, k, sizeof(*k)))
			return &w->hashes[i];
	}
	return NULL;
}

static void hash_done(void *ctx, const struct exe_file_key *key, bool ok,
		      const unsigned char sha256[32])
{
	struct capture_writer *w = ctx;
	struct hash_entry *e = find_hash(w, key);

	if (ok)
		w->st.exe_hashed++;
	else
		w->st.exe_unhashed++;
	if (!e)
		return; /* cannot happen: a pending entry is never evicted */
	e->state = ok ? HASH_OK : HASH_FAILED;
	memcpy(e->sha256, sha256, sizeof(e->sha256));
	add_hash_fact(w, e);
}

static void collect_hashes(struct capture_writer *w)
{
	if (w->hasher)
		exe_hasher_drain(w->hasher, hash_done, w);
}

/* A cache slot for a new file: a free one, else the next finished one round the cache. */
static struct hash_entry *new_hash(struct capture_writer *w, const struct exe_file_key *k)
{
	struct hash_entry *e = NULL;

	if (w->n_hashes < HASH_CACHE_MAX) {
		e = &w->hashes[w->n_hashes++];
	} else {
		for (size_t i = 0; i < HASH_CACHE_MAX && !e; i++) {
			struct hash_entry *c = &w->hashes[(w->evict + i) % HASH_CACHE_MAX];

			if (c->state != HASH_PENDING)
				e = c;
		}
		w->evict = (w->evict + 1) % HASH_CACHE_MAX;
		if (!e)
			return NULL;
	}
	*e = (struct hash_entry){ .key = *k, .state = HASH_PENDING };
	return e;
}

/*
 * Opens proc_root/PID/exe now, at the process's first event: the descriptor pins the file
 * it ran even if it is replaced or deleted later; the hash is computed by the worker, once
 * per file (device, inode, size, mtime). Fills *key, or leaves it zero (counted).
 */
static void hash_exe(struct capture_writer *w, uint32_t pid, const char *exe,
		     struct exe_file_key *key, uint8_t *from)
{
	char path[PATH_MAX];
	struct hash_entry *e;
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/%u/exe", w->proc_root, pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	*from = CAPTURE_EXE_FROM_PROC;
	if (fd < 0 && exe && exe[0] == '/') {
		/*
		 * a short-lived child (a curl, a sh -c) is often gone by the time its first
		 * record is handled: the file at its path now, moments later, said as such
		 */
		fd = open(exe, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		*from = CAPTURE_EXE_FROM_PATH;
		if (fd >= 0 && (fstat(fd, &st) || !S_ISREG(st.st_mode))) {
			close(fd);
			fd = -1;
		}
		if (fd >= 0)
			w->st.exe_by_path++;
	}
	if (fd < 0 || fstat(fd, &st)) {
		if (fd >= 0)
			close(fd);
		*from = CAPTURE_EXE_FROM_PROC;
		w->st.exe_unopened++; /* gone already (its path too), or a kernel thread */
		return;
	}
	*key = (struct exe_file_key){
		.dev = (uint64_t)st.st_dev,
		.ino = (uint64_t)st.st_ino,
		.size = (uint64_t)st.st_size,
		.mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec,
	};
	e = find_hash(w, key);
	if (e) {
		close(fd);
		add_hash_fact(w, e); /* already hashed: into this file if it is not yet */
		return;
	}
	if (!w->hasher || !(e = new_hash(w, key))) {
		close(fd);
		w->st.exe_dropped++;
		return;
	}
	if (exe_hasher_submit(w->hasher, fd, key)) {
		/* the queue is full: dropped (counted); the slot is free, a later process retries */
		memset(&e->key, 0, sizeof(e->key));
		e->state = HASH_FAILED;
		w->st.exe_dropped++;
	}
}

static uint16_t str_len(const char *s)
{
	size_t n = s ? strnlen(s, CAPTURE_FACT_STR_MAX) : 0;

	return (uint16_t)n;
}

/* The profile fact of tool id (1-based) into at, which has profile_fact_len(w, id) bytes. */
static size_t profile_fact_len(const struct capture_writer *w, size_t id)
{
	return sizeof(struct capture_fact_profile) +
	       strnlen(w->profiles->p[id - 1].name, CAPTURE_PROFILE_NAME_MAX);
}

static void profile_fact(const struct capture_writer *w, size_t id, unsigned char *at)
{
	struct capture_fact_profile f = {
		.h = { .type = CAPTURE_FACT_PROFILE, .len = (uint32_t)profile_fact_len(w, id) },
		.id = (uint16_t)id,
	};

	f.name_len = (uint16_t)(f.h.len - sizeof(f));
	memcpy(at, &f, sizeof(f));
	memcpy(at + sizeof(f), w->profiles->p[id - 1].name, f.name_len);
}

/*
 * Tool ids added since the last call (runtime:KIND): named in the waiting facts, which go
 * out before the records and facts that carry them.
 */
static void name_new_profiles(struct capture_writer *w)
{
	if (!w->profiles)
		return;
	while (w->profiles_named < w->profiles->n) {
		size_t id = ++w->profiles_named;

		profile_fact(w, id, facts_room(w, profile_fact_len(w, id)));
	}
}

/* Keeps blob as pid's last facts (replacing older ones), for the top of the next file. */
static void keep_fact(struct capture_writer *w, uint32_t pid, const unsigned char *blob,
		      uint32_t len)
{
	struct kept_fact *k = NULL;
	unsigned char *copy;

	for (size_t i = 0; i < w->n_kept && !k; i++) {
		if (w->kept[i].pid == pid)
			k = &w->kept[i];
	}
	if (!k) {
		if (w->n_kept == w->cap_kept) {
			size_t cap = w->cap_kept ? w->cap_kept * 2 : 64;
			struct kept_fact *grown;

			if (cap > KEPT_FACTS_MAX ||
			    !(grown = realloc(w->kept, cap * sizeof(*grown)))) {
				w->st.facts_unkept++;
				return;
			}
			w->kept = grown;
			w->cap_kept = cap;
		}
		k = &w->kept[w->n_kept++];
		*k = (struct kept_fact){ .pid = pid };
	}
	copy = malloc(len);
	if (!copy) {
		/* a new entry goes; an older fact of pid stays, less fresh but not wrong */
		w->st.facts_unkept++;
		if (!k->blob)
			*k = w->kept[--w->n_kept];
		return;
	}
	memcpy(copy, blob, len);
	free(k->blob);
	k->blob = copy;
	k->len = len;
}

/* Forgets the kept facts of processes no longer running (the table says so). */
static void prune_kept(struct capture_writer *w)
{
	size_t out = 0;

	if (!w->procs)
		return;
	for (size_t i = 0; i < w->n_kept; i++) {
		const struct proc_entry *e = proctable_get(w->procs, w->kept[i].pid);

		if (e && !e->exited)
			w->kept[out++] = w->kept[i];
		else
			free(w->kept[i].blob);
	}
	w->n_kept = out;
}

/*
 * At the top of a new file (rotating, so nothing here rotates again): one facts block with
 * the kept facts of the processes still running and the hashes of their executables, so the
 * file reads on its own. Written straight, not through the waiting facts, which a rotation
 * may be in the middle of writing.
 */
static void write_kept_facts(struct capture_writer *w)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	uint32_t count = 0;
	int err;

	prune_kept(w);
	/* the ids the header does not name, named by the facts of the file before */
	for (size_t id = w->profiles_in_header + 1; id <= w->profiles_named; id++) {
		size_t n = profile_fact_len(w, id);
		unsigned char *grown = realloc(buf, len + n);

		if (!grown) {
			w->st.facts_unkept++;
			break;
		}
		buf = grown;
		profile_fact(w, id, buf + len);
		len += n;
		count++;
	}
	for (size_t i = 0; i < w->n_kept; i++) {
		const struct kept_fact *k = &w->kept[i];
		struct capture_fact_proc p;
		struct capture_fact_exe_hash h = {
			.h = { .type = CAPTURE_FACT_EXE_HASH, .len = sizeof(h) },
		};
		struct exe_file_key key;
		struct hash_entry *e;
		unsigned char *grown;

		if (len + k->len + sizeof(h) > CAPTURE_BLOCK_RAW_MAX ||
		    !(grown = realloc(buf, len + k->len + sizeof(h)))) {
			w->st.facts_unkept += w->n_kept - i;
			break;
		}
		buf = grown;
		memcpy(buf + len, k->blob, k->len);
		len += k->len;
		count++;
		memcpy(&p, k->blob, sizeof(p));
		key = (struct exe_file_key){ p.exe_key.dev, p.exe_key.ino, p.exe_key.size,
					     p.exe_key.mtime_ns };
		e = exe_file_key_known(&key) ? find_hash(w, &key) : NULL;
		/* the file being started is rotations + 2: the count moves on when it is done */
		if (!e || e->state == HASH_PENDING || e->written_in == w->rotations + 2)
			continue;
		h.status = e->state == HASH_OK ? CAPTURE_HASH_OK : CAPTURE_HASH_UNREADABLE;
		to_key(&h.key, &e->key);
		memcpy(h.sha256, e->sha256, sizeof(h.sha256));
		memcpy(buf + len, &h, sizeof(h));
		len += sizeof(h);
		count++;
		e->written_in = w->rotations + 2;
	}
	if (count) {
		err = write_block(w, CAPTURE_BLOCK_FACTS, buf, len, count, true);
		if (err)
			w->st.facts_lost += count;
		else
			w->st.facts += count;
	}
	free(buf);
}

void capture_writer_facts(struct capture_writer *w, const struct proc_facts *f)
{
	struct capture_fact_proc p = {
		.h = { .type = CAPTURE_FACT_PROC },
		.pid = f->pid,
		.ppid = f->ppid,
		.root_pid = f->root_pid,
		.uid = f->uid,
		.start_ns = f->start_ns,
		.ts_ns = f->ts_ns,
		.tool = f->tool,
		.origin = f->origin,
		.why = f->why,
		.cmdline_state = f->cmdline_state,
		.netns_ino = f->netns_ino,
		.host_netns_ino = f->host_netns_ino,
		.exe_len = str_len(f->exe),
		.cmdline_len = str_len(f->cmdline),
		.parent_exe_len = str_len(f->parent_exe),
		.evidence_len = str_len(f->evidence),
	};
	struct exe_file_key key = f->exe_key;
	unsigned char *at;

	if (!w)
		return;
	name_new_profiles(w);
	collect_hashes(w);
	p.exe_from = f->exe_from;
	if (!exe_file_key_known(&key))
		hash_exe(w, f->pid, f->exe, &key, &p.exe_from);
	to_key(&p.exe_key, &key);
	memcpy(p.comm, f->comm, sizeof(p.comm));
	memcpy(p.parent_comm, f->parent_comm, sizeof(p.parent_comm));
	p.h.len = (uint32_t)(sizeof(p) + p.exe_len + p.cmdline_len + p.parent_exe_len +
			     p.evidence_len);
	at = facts_room(w, p.h.len);
	memcpy(at, &p, sizeof(p));
	at += sizeof(p);
	memcpy(at, f->exe, p.exe_len);
	at += p.exe_len;
	memcpy(at, f->cmdline, p.cmdline_len);
	at += p.cmdline_len;
	memcpy(at, f->parent_exe, p.parent_exe_len);
	at += p.parent_exe_len;
	memcpy(at, f->evidence, p.evidence_len);
	if (w->max_size)
		keep_fact(w, f->pid, at + p.evidence_len - p.h.len, p.h.len);
}

void capture_writer_facts_tap(void *w, const struct proc_facts *f)
{
	capture_writer_facts(w, f);
}

void capture_writer_name_tap(void *arg, const struct conn_name_fact *f)
{
	struct capture_writer *w = arg;
	size_t host_len = f->host ? strnlen(f->host, 255) : 0;
	struct capture_fact_conn_name c = {
		.h = { .type = CAPTURE_FACT_CONN_NAME, .len = (uint32_t)(sizeof(c) + host_len) },
		.cookie = f->cookie,
		.ts_ns = f->ts_ns,
		.pid = f->pid,
		.root_pid = f->root_pid,
		.remote = { .family = f->remote.family,
			    .port = f->remote.port,
			    .scope_id = f->remote.scope_id },
		.source = f->source,
		.host_len = (uint16_t)host_len,
	};
	unsigned char *at;

	memcpy(c.remote.addr, f->remote.addr, sizeof(c.remote.addr));
	at = facts_room(w, c.h.len);
	memcpy(at, &c, sizeof(c));
	if (host_len)
		memcpy(at + sizeof(c), f->host, host_len);
	w->st.names++;
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
	if (m->rules_digest)
		meta_add(buf, size, &len, "rules_digest", "%s", m->rules_digest);
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
		if (w->fd >= 0)
			close(w->fd);
		w->fd = -1;
		w->reopen_needed = true;
		w->reopen_tries = 1;
		w->reopen_next_ns = boot_now() + w->reopen_interval_ns;
		fprintf(stderr,
			"llmwatch: --capture %s: cannot create it again after a rotation: %s; "
			"retrying every %.1f s, at most %d times (the records meanwhile are lost, "
			"counted)\n",
			w->path, strerror(-err), (double)w->reopen_interval_ns / 1e9,
			REOPEN_TRIES_MAX);
		lost(w, 0, err);
	} else {
		if (w->procs)
			capture_writer_procs(w, w->procs);
		write_kept_facts(w);
	}
	/* the next snapshot goes into the new file whatever the counters */
	memset(w->losses, 0xff, N_LOSSES * sizeof(uint64_t));
	w->rotating = false;
	w->rotations++;
}

/*
 * No file since a rotation could not create it: tried again at most every
 * reopen_interval_ns, REOPEN_TRIES_MAX times in all; said when it works (with the records
 * lost meanwhile) and when it is given up.
 */
static void reopen(struct capture_writer *w)
{
	uint64_t now = boot_now();
	int err;

	if (!w->reopen_needed || w->reopen_tries >= REOPEN_TRIES_MAX || now < w->reopen_next_ns)
		return;
	w->reopen_tries++;
	w->reopen_next_ns = now + w->reopen_interval_ns;
	w->rotating = true;
	err = start_file(w);
	if (!err) {
		w->reopen_needed = false;
		fprintf(stderr,
			"llmwatch: --capture %s: created again (try %" PRIu64 "); %" PRIu64
			" records were lost meanwhile\n",
			w->path, w->reopen_tries, w->lost_unopened);
		if (w->procs)
			capture_writer_procs(w, w->procs);
		memset(w->losses, 0xff, N_LOSSES * sizeof(uint64_t));
	} else {
		if (w->fd >= 0)
			close(w->fd);
		w->fd = -1;
		if (w->reopen_tries == REOPEN_TRIES_MAX)
			fprintf(stderr,
				"llmwatch: --capture %s: still cannot create it after %d tries: "
				"%s; given up, every record from now on is lost (counted)\n",
				w->path, REOPEN_TRIES_MAX, strerror(-err));
	}
	w->rotating = false;
}

struct capture_writer *capture_writer_open(const char *path, const struct capture_meta *meta,
					   const struct capture_writer_opts *o, char *err,
					   size_t errsz)
{
	struct capture_writer *w = calloc(1, sizeof(*w));
	int e = -ENOMEM;

	if (!w || !(w->meta = malloc(CAPTURE_META_MAX)) || !(w->path = strdup(path)) ||
	    !(w->raw = malloc(WRITER_RAW_BYTES)) ||
	    !(w->losses = calloc(N_LOSSES, sizeof(uint64_t))) ||
	    !(w->facts = malloc(WRITER_FACTS_BYTES)) ||
	    !(w->hashes = calloc(HASH_CACHE_MAX, sizeof(*w->hashes))) ||
	    !(w->proc_root = strdup(o->proc_root ? o->proc_root : "/proc")))
		goto fail;
	w->hasher = exe_hasher_new(HASH_QUEUE_MAX);
	if (!w->hasher)
		goto fail;
	w->fd = -1;
	w->flush_ns = o->flush_ns;
	w->payloads = o->payloads;
	w->reopen_interval_ns = o->reopen_interval_ns ? o->reopen_interval_ns : 1000000000ull;
	w->max_size = o->max_size;
	w->keep = o->keep;
	w->meta_len = (uint32_t)build_meta(w->meta, CAPTURE_META_MAX, meta);
	w->profiles = meta->profiles;
	w->profiles_in_header = w->profiles_named = meta->profiles ? meta->profiles->n : 0;
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
		free(w->facts);
		free(w->hashes);
		free(w->proc_root);
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
	/* the executables still being hashed, waited for a bounded time */
	w->st.exe_unfinished = exe_hasher_wait(w->hasher, HASH_WAIT_NS);
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
		if (w->lost_unopened || w->reopen_needed)
			fprintf(log,
				"; %" PRIu64 " records lost while it could not be created again%s",
				w->lost_unopened, w->reopen_needed ? " (it never was)" : "");
		fprintf(log, "\n");
		fprintf(log,
			"llmwatch: capture %s: %" PRIu64 " process facts; executables: %" PRIu64
			" hashed (%" PRIu64 " of a process gone before, by its path), %" PRIu64
			" not hashed (%" PRIu64 " unreadable, %" PRIu64
			" gone before opened, %" PRIu64 " dropped: queue full, %" PRIu64
			" unfinished at the stop)\n",
			w->path, w->st.facts, w->st.exe_hashed, w->st.exe_by_path,
			w->st.exe_unhashed + w->st.exe_unopened + w->st.exe_dropped +
				w->st.exe_unfinished,
			w->st.exe_unhashed, w->st.exe_unopened, w->st.exe_dropped,
			w->st.exe_unfinished);
		if (w->st.facts_unkept)
			fprintf(log,
				"llmwatch: capture %s: %" PRIu64 " processes' facts not kept for "
				"the top of the next rotated file (too many): a rotated file "
				"replayed alone lacks them\n",
				w->path, w->st.facts_unkept);
		if (!w->payloads && (w->st.heads_left_out || w->st.names))
			fprintf(log,
				"llmwatch: capture %s: %" PRIu64 " stream heads left out (no "
				"--capture-payloads), %" PRIu64 " connection names kept instead\n",
				w->path, w->st.heads_left_out, w->st.names);
	}
	status = w->st.write_errors ? -1 : 0;
	if (w->zs_ready)
		deflateEnd(&w->zs);
	exe_hasher_free(w->hasher);
	free(w->facts);
	for (size_t i = 0; i < w->n_kept; i++)
		free(w->kept[i].blob);
	free(w->kept);
	free(w->hashes);
	free(w->proc_root);
	free(w->out);
	free(w->raw);
	free(w->losses);
	free(w->meta);
	free(w->path);
	free(w);
	return status;
}
