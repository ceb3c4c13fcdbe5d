/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Naming the far end of every connection: feeds captured payloads (DNS answers received,
 * stream heads sent) to the DNS, TLS and HTTP parsers, keeps the host-name cache, and
 * fills lw_event.host / host_source. A name learned from a connection's own stream (SNI,
 * Host:) names that connection first; otherwise the cache's best name for the address.
 */
#ifndef LW_NAMING_H
#define LW_NAMING_H

#include <stdbool.h>
#include <stdint.h>

#include "core/event.h"
#include "names/hostname.h"

struct naming;

struct naming_stats {
	uint64_t dns_answers;	   /* DNS responses parsed */
	uint64_t dns_malformed;	   /* DNS payloads refused by the parser */
	uint64_t sni, http;	   /* connections named from their own stream */
	uint64_t stream_malformed; /* TLS or HTTP heads refused as malformed */
	uint64_t streams_dropped;  /* stream heads forgotten because the table was full */
	uint64_t names_evicted;	   /* names the host-name cache pushed out (dns_cache evictions) */
};

/* Returns NULL with errno set on failure. */
struct naming *naming_new(void);
void naming_free(struct naming *n);

/*
 * Feeds one LW_REC_PAYLOAD event of the tree rooted at root_pid. Returns true when it
 * settled the name of the payload's connection (named, or known to carry no name), so a
 * connect waiting for it can be written.
 */
bool naming_feed(struct naming *n, const struct lw_event *ev, uint32_t root_pid);

/*
 * Whether the connection with this cookie may still be named by its own stream: it is a
 * TCP connection whose head has not been seen or not yet decided.
 */
bool naming_pending(struct naming *n, uint64_t cookie);

/*
 * Fills ev->host and ev->host_source ("sni", "http", "dns", "rule", or "none" with host
 * NULL) for events with a remote address. The strings live until the next call.
 */
void naming_name_event(struct naming *n, struct lw_event *ev, uint32_t root_pid);

/*
 * An address llmwatch resolved itself for a host name in the rules' conditions
 * (--resolve-rule-hosts). The family and addr of a struct lw_sockaddr; the port is ignored.
 */
struct naming_rule_addr {
	struct lw_sockaddr addr;
	char name[HOSTNAME_BUF];
};

/*
 * Replaces the addresses resolved for the rules' host names with v[0..count) (taken over:
 * freed by naming; NULL and 0 clear them). They name an address only when nothing the
 * processes did (a DNS answer to any tree, a TLS server name, a Host header) names it:
 * host_source "rule".
 */
void naming_set_rule_names(struct naming *n, struct naming_rule_addr *v, size_t count);

/*
 * What the stream of the connection with this cookie settled on: 1 with its name (size
 * bytes at most) and *source (DNS_CACHE_SRC_SNI or _HTTP), 0 when it carries no name ("" and
 * 0), -ENOENT when not settled or unknown.
 */
int naming_stream_result(struct naming *n, uint64_t cookie, char *name, size_t size,
			 unsigned int *source);

/*
 * A replay whose capture holds no stream heads: settles the stream of cookie as the live run
 * did (named name by source, DNS_CACHE_SRC_SNI or _HTTP, the address then named so for the
 * tree of root as by naming_feed(); or, with no name, as carrying none), so its connect is
 * named, and not held, as it was live.
 */
void naming_restore_stream(struct naming *n, uint64_t cookie, const struct lw_sockaddr *addr,
			   uint32_t pid, uint32_t root, const char *name, unsigned int source,
			   uint64_t now_ns);

/* Forgets a connection's stream state (it closed). */
void naming_forget(struct naming *n, uint64_t cookie);

/* Drops expired cache entries; call periodically. */
void naming_tick(struct naming *n, uint64_t now_ns);

void naming_get_stats(const struct naming *n, struct naming_stats *st);

#endif /* LW_NAMING_H */
