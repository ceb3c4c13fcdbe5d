// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests of the host-name cache with a controlled clock: TTL, LRU bound, provenance. */
#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>

#include "check.h"
#include "corpus.h"
#include "names/dns_cache.h"
#include "names/dns_parse.h"

#define S 1000000000ull /* one second in ns */
#define T0 (1000 * S)

static struct lw_sockaddr sa(const char *text)
{
	struct lw_sockaddr a = { 0 };

	if (inet_pton(AF_INET, text, a.addr) == 1) {
		a.family = AF_INET;
	} else if (inet_pton(AF_INET6, text, a.addr) == 1) {
		a.family = AF_INET6;
	} else {
		fprintf(stderr, "bad address %s\n", text);
		exit(2);
	}
	a.port = 443;
	return a;
}

static struct dns_cache_result res;

/* The name the cache gives for an address, or "-" when none. */
static const char *name_of(struct dns_cache *c, const char *addr, uint32_t root, uint64_t now)
{
	struct lw_sockaddr a = sa(addr);

	return dns_cache_lookup(c, &a, root, now, &res) == 0 ? res.name : "-";
}

static int put(struct dns_cache *c, const char *addr, const char *name, unsigned int src,
	       uint32_t pid, uint32_t root, uint32_t ttl, uint64_t now)
{
	struct lw_sockaddr a = sa(addr);

	return dns_cache_put_name(c, &a, name, src, pid, root, ttl, now);
}

static void test_ttl(void)
{
	struct dns_cache *c = dns_cache_new(16, 0, 3600);
	struct dns_cache_stats st;

	CHECK(c != NULL);
	CHECK_INT(put(c, "192.0.2.1", "Api.Example.COM", DNS_CACHE_SRC_SNI, 10, 10, 10, T0), 0);
	CHECK_STR(name_of(c, "192.0.2.1", 10, T0), "api.example.com");
	CHECK_INT(res.source, DNS_CACHE_SRC_SNI);
	CHECK_STR(dns_cache_source_name(res.source), "sni");
	CHECK_INT(res.expires_ns, T0 + 10 * S);
	CHECK_STR(name_of(c, "192.0.2.1", 10, T0 + 10 * S - 1), "api.example.com");
	CHECK_STR(name_of(c, "192.0.2.1", 10, T0 + 10 * S), "-");
	CHECK_STR(res.name, "");
	dns_cache_get_stats(c, &st);
	CHECK_INT(st.expired, 1);
	CHECK_INT(st.entries, 0);
	CHECK_INT(st.lookups, 3);
	CHECK_INT(st.hits, 2);

	/* A renewal never shortens: a later put with a smaller TTL keeps the longer expiry. */
	CHECK_INT(put(c, "192.0.2.2", "a.example", DNS_CACHE_SRC_DNS, 10, 10, 100, T0), 0);
	CHECK_INT(put(c, "192.0.2.2", "a.example", DNS_CACHE_SRC_DNS, 10, 10, 5, T0 + S), 0);
	CHECK_STR(name_of(c, "192.0.2.2", 10, T0 + 50 * S), "a.example");
	CHECK_INT(res.expires_ns, T0 + 100 * S);
	dns_cache_get_stats(c, &st);
	CHECK_INT(st.refreshes, 1);

	/* The periodic sweep. */
	CHECK_INT(put(c, "192.0.2.3", "b.example", DNS_CACHE_SRC_DNS, 10, 10, 20, T0), 0);
	CHECK_INT(dns_cache_expire(c, T0 + 30 * S), 1);
	CHECK_INT(dns_cache_expire(c, T0 + 30 * S), 0);
	CHECK_INT(dns_cache_expire(c, T0 + 100 * S), 1);
	dns_cache_get_stats(c, &st);
	CHECK_INT(st.entries, 0);
	CHECK_INT(st.expired, 3);
	dns_cache_free(c);

	/* TTL clamps: 0 is raised to the minimum, a week lowered to the maximum. */
	c = dns_cache_new(16, 60, 86400);
	CHECK_INT(put(c, "192.0.2.1", "zero.example", DNS_CACHE_SRC_DNS, 1, 1, 0, T0), 0);
	CHECK_STR(name_of(c, "192.0.2.1", 1, T0 + 59 * S), "zero.example");
	CHECK_STR(name_of(c, "192.0.2.1", 1, T0 + 60 * S), "-");
	CHECK_INT(put(c, "192.0.2.1", "week.example", DNS_CACHE_SRC_DNS, 1, 1, 7 * 86400, T0), 0);
	CHECK_STR(name_of(c, "192.0.2.1", 1, T0), "week.example");
	CHECK_INT(res.expires_ns, T0 + 86400 * S);
	dns_cache_free(c);

	CHECK(dns_cache_new(16, 100, 10) == NULL && errno == EINVAL);
	CHECK(dns_cache_new(16, 0, 0) == NULL && errno == EINVAL);
}

