// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Naming the far end of every connection (see naming.h). */
#include "names/naming.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names/dns_cache.h"
#include "names/dns_parse.h"
#include "names/http_parse.h"
#include "names/tls_parse.h"

/* Stream heads being reassembled, and names settled per connection. */
#define STREAMS_MAX 4096

/* A closed connection's slot: lookups probe past it, a new stream may take it. */
#define COOKIE_TOMBSTONE UINT64_MAX

enum stream_state {
	STREAM_OPEN,
	STREAM_NAMED,
	STREAM_NONAME
};

struct stream {
	uint64_t cookie; /* 0: free slot */
	uint8_t state;	 /* enum stream_state */
	uint8_t source;	 /* DNS_CACHE_SRC_SNI or _HTTP when named */
	uint16_t len;
	uint32_t base; /* DNS over TCP: stream offset of buf[0] */
	uint64_t last_ns;
	char name[HOSTNAME_BUF];
	uint8_t buf[LW_CAPTURE_OUT];
};

struct naming {
	struct dns_cache *cache;
	struct stream *streams; /* open addressing by cookie, linear probing */
	struct naming_stats stats;
	struct dns_cache_result res; /* backing store for the last event's host */
	char host[HOSTNAME_BUF];
	struct naming_rule_addr *rule_names; /* sorted by family, then address */
	size_t n_rule_names;
};

struct naming *naming_new(void)
{
	struct naming *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->cache = dns_cache_new(0, DNS_CACHE_DEFAULT_MIN_TTL, DNS_CACHE_DEFAULT_MAX_TTL);
	n->streams = calloc(STREAMS_MAX, sizeof(*n->streams));
	if (!n->cache || !n->streams) {
		naming_free(n);
		errno = ENOMEM;
		return NULL;
	}
	return n;
}

void naming_free(struct naming *n)
{
	if (!n)
		return;
	dns_cache_free(n->cache);
	free(n->streams);
	free(n->rule_names);
	free(n);
}

static size_t slot_of(uint64_t cookie)
{
	return (size_t)((cookie * 0x9e3779b97f4a7c15ull) >> 52) % STREAMS_MAX;
}

static void stream_reset(struct stream *s, uint64_t cookie, uint64_t now)
{
	memset(s, 0, offsetof(struct stream, buf));
	s->cookie = cookie;
	s->last_ns = now;
}

/*
 * The stream for cookie, or with create a new one in the first free or closed slot of its
 * probe run; failing those, the stalest settled stream, and failing that the stalest open
 * one (counted: that connection can no longer be named from its stream).
 */
static struct stream *stream_get(struct naming *n, uint64_t cookie, bool create, uint64_t now)
{
	struct stream *reuse = NULL, *settled = NULL, *open = NULL;
	size_t i = slot_of(cookie);

	for (size_t k = 0; k < 16; k++, i = (i + 1) % STREAMS_MAX) {
		struct stream *s = &n->streams[i];

		if (s->cookie == cookie)
			return s;
		if (!s->cookie) {
			if (!reuse)
				reuse = s;
			break;
		}
		if (s->cookie == COOKIE_TOMBSTONE) {
			if (!reuse)
				reuse = s;
		} else if (s->state != STREAM_OPEN) {
			if (!settled || s->last_ns < settled->last_ns)
				settled = s;
		} else if (!open || s->last_ns < open->last_ns) {
			open = s;
		}
	}
	if (!create)
		return NULL;
	if (!reuse)
		reuse = settled;
	if (!reuse) {
		n->stats.streams_dropped++;
		reuse = open;
	}
	stream_reset(reuse, cookie, now);
	return reuse;
}

void naming_forget(struct naming *n, uint64_t cookie)
{
	struct stream *s = stream_get(n, cookie, false, 0);

	if (s)
		s->cookie = COOKIE_TOMBSTONE;
}

/* Parses one DNS message (UDP datagram, or TCP message with its prefix) into the cache. */
static void parse_dns(struct naming *n, const uint8_t *p, size_t len, bool tcp,
		      const struct lw_event *ev, uint32_t root)
{
	struct dns_response *resp = malloc(sizeof(*resp));
	int r;

	if (!resp)
		return;
	r = tcp ? dns_parse_tcp(p, len, resp) : dns_parse_udp(p, len, resp);
	if (r == 0 || r == -EMSGSIZE) {
		n->stats.dns_answers++;
		dns_cache_put_dns(n->cache, resp, ev->pid, root, ev->ts_boot_ns);
	} else {
		n->stats.dns_malformed++;
	}
	free(resp);
}

