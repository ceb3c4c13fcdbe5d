// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The host-name cache as it grows (issue 18, `make bench`'s names curve): for each size N,
 * a cache of N entries filled with N names (one address each), then lookups of addresses
 * it holds and of addresses it does not; its heap; then the monitor's own cache (its
 * default size) fed the same N names: what it evicts, and whether the newest names are
 * still found. Last, one address with many names (a shared CDN address): a lookup walks
 * every name the address holds, which DNS_CACHE_NAMES_PER_ADDR bounds.
 *
 *   names N...
 * Prints, per N:
 *   names-size N CAPACITY HEAP_BYTES PUT_NS LOOKUP_HIT_NS LOOKUP_MISS_NS
 *   names-default N CAPACITY PUT_NS EVICTIONS NEWEST_FOUND OLDEST_FOUND LOOKUP_NS
 * Times are CPU time.
 * and, per M in 1 10 DNS_CACHE_NAMES_PER_ADDR 100 1000 4096 (names put on one address):
 *   names-shared M LOOKUP_NS HELD
 * (HELD: the names the address kept)
 */
#include <arpa/inet.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "names/dns_cache.h"

#define NOW_NS (1000ull * 1000000000ull)

static double now(void)
{
	struct timespec ts;

	/* CPU time: on a shared host the wall clock also counts other tasks' turns */
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Heap in use, small and mmap'd blocks together: the cache's arrays are mmap'd. */
static size_t heap_bytes(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

/* Address number i: 10.x.y.z for i < 2^24 (distinct for every i used here). */
static void addr_of(unsigned int i, struct lw_sockaddr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	a->addr[0] = 10;
	a->addr[1] = (uint8_t)(i >> 16);
	a->addr[2] = (uint8_t)(i >> 8);
	a->addr[3] = (uint8_t)i;
}

static void name_of(unsigned int i, char *buf, size_t size)
{
	snprintf(buf, size, "host-%u.bench-names.example", i);
}

/* A permutation step: lookups in an order unrelated to the insertion order. */
static unsigned int scatter(unsigned int k, unsigned int n)
{
	return (unsigned int)(((uint64_t)k * 2654435761u) % n);
}

static double fill(struct dns_cache *c, unsigned int n)
{
	struct lw_sockaddr a;
	char name[64];
	double t0 = now();

	for (unsigned int i = 0; i < n; i++) {
		addr_of(i, &a);
		name_of(i, name, sizeof(name));
		if (dns_cache_put_name(c, &a, name, DNS_CACHE_SRC_DNS, 100, 100, 3600, NOW_NS)) {
			fprintf(stderr, "names: put %u failed\n", i);
			exit(1);
		}
	}
	return (now() - t0) * 1e9 / n;
}

/* ns per lookup of `count` addresses from base + scatter(k, span); *found counts hits. */
static double lookups(struct dns_cache *c, unsigned int base, unsigned int span, unsigned int count,
		      unsigned int *found)
{
	struct dns_cache_result res;
	struct lw_sockaddr a;
	double t0 = now();

	*found = 0;
	for (unsigned int k = 0; k < count; k++) {
		addr_of(base + scatter(k, span), &a);
		if (dns_cache_lookup(c, &a, 100, NOW_NS, &res) == 0)
			(*found)++;
	}
	return (now() - t0) * 1e9 / count;
}

static void curve_size(unsigned int n)
{
	size_t h0 = heap_bytes();
	struct dns_cache *c =
		dns_cache_new(n, DNS_CACHE_DEFAULT_MIN_TTL, DNS_CACHE_DEFAULT_MAX_TTL);
	unsigned int found, count = n < 200000 ? 200000 : n;
	double put, hit, miss;
	size_t heap;

	if (!c) {
		perror("names: dns_cache_new");
		exit(1);
	}
	put = fill(c, n);
	heap = heap_bytes() - h0;
	hit = lookups(c, 0, n, count, &found);
	if (found != count) {
		fprintf(stderr, "names: %u of %u held names found\n", found, count);
		exit(1);
	}
	miss = lookups(c, n, n, count, &found);
	printf("names-size %u %u %zu %.1f %.1f %.1f\n", n, n, heap, put, hit, miss);
	dns_cache_free(c);
}

/* The best of 3 rounds, each a new cache: a shared host's interference only adds time. */
static void curve_default(unsigned int n)
{
	unsigned int newest = 0, oldest = 0, probe, found;
	struct dns_cache_stats st = { 0 };
	double put = 0, hit = 0;

	for (int round = 0; round < 3; round++) {
		struct dns_cache *c =
			dns_cache_new(0, DNS_CACHE_DEFAULT_MIN_TTL, DNS_CACHE_DEFAULT_MAX_TTL);
		double p, h;

		if (!c) {
			perror("names: dns_cache_new");
			exit(1);
		}
		p = fill(c, n);
		dns_cache_get_stats(c, &st);
		probe = n < st.capacity ? n : (unsigned int)st.capacity;
		lookups(c, n - probe, probe, probe, &newest);
		/* settled: the pass above brought the entries into the CPU's caches */
		h = lookups(c, n - probe, probe, 200000, &found);
		lookups(c, 0, probe, probe, &oldest);
		if (round == 0 || p < put)
			put = p;
		if (round == 0 || h < hit)
			hit = h;
		dns_cache_free(c);
	}
	printf("names-default %u %llu %.1f %llu %u %u %.1f\n", n, (unsigned long long)st.capacity,
	       put, (unsigned long long)st.evictions, newest, oldest, hit);
}

static void curve_shared(unsigned int m)
{
	struct dns_cache *c =
		dns_cache_new(0, DNS_CACHE_DEFAULT_MIN_TTL, DNS_CACHE_DEFAULT_MAX_TTL);
	struct dns_cache_result res;
	struct dns_cache_stats st;
	struct lw_sockaddr a;
	char name[64];
	unsigned int count = 100000;
	double best = 0;

	if (!c) {
		perror("names: dns_cache_new");
		exit(1);
	}
	addr_of(7, &a);
	for (unsigned int i = 0; i < m; i++) {
		name_of(i, name, sizeof(name));
		dns_cache_put_name(c, &a, name, DNS_CACHE_SRC_DNS, 100, 100, 3600, NOW_NS);
	}
	/* the best of 5 rounds: a shared host's interference only ever adds time */
	for (int round = 0; round < 5; round++) {
		double t0 = now(), ns;

		for (unsigned int k = 0; k < count; k++)
			if (dns_cache_lookup(c, &a, 100, NOW_NS, &res)) {
				fprintf(stderr, "names: the shared address is not found\n");
				exit(1);
			}
		ns = (now() - t0) * 1e9 / count;
		if (round == 0 || ns < best)
			best = ns;
	}
	dns_cache_get_stats(c, &st);
	printf("names-shared %u %.1f %llu\n", m, best, (unsigned long long)st.entries);
	dns_cache_free(c);
}

int main(int argc, char **argv)
{
	static const unsigned int shared[] = { 1,   10,	  DNS_CACHE_NAMES_PER_ADDR,
					       100, 1000, DNS_CACHE_DEFAULT_ENTRIES };

	if (argc < 2) {
		fprintf(stderr, "usage: %s N...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		unsigned long n = strtoul(argv[i], NULL, 10);

		if (n == 0 || n > (1u << 24)) {
			fprintf(stderr, "names: size %s out of range (1..16777216)\n", argv[i]);
			return 2;
		}
		curve_size((unsigned int)n);
		curve_default((unsigned int)n);
	}
	for (size_t i = 0; i < sizeof(shared) / sizeof(shared[0]); i++)
		curve_shared(shared[i]);
	return 0;
}