static void test_eviction(void)
{
	struct dns_cache *c = dns_cache_new(4, 0, 3600);
	struct dns_cache_stats st;
	char addr[32], name[32];

	for (int i = 0; i < 4; i++) {
		snprintf(addr, sizeof(addr), "10.0.0.%d", i);
		snprintf(name, sizeof(name), "h%d.example", i);
		CHECK_INT(put(c, addr, name, DNS_CACHE_SRC_DNS, 1, 1, 600, T0 + (uint64_t)i), 0);
	}
	/* Using 10.0.0.0 makes 10.0.0.1 the least recently used. */
	CHECK_STR(name_of(c, "10.0.0.0", 1, T0 + 10), "h0.example");
	CHECK_INT(put(c, "10.0.0.4", "h4.example", DNS_CACHE_SRC_DNS, 1, 1, 600, T0 + 11), 0);
	dns_cache_get_stats(c, &st);
	CHECK_INT(st.entries, 4);
	CHECK_INT(st.capacity, 4);
	CHECK_INT(st.evictions, 1);
	CHECK_INT(st.expired, 0);
	CHECK_STR(name_of(c, "10.0.0.1", 1, T0 + 12), "-");
	CHECK_STR(name_of(c, "10.0.0.0", 1, T0 + 12), "h0.example");
	CHECK_STR(name_of(c, "10.0.0.4", 1, T0 + 12), "h4.example");

	/* Many more: the bound holds and every push-out is counted. */
	for (int i = 0; i < 100; i++) {
		snprintf(addr, sizeof(addr), "10.1.%d.%d", i / 200, i % 200);
		CHECK_INT(put(c, addr, "many.example", DNS_CACHE_SRC_DNS, 1, 1, 600, T0 + 20), 0);
	}
	dns_cache_get_stats(c, &st);
	CHECK_INT(st.entries, 4);
	CHECK_INT(st.evictions, 101);
	CHECK_INT(st.inserts, 105);

	/* A full cache whose oldest entry has expired counts it as expired, not evicted. */
	CHECK_INT(put(c, "10.2.0.1", "late.example", DNS_CACHE_SRC_DNS, 1, 1, 600,
		      T0 + 20 + 601 * S),
		  0);
	dns_cache_get_stats(c, &st);
	CHECK_INT(st.evictions, 101);
	CHECK_INT(st.expired, 1);
	dns_cache_free(c);
}

/*
 * One address with many names: the address keeps DNS_CACHE_NAMES_PER_ADDR of them (the
 * walk every lookup of it makes stays short), the least recently learned ones go first,
 * each counted; renewing a name it holds pushes nothing out.
 */
static void test_names_per_address(void)
{
	struct dns_cache *c = dns_cache_new(1000, 0, 3600);
	unsigned int n = DNS_CACHE_NAMES_PER_ADDR + 8;
	struct dns_cache_stats st;
	char name[32];

	for (unsigned int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "n%u.example", i);
		/* tree i + 1 learns name i */
		CHECK_INT(put(c, "104.16.0.1", name, DNS_CACHE_SRC_DNS, i + 1, i + 1, 600, T0 + i),
			  0);
	}
	CHECK_INT(put(c, "104.16.0.2", "other.example", DNS_CACHE_SRC_DNS, 1, 1, 600, T0 + n), 0);
	dns_cache_get_stats(c, &st);
	CHECK_INT(st.entries, DNS_CACHE_NAMES_PER_ADDR + 1);
	CHECK_INT(st.evictions, 8);
	/* tree 1's name was the oldest: gone, so tree 1 is given the newest name */
	CHECK_STR(name_of(c, "104.16.0.1", 1, T0 + n + 1), "n39.example");
	CHECK(!res.same_tree);
	/* tree 9's (name 8) was the oldest kept */
	CHECK_STR(name_of(c, "104.16.0.1", 9, T0 + n + 1), "n8.example");
	CHECK(res.same_tree);
	/* another address is not touched by the bound */
	CHECK_STR(name_of(c, "104.16.0.2", 1, T0 + n + 1), "other.example");

	/* renewing a held name evicts nothing; the next new name pushes out the oldest */
	CHECK_INT(put(c, "104.16.0.1", "n8.example", DNS_CACHE_SRC_SNI, 9, 9, 600, T0 + n + 2), 0);
	dns_cache_get_stats(c, &st);
	CHECK_INT(st.evictions, 8);
	CHECK_INT(st.refreshes, 1);
	CHECK_INT(put(c, "104.16.0.1", "new.example", DNS_CACHE_SRC_DNS, 99, 99, 600, T0 + n + 3),
		  0);
	dns_cache_get_stats(c, &st);
	CHECK_INT(st.evictions, 9);
	/* n9 was the least recently learned now (n8 was renewed): tree 10 lost its name */
	CHECK_STR(name_of(c, "104.16.0.1", 10, T0 + n + 4), "new.example");
	CHECK_STR(name_of(c, "104.16.0.1", 9, T0 + n + 4), "n8.example");

	/* past their TTL, the names that make room are counted as expired, not evicted */
	CHECK_INT(put(c, "104.16.0.1", "late.example", DNS_CACHE_SRC_DNS, 1, 1, 600, T0 + 700 * S),
		  0);
	dns_cache_get_stats(c, &st);
	CHECK_INT(st.evictions, 9);
	CHECK_INT(st.expired, 1);
	dns_cache_free(c);
}

