// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The rules engine's lookup structures (hash maps, a binary trie for address prefixes) and
 * pattern checkers and matchers (hosts, CIDRs, path globs): what makes matching cost
 * independent of the number of rules.
 */
#include "rules/rules_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- id arrays ------------------------------------------------------------------------- */

int rules_ids_push(struct rules_ids *ids, uint32_t id)
{
	if (ids->n && ids->v[ids->n - 1] == id)
		return 0;
	if (ids->n == ids->cap) {
		uint32_t cap = ids->cap ? ids->cap * 2 : 2;
		uint32_t *v = realloc(ids->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		ids->v = v;
		ids->cap = cap;
	}
	ids->v[ids->n++] = id;
	return 0;
}

void rules_ids_free(struct rules_ids *ids)
{
	free(ids->v);
	ids->v = NULL;
	ids->n = ids->cap = 0;
}

/* ---- hash map --------------------------------------------------------------------------- */

uint64_t rules_hash(const void *key, size_t len)
{
	const unsigned char *k = key;
	uint64_t h = RULES_HASH_INIT;

	for (size_t i = 0; i < len; i++)
		h = rules_hash_step(h, k[i]);
	return h;
}

static struct rules_map_ent *map_slot(struct rules_map_ent *ents, size_t cap, const void *key,
				      size_t klen, uint64_t hash)
{
	size_t i = (size_t)(hash ^ (hash >> 29)) & (cap - 1);

	for (;; i = (i + 1) & (cap - 1)) {
		struct rules_map_ent *e = &ents[i];

		if (!e->key)
			return e;
		if (e->hash == hash && e->klen == klen && memcmp(e->key, key, klen) == 0)
			return e;
	}
}

static int map_grow(struct rules_map *m)
{
	size_t cap = m->cap ? m->cap * 2 : 16;
	struct rules_map_ent *ents = calloc(cap, sizeof(*ents));

	if (!ents)
		return -ENOMEM;
	for (size_t i = 0; i < m->cap; i++) {
		struct rules_map_ent *e = &m->ents[i];

		if (e->key)
			*map_slot(ents, cap, e->key, e->klen, e->hash) = *e;
	}
	free(m->ents);
	m->ents = ents;
	m->cap = cap;
	return 0;
}

int rules_map_add(struct rules_map *m, const void *key, size_t klen, uint32_t id)
{
	uint64_t hash = rules_hash(key, klen);
	struct rules_map_ent *e;

	/* keep the load under 1/2: probes stay short */
	if ((m->used + 1) * 2 > m->cap && map_grow(m))
		return -ENOMEM;
	e = map_slot(m->ents, m->cap, key, klen, hash);
	if (!e->key) {
		/* +1 so that an empty key still has a non-NULL pointer */
		e->key = malloc(klen + 1);
		if (!e->key)
			return -ENOMEM;
		memcpy(e->key, key, klen);
		e->key[klen] = '\0';
		e->klen = klen;
		e->hash = hash;
		m->used++;
	}
	return rules_ids_push(&e->ids, id);
}

const struct rules_ids *rules_map_get(const struct rules_map *m, const void *key, size_t klen,
				      uint64_t hash)
{
	const struct rules_map_ent *e;

	if (!m->used)
		return NULL;
	e = map_slot(m->ents, m->cap, key, klen, hash);
	return e->key ? &e->ids : NULL;
}

void rules_map_free(struct rules_map *m)
{
	for (size_t i = 0; i < m->cap; i++) {
		free(m->ents[i].key);
		rules_ids_free(&m->ents[i].ids);
	}
	free(m->ents);
	memset(m, 0, sizeof(*m));
}

/* ---- prefix trie ------------------------------------------------------------------------ */

static int lpm_node(struct rules_lpm *t, uint32_t *out)
{
	if (t->n == t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 64;
		struct rules_lpm_node *nodes = realloc(t->nodes, cap * sizeof(*nodes));

		if (!nodes)
			return -ENOMEM;
		t->nodes = nodes;
		t->cap = cap;
	}
	memset(&t->nodes[t->n], 0, sizeof(t->nodes[0]));
	*out = t->n++;
	return 0;
}

static inline unsigned int bit_at(const uint8_t *a, unsigned int i)
{
	return (a[i >> 3] >> (7 - (i & 7))) & 1;
}

int rules_lpm_add(struct rules_lpm *t, const uint8_t *addr, unsigned int prefix, uint32_t id)
{
	uint32_t cur, nx;

	if (!t->n && lpm_node(t, &cur))
		return -ENOMEM;
	cur = 0;
	for (unsigned int i = 0; i < prefix; i++) {
		unsigned int b = bit_at(addr, i);

		if (!t->nodes[cur].child[b]) {
			if (lpm_node(t, &nx))
				return -ENOMEM;
			t->nodes[cur].child[b] = nx;
		}
		cur = t->nodes[cur].child[b];
	}
	return rules_ids_push(&t->nodes[cur].ids, id);
}

int rules_lpm_walk(const struct rules_lpm *t, const uint8_t *addr, unsigned int nbits,
		   int (*fn)(const struct rules_ids *ids, void *ctx), void *ctx)
{
	uint32_t cur = 0;
	int err;

	if (!t->n)
		return 0;
	for (unsigned int i = 0;; i++) {
		const struct rules_lpm_node *nd = &t->nodes[cur];

		if (nd->ids.n && (err = fn(&nd->ids, ctx)))
			return err;
		if (i == nbits || !nd->child[bit_at(addr, i)])
			return 0;
		cur = nd->child[bit_at(addr, i)];
	}
}

void rules_lpm_free(struct rules_lpm *t)
{
	for (uint32_t i = 0; i < t->n; i++)
		rules_ids_free(&t->nodes[i].ids);
	free(t->nodes);
	memset(t, 0, sizeof(*t));
}

/* ---- addresses -------------------------------------------------------------------------- */

static const uint8_t v4mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

int rules_cidr_parse(const char *s, struct rules_cidr *out, const char **why)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned int maxbits, prefix;

	memset(out, 0, sizeof(*out));
	if (alen == 0 || alen >= sizeof(buf)) {
		*why = "not an IPv4 or IPv6 address";
		return -EINVAL;
	}
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (inet_pton(AF_INET, buf, out->addr) == 1) {
		out->family = 4;
		maxbits = 32;
	} else if (inet_pton(AF_INET6, buf, out->addr) == 1) {
		out->family = 6;
		maxbits = 128;
	} else {
		*why = "not an IPv4 or IPv6 address";
		return -EINVAL;
	}
	prefix = maxbits;
	if (slash) {
		const char *p = slash + 1;

		if (!*p || strlen(p) > 3) {
			*why = "the prefix length must be a number";
			return -EINVAL;
		}
		prefix = 0;
		for (; *p; p++) {
			if (!isdigit((unsigned char)*p)) {
				*why = "the prefix length must be a number";
				return -EINVAL;
			}
			prefix = prefix * 10 + (unsigned int)(*p - '0');
		}
		if (prefix > maxbits) {
			*why = out->family == 4 ? "the prefix length must be 0-32" :
						  "the prefix length must be 0-128";
			return -EINVAL;
		}
	}
	for (unsigned int i = prefix; i < maxbits; i++) {
		if (bit_at(out->addr, i)) {
			*why = "address bits are set after the prefix length";
			return -EINVAL;
		}
	}
	out->prefix = (uint8_t)prefix;
	/* events carry v4-mapped addresses as IPv4 (see rules.c), so rules must too */
	if (out->family == 6 && prefix >= 96 && memcmp(out->addr, v4mapped_prefix, 12) == 0) {
		memmove(out->addr, out->addr + 12, 4);
		memset(out->addr + 4, 0, 12);
		out->family = 4;
		out->prefix = (uint8_t)(prefix - 96);
	}
	return 0;
}

