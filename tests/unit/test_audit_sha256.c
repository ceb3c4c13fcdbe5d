// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * audit_sha256 (audit_sha256.h) against OpenSSL: every length from 0 to 300 bytes, one
 * stream and two interleaved with different lengths, updates split at odd places, a
 * megabyte and a half; then audit_hash_files() on one thread over files whose sizes end on
 * and beside block and read boundaries (it hashes two at a time there), each digest
 * against OpenSSL's.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit_hash.h"
#include "audit/audit_sha256.h"
#include "check.h"

#define BIG ((3u << 19) + 13) /* 1.5 MiB and 13 bytes: several of the hasher's reads */

static unsigned char *data_a, *data_b;

static void openssl_of(const void *p, size_t len, unsigned char *out)
{
	unsigned int n = 0;

	CHECK(EVP_Digest(p, len, out, &n, EVP_sha256(), NULL) == 1);
}

static void fill(unsigned char *p, size_t len, uint32_t seed)
{
	for (size_t i = 0; i < len; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (unsigned char)(seed >> 16);
	}
}

static void test_known(void)
{
	static const unsigned char abc[32] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
		0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
		0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
	};
	struct audit_sha256 s;
	unsigned char out[32];

	audit_sha256_init(&s);
	audit_sha256_update(&s, "abc", 3);
	audit_sha256_final(&s, out);
	CHECK(memcmp(out, abc, 32) == 0);
}

static void test_lengths(void)
{
	unsigned char want[32], got[32], want_b[32], got_b[32];
	size_t bad1 = 0, bad2 = 0, bad_split = 0;

	for (size_t len = 0; len <= 300; len++) {
		struct audit_sha256 a, b;
		size_t lb = 300 - len; /* the other stream's length differs */

		audit_sha256_init(&a);
		audit_sha256_update(&a, data_a, len);
		audit_sha256_final(&a, got);
		openssl_of(data_a, len, want);
		bad1 += memcmp(got, want, 32) != 0;

		audit_sha256_init(&a);
		audit_sha256_init(&b);
		audit_sha256_update2(&a, data_a, len, &b, data_b, lb);
		audit_sha256_final(&a, got);
		audit_sha256_final(&b, got_b);
		openssl_of(data_b, lb, want_b);
		bad2 += memcmp(got, want, 32) != 0 || memcmp(got_b, want_b, 32) != 0;

		/* a stream that is not at a block boundary when update2 comes */
		audit_sha256_init(&a);
		audit_sha256_init(&b);
		audit_sha256_update(&a, data_a, len / 3);
		audit_sha256_update2(&a, data_a + len / 3, len - len / 3, &b, data_b, lb);
		audit_sha256_final(&a, got);
		audit_sha256_final(&b, got_b);
		bad_split += memcmp(got, want, 32) != 0 || memcmp(got_b, want_b, 32) != 0;
	}
	CHECK_INT(bad1, 0);
	CHECK_INT(bad2, 0);
	CHECK_INT(bad_split, 0);
}

static void test_big(void)
{
	struct audit_sha256 a, b;
	unsigned char want_a[32], want_b[32], got_a[32], got_b[32];
	size_t step = 65536 + 64, off_b = 0;

	openssl_of(data_a, BIG, want_a);
	openssl_of(data_b, BIG - 1000, want_b);
	audit_sha256_init(&a);
	audit_sha256_init(&b);
	/* a in one go, b in uneven steps: b ends first and a goes on alone */
	audit_sha256_update2(&a, data_a, BIG - 4096, &b, data_b, step);
	off_b = step;
	while (off_b < BIG - 1000) {
		size_t n = BIG - 1000 - off_b < step ? BIG - 1000 - off_b : step;

		audit_sha256_update2(&a, NULL, 0, &b, data_b + off_b, n);
		off_b += n;
	}
	audit_sha256_update(&a, data_a + BIG - 4096, 4096);
	audit_sha256_final(&a, got_a);
	audit_sha256_final(&b, got_b);
	CHECK(memcmp(got_a, want_a, 32) == 0);
	CHECK(memcmp(got_b, want_b, 32) == 0);
}

/* The hasher's pairing: one thread, sizes on and beside the block and its 256 KiB read. */
static void test_hasher_pairs(void)
{
	static const size_t sizes[] = { 0,
					1,
					63,
					64,
					65,
					4096,
					(1u << 18) - 1,
					1u << 18,
					(1u << 18) + 1,
					(1u << 20) + 64,
					BIG,
					BIG - 64 };
	enum {
		N = sizeof(sizes) / sizeof(sizes[0])
	};
	char dir[] = "/tmp/lw-sha256-XXXXXX", paths[N][64];
	struct audit_hash_item items[N] = {};
	struct audit_hash_stats st;
	struct audit_ctx c = { .root = "/", .jobs = 1 };
	size_t bad = 0;

	CHECK(mkdtemp(dir) != NULL);
	for (size_t i = 0; i < N; i++) {
		int fd;

		snprintf(paths[i], sizeof(paths[i]), "%s/f%zu", dir, i);
		fd = open(paths[i], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		CHECK(fd >= 0);
		if (fd < 0)
			continue;
		/* each file starts at another offset, so no two share a digest */
		CHECK_INT(write(fd, data_a + i, sizes[i]), (long long)sizes[i]);
		close(fd);
		items[i].path = paths[i];
	}
	CHECK_INT(audit_hash_files(&c, items, N, &st), 0);
	CHECK_INT(st.hashed, N);
	CHECK_INT(st.threads, 1);
	for (size_t i = 0; i < N; i++) {
		unsigned char want[32];

		openssl_of(data_a + i, sizes[i], want);
		bad += items[i].err != 0 || items[i].size != sizes[i] ||
		       memcmp(items[i].sha256, want, 32) != 0;
		unlink(paths[i]);
	}
	CHECK_INT(bad, 0);
	rmdir(dir);
}

int main(void)
{
	data_a = malloc(BIG + 64);
	data_b = malloc(BIG + 64);
	if (!data_a || !data_b)
		return 1;
	fill(data_a, BIG + 64, 1);
	fill(data_b, BIG + 64, 2);
	if (audit_sha256_available()) {
		test_known();
		test_lengths();
		test_big();
	} else {
		printf("test_audit_sha256: no SHA extensions on this CPU: only the hasher's "
		       "OpenSSL path is tested\n");
	}
	test_hasher_pairs();
	free(data_a);
	free(data_b);
	return check_summary("test_audit_sha256");
}