static void test_provenance(void)
{
	struct dns_cache *c = dns_cache_new(64, 0, 3600);
	struct dns_cache_stats st;

	/* One CDN address, two names learned by two process trees. */
	CHECK_INT(put(c, "198.51.100.7", "api.mixpanel.com", DNS_CACHE_SRC_DNS, 101, 100, 300, T0),
		  0);
	CHECK_INT(put(c, "198.51.100.7", "cdn.other.example", DNS_CACHE_SRC_SNI, 201, 200, 300,
		      T0 + S),
		  0);
	CHECK_STR(name_of(c, "198.51.100.7", 100, T0 + 2 * S), "api.mixpanel.com");
	CHECK(res.same_tree);
	CHECK_INT(res.pid, 101);
	CHECK_INT(res.root_pid, 100);
	CHECK_STR(dns_cache_source_name(res.source), "dns");
	CHECK_STR(name_of(c, "198.51.100.7", 200, T0 + 2 * S), "cdn.other.example");
	CHECK(res.same_tree);
	/* Another tree, or an unknown one: the most recently learned. */
	CHECK_STR(name_of(c, "198.51.100.7", 300, T0 + 2 * S), "cdn.other.example");
	CHECK(!res.same_tree);
	CHECK_STR(name_of(c, "198.51.100.7", 0, T0 + 2 * S), "cdn.other.example");
	CHECK(!res.same_tree);
	/* Once the own tree's name expires, the other one is better than nothing. */
	CHECK_INT(put(c, "198.51.100.8", "mine.example", DNS_CACHE_SRC_DNS, 101, 100, 10, T0), 0);
	CHECK_INT(put(c, "198.51.100.8", "theirs.example", DNS_CACHE_SRC_DNS, 201, 200, 100, T0),
		  0);
	CHECK_STR(name_of(c, "198.51.100.8", 100, T0 + 5 * S), "mine.example");
	CHECK_STR(name_of(c, "198.51.100.8", 100, T0 + 20 * S), "theirs.example");

	/* The same name, tree and address from DNS then SNI: one entry, both sources. */
	CHECK_INT(put(c, "198.51.100.9", "both.example", DNS_CACHE_SRC_DNS, 101, 100, 60, T0), 0);
	CHECK_INT(put(c, "198.51.100.9", "BOTH.example.", DNS_CACHE_SRC_SNI, 102, 100, 60, T0), 0);
	CHECK_STR(name_of(c, "198.51.100.9", 100, T0), "both.example");
	CHECK_INT(res.source, DNS_CACHE_SRC_SNI);
	CHECK_INT(res.sources, DNS_CACHE_SRC_DNS | DNS_CACHE_SRC_SNI);
	CHECK_INT(res.pid, 102);
	CHECK_STR(dns_cache_source_name(DNS_CACHE_SRC_HTTP), "http");
	CHECK_STR(dns_cache_source_name(0), "none");

	/* Refused, and the cache untouched. */
	dns_cache_get_stats(c, &st);
	CHECK_INT(put(c, "198.51.100.10", "bad name", DNS_CACHE_SRC_DNS, 1, 1, 60, T0), -EINVAL);
	CHECK_INT(put(c, "198.51.100.10", "", DNS_CACHE_SRC_DNS, 1, 1, 60, T0), -EINVAL);
	CHECK_INT(put(c, "198.51.100.10", "203.0.113.5", DNS_CACHE_SRC_HTTP, 1, 1, 60, T0),
		  -EINVAL);
	CHECK_INT(put(c, "198.51.100.10", "x.example", 0, 1, 1, 60, T0), -EINVAL);
	CHECK_INT(put(c, "198.51.100.10", "x.example", 3, 1, 1, 60, T0), -EINVAL);
	CHECK_INT(put(c, "198.51.100.10", "x.example", 8, 1, 1, 60, T0), -EINVAL);
	struct lw_sockaddr un = { .family = AF_UNIX };

	CHECK_INT(dns_cache_put_name(c, &un, "x.example", DNS_CACHE_SRC_DNS, 1, 1, 60, T0),
		  -EAFNOSUPPORT);
	CHECK_INT(dns_cache_lookup(c, &un, 1, T0, &res), -EAFNOSUPPORT);
	struct dns_cache_stats st2;

	dns_cache_get_stats(c, &st2);
	CHECK_INT(st2.entries, st.entries);
	CHECK_INT(st2.inserts, st.inserts);
	CHECK_STR(name_of(c, "198.51.100.10", 1, T0), "-");
	dns_cache_free(c);
}