bool rules_cidr_contains(const struct rules_cidr *c, int family, const uint8_t *addr)
{
	unsigned int full = c->prefix / 8, rest = c->prefix % 8;

	if (c->family != family)
		return false;
	if (memcmp(c->addr, addr, full) != 0)
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));

		if ((c->addr[full] & mask) != (addr[full] & mask))
			return false;
	}
	return true;
}

/* ---- hosts -------------------------------------------------------------------------------- */

int rules_host_check(const char *pat, char *dst, bool *suffix, const char **why)
{
	const char *p = pat;
	size_t n = 0, label = 0;

	*suffix = false;
	if (p[0] == '*') {
		if (p[1] != '.') {
			*why = "'*' is only allowed as a leading \"*.\"";
			return -EINVAL;
		}
		*suffix = true;
		p += 2;
	}
	if (!*p) {
		*why = "empty host name";
		return -EINVAL;
	}
	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '.') {
			if (!label) {
				*why = "empty label (\"..\" or a leading '.')";
				return -EINVAL;
			}
			if (!p[1])	/* a trailing dot names the same host */
				break;
			label = 0;
		} else if (c == '*') {
			*why = "'*' is only allowed as a leading \"*.\"";
			return -EINVAL;
		} else if (isalnum(c) || c == '-' || c == '_') {
			if (++label > 63) {
				*why = "a label is longer than 63 characters";
				return -EINVAL;
			}
		} else {
			*why = "invalid character in host name";
			return -EINVAL;
		}
		dst[n++] = (char)tolower(c);
		if (n > 253) {
			*why = "longer than 253 characters";
			return -EINVAL;
		}
	}
	dst[n] = '\0';
	return 0;
}

