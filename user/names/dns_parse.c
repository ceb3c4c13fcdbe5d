// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* DNS response parser: question name and CNAME-followed A/AAAA answers (dns_parse.h). */
#include "names/dns_parse.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

#define DNS_HDR_LEN 12
#define DNS_RR_FIXED 10 /* type, class, ttl, rdlength after the owner name */
#define DNS_NAME_WIRE_MAX 255
/* Each hop must go strictly backwards, so this only bounds the work on a hostile message. */
#define DNS_MAX_HOPS 128

#define DNS_FLAG_QR 0x8000
#define DNS_FLAG_TC 0x0200
#define DNS_OPCODE(f) (((f) >> 11) & 0xf)
#define DNS_RCODE(f) ((f)&0xf)

/* The message, bounded: every read goes through these checks. */
struct dns_msg {
	const uint8_t *p;
	size_t len;
};

static uint16_t dns_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t dns_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * Reads the possibly compressed name at off. *next is set past the name's in-place bytes
 * (where the record continues). text gets the lower-case dotted form and *is_host says
 * whether it is a host name at all (root, or a label with a byte hostname_char_ok()
 * refuses, is not): the walk goes on regardless, because the record must still be skipped.
 *
 * A pointer must point before the start of the run of labels it ends, so each hop goes
 * strictly backwards and no message can make the walk loop; it must also stay out of the
 * header. Returns 0, -EMSGSIZE if the in-place bytes run past the end, -EINVAL otherwise.
 */
static int dns_read_name(const struct dns_msg *m, size_t off, size_t *next, char text[HOSTNAME_BUF],
			 bool *is_host)
{
	size_t run_start = off, wire = 0, out = 0;
	bool jumped = false;
	unsigned int hops = 0;

	*is_host = true;
	for (;;) {
		if (off >= m->len)
			return jumped ? -EINVAL : -EMSGSIZE;
		uint8_t c = m->p[off];

		if ((c & 0xc0) == 0xc0) {
			if (off + 1 >= m->len)
				return jumped ? -EINVAL : -EMSGSIZE;
			size_t target = (size_t)(c & 0x3f) << 8 | m->p[off + 1];

			if (!jumped)
				*next = off + 2;
			if (target >= run_start || target < DNS_HDR_LEN || ++hops > DNS_MAX_HOPS)
				return -EINVAL;
			jumped = true;
			off = run_start = target;
			continue;
		}
		if (c & 0xc0)
			return -EINVAL; /* 0x40, 0x80: extended label types, never deployed */
		wire += 1 + (size_t)c;
		if (wire > DNS_NAME_WIRE_MAX)
			return -EINVAL;
		if (c == 0) {
			if (!jumped)
				*next = off + 1;
			break;
		}
		if (off + 1 + c > m->len)
			return jumped ? -EINVAL : -EMSGSIZE;
		/* wire <= 255 keeps out + label + dot within 253 + NUL */
		if (out)
			text[out++] = '.';
		for (size_t i = 0; i < c; i++) {
			uint8_t b = m->p[off + 1 + i];

			if (!hostname_char_ok(b))
				*is_host = false;
			text[out++] = (char)(b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b);
		}
		off += 1 + c;
	}
	text[out] = '\0';
	if (out == 0)
		*is_host = false; /* the root is not a host */
	if (!*is_host)
		text[0] = '\0';
	return 0;
}

/* What one walk over the answer section collects. */
enum dns_pass {
	DNS_PASS_CNAMES,
	DNS_PASS_ADDRS
};

struct dns_raw_cname {
	uint32_t ttl;
	char from[HOSTNAME_BUF];
	char to[HOSTNAME_BUF];
};

struct dns_walk {
	struct dns_response *out;
	bool have_question;
	/* pass 1 */
	unsigned int n_cnames;
	struct dns_raw_cname cnames[DNS_MAX_CNAMES];
};

/* RFC 2181 section 8: a TTL with the top bit set is treated as zero. */
static uint32_t dns_ttl(uint32_t raw)
{
	return raw & 0x80000000u ? 0 : raw;
}

