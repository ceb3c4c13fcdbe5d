// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * SHA-256 (FIPS 180-4) on the x86 SHA extensions, one stream or two interleaved
 * (audit_sha256.h). The round instruction, sha256rnds2, waits on its previous result, so a
 * single stream leaves the core idle between rounds: measured on the 2-CPU AMD EPYC VM this
 * was written on, one stream runs at OpenSSL's speed (OpenSSL uses the same instructions)
 * and two interleaved at about 1.4x of it (the Linux kernel's sha256_ni_finup2x, for
 * fs-verity, does the same). Elsewhere a plain C compression function keeps the file
 * building and correct; the hasher does not use it (audit_sha256_available() is false).
 * -DLW_SHA256_PORTABLE builds that one on x86 too, to check it against OpenSSL.
 */
#include "audit/audit_sha256.h"

#include <string.h>

#if defined(__x86_64__) && !defined(LW_SHA256_PORTABLE)
#include <cpuid.h>
#include <immintrin.h>
#endif

static const uint32_t K[64] __attribute__((aligned(16))) = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

/*
 * The initial hash value in the instructions' order: ABEF = {F, E, B, A} and CDGH =
 * {H, G, D, C} as 32-bit lanes from the lowest (Intel's SHA extensions reference).
 */
static const uint32_t IV_ABEF_CDGH[8] = {
	0x9b05688c, 0x510e527f, 0xbb67ae85, 0x6a09e667, /* F E B A */
	0x5be0cd19, 0x1f83d9ab, 0xa54ff53a, 0x3c6ef372, /* H G D C */
};

#if defined(__x86_64__) && !defined(LW_SHA256_PORTABLE)

#define SHA_TARGET __attribute__((target("sha,sse4.1,ssse3")))

bool audit_sha256_available(void)
{
	unsigned int a, b, c, d;

	/* cpuid, not __builtin_cpu_supports("sha"): clang's builtin does not know "sha" */
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 19)) || !(c & (1u << 9)))
		return false; /* SSE4.1 (ecx 19), SSSE3 (ecx 9) */
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return false;
	return b & (1u << 29); /* SHA (leaf 7, ebx 29) */
}
/* The message words of one block, big-endian, four to a vector. */
#define SHA_LOAD(w, p, i, mask) \
	(w)[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)((p) + 16 * (i))), mask)

/* W[4i..4i+3] from the 16 before them: msg1 adds sigma0, alignr brings W[t-7], msg2 sigma1. */
#define SHA_SCHED(w, i)                                                                    \
	(w)[(i)&3] = _mm_sha256msg2_epu32(                                                 \
		_mm_add_epi32(_mm_sha256msg1_epu32((w)[(i)&3], (w)[((i) + 1) & 3]),        \
			      _mm_alignr_epi8((w)[((i) + 3) & 3], (w)[((i) + 2) & 3], 4)), \
		(w)[((i) + 3) & 3])

/* Rounds 4i..4i+3: two per instruction, the second pair's words moved down. */
#define SHA_ROUNDS(s0, s1, w, i)                                                                 \
	do {                                                                                     \
		__m128i m_ =                                                                     \
			_mm_add_epi32((w)[(i)&3], _mm_load_si128((const __m128i *)&K[4 * (i)])); \
		(s1) = _mm_sha256rnds2_epu32(s1, s0, m_);                                        \
		(s0) = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(m_, 0x0e));               \
	} while (0)