/* ---- paths -------------------------------------------------------------------------------- */

size_t rules_path_normalize(char *dst, const char *src, size_t len)
{
	bool abs = len && src[0] == '/';
	size_t out = 0, root = abs ? 1 : 0, i = 0;

	if (abs)
		dst[out++] = '/';
	while (i < len) {
		size_t j = i, clen;

		while (j < len && src[j] != '/')
			j++;
		clen = j - i;
		if (clen == 0 || (clen == 1 && src[i] == '.')) {
			/* skip */
		} else if (clen == 2 && src[i] == '.' && src[i + 1] == '.') {
			size_t last = out;

			while (last > root && dst[last - 1] != '/')
				last--;
			/* [last, out) is the previous component */
			if (out > root && !(out - last == 2 && dst[last] == '.' && dst[last + 1] == '.')) {
				out = last > root ? last - 1 : root;
			} else if (!abs) {
				if (out > root)
					dst[out++] = '/';
				dst[out++] = '.';
				dst[out++] = '.';
			}
		} else {
			if (out > root)
				dst[out++] = '/';
			memcpy(dst + out, src + i, clen);
			out += clen;
		}
		i = j + 1;
	}
	dst[out] = '\0';
	return out;
}

int rules_glob_check(const char *pat, size_t *literal_len, bool *has_wild, const char **why)
{
	size_t len = strlen(pat), first_wild = len, seg_start, nseg = 0;

	*has_wild = false;
	*literal_len = len;
	if (!len) {
		*why = "empty pattern";
		return -EINVAL;
	}
	if (len > 1024) {
		*why = "longer than 1024 characters";
		return -EINVAL;
	}
	if (pat[0] == '~' && pat[1] != '/') {
		*why = "\"~\" must be followed by '/' (\"~user\" is not supported: ~ is the event's user)";
		return -EINVAL;
	}
	if (pat[0] != '/' && pat[0] != '~' && strncmp(pat, "**", 2) != 0) {
		*why = "must start with '/', \"~/\" or \"**\"";
		return -EINVAL;
	}
	if (strcmp(pat, "/") == 0)
		return 0;
	if (pat[len - 1] == '/') {
		*why = "must not end with '/'";
		return -EINVAL;
	}
	seg_start = pat[0] == '/' ? 1 : 0;
	for (size_t i = seg_start; i <= len; i++) {
		size_t slen;
		const char *s;

		if (i < len && pat[i] != '/')
			continue;
		s = pat + seg_start;
		slen = i - seg_start;
		if (++nseg > 128) {
			*why = "more than 128 path components";
			return -EINVAL;
		}
		if (slen == 0) {
			*why = "empty component (\"//\")";
			return -EINVAL;
		}
		if ((slen == 1 && s[0] == '.') || (slen == 2 && s[0] == '.' && s[1] == '.')) {
			*why = "\".\" and \"..\" components never match (paths are normalized)";
			return -EINVAL;
		}
		for (size_t k = 0; k < slen; k++) {
			if (s[k] == '*' && k + 1 < slen && s[k + 1] == '*' &&
			    !(slen == 2)) {
				*why = "\"**\" must be a whole path component";
				return -EINVAL;
			}
			if ((s[k] == '*' || s[k] == '?') && first_wild == len)
				first_wild = (size_t)(s + k - pat);
		}
		seg_start = i + 1;
	}
	if (first_wild < len) {
		size_t l = first_wild;

		*has_wild = true;
		while (l > 0 && pat[l - 1] != '/')
			l--;
		*literal_len = l;
	}
	return 0;
}

