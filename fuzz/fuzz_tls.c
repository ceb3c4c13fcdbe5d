// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for the TLS SNI parser: memory errors, the documented return codes, and
 * the property the core relies on when it calls again with more bytes: a prefix of an
 * input whose answer is a name answers "need more" or the same name, never anything else.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "names/tls_parse.h"

#define FUZZ_ASSERT(c)           \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

static int parse_copy(const uint8_t *data, size_t n, char *host)
{
	/* An exact-size copy, so a read past n is an ASan report, not a silent success. */
	uint8_t *copy = malloc(n ? n : 1);
	int err;

	FUZZ_ASSERT(copy);
	memcpy(copy, data, n);
	err = tls_parse_sni(copy, n, host, HOSTNAME_BUF);
	free(copy);
	return err;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char host[HOSTNAME_BUF], part[HOSTNAME_BUF], norm[HOSTNAME_BUF];
	int err = tls_parse_sni(data, size, host, sizeof(host));

	FUZZ_ASSERT(err == 0 || err == -EAGAIN || err == -ENOMSG || err == -EINVAL ||
		    err == -ENOENT || err == -EMSGSIZE);
	if (err) {
		FUZZ_ASSERT(host[0] == '\0');
		return 0;
	}
	FUZZ_ASSERT(hostname_normalize(norm, sizeof(norm), host, strlen(host)) > 0);
	FUZZ_ASSERT(strcmp(norm, host) == 0);
	for (size_t cut = size / 2; cut < size; cut += (size - cut + 1) / 2) {
		int e = parse_copy(data, cut, part);

		FUZZ_ASSERT(e == -EAGAIN || (e == 0 && strcmp(part, host) == 0));
	}
	return 0;
}
