// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The file conditions: "path" (globs, "~/" for any user's home) and "flags" (how a file was
 * opened). Their rows are in RULES_COND_TABLE (rules_int.h).
 */
#include "rules/rules_int.h"

#include <stdlib.h>

/* ---- path ----------------------------------------------------------------------------------- */

static bool path_parse(struct rules_load *c, const struct rules_load_item *it, void *out)
{
	struct rules_glob *g = out;
	const char *s = it->v->str, *why;
	char eb[256], lb[96];
	size_t lit;
	bool wild;

	if (rules_glob_check(s, &lit, &wild, &why)) {
		rules_load_item_err(c, it, "bad glob \"%s\": %s%s",
				    rules_load_esc(eb, sizeof(eb), s), why,
				    rules_load_in_list(lb, sizeof(lb), it));
		return false;
	}
	g->pat = rules_load_strdup(c, it->v, s);
	g->home = s[0] == '~';
	return g->pat != NULL;
}

bool rules_cond_path_compile(struct rules_load *c, const struct rules_json *v, void **data)
{
	return rules_load_list(c, v, true, sizeof(struct rules_glob), path_parse, data);
}

bool rules_cond_path_match(const void *data, struct rules_view *view)
{
	const struct rules_vec *vec = data;
	const struct rules_glob *g = vec->v;

	if (!view->path)
		return false;
	for (size_t i = 0; i < vec->n; i++) {
		if (g[i].home) {
			const char *hp = rules_home_path(view);

			if (hp && rules_glob_match(g[i].pat, hp))
				return true;
		} else if (rules_glob_match(g[i].pat, view->path)) {
			return true;
		}
	}
	return false;
}

void rules_cond_path_free(void *data)
{
	struct rules_vec *vec = data;

	for (size_t i = 0; i < vec->n; i++)
		free(((struct rules_glob *)vec->v)[i].pat);
	free(vec->v);
	free(vec);
}

/* ---- flags ---------------------------------------------------------------------------------- */

/* In the order of the RULES_F_* bits. */
static const char *const flag_names[] = { "read", "write", "create", "truncate" };

bool rules_cond_flags_compile(struct rules_load *c, const struct rules_json *v, void **data)
{
	uint32_t *mask = malloc(sizeof(*mask));

	*data = mask;
	if (!mask) {
		rules_load_err(c, v, "out of memory");
		return false;
	}
	return rules_load_keywords(c, v, flag_names, NULL,
				   sizeof(flag_names) / sizeof(flag_names[0]), "open flag", mask);
}

bool rules_cond_flags_match(const void *data, struct rules_view *view)
{
	return view->oflags & *(const uint32_t *)data;
}

void rules_cond_flags_free(void *data)
{
	free(data);
}
