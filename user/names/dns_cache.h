/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Host-name cache: address -> names, learned from DNS answers, TLS server names and HTTP
 * Host headers that watched processes sent or received, so that a connect() to a bare
 * address can be reported (and matched by rules) with the name the process meant.
 *
 * Each entry is one (address, name, process tree) and remembers how the name was learned
 * and which process learned it. Entries expire after their TTL (clamped to the bounds set
 * at creation) and the least recently used one is evicted when the cache is full. Time is
 * always passed in by the caller (CLOCK_BOOTTIME ns, as in the records): the cache never
 * reads a clock, so tests control it and replayed captures behave as they did live.
 * Not thread-safe: one owner, the event loop.
 *
 * How the event loop feeds it (bytes captured for a watched pid whose tree root is root):
 *   port-53 payload received: dns_parse_udp() (or _tcp), then, on 0 or -EMSGSIZE,
 *     dns_cache_put_dns(cache, &resp, pid, root, ts);
 *   first bytes sent on a TCP connection to addr: tls_parse_sni() == 0, or failing that
 *     http_parse_request() == 0 && !req.host_is_ip, then dns_cache_put_name(cache, addr,
 *     name, DNS_CACHE_SRC_SNI or _HTTP, pid, root, DNS_CACHE_NAME_TTL, ts); that name also
 *     names this very connection directly;
 *   any event with an address: dns_cache_lookup(cache, addr, root, ts, &res) == 0 gives
 *     lw_event.host = res.name, host_source = dns_cache_source_name(res.source).
 */
#ifndef LW_DNS_CACHE_H
#define LW_DNS_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "names/hostname.h"
#include "llmwatch/events.h"

struct dns_response;
struct dns_cache;

/* How a name was learned: one bit each, so an entry can hold several. */
#define DNS_CACHE_SRC_DNS 0x1u	/* an A/AAAA answer (through CNAMEs) to the process */
#define DNS_CACHE_SRC_SNI 0x2u	/* the server name of the process's TLS ClientHello */
#define DNS_CACHE_SRC_HTTP 0x4u /* the Host header of the process's HTTP request */

#define DNS_CACHE_DEFAULT_ENTRIES 4096
/*
 * Names kept for one address (across process trees): a lookup walks them all, so this
 * bounds its cost. A new name past it replaces the address's least recently learned one.
 */
#define DNS_CACHE_NAMES_PER_ADDR 32
/*
 * TTLs are raised to at least this: programs keep using an address well past its TTL
 * (connection pools, their own caches), and a 0-second TTL would otherwise expire the
 * name before the connect that follows the answer is even decoded.
 */
#define DNS_CACHE_DEFAULT_MIN_TTL 300
#define DNS_CACHE_DEFAULT_MAX_TTL 86400
/* Suggested TTL for names from SNI and Host headers, which carry none. */
#define DNS_CACHE_NAME_TTL 3600

struct dns_cache_result {
	char name[HOSTNAME_BUF]; /* a copy: valid after the entry is gone */
	unsigned int source;	 /* DNS_CACHE_SRC_* of the most recent learning */
	unsigned int sources;	 /* every DNS_CACHE_SRC_* that taught this name */
	uint32_t pid;		 /* the process that learned it most recently */
	uint32_t root_pid;	 /* the root of that process's tree; 0 if unknown */
	bool same_tree;		 /* learned by the tree that asked */
	uint64_t expires_ns;
};

struct dns_cache_stats {
	uint64_t entries; /* live now (some may be past their TTL, not yet reaped) */
	uint64_t capacity;
	uint64_t inserts;   /* new entries */
	uint64_t refreshes; /* puts that renewed an existing entry */
	uint64_t evictions; /* live entries pushed out because the cache was full */
	uint64_t expired;   /* entries removed because their TTL had passed */
	uint64_t lookups, hits;
};

/*
 * Creates a cache of at most max_entries entries (0: DNS_CACHE_DEFAULT_ENTRIES), with
 * TTLs clamped to [min_ttl_s, max_ttl_s]. Returns NULL with errno set (EINVAL when
 * min_ttl_s > max_ttl_s or max_ttl_s is 0, ENOMEM).
 */
struct dns_cache *dns_cache_new(unsigned int max_entries, uint32_t min_ttl_s, uint32_t max_ttl_s);

/* Frees the cache and every entry; NULL is a no-op. */
void dns_cache_free(struct dns_cache *cache);

/*
 * Remembers that addr (AF_INET or AF_INET6; an IPv4-mapped IPv6 address is the same as
 * the IPv4 one; the port is ignored) is called name, learned by pid in the tree rooted at
 * root_pid (0: unknown) through source (exactly one DNS_CACHE_SRC_* bit), for ttl_s
 * seconds from now_ns. name is normalized (hostname_normalize); an IPv4 literal is refused
 * because it would name one address after another. An existing (address, name, tree)
 * entry is renewed: its expiry only ever moves later, its source bits accumulate. A new
 * name for an address that has DNS_CACHE_NAMES_PER_ADDR already replaces the one of them
 * learned least recently (counted in evictions, or expired if it was).
 * Returns 0, -EAFNOSUPPORT for other families, -EINVAL for a bad name or source; the
 * cache is then untouched.
 */
int dns_cache_put_name(struct dns_cache *cache, const struct lw_sockaddr *addr, const char *name,
		       unsigned int source, uint32_t pid, uint32_t root_pid, uint32_t ttl_s,
		       uint64_t now_ns);

/*
 * Remembers every address of a parsed response (dns_parse_udp/tcp) under the question
 * name (under each answer's own name when there was no question), with source
 * DNS_CACHE_SRC_DNS and the answer's TTL. A response whose rcode is not 0 adds nothing.
 * Returns the number of addresses stored (0 or more); never fails as a whole.
 */
int dns_cache_put_dns(struct dns_cache *cache, const struct dns_response *resp, uint32_t pid,
		      uint32_t root_pid, uint64_t now_ns);

/*
 * The best name for addr at now_ns: among entries not yet expired, one learned by the
 * tree root_pid (when root_pid != 0) wins over any other; between equals, the most
 * recently learned. Expired entries met on the way are removed. Returns 0 with *res
 * filled, -ENOENT if no name is known (res->name is then ""), -EAFNOSUPPORT for a family
 * other than AF_INET/AF_INET6.
 */
int dns_cache_lookup(struct dns_cache *cache, const struct lw_sockaddr *addr, uint32_t root_pid,
		     uint64_t now_ns, struct dns_cache_result *res);

/* Removes every entry expired at now_ns (a periodic sweep); returns how many. */
unsigned int dns_cache_expire(struct dns_cache *cache, uint64_t now_ns);

/* Copies the counters into *stats. */
void dns_cache_get_stats(const struct dns_cache *cache, struct dns_cache_stats *stats);

/*
 * "dns", "sni" or "http" for one DNS_CACHE_SRC_* bit (the lowest set), "none" for 0:
 * the strings struct lw_event.host_source uses.
 */
const char *dns_cache_source_name(unsigned int source);

#endif /* LW_DNS_CACHE_H */
