// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for `llmwatch diff` over reports read from files (report/report_diff.c):
 * the input is two JSON texts split at the first NUL byte (A, then B). Whatever they hold,
 * the check, the diff both ways and its text must neither crash nor leak; the text must
 * hold no control byte but line ends; a report diffed with itself adds nothing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

#define FUZZ_ASSERT(c)           \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

static void check_text(const cJSON *diff)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	FUZZ_ASSERT(f);
	FUZZ_ASSERT(report_diff_write_text(f, diff) == 0);
	fclose(f);
	for (size_t i = 0; i < len; i++)
		FUZZ_ASSERT(((unsigned char)buf[i] >= 0x20 && buf[i] != 0x7f) || buf[i] == '\n');
	free(buf);
}

static void one_way(const cJSON *a, const cJSON *b)
{
	cJSON *d = report_diff(a, b);

	FUZZ_ASSERT(d);
	check_text(d);
	cJSON_Delete(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const char *nul = memchr(text, '\0', size);
	size_t la = nul ? (size_t)(nul - text) : size;
	cJSON *a = cJSON_ParseWithLength(text, la);
	cJSON *b = nul ? cJSON_ParseWithLength(nul + 1, size - la - 1) : NULL;
	char err[256];
	cJSON *self;

	/* the check answers for anything, with a reason when it refuses */
	err[0] = '\0';
	if (report_diff_check(a, err, sizeof(err)))
		FUZZ_ASSERT(err[0] && strlen(err) < sizeof(err));
	one_way(a, b);
	one_way(b, a);
	self = report_diff(a, a);
	FUZZ_ASSERT(self && !report_diff_adds(self));
	cJSON_Delete(self);
	cJSON_Delete(a);
	cJSON_Delete(b);
	return 0;
}
