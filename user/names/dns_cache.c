// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Host-name cache: address -> names with TTL, LRU bound and provenance (dns_cache.h). */
#include "names/dns_cache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "names/dns_parse.h"

#define NS_PER_S 1000000000ull

struct dns_cache_key {
	uint16_t family;
	uint8_t addr[16];
};

struct dns_cache_entry {
	struct dns_cache_entry *hnext;	     /* bucket chain; free list when unused */
	struct dns_cache_entry *prev, *next; /* LRU list, most recent first */
	struct dns_cache_key key;
	uint8_t source, sources;
	uint32_t pid, root_pid;
	uint64_t learned_ns, expires_ns;
	char name[HOSTNAME_BUF];
};

struct dns_cache {
	struct dns_cache_entry *entries, *free;
	struct dns_cache_entry **buckets;
	struct dns_cache_entry *lru_head, *lru_tail;
	size_t bucket_mask;
	uint64_t seed;
	uint32_t min_ttl_s, max_ttl_s;
	struct dns_cache_stats stats;
};

/* ------------------------------------------------------------------------------------ */
/* keys and hashing                                                                      */

static const uint8_t dns_cache_v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/* One key per address: IPv4-mapped IPv6 folds into IPv4, unused bytes are zero. */
static int dns_cache_make_key(uint16_t family, const uint8_t *addr, struct dns_cache_key *k)
{
	memset(k, 0, sizeof(*k));
	if (family == AF_INET) {
		k->family = AF_INET;
		memcpy(k->addr, addr, 4);
	} else if (family == AF_INET6) {
		if (memcmp(addr, dns_cache_v4mapped, sizeof(dns_cache_v4mapped)) == 0) {
			k->family = AF_INET;
			memcpy(k->addr, addr + 12, 4);
		} else {
			k->family = AF_INET6;
			memcpy(k->addr, addr, 16);
		}
	} else {
		return -EAFNOSUPPORT;
	}
	return 0;
}