SHA_TARGET static void compress1(uint32_t *state, const unsigned char *p, size_t blocks)
{
	const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i s0 = _mm_load_si128((const __m128i *)state);
	__m128i s1 = _mm_load_si128((const __m128i *)(state + 4));

	for (; blocks; blocks--, p += 64) {
		__m128i a0 = s0, a1 = s1, w[4];

		SHA_LOAD(w, p, 0, mask);
		SHA_ROUNDS(s0, s1, w, 0);
		SHA_LOAD(w, p, 1, mask);
		SHA_ROUNDS(s0, s1, w, 1);
		SHA_LOAD(w, p, 2, mask);
		SHA_ROUNDS(s0, s1, w, 2);
		SHA_LOAD(w, p, 3, mask);
		SHA_ROUNDS(s0, s1, w, 3);
#define SHA_STEP1(i)     \
	SHA_SCHED(w, i); \
	SHA_ROUNDS(s0, s1, w, i)
		SHA_STEP1(4);
		SHA_STEP1(5);
		SHA_STEP1(6);
		SHA_STEP1(7);
		SHA_STEP1(8);
		SHA_STEP1(9);
		SHA_STEP1(10);
		SHA_STEP1(11);
		SHA_STEP1(12);
		SHA_STEP1(13);
		SHA_STEP1(14);
		SHA_STEP1(15);
#undef SHA_STEP1
		s0 = _mm_add_epi32(s0, a0);
		s1 = _mm_add_epi32(s1, a1);
	}
	_mm_store_si128((__m128i *)state, s0);
	_mm_store_si128((__m128i *)(state + 4), s1);
}

/* Two streams, one block of each per step, their instructions interleaved. */
SHA_TARGET static void compress2(uint32_t *sa, const unsigned char *p, uint32_t *sb,
				 const unsigned char *q, size_t blocks)
{
	const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i s0 = _mm_load_si128((const __m128i *)sa);
	__m128i s1 = _mm_load_si128((const __m128i *)(sa + 4));
	__m128i t0 = _mm_load_si128((const __m128i *)sb);
	__m128i t1 = _mm_load_si128((const __m128i *)(sb + 4));

	for (; blocks; blocks--, p += 64, q += 64) {
		__m128i a0 = s0, a1 = s1, b0 = t0, b1 = t1, w[4], v[4];

#define SHA_STEP2_LOAD(i)         \
	SHA_LOAD(w, p, i, mask);  \
	SHA_LOAD(v, q, i, mask);  \
	SHA_ROUNDS(s0, s1, w, i); \
	SHA_ROUNDS(t0, t1, v, i)
#define SHA_STEP2(i)              \
	SHA_SCHED(w, i);          \
	SHA_SCHED(v, i);          \
	SHA_ROUNDS(s0, s1, w, i); \
	SHA_ROUNDS(t0, t1, v, i)
		SHA_STEP2_LOAD(0);
		SHA_STEP2_LOAD(1);
		SHA_STEP2_LOAD(2);
		SHA_STEP2_LOAD(3);
		SHA_STEP2(4);
		SHA_STEP2(5);
		SHA_STEP2(6);
		SHA_STEP2(7);
		SHA_STEP2(8);
		SHA_STEP2(9);
		SHA_STEP2(10);
		SHA_STEP2(11);
		SHA_STEP2(12);
		SHA_STEP2(13);
		SHA_STEP2(14);
		SHA_STEP2(15);
#undef SHA_STEP2
#undef SHA_STEP2_LOAD
		s0 = _mm_add_epi32(s0, a0);
		s1 = _mm_add_epi32(s1, a1);
		t0 = _mm_add_epi32(t0, b0);
		t1 = _mm_add_epi32(t1, b1);
	}
	_mm_store_si128((__m128i *)sa, s0);
	_mm_store_si128((__m128i *)(sa + 4), s1);
	_mm_store_si128((__m128i *)sb, t0);
	_mm_store_si128((__m128i *)(sb + 4), t1);
}

#else /* not x86-64, or LW_SHA256_PORTABLE */

bool audit_sha256_available(void)
{
	return false;
}

static uint32_t ror(uint32_t x, unsigned int n)
{
	return x >> n | x << (32 - n);
}

