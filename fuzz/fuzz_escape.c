// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target, differential: the escaper (util/escape.c), the JSON writer's strings and
 * numbers (util/jsonw.c), the RFC 3339 time (util/timefmt.c) and the open flags' text
 * (util/openflags.c) against the code they replaced, kept in tests/unit/escape_ref.h. The
 * bytes are untrusted process names and paths, and the escaped form is a security property
 * (no terminal control, no forged line, no broken JSON, never two inputs the same): the
 * fast paths must give the reference's bytes for every input, cut at every buffer size.
 * Input: the bytes to escape; its first 8 bytes also make a number, a time and open flags,
 * and its length a buffer size.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../tests/unit/escape_ref.h"
#include "util/escape.h"
#include "util/jsonw.h"
#include "util/openflags.h"
#include "util/timefmt.h"

#define FUZZ_ASSERT(c)           \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

/* escape_bytes() into a buffer of size bytes, the same bytes past its end in both. */
static void check_escape(const char *s, size_t n, size_t size)
{
	char *got = malloc(size + 1), *want = malloc(size + 1);

	FUZZ_ASSERT(got && want);
	memset(got, 0x5a, size + 1);
	memset(want, 0x5a, size + 1);
	FUZZ_ASSERT(escape_bytes(size ? got : NULL, size, s, n) ==
		    ref_escape_bytes(size ? want : NULL, size, s, n));
	FUZZ_ASSERT(memcmp(got, want, size + 1) == 0);
	free(got);
	free(want);
}

static void check_json(const char *s, size_t n, uint64_t u)
{
	struct jsonw w;
	char *ref = ref_json_string(s, n), *want;
	size_t len = strlen(ref) + 64;

	want = malloc(len);
	FUZZ_ASSERT(want);
	snprintf(want, len, "{\"u\":%" PRIu64 ",\"i\":%" PRId64 ",\"k\":%s}", u, (int64_t)u, ref);
	jsonw_init(&w);
	jsonw_begin(&w);
	jsonw_uint(&w, "u", u);
	jsonw_int(&w, "i", (int64_t)u);
	jsonw_bytes(&w, "k", s, n);
	FUZZ_ASSERT(jsonw_end(&w) == 0);
	FUZZ_ASSERT(w.len == strlen(want) && strcmp(w.buf, want) == 0);
	jsonw_free(&w);
	free(want);
	free(ref);
}

static void check_time_flags(uint64_t u, size_t size)
{
	char got[80], want[80];
	/* the same second twice (the cache's hit), then the next, nanoseconds as given */
	struct timespec ts = { .tv_sec = (time_t)(int64_t)(u >> 20) - (1LL << 42),
			       .tv_nsec = (long)(u & 0xfffff) * 1000 - 2000 };

	if (size > sizeof(got) - 1)
		size = sizeof(got) - 1;
	for (int k = 0; k < 3; k++, ts.tv_sec += k == 2) {
		memset(got, 0x5a, sizeof(got));
		memset(want, 0x5a, sizeof(want));
		FUZZ_ASSERT(timefmt_rfc3339(size ? got : NULL, size, ts) ==
			    ref_rfc3339(size ? want : NULL, size, ts));
		FUZZ_ASSERT(memcmp(got, want, sizeof(got)) == 0);
	}
	if (!size)
		return;
	memset(got, 0x5a, sizeof(got));
	memset(want, 0x5a, sizeof(want));
	openflags_str(u, got, size);
	ref_openflags_str(u, want, size);
	FUZZ_ASSERT(memcmp(got, want, sizeof(got)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	size_t need = ref_escape_bytes(NULL, 0, s, size);
	uint64_t u = 0;

	memcpy(&u, data, size < sizeof(u) ? size : sizeof(u));
	/* every cut near the whole form and near the start; one chosen by the input */
	for (size_t d = 0; d < 6; d++) {
		check_escape(s, size, need + 2 >= d ? need + 2 - d : 0);
		check_escape(s, size, d);
	}
	check_escape(s, size, (size_t)(u % (need + 3)));
	check_json(s, size, u);
	check_time_flags(u, size % 48);
	return 0;
}
