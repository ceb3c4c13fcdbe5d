// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for the DNS response parser and the cache fed from it: besides memory
 * errors (ASan/UBSan) it aborts when a documented contract is broken.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "names/dns_cache.h"
#include "names/dns_parse.h"

#define FUZZ_ASSERT(c)           \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

/* A name the parser hands out must be a normalized host name. */
static void check_name(const char *s)
{
	char norm[HOSTNAME_BUF];

	FUZZ_ASSERT(memchr(s, '\0', HOSTNAME_BUF) != NULL);
	if (!s[0])
		return;
	FUZZ_ASSERT(hostname_normalize(norm, sizeof(norm), s, strlen(s)) == (int)strlen(s));
	FUZZ_ASSERT(strcmp(norm, s) == 0);
}

static void check_response(int err, const struct dns_response *r)
{
	FUZZ_ASSERT(err == 0 || err == -EINVAL || err == -EMSGSIZE);
	FUZZ_ASSERT(r->n_answers <= DNS_MAX_ANSWERS && r->chain_len <= DNS_MAX_CHAIN);
	if (err == -EINVAL)
		FUZZ_ASSERT(r->n_answers == 0 && r->chain_len == 0);
	if (r->rcode != 0)
		FUZZ_ASSERT(r->n_answers == 0);
	check_name(r->qname);
	for (unsigned int i = 0; i < r->chain_len; i++) {
		check_name(r->chain[i].from);
		check_name(r->chain[i].to);
		FUZZ_ASSERT(r->chain[i].from[0] && r->chain[i].to[0]);
		FUZZ_ASSERT(strcmp(r->chain[i].from, i ? r->chain[i - 1].to : r->qname) == 0);
	}
	for (unsigned int i = 0; i < r->n_answers; i++) {
		const struct dns_answer *a = &r->answers[i];

		FUZZ_ASSERT(a->family == AF_INET || a->family == AF_INET6);
		FUZZ_ASSERT(a->chain_len <= r->chain_len);
		FUZZ_ASSERT(a->owner[0]);
		check_name(a->owner);
		FUZZ_ASSERT(strcmp(a->owner, a->chain_len ?
						     r->chain[a->chain_len - 1].to :
						     (r->qname[0] ? r->qname : a->owner)) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dns_cache *cache;
	static uint64_t now = 1;
	struct dns_response r;
	int err;

	if (!cache) {
		cache = dns_cache_new(64, 1, 600);
		FUZZ_ASSERT(cache);
	}
	/* Time moves 100 s per input, so entries both live and expire across inputs. */
	now += 100ull * 1000000000ull;

	err = dns_parse_udp(data, size, &r);
	check_response(err, &r);
	if (err != -EINVAL) {
		int stored = dns_cache_put_dns(cache, &r, 7, 7, now);

		FUZZ_ASSERT(stored >= 0 && stored <= (int)r.n_answers);
		/* Just stored, TTL >= 1 s, 32 <= 64 entries: every address must be found. */
		for (unsigned int i = 0; i < r.n_answers; i++) {
			struct lw_sockaddr a = { .family = r.answers[i].family };
			struct dns_cache_result res;

			memcpy(a.addr, r.answers[i].addr, sizeof(a.addr));
			if (hostname_is_ipv4_literal(r.qname[0] ? r.qname : r.answers[i].owner))
				continue; /* refused by the cache on purpose */
			FUZZ_ASSERT(dns_cache_lookup(cache, &a, 7, now, &res) == 0);
			check_name(res.name);
		}
	}
	err = dns_parse_tcp(data, size, &r);
	check_response(err, &r);
	return 0;
}
