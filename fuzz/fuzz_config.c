// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for the configuration file's line parser (util/config_file.c): the file
 * is read by a root daemon. Any bytes must parse without a crash or leak; every entry handed
 * to the callback must keep the syntax's promises (a key of [a-z0-9-], a value without
 * control bytes, positions within the line), and every error must name the file and a
 * position, one line of text, within its bound.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/config_file.h"

#define FUZZ_ASSERT(c)           \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

static enum config_entry_verdict check_entry(void *ctx, const struct config_entry *e, char *msg,
					     size_t size)
{
	size_t klen = strlen(e->key);

	(void)ctx;
	FUZZ_ASSERT(klen >= 1 && klen <= CONFIG_FILE_KEY_MAX);
	for (size_t i = 0; i < klen; i++)
		FUZZ_ASSERT((e->key[i] >= 'a' && e->key[i] <= 'z') ||
			    (e->key[i] >= '0' && e->key[i] <= '9') || e->key[i] == '-');
	FUZZ_ASSERT(strlen(e->value) <= CONFIG_FILE_LINE_MAX);
	for (const char *p = e->value; *p; p++)
		FUZZ_ASSERT((unsigned char)*p >= 0x20 || *p == '\t');
	FUZZ_ASSERT(e->line >= 1 && e->key_col >= 1 && e->value_col > e->key_col);
	/* some keys are refused, to exercise both error paths */
	if (e->key[0] == 'k')
		return snprintf(msg, size, "bad key"), CONFIG_ENTRY_BAD_KEY;
	if (e->key[0] == 'v')
		return snprintf(msg, size, "bad value"), CONFIG_ENTRY_BAD_VALUE;
	return CONFIG_ENTRY_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config_file_errors errs;
	size_t n =
		config_file_parse("fuzz.conf", (const char *)data, size, check_entry, NULL, &errs);

	FUZZ_ASSERT(n == errs.n + errs.dropped && errs.n <= CONFIG_FILE_ERRORS_MAX);
	for (size_t i = 0; i < errs.n; i++) {
		FUZZ_ASSERT(strncmp(errs.text[i], "fuzz.conf:", 10) == 0);
		FUZZ_ASSERT(strlen(errs.text[i]) < CONFIG_FILE_ERROR_LEN);
		for (const char *p = errs.text[i]; *p; p++)
			FUZZ_ASSERT((unsigned char)*p >= 0x20 && *p != 0x7f);
	}
	return 0;
}