static bool dns_cache_key_eq(const struct dns_cache_key *a, const struct dns_cache_key *b)
{
	return a->family == b->family && memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

/*
 * Seeded so that whoever controls the DNS answers a watched tool receives cannot aim all
 * their addresses at one bucket (a chain is bounded by max_entries anyway).
 */
static size_t dns_cache_bucket(const struct dns_cache *c, const struct dns_cache_key *k)
{
	uint64_t h = c->seed ^ k->family;

	for (size_t i = 0; i < sizeof(k->addr); i++) {
		h ^= k->addr[i];
		h *= 0x100000001b3ull; /* FNV-1a prime */
	}
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 32;
	return (size_t)h & c->bucket_mask;
}

/* ------------------------------------------------------------------------------------ */
/* lists                                                                                 */

static void dns_cache_lru_unlink(struct dns_cache *c, struct dns_cache_entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		c->lru_head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		c->lru_tail = e->prev;
	e->prev = e->next = NULL;
}

static void dns_cache_lru_push(struct dns_cache *c, struct dns_cache_entry *e)
{
	e->prev = NULL;
	e->next = c->lru_head;
	if (c->lru_head)
		c->lru_head->prev = e;
	else
		c->lru_tail = e;
	c->lru_head = e;
}

/* Unlinks e from its bucket and the LRU list and returns it to the free list. */
static void dns_cache_remove(struct dns_cache *c, struct dns_cache_entry *e)
{
	struct dns_cache_entry **pp = &c->buckets[dns_cache_bucket(c, &e->key)];

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	dns_cache_lru_unlink(c, e);
	e->hnext = c->free;
	c->free = e;
	c->stats.entries--;
}

/* ------------------------------------------------------------------------------------ */
/* API                                                                                   */

struct dns_cache *dns_cache_new(unsigned int max_entries, uint32_t min_ttl_s, uint32_t max_ttl_s)
{
	struct dns_cache *c;
	size_t nbuckets = 1;

	if (max_ttl_s == 0 || min_ttl_s > max_ttl_s) {
		errno = EINVAL;
		return NULL;
	}
	if (max_entries == 0)
		max_entries = DNS_CACHE_DEFAULT_ENTRIES;
	while (nbuckets < max_entries)
		nbuckets <<= 1;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->entries = calloc(max_entries, sizeof(*c->entries));
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
	c->buckets = calloc(nbuckets, sizeof(*c->buckets));
	if (!c->entries || !c->buckets) {
		dns_cache_free(c);
		errno = ENOMEM;
		return NULL;
	}
	for (unsigned int i = max_entries; i-- > 0;) {
		c->entries[i].hnext = c->free;
		c->free = &c->entries[i];
	}
	c->bucket_mask = nbuckets - 1;
	/* Without entropy the cache still works; it only loses its flooding defence. */
	if (getrandom(&c->seed, sizeof(c->seed), GRND_NONBLOCK) != sizeof(c->seed))
		c->seed = (uint64_t)(uintptr_t)c * 0x9e3779b97f4a7c15ull;
	c->min_ttl_s = min_ttl_s;
	c->max_ttl_s = max_ttl_s;
	c->stats.capacity = max_entries;
	return c;
}

void dns_cache_free(struct dns_cache *cache)
{
	if (!cache)
		return;
	free(cache->entries);
	free(cache->buckets);
	free(cache);
}

/* A free entry, making room if needed: the least recently used one goes. */
static struct dns_cache_entry *dns_cache_alloc(struct dns_cache *c, uint64_t now_ns)
{
	struct dns_cache_entry *e;

	if (!c->free) {
		e = c->lru_tail;
		if (e->expires_ns <= now_ns)
			c->stats.expired++;
		else
			c->stats.evictions++;
		dns_cache_remove(c, e);
	}
	e = c->free;
	c->free = e->hnext;
	return e;
}

static int dns_cache_put_key(struct dns_cache *c, const struct dns_cache_key *k, const char *name,
			     unsigned int source, uint32_t pid, uint32_t root_pid, uint32_t ttl_s,
			     uint64_t now_ns)
{
	struct dns_cache_entry *e, **head, *oldest = NULL;
	unsigned int same_addr = 0;
	char norm[HOSTNAME_BUF];
	uint64_t expires;

	if (source == 0 || (source & (source - 1)) ||
	    source > (DNS_CACHE_SRC_DNS | DNS_CACHE_SRC_SNI | DNS_CACHE_SRC_HTTP))
		return -EINVAL;
	if (hostname_normalize(norm, sizeof(norm), name, strlen(name)) < 0 ||
	    hostname_is_ipv4_literal(norm))
		return -EINVAL;
	if (ttl_s < c->min_ttl_s)
		ttl_s = c->min_ttl_s;
	if (ttl_s > c->max_ttl_s)
		ttl_s = c->max_ttl_s;
	expires = now_ns + (uint64_t)ttl_s * NS_PER_S;

	head = &c->buckets[dns_cache_bucket(c, k)];
	for (e = *head; e; e = e->hnext) {
		if (!dns_cache_key_eq(&e->key, k))
			continue;
		if (e->root_pid == root_pid && strcmp(e->name, norm) == 0)
			break;
		/* the address's least recently learned name, should it have too many */
		if (!oldest || e->learned_ns < oldest->learned_ns)
			oldest = e;
		same_addr++;
	}
	if (e) {
		c->stats.refreshes++;
		dns_cache_lru_unlink(c, e);
	} else {
		/*
		 * Every lookup of an address walks all of its names: a bound on the names of
		 * one address (a shared CDN address, or answers crafted to pile names on one)
		 * keeps that walk short. Its oldest name makes room, counted as an eviction.
		 */
		if (same_addr >= DNS_CACHE_NAMES_PER_ADDR) {
			if (oldest->expires_ns <= now_ns)
				c->stats.expired++;
			else
				c->stats.evictions++;
			dns_cache_remove(c, oldest);
		}
		/* An eviction may change *head (never head itself): read it only after. */
		e = dns_cache_alloc(c, now_ns);
		memset(e, 0, sizeof(*e));
		e->key = *k;
		e->root_pid = root_pid;
		memcpy(e->name, norm, sizeof(e->name));
		e->hnext = *head;
		*head = e;
		c->stats.inserts++;
		c->stats.entries++;
	}
	e->source = (uint8_t)source;
	e->sources |= (uint8_t)source;
	e->pid = pid;
	e->learned_ns = now_ns;
	if (expires > e->expires_ns)
		e->expires_ns = expires;
	dns_cache_lru_push(c, e);
	return 0;
}

int dns_cache_put_name(struct dns_cache *cache, const struct lw_sockaddr *addr, const char *name,
		       unsigned int source, uint32_t pid, uint32_t root_pid, uint32_t ttl_s,
		       uint64_t now_ns)
{
	struct dns_cache_key k;
	int err = dns_cache_make_key(addr->family, addr->addr, &k);

	if (err)
		return err;
	return dns_cache_put_key(cache, &k, name, source, pid, root_pid, ttl_s, now_ns);
}

int dns_cache_put_dns(struct dns_cache *cache, const struct dns_response *resp, uint32_t pid,
		      uint32_t root_pid, uint64_t now_ns)
{
	int stored = 0;

	if (resp->rcode != 0)
		return 0;
	for (unsigned int i = 0; i < resp->n_answers && i < DNS_MAX_ANSWERS; i++) {
		const struct dns_answer *a = &resp->answers[i];
		const char *name = resp->qname[0] ? resp->qname : a->owner;
		struct dns_cache_key k;

		if (dns_cache_make_key(a->family, a->addr, &k) == 0 &&
		    dns_cache_put_key(cache, &k, name, DNS_CACHE_SRC_DNS, pid, root_pid, a->ttl,
				      now_ns) == 0)
			stored++;
	}
	return stored;
}

int dns_cache_lookup(struct dns_cache *cache, const struct lw_sockaddr *addr, uint32_t root_pid,
		     uint64_t now_ns, struct dns_cache_result *res)
{
	struct dns_cache_entry *e, *next, *best = NULL;
	struct dns_cache_key k;
	bool best_same = false;
	int err;

	memset(res, 0, sizeof(*res));
	err = dns_cache_make_key(addr->family, addr->addr, &k);
	if (err)
		return err;
	cache->stats.lookups++;
	for (e = cache->buckets[dns_cache_bucket(cache, &k)]; e; e = next) {
		next = e->hnext;
		if (!dns_cache_key_eq(&e->key, &k))
			continue;
		if (e->expires_ns <= now_ns) {
			cache->stats.expired++;
			dns_cache_remove(cache, e);
			continue;
		}
		bool same = root_pid != 0 && e->root_pid == root_pid;

		if (!best || (same && !best_same) ||
		    (same == best_same && e->learned_ns > best->learned_ns)) {
			best = e;
			best_same = same;
		}
	}
	if (!best)
		return -ENOENT;
	cache->stats.hits++;
	dns_cache_lru_unlink(cache, best);
	dns_cache_lru_push(cache, best);
	memcpy(res->name, best->name, sizeof(res->name));
	res->source = best->source;
	res->sources = best->sources;
	res->pid = best->pid;
	res->root_pid = best->root_pid;
	res->same_tree = best_same;
	res->expires_ns = best->expires_ns;
	return 0;
}

unsigned int dns_cache_expire(struct dns_cache *cache, uint64_t now_ns)
{
	struct dns_cache_entry *e, *prev;
	unsigned int n = 0;

	/* Expiry times are not in LRU order, so every entry has to be looked at. */
	for (e = cache->lru_tail; e; e = prev) {
		prev = e->prev;
		if (e->expires_ns <= now_ns) {
			dns_cache_remove(cache, e);
			n++;
		}
	}
	cache->stats.expired += n;
	return n;
}

void dns_cache_get_stats(const struct dns_cache *cache, struct dns_cache_stats *stats)
{
	*stats = cache->stats;
}

const char *dns_cache_source_name(unsigned int source)
{
	if (source & DNS_CACHE_SRC_DNS)
		return "dns";
	if (source & DNS_CACHE_SRC_SNI)
		return "sni";
	if (source & DNS_CACHE_SRC_HTTP)
		return "http";
	return "none";
}
