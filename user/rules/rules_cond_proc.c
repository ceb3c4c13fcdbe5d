// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The process conditions: "tool" (also what a rule's "tools" compiles to) and "result" (how
 * the call ended). Their rows are in RULES_COND_TABLE (rules_int.h). Tool names are the
 * named profiles' (the built-in ones of core/profiles.c and those of --profiles files: the
 * rules' tools), plus "watch:NAME", "pid:N", "runtime:KIND" and "*".
 */
#include "rules/rules_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/event.h"
#include "core/profiles.h"

_Static_assert(PROFILES_BUILTIN_MAX + PROFILES_FILE_MAX <= RULES_TOOLS_MAX && RULES_TOOLS_MAX <= 64,
	       "struct rules_tools keeps one bit per named tool");

/* ---- tool ----------------------------------------------------------------------------------- */

struct rules_tools {
	bool any;      /* "*" */
	uint64_t mask; /* bit i: the rules' tools[i] */
	char **names;  /* "watch:x", "pid:n" */
	size_t n_names;
};

bool rules_cond_tool_compile(struct rules_load *c, const struct rules_json *v, void **data)
{
	const char *const *profiles = c->tools;
	size_t np = c->n_tools;
	struct rules_tools *t = calloc(1, sizeof(*t));
	struct rules_load_item *it;
	long n;
	bool ok;

	*data = t;
	if (!t) {
		rules_load_err(c, v, "out of memory");
		return false;
	}
	n = rules_load_expand(c, v, v->key, &it);
	if (n < 0)
		return false;
	ok = rules_load_strings(c, it, n, v->key);
	for (long i = 0; ok && i < n; i++) {
		const char *s = it[i].v->str;
		int k = rules_load_lookup(s, profiles, np);

		if (strcmp(s, "*") == 0) {
			t->any = true;
		} else if (k >= 0) {
			t->mask |= UINT64_C(1) << k;
		} else if ((strncmp(s, "watch:", 6) == 0 && s[6]) ||
			   (strncmp(s, "runtime:", 8) == 0 && s[8]) ||
			   (strncmp(s, "pid:", 4) == 0 && s[4] &&
			    strspn(s + 4, "0123456789") == strlen(s + 4))) {
			char **nn = realloc(t->names, (t->n_names + 1) * sizeof(*nn));

			if (!nn || !(nn[t->n_names] = rules_load_strdup(c, it[i].v, s))) {
				if (nn)
					t->names = nn;
				ok = false;
				break;
			}
			t->names = nn;
			t->n_names++;
		} else {
			char sug[96], eb[128], lb[96];

			rules_load_item_err(c, &it[i], "unknown tool \"%s\"%s%s",
					    rules_load_esc(eb, sizeof(eb), s),
					    rules_load_suggest(sug, sizeof(sug), s, "", profiles,
							       np),
					    rules_load_in_list(lb, sizeof(lb), &it[i]));
			ok = false;
		}
	}
	free(it);
	return ok;
}

bool rules_cond_tool_match(const void *data, struct rules_view *view)
{
	const struct rules_tools *t = data;

	if (t->any)
		return true;
	if (view->tool_idx >= 0 && (t->mask & (UINT64_C(1) << view->tool_idx)))
		return true;
	for (size_t i = 0; i < t->n_names && view->ev->tool; i++)
		if (strcmp(t->names[i], view->ev->tool) == 0)
			return true;
	return false;
}

void rules_cond_tool_free(void *data)
{
	struct rules_tools *t = data;

	for (size_t i = 0; i < t->n_names; i++)
		free(t->names[i]);
	free(t->names);
	free(t);
}

/* ---- result --------------------------------------------------------------------------------- */

enum rules_result {
	RULES_R_ANY,
	RULES_R_OK,
	RULES_R_FAILED
};

bool rules_cond_result_compile(struct rules_load *c, const struct rules_json *v, void **data)
{
	static const char *const names[] = { "any", "ok", "failed" };
	enum rules_result *r = malloc(sizeof(*r));
	char sug[96], eb[128];
	int k;

	*data = r;
	if (!r) {
		rules_load_err(c, v, "out of memory");
		return false;
	}
	if (!rules_load_want(c, v, v->key, RULES_JSON_STRING, "a string"))
		return false;
	k = rules_load_lookup(v->str, names, 3);
	if (k < 0) {
		rules_load_err(c, v, "unknown result \"%s\"%s",
			       rules_load_esc(eb, sizeof(eb), v->str),
			       rules_load_suggest(sug, sizeof(sug), v->str, "", names, 3));
		return false;
	}
	*r = (enum rules_result)k;
	return true;
}

bool rules_cond_result_match(const void *data, struct rules_view *view)
{
	enum rules_result r = *(const enum rules_result *)data;

	return r == RULES_R_ANY || view->ok == (r == RULES_R_OK);
}

void rules_cond_result_free(void *data)
{
	free(data);
}
