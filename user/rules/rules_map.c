// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Vectors of rule indexes and a hash map from byte strings to them: the index's lookups
 * (rules_index.c) and the loader's table of rule ids.
 */
#include "rules/rules_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- vectors ---------------------------------------------------------------------------- */

int rules_map_ids_push(struct rules_ids *ids, uint32_t id)
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

void rules_map_ids_free(struct rules_ids *ids)
{
	free(ids->v);
	ids->v = NULL;
	ids->n = ids->cap = 0;
}

/* ---- hash map --------------------------------------------------------------------------- */

uint64_t rules_map_hash(const void *key, size_t len)
{
	const unsigned char *k = key;
	uint64_t h = RULES_MAP_HASH_INIT;

	for (size_t i = 0; i < len; i++)
		h = rules_map_hash_step(h, k[i]);
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
	uint64_t hash = rules_map_hash(key, klen);
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
	return rules_map_ids_push(&e->ids, id);
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
		rules_map_ids_free(&m->ents[i].ids);
	}
	free(m->ents);
	memset(m, 0, sizeof(*m));
}