/*
 * Parses every whole length-prefixed message at the start of s's buffer; with flush (the
 * buffer is full), also the partial one that fills it: the answers complete in it count,
 * and the stream can no longer be framed after it.
 */
static void drain_dns(struct naming *n, struct stream *s, const struct lw_event *ev, uint32_t root,
		      bool flush)
{
	while (s->len >= 2) {
		size_t mlen = 2 + ((size_t)s->buf[0] << 8 | s->buf[1]);

		if (mlen > s->len) {
			if (flush) {
				parse_dns(n, s->buf, s->len, true, ev, root);
				/* the rest of that message can no longer be framed */
				s->state = STREAM_NONAME;
				s->len = 0;
			}
			return;
		}
		parse_dns(n, s->buf, mlen, true, ev, root);
		memmove(s->buf, s->buf + mlen, s->len - mlen);
		s->len -= mlen;
		s->base += mlen;
	}
}

static bool feed_dns(struct naming *n, const struct lw_event *ev, uint32_t root)
{
	struct stream *s;
	size_t room, take;

	if (ev->payload_protocol != 6) {
		parse_dns(n, ev->payload, ev->payload_len, false, ev, root);
		return false;
	}
	/*
	 * DNS over TCP is a stream: one segment may hold several answers (a resolver sends its
	 * A and AAAA queries on one connection) and one answer may span segments. Join the
	 * captured pieces by their stream offset and parse whole messages.
	 */
	s = stream_get(n, ev->cookie, true, ev->ts_boot_ns);
	if (s->state != STREAM_OPEN)
		return false;
	if (ev->payload_offset != s->base + s->len) {
		/* a piece is missing (lost, or a segment longer than the kernel sends): no framing */
		n->stats.dns_malformed++;
		s->state = STREAM_NONAME;
		s->len = 0;
		return false;
	}
	for (size_t done = 0; done < ev->payload_len && s->state == STREAM_OPEN; done += take) {
		room = sizeof(s->buf) - s->len;
		take = ev->payload_len - done < room ? ev->payload_len - done : room;
		memcpy(s->buf + s->len, ev->payload + done, take);
		s->len += take;
		drain_dns(n, s, ev, root, s->len == sizeof(s->buf));
	}
	return false;
}

bool naming_feed(struct naming *n, const struct lw_event *ev, uint32_t root)
{
	struct stream *s;
	struct http_request req;
	size_t room;
	int r;

	if (ev->payload_direction == LW_DIR_IN)
		return feed_dns(n, ev, root);
	s = stream_get(n, ev->cookie, true, ev->ts_boot_ns);
	if (s->state != STREAM_OPEN)
		return false;
	/* chunks arrive in order per connection; a gap (a lost record) ends the attempt */
	if (ev->payload_offset != s->len) {
		s->state = STREAM_NONAME;
		return true;
	}
	room = sizeof(s->buf) - s->len;
	if (ev->payload_len < room)
		room = ev->payload_len;
	memcpy(s->buf + s->len, ev->payload, room);
	s->len += room;
	s->last_ns = ev->ts_boot_ns;

	r = tls_parse_sni(s->buf, s->len, s->name, sizeof(s->name));
	if (r == 0) {
		s->state = STREAM_NAMED;
		s->source = DNS_CACHE_SRC_SNI;
		n->stats.sni++;
	} else if (r == -ENOMSG) {
		r = http_parse_request(s->buf, s->len, &req);
		if (r == 0 && !req.host_is_ip) {
			snprintf(s->name, sizeof(s->name), "%s", req.host);
			s->state = STREAM_NAMED;
			s->source = DNS_CACHE_SRC_HTTP;
			n->stats.http++;
		} else if (r == -EAGAIN && s->len < sizeof(s->buf)) {
			return false;
		} else {
			if (r == -EINVAL)
				n->stats.stream_malformed++;
			s->state = STREAM_NONAME;
		}
	} else if (r == -EAGAIN && s->len < sizeof(s->buf)) {
		return false;
	} else {
		if (r == -EINVAL)
			n->stats.stream_malformed++;
		s->state = STREAM_NONAME;
	}
	if (s->state == STREAM_NAMED && ev->addr)
		dns_cache_put_name(n->cache, ev->addr, s->name, s->source, ev->pid, root,
				   DNS_CACHE_NAME_TTL, ev->ts_boot_ns);
	return true;
}

