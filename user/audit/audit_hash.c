// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Streamed SHA-256 of many files on every core, with a progress bar and a cache
 * (audit_hash.h; the cache's layout: docs/audit-integrity.md, "The hash cache").
 *
 * A file is the unit of work: SHA-256 is sequential within a file, so threads take whole
 * files, largest first (the longest job starts first, so the last thread to finish is not
 * the one that drew a 40 GB model at the end). Where the CPU has the SHA extensions a
 * thread hashes two files at once, interleaved on its core (audit_sha256.h: about 1.4x one
 * file's rate), but takes a second file only when no idle thread could take it instead
 * (on a core of its own a file goes 2x). Each file is read 256 KiB at a time with pread(2)
 * into its own buffer: a model is never mapped, and the kernel's read-ahead (told the
 * access is sequential) keeps the disk busy while the core hashes.
 */
#include "audit/audit_hash.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit_files.h"
#include "audit/audit_sha256.h"
#include "util/escape.h"
#include "util/hexdigit.h"

/*
 * 256 KiB reads: measured on files in the page cache, one file a thread, 64 KiB to 1 MiB
 * cost the same CPU per byte and 16 KiB or 4 MiB more; with two files a thread, 256 KiB
 * beat 1 MiB by about 4% (14 paired runs, 10 in its favour): the two buffers then fit in a
 * 1 MiB L2 cache beside the copies' source lines, and a chunk is still hashed from L2.
 * Mapping the file instead of copying it cost twice as much
 * on the VM this was measured on: its hypervisor (PVM) keeps shadow page tables, so the
 * first touch of every newly mapped 4 KiB page exits to it (~2.4 us a page, 0.6 s of CPU
 * a GB, more than the SHA-256 itself); a copy into a buffer that stays mapped pays none of
 * that (docs/audit-integrity.md, "Hashing"). A mapping would also raise SIGBUS when the
 * file is truncated under it.
 */
#define HASH_BUF (1u << 18)
#define PROGRESS_NS 100000000ull /* at most 10 redraws a second */

/* --- hex --------------------------------------------------------------------------- */

void audit_hash_hex(const unsigned char *sha256, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < AUDIT_SHA256_LEN; i++) {
		out[2 * i] = digits[sha256[i] >> 4];
		out[2 * i + 1] = digits[sha256[i] & 15];
	}
	out[2 * AUDIT_SHA256_LEN] = '\0';
}