struct seg {
	const char *p;
	size_t n;
};

/* Splits s on '/'. Returns the count, or -1 when there are more than max. */
static long split(const char *s, struct seg *out, size_t max)
{
	size_t n = 0;
	const char *start = s;

	for (const char *c = s;; c++) {
		if (*c == '/' || !*c) {
			if (n == max)
				return -1;
			out[n].p = start;
			out[n].n = (size_t)(c - start);
			n++;
			if (!*c)
				break;
			start = c + 1;
		}
	}
	return (long)n;
}

/* One component: '*' is any run of bytes, '?' one byte (neither crosses '/'). */
static bool seg_match(const char *p, size_t pn, const char *s, size_t sn)
{
	size_t pi = 0, si = 0, star = (size_t)-1, mark = 0;

	while (si < sn) {
		if (pi < pn && (p[pi] == '?' || (p[pi] != '*' && p[pi] == s[si]))) {
			pi++;
			si++;
		} else if (pi < pn && p[pi] == '*') {
			star = pi++;
			mark = si;
		} else if (star != (size_t)-1) {
			pi = star + 1;
			si = ++mark;
		} else {
			return false;
		}
	}
	while (pi < pn && p[pi] == '*')
		pi++;
	return pi == pn;
}

static bool is_dstar(const struct seg *s)
{
	return s->n == 2 && s->p[0] == '*' && s->p[1] == '*';
}

static bool run_match(const struct seg *ps, size_t n, const struct seg *ss)
{
	for (size_t i = 0; i < n; i++)
		if (!seg_match(ps[i].p, ps[i].n, ss[i].p, ss[i].n))
			return false;
	return true;
}

bool rules_glob_match(const char *pat, const char *path)
{
	/* a path of LW_PATH_MAX bytes has at most LW_PATH_MAX / 2 + 1 components */
	struct seg ps[130], ss[LW_PATH_MAX / 2 + 2];
	long np = split(pat, ps, 130), ns = split(path, ss, LW_PATH_MAX / 2 + 2);
	size_t i, j, k;

	if (np < 0 || ns < 0)
		return false;
	for (k = 0; k < (size_t)np && !is_dstar(&ps[k]); k++)
		;
	if (k == (size_t)np)
		return np == ns && run_match(ps, (size_t)np, ss);
	/* the run before the first "**" is anchored at the start */
	if (k > (size_t)ns || !run_match(ps, k, ss))
		return false;
	j = k;
	i = k;
	for (;;) {
		size_t start = ++i, len;

		while (i < (size_t)np && !is_dstar(&ps[i]))
			i++;
		len = i - start;
		if (i == (size_t)np) {
			/* the run after the last "**" is anchored at the end; a trailing "**"
			 * needs at least one component, so "/a/ **" does not match "/a" */
			if (len == 0)
				return (size_t)ns - j >= 1;
			if ((size_t)ns - j < len)
				return false;
			return run_match(ps + start, len, ss + ns - len);
		}
		/* a run between two "**": its leftmost place leaves the most room after it */
		for (;; j++) {
			if (j + len > (size_t)ns)
				return false;
			if (run_match(ps + start, len, ss + j))
				break;
		}
		j += len;
	}
}

