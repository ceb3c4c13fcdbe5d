// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The conditions of rules and exceptions, driven by THE table (RULES_COND_TABLE in
 * rules_int.h): checking an object's keys against it, compiling, matching and freeing each
 * condition through its row. The conditions themselves live in rules_cond_*.c.
 */
#include "rules/rules_int.h"

#include <stdlib.h>
#include <string.h>

_Static_assert(RULES_COND_N <= 32, "struct rules_cond keeps one bit per condition");

const struct rules_cond_type rules_cond_types[RULES_COND_N] = {
#define RULES_COND_ROW(name, ev, slow)                                       \
	{ #name, ev, rules_cond_##name##_compile, rules_cond_##name##_match, \
	  rules_cond_##name##_free },
	RULES_COND_TABLE(RULES_COND_ROW)
#undef RULES_COND_ROW
};

/* The conditions whose match walks patterns. */
static const uint32_t slow_bits = 0
#define RULES_COND_SLOW(name, ev, slow) | ((uint32_t)(slow) << RULES_COND_##name)
	RULES_COND_TABLE(RULES_COND_SLOW)
#undef RULES_COND_SLOW
	;

/* The keys, for "did you mean". */
static const char *const cond_keys[RULES_COND_N] = {
#define RULES_COND_KEY(name, ev, slow) #name,
	RULES_COND_TABLE(RULES_COND_KEY)
#undef RULES_COND_KEY
};

bool rules_cond_compile(struct rules_load *c, const struct rules_json *obj, const char *what,
			struct rules_cond *cd)
{
	bool ok = true;

	memset(cd, 0, sizeof(*cd));
	if (!rules_load_want(c, obj, what, RULES_JSON_OBJECT, "an object"))
		return false;
	for (const struct rules_json *e = obj->child; e; e = e->next) {
		int k = rules_load_lookup(e->key, cond_keys, RULES_COND_N);
		char sug[96], eb[128];

		if (k < 0) {
			rules_load_errorf(c->errs, c->src, e->key_line, e->key_col,
					  "unknown key \"%s\"%s",
					  rules_load_esc(eb, sizeof(eb), e->key),
					  rules_load_suggest(sug, sizeof(sug), e->key, "",
							     cond_keys, RULES_COND_N));
			ok = false;
			continue;
		}
		if (!(rules_cond_types[k].events & c->events)) {
			rules_load_errorf(c->errs, c->src, e->key_line, e->key_col,
					  "condition \"%s\" does not apply to event \"%s\"", e->key,
					  c->event_name);
			ok = false;
			continue;
		}
		/* keys are unique in an object (the JSON reader refuses repeats) */
		cd->keys |= 1u << k;
		if (!rules_cond_types[k].compile(c, e, &cd->data[k]))
			ok = false;
	}
	return ok;
}

bool rules_cond_match(const struct rules_cond *cd, struct rules_view *view, uint32_t skip)
{
	uint32_t keys = cd->keys & ~skip;

	/* cheap comparisons first: most candidates fail one of them */
	for (int pass = 0; pass < 2; pass++) {
		uint32_t k = keys & (pass ? slow_bits : ~slow_bits);

		for (unsigned int i = 0; k; i++, k >>= 1) {
			if ((k & 1) && !rules_cond_types[i].match(cd->data[i], view))
				return false;
		}
	}
	return true;
}

void rules_cond_clear(struct rules_cond *cd)
{
	for (unsigned int i = 0; i < RULES_COND_N; i++) {
		if (cd->data[i])
			rules_cond_types[i].free(cd->data[i]);
	}
	memset(cd, 0, sizeof(*cd));
}