/*
 * Position in the chain of a name: 0 for the question, k for chain[k - 1].to, or -1 when
 * the name is not an alias of the question (then its addresses are not the question's).
 */
static int dns_chain_pos(const struct dns_response *r, const char *name)
{
	if (strcmp(name, r->qname) == 0)
		return 0;
	for (unsigned int i = 0; i < r->chain_len; i++)
		if (strcmp(name, r->chain[i].to) == 0)
			return (int)i + 1;
	return -1;
}

static void dns_add_answer(struct dns_walk *w, uint16_t family, const uint8_t *addr, size_t alen,
			   uint32_t ttl, const char *owner)
{
	struct dns_response *r = w->out;
	struct dns_answer *a;
	int pos = 0;

	if (w->have_question) {
		pos = r->qname[0] ? dns_chain_pos(r, owner) : -1;
		if (pos < 0) {
			r->n_skipped++;
			return;
		}
	}
	if (r->n_answers >= DNS_MAX_ANSWERS) {
		r->n_skipped++;
		return;
	}
	a = &r->answers[r->n_answers++];
	memset(a, 0, sizeof(*a));
	a->family = family;
	memcpy(a->addr, addr, alen);
	/* The name maps to the address only while every link of the chain is still valid. */
	for (int i = 0; i < pos; i++)
		if (r->chain[i].ttl < ttl)
			ttl = r->chain[i].ttl;
	a->ttl = ttl;
	a->chain_len = (uint8_t)pos;
	memcpy(a->owner, owner, sizeof(a->owner));
}

/*
 * Walks ancount records from off, collecting what the pass asks for. Both passes see the
 * same records and stop at the same error, so the results of the two stay consistent.
 */
static int dns_walk_answers(const struct dns_msg *m, size_t off, unsigned int ancount,
			    enum dns_pass pass, struct dns_walk *w)
{
	char owner[HOSTNAME_BUF];

	for (unsigned int i = 0; i < ancount; i++) {
		bool owner_ok, target_ok;
		size_t next;
		int err = dns_read_name(m, off, &next, owner, &owner_ok);

		if (err)
			return err;
		if (m->len - next < DNS_RR_FIXED)
			return -EMSGSIZE;
		const uint8_t *f = m->p + next;
		uint16_t type = dns_be16(f), klass = dns_be16(f + 2), rdlen = dns_be16(f + 8);
		uint32_t ttl = dns_ttl(dns_be32(f + 4));
		size_t rdata = next + DNS_RR_FIXED;

		if (m->len - rdata < rdlen)
			return -EMSGSIZE;
		off = rdata + rdlen;

		/* A wrong rdata length is malformed whatever the pass, and in any class. */
		if ((type == DNS_TYPE_A && rdlen != 4) || (type == DNS_TYPE_AAAA && rdlen != 16))
			return -EINVAL;
		if (type == DNS_TYPE_CNAME) {
			char target[HOSTNAME_BUF];
			size_t tnext;
			/* The target may be compressed, but its in-place bytes are the rdata. */
			struct dns_msg rm = { m->p, rdata + rdlen };

			err = dns_read_name(&rm, rdata, &tnext, target, &target_ok);
			if (err || tnext != rdata + rdlen)
				return -EINVAL;
			if (pass != DNS_PASS_CNAMES)
				continue;
			if (klass != DNS_CLASS_IN || !owner_ok || !target_ok ||
			    w->n_cnames >= DNS_MAX_CNAMES) {
				w->out->n_skipped++;
				continue;
			}
			struct dns_raw_cname *c = &w->cnames[w->n_cnames++];

			c->ttl = ttl;
			memcpy(c->from, owner, sizeof(c->from));
			memcpy(c->to, target, sizeof(c->to));
			continue;
		}
		if (pass != DNS_PASS_ADDRS)
			continue;
		if (klass != DNS_CLASS_IN || !owner_ok ||
		    (type != DNS_TYPE_A && type != DNS_TYPE_AAAA)) {
			w->out->n_skipped++;
			continue;
		}
		dns_add_answer(w, type == DNS_TYPE_A ? AF_INET : AF_INET6, m->p + rdata, rdlen, ttl,
			       owner);
	}
	return 0;
}