/* ---- suggestions ------------------------------------------------------------------------- */

unsigned int rules_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned int row[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned int)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned int diag = row[0];

		row[0] = (unsigned int)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned int up = row[j], best;

			best = diag + (tolower((unsigned char)a[i - 1]) !=
				       tolower((unsigned char)b[j - 1]));
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb] > 99 ? 99 : row[lb];
}

/* ---- index build -------------------------------------------------------------------------- */

static enum rules_index_kind choose_index(const struct rules_cond *c)
{
	if (c->keys & RULES_K_HOST)
		return RULES_IX_HOST;
	if (c->keys & RULES_K_ADDR)
		return RULES_IX_ADDR;
	if (c->keys & RULES_K_PATH)
		return RULES_IX_PATH;
	if (c->keys & RULES_K_PORT) {
		/* ranges are not hashed: such rules are scanned */
		for (size_t i = 0; i < c->n_ports; i++)
			if (c->ports[i].lo != c->ports[i].hi)
				return RULES_IX_SCAN;
		return RULES_IX_PORT;
	}
	return RULES_IX_SCAN;
}

static int index_rule(struct rules_bucket *b, const struct rules_rule *r, uint32_t id)
{
	const struct rules_cond *c = &r->cond;
	int err = 0;

	switch (r->ix) {
	case RULES_IX_HOST:
		b->has_host = true;
		for (size_t i = 0; !err && i < c->n_host_exact; i++)
			err = rules_map_add(&b->host_exact, c->host_exact[i],
					    strlen(c->host_exact[i]), id);
		for (size_t i = 0; !err && i < c->n_host_suffix; i++)
			err = rules_map_add(&b->host_suffix, c->host_suffix[i],
					    strlen(c->host_suffix[i]), id);
		return err;
	case RULES_IX_ADDR:
		b->has_addr = true;
		for (size_t i = 0; !err && i < c->n_addrs; i++)
			err = rules_lpm_add(c->addrs[i].family == 4 ? &b->lpm4 : &b->lpm6,
					    c->addrs[i].addr, c->addrs[i].prefix, id);
		return err;
	case RULES_IX_PATH:
		b->has_path = true;
		for (size_t i = 0; !err && i < c->n_globs; i++) {
			const char *why;
			size_t lit;
			bool wild;

			if (rules_glob_check(c->globs[i].pat, &lit, &wild, &why))
				return -EINVAL;
			if (c->globs[i].home)
				b->has_home = true;
			if (wild)
				err = rules_map_add(&b->path_prefix, c->globs[i].pat, lit, id);
			else
				err = rules_map_add(&b->path_exact, c->globs[i].pat, lit, id);
		}
		return err;
	case RULES_IX_PORT:
		for (size_t i = 0; !err && i < c->n_ports; i++)
			err = rules_map_add(&b->port, &c->ports[i].lo, sizeof(uint16_t), id);
		return err;
	case RULES_IX_SCAN:
		return rules_ids_push(&b->scan, id);
	}
	return -EINVAL;
}

int rules_index_build(struct rules *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct rules_rule *rule = &r->rules[i];

		rule->ix = choose_index(&rule->cond);
		for (unsigned int t = 0; t < LW_REC_TYPE_MAX; t++) {
			int err;

			if (!(rule->events & (1u << t)))
				continue;
			err = index_rule(&r->buckets[t], rule, (uint32_t)i);
			if (err)
				return err;
		}
	}
	return 0;
}

void rules_index_free(struct rules *r)
{
	for (unsigned int t = 0; t < LW_REC_TYPE_MAX; t++) {
		struct rules_bucket *b = &r->buckets[t];

		rules_map_free(&b->host_exact);
		rules_map_free(&b->host_suffix);
		rules_lpm_free(&b->lpm4);
		rules_lpm_free(&b->lpm6);
		rules_map_free(&b->path_exact);
		rules_map_free(&b->path_prefix);
		rules_map_free(&b->port);
		rules_ids_free(&b->scan);
	}
}
