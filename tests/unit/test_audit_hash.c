// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * audit_hash (audit_hash.h): known SHA-256 vectors through files, the empty file, many
 * files on many threads against one-shot digests, unreadable files counted, and the cache:
 * a hit when nothing changed, a miss when mtime changed, a corrupt, truncated or
 * world-writable cache ignored whole and rewritten.
 */
#include <errno.h>
#include <ftw.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit_hash.h"
#include "audit_fixture.h"

static void test_hex(void)
{
	unsigned char d[AUDIT_SHA256_LEN];
	char hex[65];
	const char *v = "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD";

	CHECK_INT(audit_hash_unhex(v, 64, d), 0);
	audit_hash_hex(d, hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK_INT(audit_hash_unhex(v, 63, d), -EINVAL);
	CHECK_INT(audit_hash_unhex("g", 1, d), -EINVAL);
	CHECK_INT(
		audit_hash_unhex("ga7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
				 64, d),
		-EINVAL);
}

/* FIPS 180-2's "abc", the empty file, and a file across the 1 MiB read boundary. */
static void test_vectors(void)
{
	struct audit_ctx c = { .root = "/", .jobs = 2 };
	struct audit_hash_item it[4] = {};
	struct audit_hash_stats st;
	char p[4][512], hex[65], want[65];
	size_t big_len = 3 * (1u << 20) + 17;
	unsigned char *big = malloc(big_len);

	for (size_t i = 0; i < big_len; i++)
		big[i] = (unsigned char)(i * 2654435761u >> 13);
	fx_tmp_put_n("abc", "abc", 3);
	fx_tmp_put_n("empty", "", 0);
	fx_tmp_put_n("big", big, big_len);
	fx_tmp_path(p[0], sizeof(p[0]), "abc");
	fx_tmp_path(p[1], sizeof(p[1]), "empty");
	fx_tmp_path(p[2], sizeof(p[2]), "big");
	fx_tmp_path(p[3], sizeof(p[3]), "absent");
	for (int i = 0; i < 4; i++)
		it[i].path = p[i];
	CHECK_INT(audit_hash_files(&c, it, 4, &st), 0);
	CHECK_INT(it[0].err, 0);
	audit_hash_hex(it[0].sha256, hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK_INT(it[0].size, 3);
	CHECK_INT(it[1].err, 0);
	audit_hash_hex(it[1].sha256, hex);
	CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	CHECK_INT(it[1].size, 0);
	fx_sha256_hex(big, big_len, want);
	audit_hash_hex(it[2].sha256, hex);
	CHECK_STR(hex, want);
	CHECK_INT(it[2].size, big_len);
	CHECK_INT(it[3].err, -ENOENT);
	CHECK_INT(st.files, 4);
	CHECK_INT(st.hashed, 3);
	CHECK_INT(st.cached, 0);
	CHECK_INT(st.unreadable, 1);
	CHECK_INT(st.bytes_hashed, 3 + big_len);
	free(big);
}

/* Many files of many sizes on 4 threads: each digest is its own file's. */
static void test_many(void)
{
	enum {
		N = 64
	};
	struct audit_ctx c = { .root = "/", .jobs = 4 };
	struct audit_hash_item it[N + 2] = {};
	struct audit_hash_stats st;
	static char p[N + 2][512], want[N][65];
	char name[32], hex[65];
	unsigned char *buf = malloc(1u << 20);

	mkdir(fx_tmp, 0700);
	for (int i = 0; i < N; i++) {
		size_t len = (size_t)(i * 7919u % (1u << 20));

		for (size_t k = 0; k < len; k++)
			buf[k] = (unsigned char)(i + k * 31);
		snprintf(name, sizeof(name), "m%02d", i);
		fx_tmp_put_n(name, buf, len);
		fx_sha256_hex(buf, len, want[i]);
		fx_tmp_path(p[i], sizeof(p[i]), name);
		it[i].path = p[i];
	}
	fx_tmp_path(p[N], sizeof(p[N]), ""); /* a directory: not a regular file */
	it[N].path = p[N];
	fx_tmp_path(p[N + 1], sizeof(p[N + 1]), "fifo");
	CHECK_INT(mkfifo(p[N + 1], 0600), 0); /* never opened for reading: it would block */
	it[N + 1].path = p[N + 1];
	CHECK_INT(audit_hash_files(&c, it, N + 2, &st), 0);
	for (int i = 0; i < N; i++) {
		CHECK_INT(it[i].err, 0);
		audit_hash_hex(it[i].sha256, hex);
		CHECK_STR(hex, want[i]);
	}
	CHECK_INT(it[N].err, -EINVAL);
	CHECK_INT(it[N + 1].err, -EINVAL);
	CHECK_INT(st.threads, 4);
	CHECK_INT(st.hashed, N);
	CHECK_INT(st.unreadable, 2);
	free(buf);
}

static void run(const struct audit_ctx *c, struct audit_hash_item *it, char (*p)[512], size_t n,
		struct audit_hash_stats *st)
{
	for (size_t i = 0; i < n; i++)
		it[i] = (struct audit_hash_item){ .path = p[i] };
	CHECK_INT(audit_hash_files(c, it, n, st), 0);
}

static void corrupt_cache(const char *dir, long off, int whence, int truncate_to)
{
	char path[512];
	int fd;
	unsigned char b;

	snprintf(path, sizeof(path), "%s/" AUDIT_HASH_CACHE_FILE, dir);
	fd = open(path, O_RDWR);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	if (truncate_to >= 0) {
		CHECK_INT(ftruncate(fd, truncate_to), 0);
	} else {
		off_t at = lseek(fd, off, whence);

		CHECK_INT(pread(fd, &b, 1, at), 1);
		b ^= 0x40;
		CHECK_INT(pwrite(fd, &b, 1, at), 1);
	}
	close(fd);
}

static void test_cache(void)
{
	char cache[512], p[3][512], hex[65];
	struct audit_ctx c = { .root = "/", .jobs = 2, .cache_dir = cache };
	struct audit_hash_item it[3];
	struct audit_hash_stats st;
	struct timespec ts[2] = { { .tv_sec = 1000000000 }, { .tv_sec = 1000000000 } };

	/* a directory that does not exist yet, two levels down: created 0700 */
	fx_tmp_path(cache, sizeof(cache), "cache/llmwatch");
	fx_tmp_put_n("c0", "abc", 3);
	fx_tmp_put_n("c1", "one", 3);
	fx_tmp_put_n("c2", "two", 3);
	for (int i = 0; i < 3; i++) {
		char n[8];

		snprintf(n, sizeof(n), "c%d", i);
		fx_tmp_path(p[i], sizeof(p[i]), n);
	}
	run(&c, it, p, 3, &st);
	CHECK_INT(st.hashed, 3);
	CHECK_INT(st.cached, 0);
	CHECK(!st.cache_ignored);

	/* nothing changed: every answer from the cache, and the same answer */
	run(&c, it, p, 3, &st);
	CHECK_INT(st.hashed, 0);
	CHECK_INT(st.cached, 3);
	CHECK(it[0].cached);
	CHECK_INT(it[0].size, 3);
	audit_hash_hex(it[0].sha256, hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

	/* a new mtime (and so a new ctime): that file is read again, the others are not */
	CHECK_INT(utimensat(AT_FDCWD, p[1], ts, 0), 0);
	run(&c, it, p, 3, &st);
	CHECK_INT(st.hashed, 1);
	CHECK_INT(st.cached, 2);
	CHECK(!it[1].cached);
	run(&c, it, p, 3, &st);
	CHECK_INT(st.cached, 3);

	/* content rewritten with the old mtime put back: ctime still tells */
	fx_tmp_put_n("c2", "TWO", 3);
	CHECK_INT(utimensat(AT_FDCWD, p[2], ts, 0), 0);
	run(&c, it, p, 3, &st);
	CHECK(!it[2].cached);
	fx_sha256_hex("TWO", 3, hex);
	{
		char got[65];

		audit_hash_hex(it[2].sha256, got);
		CHECK_STR(got, hex);
	}

	/* one flipped byte in a record: the whole cache is ignored, then rewritten */
	corrupt_cache(cache, 16 + 40, SEEK_SET, -1);
	run(&c, it, p, 3, &st);
	CHECK(st.cache_ignored);
	CHECK_INT(st.cached, 0);
	CHECK_INT(st.hashed, 3);
	audit_hash_hex(it[0].sha256, hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	run(&c, it, p, 3, &st);
	CHECK(!st.cache_ignored);
	CHECK_INT(st.cached, 3);

	/* truncated (a full disk, a crash): ignored */
	corrupt_cache(cache, 0, SEEK_SET, 50);
	run(&c, it, p, 3, &st);
	CHECK(st.cache_ignored);
	CHECK_INT(st.hashed, 3);

	/* the checksum itself damaged: ignored */
	corrupt_cache(cache, -1, SEEK_END, -1);
	run(&c, it, p, 3, &st);
	CHECK(st.cache_ignored);
	CHECK_INT(st.hashed, 3);

	/* writable by others: it could vouch for a tampered model, so it is not used */
	{
		char f[600];

		snprintf(f, sizeof(f), "%s/" AUDIT_HASH_CACHE_FILE, cache);
		CHECK_INT(chmod(f, 0666), 0);
		run(&c, it, p, 3, &st);
		CHECK(st.cache_ignored);
		CHECK_INT(st.cached, 0);
		run(&c, it, p, 3, &st); /* rewritten 0600 */
		CHECK_INT(st.cached, 3);
	}

	/* no cache at all */
	c.cache_dir = NULL;
	run(&c, it, p, 3, &st);
	CHECK_INT(st.hashed, 3);
}

/* Two calls on different files share one cache: neither evicts the other's records. */
static void test_cache_merge(void)
{
	char cache[512], a[1][512], b[1][512];
	struct audit_ctx c = { .root = "/", .cache_dir = cache };
	struct audit_hash_item it[1];
	struct audit_hash_stats st;

	fx_tmp_path(cache, sizeof(cache), "cache2");
	fx_tmp_put_n("ma", "a", 1);
	fx_tmp_put_n("mb", "b", 1);
	fx_tmp_path(a[0], sizeof(a[0]), "ma");
	fx_tmp_path(b[0], sizeof(b[0]), "mb");
	run(&c, it, a, 1, &st);
	run(&c, it, b, 1, &st);
	run(&c, it, a, 1, &st);
	CHECK_INT(st.cached, 1);
	run(&c, it, b, 1, &st);
	CHECK_INT(st.cached, 1);
}

int main(void)
{
	fx_tmp_init("hash");
	test_hex();
	test_vectors();
	test_many();
	test_cache();
	test_cache_merge();
	fx_tmp_done();
	return check_summary("audit_hash");
}
