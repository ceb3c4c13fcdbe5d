// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A binary trie of address prefixes: every prefix that contains an address, shortest first,
 * in as many steps as the address has bits.
 */
#include "rules/rules_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
	return rules_map_ids_push(&t->nodes[cur].ids, id);
}

int rules_lpm_walk(const struct rules_lpm *t, const uint8_t *addr, unsigned int nbits,
		   rules_ids_fn fn, void *ctx)
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
		rules_map_ids_free(&t->nodes[i].ids);
	free(t->nodes);
	memset(t, 0, sizeof(*t));
}