int naming_stream_result(struct naming *n, uint64_t cookie, char *name, size_t size,
			 unsigned int *source)
{
	struct stream *s = stream_get(n, cookie, false, 0);

	if (!s || s->state == STREAM_OPEN)
		return -ENOENT;
	*source = s->state == STREAM_NAMED ? s->source : 0;
	snprintf(name, size, "%s", s->state == STREAM_NAMED ? s->name : "");
	return s->state == STREAM_NAMED;
}

void naming_restore_stream(struct naming *n, uint64_t cookie, const struct lw_sockaddr *addr,
			   uint32_t pid, uint32_t root, const char *name, unsigned int source,
			   uint64_t now_ns)
{
	struct stream *s = stream_get(n, cookie, true, now_ns);

	stream_reset(s, cookie, now_ns);
	if (!name || !name[0] || (source != DNS_CACHE_SRC_SNI && source != DNS_CACHE_SRC_HTTP)) {
		s->state = STREAM_NONAME;
		return;
	}
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->state = STREAM_NAMED;
	s->source = (uint8_t)source;
	if (source == DNS_CACHE_SRC_SNI)
		n->stats.sni++;
	else
		n->stats.http++;
	if (addr)
		dns_cache_put_name(n->cache, addr, s->name, s->source, pid, root,
				   DNS_CACHE_NAME_TTL, now_ns);
}

bool naming_pending(struct naming *n, uint64_t cookie)
{
	struct stream *s = stream_get(n, cookie, false, 0);

	return !s || s->state == STREAM_OPEN;
}

/* Order of rule-resolved addresses: family, then the address bytes (the port ignored). */
static int rule_addr_cmp(const void *a, const void *b)
{
	const struct lw_sockaddr *x = &((const struct naming_rule_addr *)a)->addr;
	const struct lw_sockaddr *y = &((const struct naming_rule_addr *)b)->addr;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->addr, y->addr, x->family == 2 ? 4 : 16);
}

void naming_set_rule_names(struct naming *n, struct naming_rule_addr *v, size_t count)
{
	free(n->rule_names);
	n->rule_names = v;
	n->n_rule_names = v ? count : 0;
	if (n->n_rule_names)
		qsort(v, count, sizeof(*v), rule_addr_cmp);
}

/* The rule host name resolved to addr, or NULL. */
static const char *rule_name_of(const struct naming *n, const struct lw_sockaddr *addr)
{
	static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };
	struct naming_rule_addr key = { .addr = *addr }, *hit;

	if (!n->n_rule_names)
		return NULL;
	/* an IPv6 socket's ::ffff:a.b.c.d is the IPv4 address a resolver gives */
	if (addr->family == 10 && memcmp(addr->addr, v4mapped, 12) == 0) {
		key.addr.family = 2;
		memmove(key.addr.addr, addr->addr + 12, 4);
	}
	hit = bsearch(&key, n->rule_names, n->n_rule_names, sizeof(key), rule_addr_cmp);
	return hit ? hit->name : NULL;
}

void naming_name_event(struct naming *n, struct lw_event *ev, uint32_t root)
{
	const char *guess;
	struct stream *s;

	ev->host = NULL;
	ev->host_source = "none";
	if (!ev->addr || (ev->addr->family != 2 && ev->addr->family != 10))
		return;
	if (ev->cookie && (s = stream_get(n, ev->cookie, false, 0)) && s->state == STREAM_NAMED) {
		snprintf(n->host, sizeof(n->host), "%s", s->name);
		ev->host = n->host;
		ev->host_source = dns_cache_source_name(s->source);
		return;
	}
	if (dns_cache_lookup(n->cache, ev->addr, root, ev->ts_boot_ns, &n->res) == 0) {
		ev->host = n->res.name;
		ev->host_source = dns_cache_source_name(n->res.source);
		return;
	}
	/* last: what llmwatch resolved for the rules, a guess about a shared address */
	guess = rule_name_of(n, ev->addr);
	if (guess) {
		snprintf(n->host, sizeof(n->host), "%s", guess);
		ev->host = n->host;
		ev->host_source = "rule";
	}
}

void naming_tick(struct naming *n, uint64_t now_ns)
{
	dns_cache_expire(n->cache, now_ns);
}

void naming_get_stats(const struct naming *n, struct naming_stats *st)
{
	struct dns_cache_stats cs;

	*st = n->stats;
	dns_cache_get_stats(n->cache, &cs);
	st->names_evicted = cs.evictions;
}