int audit_hash_unhex(const char *s, size_t len, unsigned char *sha256)
{
	if (len != 2 * AUDIT_SHA256_LEN)
		return -EINVAL;
	for (size_t i = 0; i < AUDIT_SHA256_LEN; i++) {
		int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		sha256[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* --- the cache ----------------------------------------------------------------------- */

/*
 * File layout (little-endian): "LWHASHC\n", u32 version (1), u32 count, count records of
 * 72 bytes, then the SHA-256 of everything before it. Any mismatch rejects the whole file.
 */
#define CACHE_MAGIC "LWHASHC\n"
#define CACHE_VERSION 1u
#define CACHE_HDR 16u
#define CACHE_REC 72u
#define CACHE_MAX_RECS (1u << 20) /* 72 MiB: far more model files than any machine holds */

struct cache_rec {
	uint64_t dev, ino, size;
	int64_t mtime_ns, ctime_ns;
	unsigned char sha256[AUDIT_SHA256_LEN];
};

struct cache {
	struct cache_rec *recs;
	size_t n;
};

static int rec_cmp(const void *a, const void *b)
{
	const struct cache_rec *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return 0;
}

static int64_t ts_ns(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

static void rec_of(struct cache_rec *r, const struct stat *st)
{
	*r = (struct cache_rec){
		.dev = (uint64_t)st->st_dev,
		.ino = (uint64_t)st->st_ino,
		.size = (uint64_t)st->st_size,
		.mtime_ns = ts_ns(&st->st_mtim),
		.ctime_ns = ts_ns(&st->st_ctim),
	};
}

static bool sha256_of(const void *data, size_t len, unsigned char *out)
{
	unsigned int n = 0;

	return EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) == 1 && n == AUDIT_SHA256_LEN;
}

static uint64_t get64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

static uint32_t get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static void put64(unsigned char *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, sizeof(v));
}

static void put32(unsigned char *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, sizeof(v));
}

static void cache_warn(const char *dir, const char *why)
{
	char shown[PATH_MAX * 2];

	escape_str(shown, sizeof(shown), dir);
	fprintf(stderr,
		"llmwatch: audit: hash cache %s/" AUDIT_HASH_CACHE_FILE
		": %s; ignored (every model is hashed again)\n",
		shown, why);
}

/* Reads exactly len bytes at offset 0. Returns 0 or -errno (-EIO when the file shrank). */
static int read_all(int fd, unsigned char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t r = pread(fd, buf + got, len - got, (off_t)got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EIO;
		got += (size_t)r;
	}
	return 0;
}

/*
 * Loads the cache: *out is empty when there is none. The file is untrusted input (another
 * program, a crash, a full disk may have left anything): its owner and mode are checked
 * (a cache others can write could vouch for a tampered model), then its size against its
 * count and its trailing digest against its bytes, before any record is used.
 */
static void cache_load(const char *dir, struct cache *out, bool *ignored)
{
	unsigned char *buf = NULL, sum[AUDIT_SHA256_LEN];
	char path[PATH_MAX];
	struct stat st;
	uint32_t count;
	size_t len;
	int fd;

	*out = (struct cache){};
	if (snprintf(path, sizeof(path), "%s/" AUDIT_HASH_CACHE_FILE, dir) >= (int)sizeof(path))
		return;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno != ENOENT) {
			cache_warn(dir, strerror(errno));
			*ignored = true;
		}
		return;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		cache_warn(dir, "not a regular file");
		goto bad;
	}
	if (st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		cache_warn(dir, "owned by another user or writable by others");
		goto bad;
	}
	if (st.st_size < (off_t)(CACHE_HDR + AUDIT_SHA256_LEN) ||
	    st.st_size >
		    (off_t)(CACHE_HDR + (uint64_t)CACHE_MAX_RECS * CACHE_REC + AUDIT_SHA256_LEN)) {
		cache_warn(dir, "corrupt (size)");
		goto bad;
	}
	len = (size_t)st.st_size;
	buf = malloc(len);
	if (!buf || read_all(fd, buf, len)) {
		cache_warn(dir, buf ? "could not be read" : "out of memory");
		goto bad;
	}
	count = get32(buf + 12);
	if (memcmp(buf, CACHE_MAGIC, 8) != 0 || get32(buf + 8) != CACHE_VERSION ||
	    count > CACHE_MAX_RECS ||
	    len != CACHE_HDR + (size_t)count * CACHE_REC + AUDIT_SHA256_LEN) {
		cache_warn(dir, "corrupt (header)");
		goto bad;
	}
	if (!sha256_of(buf, len - AUDIT_SHA256_LEN, sum) ||
	    memcmp(sum, buf + len - AUDIT_SHA256_LEN, AUDIT_SHA256_LEN) != 0) {
		cache_warn(dir, "corrupt (checksum)");
		goto bad;
	}
	out->recs = calloc(count ? count : 1, sizeof(*out->recs));
	if (!out->recs)
		goto bad;
	for (uint32_t i = 0; i < count; i++) {
		const unsigned char *p = buf + CACHE_HDR + (size_t)i * CACHE_REC;
		struct cache_rec *r = &out->recs[i];

		r->dev = get64(p);
		r->ino = get64(p + 8);
		r->size = get64(p + 16);
		r->mtime_ns = (int64_t)get64(p + 24);
		r->ctime_ns = (int64_t)get64(p + 32);
		memcpy(r->sha256, p + 40, AUDIT_SHA256_LEN);
	}
	out->n = count;
	qsort(out->recs, out->n, sizeof(*out->recs), rec_cmp);
	free(buf);
	close(fd);
	return;
bad:
	*ignored = true;
	free(buf);
	close(fd);
}

/* The cached digest of the file st describes, or NULL. */
static const struct cache_rec *cache_find(const struct cache *ca, const struct stat *st)
{
	struct cache_rec key;
	const struct cache_rec *r;

	if (!ca->n)
		return NULL;
	rec_of(&key, st);
	r = bsearch(&key, ca->recs, ca->n, sizeof(*ca->recs), rec_cmp);
	if (!r || r->size != key.size || r->mtime_ns != key.mtime_ns || r->ctime_ns != key.ctime_ns)
		return NULL;
	return r;
}

