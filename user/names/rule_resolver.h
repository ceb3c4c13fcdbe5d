/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * --resolve-rule-hosts: the addresses of the host names the rules' conditions name,
 * looked up with this machine's resolver (getaddrinfo), so that a connection to one of
 * them that nothing the tool did named (DNS over HTTPS, an address written into the
 * program, a lookup made before llmwatch started) still gets a name: host_source "rule".
 *
 * The lookups run in a thread of their own, since one can block for seconds: at start and
 * every RULE_RESOLVER_REFRESH_S after. The event loop takes each finished round with
 * rule_resolver_take() and hands it to naming_set_rule_names(). Off unless asked for:
 * llmwatch otherwise makes no network traffic of its own.
 */
#ifndef LW_RULE_RESOLVER_H
#define LW_RULE_RESOLVER_H

#include <stddef.h>

#include "names/naming.h"

#define RULE_RESOLVER_REFRESH_S 600

struct rule_resolver;

/* A finished round of lookups. */
struct rule_resolver_round {
	struct naming_rule_addr *addrs; /* the caller's to free (or to hand to naming) */
	size_t n_addrs;
	size_t names_resolved; /* names that gave at least one address */
	size_t names;	       /* names looked up */
};

/*
 * Starts looking up names[0..n) (copied) every refresh_s seconds. Returns NULL with errno
 * set if the thread cannot be started.
 */
struct rule_resolver *rule_resolver_start(const char *const *names, size_t n,
					  unsigned int refresh_s);

/* 1 with *out filled if a round finished since the last call, else 0. Never blocks. */
int rule_resolver_take(struct rule_resolver *r, struct rule_resolver_round *out);

/*
 * Stops the thread. One blocked in a lookup is not waited for beyond a moment: it is let
 * go and frees what it holds when the lookup returns (or the process exits).
 */
void rule_resolver_stop(struct rule_resolver *r);

#endif /* LW_RULE_RESOLVER_H */
