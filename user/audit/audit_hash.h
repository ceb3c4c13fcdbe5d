/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * SHA-256 of many model files at once for the integrity checks: every core (whole files,
 * largest first, two interleaved on a core where the CPU has the SHA extensions and there
 * are more files than cores), large sequential reads, a progress bar on a terminal,
 * and a cache keyed by (device, inode, size, mtime, ctime) so that a second audit of an
 * unchanged store reads nothing. The cache's format: docs/audit-integrity.md, "The hash cache".
 */
#ifndef LW_AUDIT_HASH_H
#define LW_AUDIT_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit/audit.h"

#define AUDIT_SHA256_LEN 32

/* One file to hash: path is filled in by the caller, the rest by audit_hash_files(). */
struct audit_hash_item {
	const char *path; /* as audit_open() takes it (the root or home prepended) */
	int err;	  /* 0, or -errno: could not be read (-EINVAL: not a regular file) */
	uint64_t size;	  /* bytes hashed (the size when it came from the cache) */
	uint64_t dev, ino;
	unsigned char sha256[AUDIT_SHA256_LEN]; /* when err == 0 */
	bool cached;				/* from the cache: the file was not read */
};

/* What one call did: the checks put it in their findings. */
struct audit_hash_stats {
	size_t files;	   /* items given */
	size_t hashed;	   /* read and hashed */
	size_t cached;	   /* answered by the cache */
	size_t unreadable; /* items with err != 0 */
	uint64_t bytes_hashed, bytes_cached;
	unsigned int threads; /* hashing threads started */
	double seconds;	      /* wall time of the call */
	bool cache_ignored;   /* a cache file was there but corrupt or unsafe: not trusted */
};

/*
 * Hashes items[0..n) with c->jobs threads (0: one per online CPU), answering from the cache
 * in c->cache_dir when a file's (device, inode, size, mtime, ctime) is there, and writing
 * the cache back (merged, atomically) when anything was read. Draws progress on
 * c->progress when it is a terminal. A file that cannot be read sets its item's err and is
 * counted; it does not fail the call. A corrupt or unsafe cache is ignored whole, with one
 * warning on stderr. Returns 0, or -errno when the work could not be done at all (-ENOMEM,
 * threads that could not start): then no item is valid.
 */
int audit_hash_files(const struct audit_ctx *c, struct audit_hash_item *items, size_t n,
		     struct audit_hash_stats *st);

/* The lower-case hex of a digest: out holds 2 * AUDIT_SHA256_LEN + 1 bytes. */
void audit_hash_hex(const unsigned char *sha256, char *out);

/* Parses exactly 64 hex digits (either case) from s. Returns 0 or -EINVAL. */
int audit_hash_unhex(const char *s, size_t len, unsigned char *sha256);

/* The cache file's name inside the cache directory. */
#define AUDIT_HASH_CACHE_FILE "audit-sha256.v1"

#endif /* LW_AUDIT_HASH_H */