/* mkdir -p of the cache directory, 0700: it says which models this user has. */
static int mkdirs(const char *dir)
{
	char p[PATH_MAX];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(p))
		return -ENAMETOOLONG;
	memcpy(p, dir, n + 1);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			if (mkdir(p, 0700) && errno != EEXIST)
				return -errno;
			*s = '/';
		}
	if (mkdir(p, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

/*
 * Writes recs[0..n) (sorted, no two with one (dev, ino)) as the new cache: a temporary
 * file in the same directory renamed over the old one, so a reader sees the old cache or
 * the new one, never half of either.
 */
static int cache_save(const char *dir, const struct cache_rec *recs, size_t n)
{
	char tmp[PATH_MAX], path[PATH_MAX];
	unsigned char *buf;
	size_t len;
	int fd, err = 0;

	if (n > CACHE_MAX_RECS)
		n = CACHE_MAX_RECS;
	if (snprintf(path, sizeof(path), "%s/" AUDIT_HASH_CACHE_FILE, dir) >= (int)sizeof(path) ||
	    snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, AUDIT_HASH_CACHE_FILE) >=
		    (int)sizeof(tmp))
		return -ENAMETOOLONG;
	err = mkdirs(dir);
	if (err)
		return err;
	len = CACHE_HDR + n * CACHE_REC + AUDIT_SHA256_LEN;
	buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, CACHE_MAGIC, 8);
	put32(buf + 8, CACHE_VERSION);
	put32(buf + 12, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		unsigned char *p = buf + CACHE_HDR + i * CACHE_REC;

		put64(p, recs[i].dev);
		put64(p + 8, recs[i].ino);
		put64(p + 16, recs[i].size);
		put64(p + 24, (uint64_t)recs[i].mtime_ns);
		put64(p + 32, (uint64_t)recs[i].ctime_ns);
		memcpy(p + 40, recs[i].sha256, AUDIT_SHA256_LEN);
	}
	if (!sha256_of(buf, len - AUDIT_SHA256_LEN, buf + len - AUDIT_SHA256_LEN)) {
		free(buf);
		return -EIO;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return -errno;
	}
	for (size_t off = 0; off < len && !err;) {
		ssize_t w = write(fd, buf + off, len - off);

		if (w < 0 && errno != EINTR)
			err = -errno;
		else if (w > 0)
			off += (size_t)w;
	}
	if (!err && fchmod(fd, 0600))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	free(buf);
	return err;
}

/*
 * The new cache: this run's results, then the old records of files this run did not look
 * at (another check's models, another home), each (dev, ino) once, this run's winning.
 */
static int cache_merge_save(const char *dir, const struct cache *old, const struct cache_rec *now,
			    size_t n_now)
{
	struct cache_rec *all;
	size_t n = 0;
	int err;

	all = calloc(n_now + old->n + 1, sizeof(*all));
	if (!all)
		return -ENOMEM;
	memcpy(all, now, n_now * sizeof(*now));
	qsort(all, n_now, sizeof(*all), rec_cmp);
	/* drop duplicates among this run's (one file reached by two paths) */
	for (size_t i = 0; i < n_now; i++)
		if (!n || rec_cmp(&all[n - 1], &all[i]) != 0)
			all[n++] = all[i];
	n_now = n;
	for (size_t i = 0; i < old->n && n < CACHE_MAX_RECS; i++)
		if (!bsearch(&old->recs[i], all, n_now, sizeof(*all), rec_cmp))
			all[n++] = old->recs[i];
	qsort(all, n, sizeof(*all), rec_cmp);
	err = cache_save(dir, all, n);
	free(all);
	return err;
}

/* --- hashing ------------------------------------------------------------------------- */

struct job {
	struct audit_hash_item *item;
	struct stat st; /* as first seen: the cache's key */
	bool changed;	/* it changed while being hashed: not cached */
};

struct pool {
	const struct audit_ctx *c;
	struct job *jobs;
	size_t n_jobs;
	bool sha_ext; /* audit_sha256 (two files a thread) rather than OpenSSL (one) */
	pthread_mutex_t take_lock;
	size_t next;		    /* the next job to start, under take_lock */
	unsigned int never_started; /* threads that have not taken a job yet, likewise */
	atomic_uint_least64_t done_bytes;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned int running;
};

/*
 * The next job, or NULL. A thread's second file (second == true) is one no idle thread
 * could take instead: a file hashed beside another goes 1.4x faster on that core, but a
 * file on a core of its own goes 2x.
 */
static struct job *take_job(struct pool *p, bool second, bool *started)
{
	struct job *j = NULL;

