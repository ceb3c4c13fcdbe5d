/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A byte-buffer writer for building packets (DNS messages, TLS ClientHellos) in the unit
 * tests and the replay benchmark: big-endian integers, raw bytes, uncompressed DNS names.
 * Test code: no bounds checks beyond the fixed size, which every builder stays well inside.
 */
#ifndef LW_BYTEBUF_H
#define LW_BYTEBUF_H

#include <stdint.h>
#include <string.h>

struct bytebuf {
	uint8_t b[20000];
	size_t n;
};

static inline void put8(struct bytebuf *p, unsigned int v)
{
	p->b[p->n++] = (uint8_t)v;
}

static inline void put16(struct bytebuf *p, unsigned int v)
{
	put8(p, v >> 8);
	put8(p, v & 0xff);
}

static inline void put32(struct bytebuf *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p, v & 0xffff);
}

static inline void putraw(struct bytebuf *p, const void *d, size_t n)
{
	if (n) /* memcpy's pointers must be valid even for 0 bytes */
		memcpy(p->b + p->n, d, n);
	p->n += n;
}

/* A dotted name, uncompressed, with its terminating root label. */
static inline void putname(struct bytebuf *p, const char *name)
{
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);

		put8(p, (unsigned int)l);
		putraw(p, name, l);
		name += l + (dot ? 1 : 0);
	}
	put8(p, 0);
}

#endif /* LW_BYTEBUF_H */
