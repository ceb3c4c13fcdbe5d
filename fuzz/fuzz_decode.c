// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for the record decoder: ring-buffer records today, capture files later.
 * Any bytes must decode into an event whose pointers stay inside the record, or be refused.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/event.h"

#define FUZZ_ASSERT(c)           \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

static void inside(const void *p, size_t n, const uint8_t *rec, size_t len)
{
	const uint8_t *q = p;

	FUZZ_ASSERT(!p || (q >= rec && n <= len && (size_t)(q - rec) <= len - n));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *rec = malloc(size ? size : 1);
	struct lw_event ev;

	FUZZ_ASSERT(rec);
	memcpy(rec, data, size);
	/* the producer always sets size to the record's length: make that hold often */
	if (size >= 4) {
		uint16_t n = (uint16_t)size;

		memcpy(rec + 2, &n, 2);
	}
	if (event_decode(rec, size, &ev) == 0) {
		if (ev.path) {
			inside(ev.path, ev.path_len + 1, rec, size);
			FUZZ_ASSERT(ev.path[ev.path_len] == '\0');
		}
		if (ev.filename)
			inside(ev.filename, strlen(ev.filename) + 1, rec, size);
		if (ev.unix_path)
			inside(ev.unix_path, ev.unix_path_len, rec, size);
		if (ev.payload)
			inside(ev.payload, ev.payload_len, rec, size);
		if (ev.addr)
			inside(ev.addr, sizeof(*ev.addr), rec, size);
	}
	free(rec);
	return 0;
}
