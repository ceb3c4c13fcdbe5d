// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for the HTML report's writer (report/report_html.c): the document it
 * renders may be a report.json read back from disk, so any JSON, of any shape and with any
 * bytes in its strings, must render without a crash or leak into a page that holds only
 * the writer's own tags and attributes (tests/unit/html_check.h), as valid UTF-8.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "../tests/unit/html_check.h"

#define FUZZ_ASSERT(c)           \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *doc = cJSON_ParseWithLength((const char *)data, size);
	char *page = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	if (!doc)
		return 0;
	f = open_memstream(&page, &len);
	FUZZ_ASSERT(f != NULL);
	rc = report_write_html(f, doc);
	FUZZ_ASSERT(fclose(f) == 0);
	FUZZ_ASSERT(rc == 0);
	FUZZ_ASSERT(strlen(page) == len);
	FUZZ_ASSERT(html_page_is_safe(page));
	FUZZ_ASSERT(strstr(page, "<script") == NULL);
	free(page);
	cJSON_Delete(doc);
	return 0;
}
