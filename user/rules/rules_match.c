// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Matching an event against a compiled rule set: the event is read once into a view
 * (lowercased name, normalized path, address class...), the indexes name the few candidate
 * rules, each is evaluated through the table of conditions, and the matches become
 * verdicts.
 */
#include "rules/rules_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/event.h"

/* ---- the view --------------------------------------------------------------------------- */

static uint32_t oflag_bits(uint64_t f)
{
	uint32_t b;

	switch (f & O_ACCMODE) {
	case O_RDONLY:
		b = RULES_F_READ;
		break;
	case O_WRONLY:
		b = RULES_F_WRITE;
		break;
	default:
		b = RULES_F_READ | RULES_F_WRITE;
		break;
	}
	if (f & O_CREAT)
		b |= RULES_F_CREATE;
	if (f & O_TRUNC)
		b |= RULES_F_TRUNCATE;
	return b;
}

static void view_addr(struct rules_view *v, const struct lw_sockaddr *sa)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	v->fam = 0;
	v->has_port = false;
	v->cls = RULES_C_NONE;
	if (sa && sa->family == AF_INET) {
		v->fam = 4;
		memcpy(v->addr, sa->addr, 4);
	} else if (sa && sa->family == AF_INET6) {
		if (memcmp(sa->addr, mapped, 12) == 0) {
			v->fam = 4;
			memcpy(v->addr, sa->addr + 12, 4);
		} else {
			v->fam = 6;
			memcpy(v->addr, sa->addr, 16);
		}
	} else if (sa && sa->family == AF_UNIX) {
		v->cls = RULES_C_UNIX;
	}
	if (v->fam) {
		v->cls = rules_cidr_class(v->fam, v->addr);
		v->has_port = true;
		v->port = sa->port;
	}
}

