// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for the HTTP/1 Host parser: memory errors, the documented return codes,
 * a Host that is always a clean name or IP literal, and prefix consistency (a prefix of an
 * input that yields a Host yields "need more" or the same Host).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "names/http_parse.h"

#define FUZZ_ASSERT(c)           \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

static int parse_copy(const uint8_t *data, size_t n, struct http_request *req)
{
	uint8_t *copy = malloc(n ? n : 1);
	int err;

	FUZZ_ASSERT(copy);
	memcpy(copy, data, n);
	err = http_parse_request(copy, n, req);
	free(copy);
	return err;
}

static void check_printable(const char *s, size_t size)
{
	const char *end = memchr(s, '\0', size);

	FUZZ_ASSERT(end != NULL);
	for (; s < end; s++)
		FUZZ_ASSERT(*s > 0x20 && *s < 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_request req, part;
	char norm[HOSTNAME_BUF];
	int err = http_parse_request(data, size, &req);

	FUZZ_ASSERT(err == 0 || err == -EAGAIN || err == -ENOMSG || err == -EINVAL ||
		    err == -ENOENT);
	check_printable(req.method, sizeof(req.method));
	check_printable(req.target, sizeof(req.target));
	check_printable(req.host, sizeof(req.host));
	if (err) {
		FUZZ_ASSERT(req.host[0] == '\0' && req.port == 0);
		return 0;
	}
	FUZZ_ASSERT(req.method[0] && req.target[0] && req.host[0]);
	if (req.host_is_ip && strchr(req.host, ':')) {
		FUZZ_ASSERT(strspn(req.host, "0123456789abcdef:.") == strlen(req.host));
	} else {
		FUZZ_ASSERT(hostname_normalize(norm, sizeof(norm), req.host, strlen(req.host)) > 0);
		FUZZ_ASSERT(strcmp(norm, req.host) == 0);
		FUZZ_ASSERT(req.host_is_ip == hostname_is_ipv4_literal(req.host));
	}
	for (size_t cut = size / 2; cut < size; cut += (size - cut + 1) / 2) {
		int e = parse_copy(data, cut, &part);

		FUZZ_ASSERT(e == -EAGAIN ||
			    (e == 0 && strcmp(part.host, req.host) == 0 && part.port == req.port));
	}
	return 0;
}