static void test_families(void)
{
	struct dns_cache *c = dns_cache_new(64, 0, 3600);

	CHECK_INT(put(c, "1.2.3.4", "v4.example", DNS_CACHE_SRC_DNS, 1, 1, 60, T0), 0);
	CHECK_INT(put(c, "2001:db8::1", "v6.example", DNS_CACHE_SRC_DNS, 1, 1, 60, T0), 0);
	CHECK_STR(name_of(c, "1.2.3.4", 1, T0), "v4.example");
	CHECK_STR(name_of(c, "2001:db8::1", 1, T0), "v6.example");
	/* An IPv6 address whose first 4 bytes are 1.2.3.4 is another address. */
	CHECK_STR(name_of(c, "102:304::", 1, T0), "-");
	CHECK_STR(name_of(c, "2001:db8::2", 1, T0), "-");
	CHECK_STR(name_of(c, "1.2.3.5", 1, T0), "-");
	/* A v4-mapped address (an AF_INET6 socket connecting to IPv4) is the IPv4 one. */
	CHECK_STR(name_of(c, "::ffff:1.2.3.4", 1, T0), "v4.example");
	CHECK_INT(put(c, "::ffff:5.6.7.8", "mapped.example", DNS_CACHE_SRC_SNI, 1, 1, 60, T0), 0);
	CHECK_STR(name_of(c, "5.6.7.8", 1, T0), "mapped.example");

	/* Bytes past the IPv4 address in the record are not part of the key. */
	struct lw_sockaddr a = sa("1.2.3.4");

	memset(a.addr + 4, 0xee, 12);
	CHECK_INT(dns_cache_lookup(c, &a, 1, T0, &res), 0);
	CHECK_STR(res.name, "v4.example");
	dns_cache_free(c);
}

static void test_from_dns(void)
{
	struct dns_cache *c = dns_cache_new(64, 0, 3600);
	struct dns_response r;
	uint8_t b[1024];
	size_t n;

	/* dnsmasq gives its local records TTL 0: without a floor they are gone at once. */
	n = corpus_read("dns/dnsmasq-udp-cname-chain2.bin", b, sizeof(b));
	CHECK_INT(dns_parse_udp(b, n, &r), 0);
	CHECK_INT(r.answers[0].ttl, 0);
	CHECK_INT(dns_cache_put_dns(c, &r, 4121, 4100, T0), 1);
	CHECK_STR(name_of(c, "1.2.3.4", 4100, T0), "-");
	dns_cache_free(c);

	c = dns_cache_new(64, DNS_CACHE_DEFAULT_MIN_TTL, DNS_CACHE_DEFAULT_MAX_TTL);
	CHECK_INT(dns_cache_put_dns(c, &r, 4121, 4100, T0), 1);
	/* Named by the question, not by the CDN name at the end of the chain. */
	CHECK_STR(name_of(c, "1.2.3.4", 4100, T0), "stats.example.org");
	CHECK_INT(res.source, DNS_CACHE_SRC_DNS);
	CHECK_INT(res.pid, 4121);
	CHECK(res.same_tree);

	n = corpus_read("dns/dnsmasq-udp-cname-aaaa.bin", b, sizeof(b));
	CHECK_INT(dns_parse_udp(b, n, &r), 0);
	CHECK_INT(dns_cache_put_dns(c, &r, 4121, 4100, T0), 1);
	CHECK_STR(name_of(c, "2001:db8::1", 4100, T0), "api.mixpanel.com");

	n = corpus_read("dns/dnsmasq-udp-nxdomain.bin", b, sizeof(b));
	CHECK_INT(dns_parse_udp(b, n, &r), 0);
	CHECK_INT(dns_cache_put_dns(c, &r, 4121, 4100, T0), 0);
	dns_cache_free(c);
	dns_cache_free(NULL);
}

int main(void)
{
	test_ttl();
	test_eviction();
	test_names_per_address();
	test_provenance();
	test_families();
	test_from_dns();
	return check_summary("test_dns_cache");
}