static void view_host(struct rules_view *v, const struct lw_event *ev)
{
	v->host = NULL;
	if (ev->host) {
		size_t n = strnlen(ev->host, sizeof(v->hostbuf));

		if (n > 0 && ev->host[n - 1] == '.') /* "example.com." is example.com */
			n--;
		/* an empty label is no name: ".example.com" must not pass for a subdomain */
		if (n > 0 && n < sizeof(v->hostbuf) && ev->host[0] != '.' &&
		    !memmem(ev->host, n, "..", 2)) {
			for (size_t i = 0; i < n; i++) {
				char c = ev->host[i];

				v->hostbuf[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
			}
			v->hostbuf[n] = '\0';
			v->host = v->hostbuf;
			v->host_len = n;
		}
	}
	/* "none" is exactly "no name a host condition could match" */
	v->host_src = RULES_HS_NONE;
	if (v->host) {
		const char *hs = ev->host_source ? ev->host_source : "";

		v->host_src = strcmp(hs, "dns") == 0  ? RULES_HS_DNS :
			      strcmp(hs, "sni") == 0  ? RULES_HS_SNI :
			      strcmp(hs, "http") == 0 ? RULES_HS_HTTP :
			      strcmp(hs, "rule") == 0 ? RULES_HS_RULE :
							0;
	}
}

static void view_init(struct rules_view *v, const struct rules *r, const struct lw_event *ev)
{
	const char *p = NULL;
	size_t plen = 0;

	v->ev = ev;
	v->homes = r->homes;
	v->tool_idx = -1;
	for (size_t i = 0; ev->tool && i < r->n_tools; i++) {
		if (strcmp(ev->tool, r->tools[i]) == 0) {
			v->tool_idx = (int)i;
			break;
		}
	}
	/* a non-blocking connect in progress is a connection being made, not a failure */
	v->ok = ev->ret >= 0 || (ev->type == LW_REC_CONNECT && ev->ret == -EINPROGRESS);
	v->oflags = oflag_bits(ev->open_flags);
	view_addr(v, ev->addr);
	view_host(v, ev);

	if (ev->type == LW_REC_OPEN && ev->path)
		p = ev->path, plen = ev->path_len;
	else if (ev->type == LW_REC_EXEC && ev->filename)
		p = ev->filename, plen = strnlen(ev->filename, LW_PATH_MAX);
	v->path = NULL;
	v->home_state = 0;
	if (p && plen) {
		if (plen > LW_PATH_MAX)
			plen = LW_PATH_MAX;
		/* stop at an embedded NUL: the kernel would */
		plen = strnlen(p, plen);
		v->path_len = rules_path_normalize(v->pathbuf, p, plen);
		v->path = v->pathbuf;
	}
}

/* ---- rules ------------------------------------------------------------------------------ */

static bool rule_match(const struct rules_rule *r, struct rules_view *v)
{
	if (!rules_cond_tool_match(r->tools, v) ||
	    !rules_cond_match(&r->cond, v, rules_index_proven(r)))
		return false;
	for (size_t i = 0; i < r->n_exceptions; i++) {
		/*
		 * A name llmwatch resolved from the rules is a guess about a shared address (a
		 * CDN's): it may raise an alert, never excuse one.
		 */
		if ((r->exceptions[i].keys & RULES_COND_BIT(host)) && v->host_src == RULES_HS_RULE)
			continue;
		if (rules_cond_match(&r->exceptions[i], v, 0))
			return false;
	}
	return true;
}

/* A vector of rule indexes, on the stack until it outgrows it. */
struct idvec {
	uint32_t *v;
	size_t n, cap;
	uint32_t stack[64];
};

static void idvec_init(struct idvec *iv)
{
	iv->v = iv->stack;
	iv->n = 0;
	iv->cap = sizeof(iv->stack) / sizeof(iv->stack[0]);
}

static int idvec_add(const struct rules_ids *ids, void *ctx)
{
	struct idvec *iv = ctx;

	if (!ids->n)
		return 0;
	if (iv->n + ids->n > iv->cap) {
		size_t cap = (iv->n + ids->n) * 2;
		uint32_t *v = iv->v == iv->stack ? malloc(cap * sizeof(*v)) :
						   realloc(iv->v, cap * sizeof(*v));

		if (!v)
			return 0; /* keep what fits: a partial answer beats none */
		if (iv->v == iv->stack)
			memcpy(v, iv->stack, iv->n * sizeof(*v));
		iv->v = v;
		iv->cap = cap;
	}
	memcpy(iv->v + iv->n, ids->v, ids->n * sizeof(uint32_t));
	iv->n += ids->n;
	return 0;
}

static void idvec_free(struct idvec *iv)
{
	if (iv->v != iv->stack)
		free(iv->v);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void fill_verdict(struct rules_verdict *out, const struct rules_rule *r,
			 const struct rules_view *v)
{
	out->rule = r->id;
	out->description = r->description;
	out->severity = r->severity;
	out->action = r->action;
	out->tags = (const char *const *)r->tags;
	out->n_tags = r->n_tags;
	rules_message_format(r, v, out->message, sizeof(out->message));
}

int rules_match(const struct rules *r, const struct lw_event *ev, struct rules_verdict *out,
		size_t max)
{
	struct idvec cand, hits;
	struct rules_view v;
	size_t n, w;

	if (!r || !ev || (max && !out))
		return -EINVAL;
	if (ev->type >= LW_REC_TYPE_MAX)
		return 0;
	view_init(&v, r, ev);
	idvec_init(&cand);
	rules_index_lookup(&r->buckets[ev->type], &v, idvec_add, &cand);
	if (!cand.n) {
		idvec_free(&cand);
		return 0;
	}
	/* several index entries can lead to the same rule; sorting also gives file order */
	qsort(cand.v, cand.n, sizeof(uint32_t), cmp_u32);
	for (n = 0, w = 0; n < cand.n; n++)
		if (!w || cand.v[w - 1] != cand.v[n])
			cand.v[w++] = cand.v[n];
	cand.n = w;

	idvec_init(&hits);
	/* pass 0: ordinary rules; pass 1: fallback rules, only when nothing else matched */
	for (int pass = 0; pass < 2 && !hits.n; pass++) {
		for (n = 0; n < cand.n; n++) {
			const struct rules_rule *rule = &r->rules[cand.v[n]];
			struct rules_ids one = { .v = &cand.v[n], .n = 1, .cap = 1 };

			if (rule->fallback != (pass == 1) || !rule_match(rule, &v))
				continue;
			idvec_add(&one, &hits);
		}
	}
	for (n = 0; n < hits.n && n < max; n++)
		fill_verdict(&out[n], &r->rules[hits.v[n]], &v);
	n = hits.n;
	idvec_free(&cand);
	idvec_free(&hits);
	return (int)n;
}
