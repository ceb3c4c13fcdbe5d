/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Test helpers for the host-naming parsers: read a seed file of fuzz/corpus (tests run from
 * the repository root) and copy bytes to an exactly sized heap block, so that a sanitizer
 * build catches any read one byte past the end.
 */
#ifndef LW_TEST_CORPUS_H
#define LW_TEST_CORPUS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads fuzz/corpus/<rel> into buf; returns its length, or 0 (and says why) on failure. */
static inline size_t corpus_read(const char *rel, void *buf, size_t size)
{
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "fuzz/corpus/%s", rel);
	f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "%s: cannot open (run the tests from the repository root)\n", path);
		return 0;
	}
	n = fread(buf, 1, size, f);
	fclose(f);
	return n;
}

/* A malloc'ed copy of p[0..n) with nothing after it (n == 0 gives a 1-byte block). */
static inline void *corpus_exact(const void *p, size_t n)
{
	void *q = malloc(n ? n : 1);

	if (!q) {
		perror("malloc");
		exit(2);
	}
	memcpy(q, p, n);
	return q;
}

#endif /* LW_TEST_CORPUS_H */