/* FIPS 180-4 6.2.2, on the state in the same (ABEF, CDGH) order as the x86 code's. */
static void compress1(uint32_t *state, const unsigned char *p, size_t blocks)
{
	for (; blocks; blocks--, p += 64) {
		uint32_t w[64], a = state[3], b = state[2], c = state[7], d = state[6],
				e = state[1], f = state[0], g = state[5], h = state[4];

		for (int t = 0; t < 16; t++)
			w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 |
			       (uint32_t)p[4 * t + 2] << 8 | p[4 * t + 3];
		for (int t = 16; t < 64; t++)
			w[t] = (ror(w[t - 2], 17) ^ ror(w[t - 2], 19) ^ w[t - 2] >> 10) + w[t - 7] +
			       (ror(w[t - 15], 7) ^ ror(w[t - 15], 18) ^ w[t - 15] >> 3) +
			       w[t - 16];
		for (int t = 0; t < 64; t++) {
			uint32_t t1 = h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) +
				      ((e & f) ^ (~e & g)) + K[t] + w[t];
			uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) +
				      ((a & b) ^ (a & c) ^ (b & c));

			h = g;
			g = f;
			f = e;
			e = d + t1;
			d = c;
			c = b;
			b = a;
			a = t1 + t2;
		}
		state[3] += a;
		state[2] += b;
		state[7] += c;
		state[6] += d;
		state[1] += e;
		state[0] += f;
		state[5] += g;
		state[4] += h;
	}
}

static void compress2(uint32_t *sa, const unsigned char *p, uint32_t *sb, const unsigned char *q,
		      size_t blocks)
{
	compress1(sa, p, blocks);
	compress1(sb, q, blocks);
}

#endif

void audit_sha256_init(struct audit_sha256 *s)
{
	memcpy(s->state, IV_ABEF_CDGH, sizeof(s->state));
	s->len = 0;
	s->fill = 0;
}

void audit_sha256_update(struct audit_sha256 *s, const void *data, size_t len)
{
	const unsigned char *p = data;

	if (!len)
		return;
	s->len += len;
	if (s->fill) {
		size_t take = 64 - s->fill < len ? 64 - s->fill : len;

		memcpy(s->tail + s->fill, p, take);
		s->fill += (unsigned int)take;
		p += take;
		len -= take;
		if (s->fill < 64)
			return;
		compress1(s->state, s->tail, 1);
		s->fill = 0;
	}
	if (len >= 64) {
		compress1(s->state, p, len / 64);
		p += len / 64 * 64;
		len %= 64;
	}
	memcpy(s->tail, p, len);
	s->fill = (unsigned int)len;
}

void audit_sha256_update2(struct audit_sha256 *a, const void *pa, size_t na, struct audit_sha256 *b,
			  const void *pb, size_t nb)
{
	size_t both = (na < nb ? na : nb) / 64;

	/* interleaved only from a block boundary in both: the hasher's reads keep them there */
	if (both && !a->fill && !b->fill) {
		compress2(a->state, pa, b->state, pb, both);
		a->len += both * 64;
		b->len += both * 64;
		pa = (const unsigned char *)pa + both * 64;
		pb = (const unsigned char *)pb + both * 64;
		na -= both * 64;
		nb -= both * 64;
	}
	audit_sha256_update(a, pa, na);
	audit_sha256_update(b, pb, nb);
}

void audit_sha256_final(struct audit_sha256 *s, unsigned char *out)
{
	unsigned char pad[128] = { 0x80 };
	uint64_t bits = s->len * 8;
	size_t n = s->fill < 56 ? 56 - s->fill : 120 - s->fill;
	uint32_t h[8];

	for (int i = 0; i < 8; i++)
		pad[n + (size_t)i] = (unsigned char)(bits >> (56 - 8 * i));
	audit_sha256_update(s, pad, n + 8);
	/* back from (F E B A, H G D C) to A..H, big-endian */
	h[0] = s->state[3];
	h[1] = s->state[2];
	h[2] = s->state[7];
	h[3] = s->state[6];
	h[4] = s->state[1];
	h[5] = s->state[0];
	h[6] = s->state[5];
	h[7] = s->state[4];
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(h[i] >> 8);
		out[4 * i + 3] = (unsigned char)h[i];
	}
}