	pthread_mutex_lock(&p->take_lock);
	if (p->next < p->n_jobs && (!second || p->n_jobs - p->next > p->never_started))
		j = &p->jobs[p->next++];
	if (!*started) {
		/* the first call of each thread, whatever it got: it is no longer waiting */
		*started = true;
		p->never_started--;
	}
	pthread_mutex_unlock(&p->take_lock);
	return j;
}

static bool same_version(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       ts_ns(&a->st_mtim) == ts_ns(&b->st_mtim) && ts_ns(&a->st_ctim) == ts_ns(&b->st_ctim);
}

/* Opens a path for reading without blocking on a FIFO or a device. Returns fd or -errno. */
static int open_regular(const struct audit_ctx *c, const char *path, struct stat *st)
{
	int fd = audit_open(c, path, O_RDONLY | O_NONBLOCK);

	if (fd < 0)
		return fd;
	if (fstat(fd, st)) {
		int err = -errno;

		close(fd);
		return err;
	}
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

/* One file being hashed by a thread. */
struct slot {
	struct job *j;
	int fd;
	struct stat before;
	uint64_t total;
	unsigned char *buf; /* HASH_BUF bytes, the thread's for this slot */
	size_t got;	    /* bytes in buf from the last read */
	struct audit_sha256 sha;
	EVP_MD_CTX *md; /* when the pool does not use audit_sha256 */
};

/* Opens j into s. Returns 0 or -errno (then the job is done: its err is set). */
static int slot_open(struct pool *p, struct slot *s, struct job *j)
{
	int fd = open_regular(p->c, j->item->path, &s->before);

	if (fd >= 0 && !p->sha_ext && EVP_DigestInit_ex(s->md, EVP_sha256(), NULL) != 1) {
		close(fd);
		fd = -EIO;
	}
	if (fd < 0) {
		j->item->err = fd;
		return fd;
	}
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if (p->sha_ext)
		audit_sha256_init(&s->sha);
	s->j = j;
	s->fd = fd;
	s->total = 0;
	return 0;
}

/*
 * Fills s->buf from the file: HASH_BUF bytes unless the file ends, so that every read but
 * the last leaves the digest at a block boundary (two files can then be hashed
 * interleaved). Returns 0 or -errno.
 */
static int slot_read(struct slot *s)
{
	s->got = 0;
	while (s->got < HASH_BUF) {
		ssize_t r = pread(s->fd, s->buf + s->got, HASH_BUF - s->got,
				  (off_t)(s->total + s->got));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		s->got += (size_t)r;
	}
	return 0;
}

/* Ends s's job: the digest on success, err otherwise; the slot is free again. */
static void slot_close(struct pool *p, struct slot *s, int err)
{
	struct audit_hash_item *it = s->j->item;
	struct job *j = s->j;
	struct stat after;
	unsigned int len = 0;

	if (!err && p->sha_ext)
		audit_sha256_final(&s->sha, it->sha256);
	else if (!err && EVP_DigestFinal_ex(s->md, it->sha256, &len) != 1)
		err = -EIO;
	/* a file rewritten while it was read has a digest of neither version: not cached */
	if (!err && (fstat(s->fd, &after) || !same_version(&s->before, &after) ||
		     !same_version(&s->before, &j->st)))
		j->changed = true;
	close(s->fd);
	it->err = err;
	if (!err) {
		it->size = s->total;
		it->dev = (uint64_t)s->before.st_dev;
		it->ino = (uint64_t)s->before.st_ino;
		j->st = s->before;
	}
	s->j = NULL;
}

/*
 * One thread: up to two files at a time with audit_sha256 (one with OpenSSL), each read in
 * HASH_BUF chunks; when both have a chunk, the two are hashed interleaved.
 */
static void hash_slots(struct pool *p, struct slot *slots, unsigned int n_slots)
{
	bool started = false;

	for (;;) {
		struct slot *live[2];
		unsigned int n_live = 0, held = 0;

		for (unsigned int i = 0; i < n_slots; i++)
			held += slots[i].j != NULL;
		for (unsigned int i = 0; i < n_slots; i++) {
			struct slot *s = &slots[i];
			struct job *j;

			/* a job that cannot be opened is done (its err set): take another */
			while (!s->j && (j = take_job(p, held > 0, &started)))
				held += slot_open(p, s, j) == 0;
		}
		for (unsigned int i = 0; i < n_slots; i++) {
			struct slot *s = &slots[i];
			int err;

			if (!s->j)
				continue;
			err = slot_read(s);
			if (err)
				slot_close(p, s, err);
			else
				live[n_live++] = s;
		}
		if (!n_live) {
			if (!held)
				return;
			continue; /* every read failed: fill the slots again */
		}
		if (n_live == 2)
			audit_sha256_update2(&live[0]->sha, live[0]->buf, live[0]->got,
					     &live[1]->sha, live[1]->buf, live[1]->got);
		else if (n_live == 1 && p->sha_ext)
			audit_sha256_update(&live[0]->sha, live[0]->buf, live[0]->got);
		else if (n_live == 1 &&
			 EVP_DigestUpdate(live[0]->md, live[0]->buf, live[0]->got) != 1) {
			slot_close(p, live[0], -EIO);
			continue;
		}
		for (unsigned int i = 0; i < n_live; i++) {
			struct slot *s = live[i];

			s->total += s->got;
			atomic_fetch_add_explicit(&p->done_bytes, s->got, memory_order_relaxed);
			if (s->got < HASH_BUF)
				slot_close(p, s, 0);
		}
	}
}

static void *worker(void *arg)
{
	struct pool *p = arg;
	struct slot slots[2] = {};
	unsigned int n_slots = p->sha_ext ? 2 : 1;
	bool ok = true, started = false;
	struct job *j;

	for (unsigned int i = 0; i < n_slots; i++) {
		slots[i].buf = aligned_alloc(4096, HASH_BUF);
		if (!p->sha_ext)
			slots[i].md = EVP_MD_CTX_new();
		ok = ok && slots[i].buf && (p->sha_ext || slots[i].md);
	}
	if (ok)
		hash_slots(p, slots, n_slots);
	else
		while ((j = take_job(p, false, &started)))
			j->item->err = -ENOMEM;
	for (unsigned int i = 0; i < n_slots; i++) {
		EVP_MD_CTX_free(slots[i].md);
		free(slots[i].buf);
	}
	pthread_mutex_lock(&p->lock);
	p->running--;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void human(char *out, size_t size, double bytes)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned int u = 0;

	while (bytes >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		bytes /= 1024;
		u++;
	}
	snprintf(out, size, u ? "%.1f %s" : "%.0f %s", bytes, units[u]);
}

static void draw(FILE *f, uint64_t done, uint64_t total, double secs)
{
	char d[32], t[32], bar[31];
	unsigned int fill = total ? (unsigned int)(done * 30 / total) : 30;

	if (fill > 30)
		fill = 30;
	memset(bar, '#', fill);
	memset(bar + fill, '.', 30 - fill);
	bar[30] = '\0';
	human(d, sizeof(d), (double)done);
	human(t, sizeof(t), (double)total);
	fprintf(f, "\rhashing models [%s] %s / %s  %3u%%  %.2f GB/s\033[K", bar, d, t,
		total ? (unsigned int)(done * 100 / total) : 100u,
		secs > 0 ? (double)done / secs / 1e9 : 0.0);
	fflush(f);
}

static unsigned int threads_for(const struct audit_ctx *c, size_t n_jobs)
{
	long cpus = c->jobs ? (long)c->jobs : sysconf(_SC_NPROCESSORS_ONLN);

	if (cpus < 1)
		cpus = 1;
	if (cpus > 1024)
		cpus = 1024;
	return (unsigned int)((size_t)cpus < n_jobs ? (size_t)cpus : n_jobs);
}

static int job_cmp(const void *a, const void *b)
{
	const struct job *x = a, *y = b;

	/* largest first; the order of equal sizes does not matter */
	return x->st.st_size > y->st.st_size ? -1 : x->st.st_size < y->st.st_size ? 1 : 0;
}

/* Starts the threads, draws progress until they are done, joins them. */
static int run_pool(struct pool *p, unsigned int n_threads, uint64_t total, FILE *progress)
{
	pthread_t *tids = calloc(n_threads, sizeof(*tids));
	double t0 = now_s();
	unsigned int started = 0;
	bool drawn = false;

	if (!tids)
		return -ENOMEM;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	pthread_mutex_init(&p->take_lock, NULL);
	p->running = n_threads;
	p->never_started = n_threads;
	for (; started < n_threads; started++)
		if (pthread_create(&tids[started], NULL, worker, p))
			break;
	pthread_mutex_lock(&p->take_lock);
	p->never_started -= n_threads - started; /* those will never ask */
	pthread_mutex_unlock(&p->take_lock);
	pthread_mutex_lock(&p->lock);
	p->running -= n_threads - started;
	if (!started) {
		pthread_mutex_unlock(&p->lock);
		pthread_mutex_destroy(&p->take_lock);
		pthread_cond_destroy(&p->cond);
		pthread_mutex_destroy(&p->lock);
		free(tids);
		return -EAGAIN;
	}
	if (progress) {
		/* at once: the bar says what the wait is for, however short it turns out */
		draw(progress, 0, total, 0);
		drawn = true;
	}
	while (p->running) {
		struct timespec dl;

		clock_gettime(CLOCK_REALTIME, &dl);
		dl.tv_nsec += (long)PROGRESS_NS;
		if (dl.tv_nsec >= 1000000000) {
			dl.tv_sec++;
			dl.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&p->cond, &p->lock, &dl);
		if (progress && p->running) {
			draw(progress, atomic_load(&p->done_bytes), total, now_s() - t0);
			drawn = true;
		}
	}
	pthread_mutex_unlock(&p->lock);
	for (unsigned int i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	if (drawn) {
		fputs("\r\033[K", progress);
		fflush(progress);
	}
	pthread_mutex_destroy(&p->take_lock);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	free(tids);
	return 0;
}

int audit_hash_files(const struct audit_ctx *c, struct audit_hash_item *items, size_t n,
		     struct audit_hash_stats *st)
{
	struct cache ca = {};
	struct cache_rec *fresh = NULL;
	struct job *jobs;
	size_t n_jobs = 0, n_fresh = 0;
	uint64_t total = 0;
	double t0 = now_s();
	FILE *progress = c->progress && isatty(fileno(c->progress)) ? c->progress : NULL;
	int err = 0;

	*st = (struct audit_hash_stats){ .files = n };
	jobs = calloc(n ? n : 1, sizeof(*jobs));
	fresh = calloc(n ? n : 1, sizeof(*fresh));
	if (!jobs || !fresh) {
		free(jobs);
		free(fresh);
		return -ENOMEM;
	}
	if (c->cache_dir)
		cache_load(c->cache_dir, &ca, &st->cache_ignored);

	/* First pass, here: what each file is, and whether the cache already knows it. */
	for (size_t i = 0; i < n; i++) {
		struct audit_hash_item *it = &items[i];
		const struct cache_rec *r;
		struct stat sb;
		int fd;

		it->err = 0;
		it->cached = false;
		it->size = 0;
		fd = open_regular(c, it->path, &sb);
		if (fd < 0) {
			it->err = fd;
			continue;
		}
		close(fd);
		it->dev = (uint64_t)sb.st_dev;
		it->ino = (uint64_t)sb.st_ino;
		r = cache_find(&ca, &sb);
		if (r) {
			memcpy(it->sha256, r->sha256, AUDIT_SHA256_LEN);
			it->size = r->size;
			it->cached = true;
			st->cached++;
			st->bytes_cached += r->size;
			fresh[n_fresh++] = *r;
			continue;
		}
		jobs[n_jobs++] = (struct job){ .item = it, .st = sb };
		total += (uint64_t)sb.st_size;
	}

	if (n_jobs) {
		struct pool p = {
			.c = c, .jobs = jobs, .n_jobs = n_jobs, .sha_ext = audit_sha256_available()
		};

		qsort(jobs, n_jobs, sizeof(*jobs), job_cmp);
		st->threads = threads_for(c, n_jobs);
		err = run_pool(&p, st->threads, total, progress);
		if (err)
			goto out;
		for (size_t i = 0; i < n_jobs; i++) {
			struct audit_hash_item *it = jobs[i].item;

			if (it->err)
				continue;
			st->hashed++;
			st->bytes_hashed += it->size;
			if (!jobs[i].changed) {
				rec_of(&fresh[n_fresh], &jobs[i].st);
				memcpy(fresh[n_fresh].sha256, it->sha256, AUDIT_SHA256_LEN);
				n_fresh++;
			}
		}
	}
	for (size_t i = 0; i < n; i++)
		if (items[i].err)
			st->unreadable++;
	/* only when something was read: an unchanged store costs no write */
	if (c->cache_dir && (st->hashed || st->cache_ignored)) {
		int serr = cache_merge_save(c->cache_dir, &ca, fresh, n_fresh);

		if (serr) {
			char shown[PATH_MAX * 2];

			escape_str(shown, sizeof(shown), c->cache_dir);
			fprintf(stderr, "llmwatch: audit: hash cache %s: not written: %s\n", shown,
				strerror(-serr));
		}
	}
out:
	st->seconds = now_s() - t0;
	free(ca.recs);
	free(jobs);
	free(fresh);
	return err;
}