/* Follows CNAMEs from the question, at most DNS_MAX_CHAIN hops, never around a loop. */
static void dns_build_chain(struct dns_walk *w)
{
	struct dns_response *r = w->out;
	const char *cur = r->qname;

	while (cur[0] && r->chain_len < DNS_MAX_CHAIN) {
		const struct dns_raw_cname *c = NULL;

		for (unsigned int i = 0; i < w->n_cnames; i++) {
			if (strcmp(w->cnames[i].from, cur) == 0) {
				c = &w->cnames[i];
				break;
			}
		}
		if (!c || dns_chain_pos(r, c->to) >= 0)
			break;
		struct dns_cname *link = &r->chain[r->chain_len++];

		link->ttl = c->ttl;
		memcpy(link->from, c->from, sizeof(link->from));
		memcpy(link->to, c->to, sizeof(link->to));
		cur = link->to;
	}
}

int dns_parse_udp(const void *buf, size_t len, struct dns_response *out)
{
	struct dns_msg m = { buf, len };
	struct dns_walk w;
	size_t off = DNS_HDR_LEN, answers_off;
	int err, err2;

	memset(out, 0, offsetof(struct dns_response, answers));
	out->n_answers = out->chain_len = out->n_skipped = 0;
	if (len < DNS_HDR_LEN)
		return -EMSGSIZE;

	uint16_t flags = dns_be16(m.p + 2);
	unsigned int qdcount = dns_be16(m.p + 4), ancount = dns_be16(m.p + 6);

	out->id = dns_be16(m.p);
	out->rcode = DNS_RCODE(flags);
	out->truncated = (flags & DNS_FLAG_TC) != 0;
	if (!(flags & DNS_FLAG_QR) || DNS_OPCODE(flags) != 0)
		return -EINVAL;

	/* cnames[] is written before it is read: no need to clear 8 KiB per packet. */
	w.out = out;
	w.have_question = false;
	w.n_cnames = 0;
	for (unsigned int i = 0; i < qdcount; i++) {
		char name[HOSTNAME_BUF];
		bool is_host;
		size_t next;

		err = dns_read_name(&m, off, &next, name, &is_host);
		if (err)
			return err;
		if (len - next < 4)
			return -EMSGSIZE;
		/* Only the first question counts: nobody sends more than one. */
		if (i == 0) {
			w.have_question = true;
			out->qtype = dns_be16(m.p + next);
			memcpy(out->qname, name, sizeof(out->qname));
		}
		off = next + 4;
	}
	if (out->rcode != 0)
		return 0;

	answers_off = off;
	err = dns_walk_answers(&m, answers_off, ancount, DNS_PASS_CNAMES, &w);
	if (err == -EINVAL)
		goto malformed;
	dns_build_chain(&w);
	err2 = dns_walk_answers(&m, answers_off, ancount, DNS_PASS_ADDRS, &w);
	if (err2 == -EINVAL)
		goto malformed;
	return err ? err : err2;

malformed:
	out->n_answers = out->chain_len = 0;
	return -EINVAL;
}

int dns_parse_tcp(const void *buf, size_t len, struct dns_response *out)
{
	const uint8_t *p = buf;
	size_t mlen;

	if (len < 2) {
		memset(out, 0, offsetof(struct dns_response, answers));
		out->n_answers = out->chain_len = out->n_skipped = 0;
		return -EMSGSIZE;
	}
	mlen = dns_be16(p);
	if (mlen < DNS_HDR_LEN) {
		memset(out, 0, offsetof(struct dns_response, answers));
		out->n_answers = out->chain_len = out->n_skipped = 0;
		return -EINVAL;
	}
	return dns_parse_udp(p + 2, len - 2 < mlen ? len - 2 : mlen, out);
}
