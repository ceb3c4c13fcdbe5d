// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for the GGUF validator (audit/gguf_check.c): any bytes are judged, never
 * read past (ASan sees an exactly sized copy), and the verdict keeps its contract: a refusal
 * has a code and a message that starts with the offset, which lies inside the input; a pass
 * has a data section that fits in the input; the kept strings stay within their bound.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit/gguf_check.h"

#define FUZZ_ASSERT(c)           \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

static void check_str(const struct gguf_str *s)
{
	FUZZ_ASSERT(s->kept <= GGUF_FACT_STR_MAX && s->raw[s->kept] == '\0');
	FUZZ_ASSERT(!s->present ||
		    s->kept == (s->len < GGUF_FACT_STR_MAX ? s->len : GGUF_FACT_STR_MAX));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gguf_check_result r;
	uint8_t *copy = malloc(size ? size : 1);
	int err;

	FUZZ_ASSERT(copy);
	memcpy(copy, data, size);
	err = gguf_check_mem(copy, size, &r);
	FUZZ_ASSERT(err == 0 || err == -12 /* ENOMEM */);
	if (err == 0 && r.ok) {
		FUZZ_ASSERT(r.code == GGUF_OK && r.text[0] == '\0');
		FUZZ_ASSERT(r.facts.version == 2 || r.facts.version == 3);
		FUZZ_ASSERT(r.facts.alignment && !(r.facts.alignment & (r.facts.alignment - 1)));
		FUZZ_ASSERT(r.facts.data_offset <= size);
		FUZZ_ASSERT(r.facts.data_offset + r.facts.trailing_bytes <= size);
		FUZZ_ASSERT(r.facts.n_tensors == 0 || r.facts.data_offset % r.facts.alignment == 0);
	} else if (err == 0) {
		FUZZ_ASSERT(r.code != GGUF_OK && r.code < GGUF_E_COUNT_);
		FUZZ_ASSERT(strncmp(r.text, "offset 0x", 9) == 0);
		FUZZ_ASSERT(r.offset <= size);
	}
	FUZZ_ASSERT(memchr(r.text, '\0', sizeof(r.text)) != NULL);
	check_str(&r.facts.architecture);
	check_str(&r.facts.name);
	free(copy);
	return 0;
}
