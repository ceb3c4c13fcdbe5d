// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The per-event-type indexes: each rule is reachable from one index (its host names, its
 * address prefixes, the literal start of its path globs, its ports, or the list scanned for
 * every event), so that matching an event costs the same however many rules there are.
 */
#include "rules/rules_int.h"

#include <errno.h>
#include <string.h>

/* ---- build -------------------------------------------------------------------------------- */

static enum rules_index_kind choose_index(const struct rules_cond *c)
{
	if (c->keys & RULES_COND_BIT(host))
		return RULES_IX_HOST;
	if (c->keys & RULES_COND_BIT(addr))
		return RULES_IX_ADDR;
	if (c->keys & RULES_COND_BIT(path))
		return RULES_IX_PATH;
	if (c->keys & RULES_COND_BIT(port)) {
		const struct rules_vec *ports = c->data[RULES_COND_port];
		const struct rules_port_range *p = ports->v;

		/* ranges are not hashed: such rules are scanned */
		for (size_t i = 0; i < ports->n; i++)
			if (p[i].lo != p[i].hi)
				return RULES_IX_SCAN;
		return RULES_IX_PORT;
	}
	return RULES_IX_SCAN;
}

static int index_rule(struct rules_bucket *b, const struct rules_rule *r, uint32_t id)
{
	const struct rules_vec *vec = r->ix == RULES_IX_HOST ? r->cond.data[RULES_COND_host] :
				      r->ix == RULES_IX_ADDR ? r->cond.data[RULES_COND_addr] :
				      r->ix == RULES_IX_PATH ? r->cond.data[RULES_COND_path] :
				      r->ix == RULES_IX_PORT ? r->cond.data[RULES_COND_port] :
							       NULL;
	int err = 0;

	switch (r->ix) {
	case RULES_IX_HOST:
		b->has_host = true;
		for (size_t i = 0; !err && i < vec->n; i++) {
			const struct rules_host *h = &((const struct rules_host *)vec->v)[i];

			err = rules_map_add(h->suffix ? &b->host_suffix : &b->host_exact, h->name,
					    strlen(h->name), id);
		}
		return err;
	case RULES_IX_ADDR:
		b->has_addr = true;
		for (size_t i = 0; !err && i < vec->n; i++) {
			const struct rules_cidr *a = &((const struct rules_cidr *)vec->v)[i];

			err = rules_lpm_add(a->family == 4 ? &b->lpm4 : &b->lpm6, a->addr,
					    a->prefix, id);
		}
		return err;
	case RULES_IX_PATH:
		b->has_path = true;
		for (size_t i = 0; !err && i < vec->n; i++) {
			const struct rules_glob *g = &((const struct rules_glob *)vec->v)[i];
			const char *why;
			size_t lit;
			bool wild;

			if (rules_glob_check(g->pat, &lit, &wild, &why))
				return -EINVAL;
			if (g->home)
				b->has_home = true;
			err = rules_map_add(wild ? &b->path_prefix : &b->path_exact, g->pat, lit,
					    id);
		}
		return err;
	case RULES_IX_PORT:
		for (size_t i = 0; !err && i < vec->n; i++) {
			const struct rules_port_range *p = vec->v;

			err = rules_map_add(&b->port, &p[i].lo, sizeof(uint16_t), id);
		}
		return err;
	case RULES_IX_SCAN:
		return rules_map_ids_push(&b->scan, id);
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
		rules_map_ids_free(&b->scan);
	}
}

uint32_t rules_index_proven(const struct rules_rule *r)
{
	/* names, prefixes and single ports are looked up exactly; globs are only pre-filtered */
	return r->ix == RULES_IX_HOST ? RULES_COND_BIT(host) :
	       r->ix == RULES_IX_ADDR ? RULES_COND_BIT(addr) :
	       r->ix == RULES_IX_PORT ? RULES_COND_BIT(port) :
					0;
}

/* ---- lookup ------------------------------------------------------------------------------- */

static void call(rules_ids_fn fn, void *ctx, const struct rules_ids *ids)
{
	if (ids)
		fn(ids, ctx);
}

/* Looks up the prefixes of s (every "...'/'") and s itself in the path maps. */
static void path_lookup(const struct rules_bucket *b, const char *s, size_t len, rules_ids_fn fn,
			void *ctx)
{
	uint64_t h = RULES_MAP_HASH_INIT;

	for (size_t i = 0; i < len; i++) {
		h = rules_map_hash_step(h, (unsigned char)s[i]);
		if (s[i] == '/')
			call(fn, ctx, rules_map_get(&b->path_prefix, s, i + 1, h));
	}
	call(fn, ctx, rules_map_get(&b->path_exact, s, len, h));
}

void rules_index_lookup(const struct rules_bucket *b, struct rules_view *v, rules_ids_fn fn,
			void *ctx)
{
	call(fn, ctx, &b->scan);
	if (b->has_host && v->host) {
		call(fn, ctx,
		     rules_map_get(&b->host_exact, v->host, v->host_len,
				   rules_map_hash(v->host, v->host_len)));
		/* every parent domain: "a.b.example.com" -> "b.example.com", "example.com", ... */
		for (size_t i = 0; i < v->host_len; i++) {
			if (v->host[i] == '.' && i + 1 < v->host_len) {
				const char *suf = v->host + i + 1;
				size_t sl = v->host_len - i - 1;

				call(fn, ctx,
				     rules_map_get(&b->host_suffix, suf, sl,
						   rules_map_hash(suf, sl)));
			}
		}
	}
	if (b->has_addr && v->fam == 4)
		rules_lpm_walk(&b->lpm4, v->addr, 32, fn, ctx);
	else if (b->has_addr && v->fam == 6)
		rules_lpm_walk(&b->lpm6, v->addr, 128, fn, ctx);
	if (v->has_port) {
		uint16_t p = v->port;

		call(fn, ctx,
		     rules_map_get(&b->port, &p, sizeof(p), rules_map_hash(&p, sizeof(p))));
	}
	if (b->has_path && v->path) {
		/* the empty prefix holds patterns that start with "**" */
		call(fn, ctx, rules_map_get(&b->path_prefix, "", 0, RULES_MAP_HASH_INIT));
		path_lookup(b, v->path, v->path_len, fn, ctx);
		if (b->has_home) {
			const char *hp = rules_home_path(v);

			if (hp)
				path_lookup(b, hp, v->homepath_len, fn, ctx);
		}
	}
}
