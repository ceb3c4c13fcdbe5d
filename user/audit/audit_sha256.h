/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * SHA-256 on the x86 SHA extensions, one stream or two interleaved on one core, for the
 * model hasher (audit_hash.c). Two streams: the SHA round instruction is bound by its
 * latency, so a second independent file's rounds fill the gaps and one core hashes about
 * 1.4x what one stream (OpenSSL's, or this one's) does. Where the CPU lacks the extensions
 * (or is not x86-64) audit_sha256_available() is false and the hasher uses OpenSSL alone.
 * Checked against OpenSSL by tests/unit/test_audit_sha256.c.
 */
#ifndef LW_AUDIT_SHA256_H
#define LW_AUDIT_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One stream. The state is kept in the instructions' order (ABEF, CDGH), 16-byte aligned. */
struct audit_sha256 {
	uint32_t state[8] __attribute__((aligned(16)));
	uint64_t len;		/* bytes given so far */
	unsigned char tail[64]; /* bytes of a block not yet compressed */
	unsigned int fill;	/* how many of tail's bytes are used */
};

/* Whether this CPU has the SHA extensions (and SSE4.1): every other call needs it. */
bool audit_sha256_available(void);

void audit_sha256_init(struct audit_sha256 *s);
void audit_sha256_update(struct audit_sha256 *s, const void *data, size_t len);

/*
 * a takes pa[0..na), b takes pb[0..nb): the same as two audit_sha256_update() calls, with
 * the whole blocks the two have in common compressed interleaved.
 */
void audit_sha256_update2(struct audit_sha256 *a, const void *pa, size_t na, struct audit_sha256 *b,
			  const void *pb, size_t nb);

/* Pads, writes the 32-byte digest to out; s is spent. */
void audit_sha256_final(struct audit_sha256 *s, unsigned char *out);

#endif /* LW_AUDIT_SHA256_H */
