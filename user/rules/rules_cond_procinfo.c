// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The conditions on the process behind an event, beyond its tool: "exe" and "parent_exe"
 * (path globs), "comm" and "parent_comm" (text globs), "argv" and "root_argv" (text globs
 * over the command line of the process and of its watched tree's root) and "netns" (the
 * host's network namespace or another). Their rows are in RULES_COND_TABLE (rules_int.h).
 * A value the monitor could not learn (unreadable, or a command line cut to fit) matches no
 * pattern: an exception on it never excuses an event by accident.
 */
#include "rules/rules_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/event.h"

/* A compiled pattern: "(?i)" at its start made it case-insensitive (and lower case). */
struct procinfo_glob {
	char *pat;
	bool icase;
};

/* "(?i)" off the front of s, if there: returns what follows and sets *icase. */
static const char *icase_prefix(const char *s, bool *icase)
{
	*icase = strncmp(s, "(?i)", 4) == 0;
	return *icase ? s + 4 : s;
}

static char *lower_dup(struct rules_load *c, const struct rules_load_item *it, const char *s,
		       bool icase)
{
	char *d = rules_load_strdup(c, it->v, s);

	for (char *p = d; icase && p && *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
	return d;
}

static void globs_free(void *data)
{
	struct rules_vec *vec = data;

	for (size_t i = 0; i < vec->n; i++)
		free(((struct procinfo_glob *)vec->v)[i].pat);
	free(vec->v);
	free(vec);
}

/* ---- exe, parent_exe: path globs -------------------------------------------------------- */

static bool path_parse(struct rules_load *c, const struct rules_load_item *it, void *out)
{
	struct procinfo_glob *g = out;
	const char *s = icase_prefix(it->v->str, &g->icase), *why;
	char eb[256], lb[96];
	size_t lit;
	bool wild;

	if (s[0] == '~')
		why = "an executable pattern starts with '/' or \"**\" (\"~/\" is for file paths)";
	else if (!rules_glob_check(s, &lit, &wild, &why))
		return (g->pat = lower_dup(c, it, s, g->icase)) != NULL;
	rules_load_item_err(c, it, "bad glob \"%s\": %s%s",
			    rules_load_esc(eb, sizeof(eb), it->v->str), why,
			    rules_load_in_list(lb, sizeof(lb), it));
	return false;
}

static bool path_compile(struct rules_load *c, const struct rules_json *v, void **data)
{
	return rules_load_list(c, v, true, sizeof(struct procinfo_glob), path_parse, data);
}

/* Whether one of the path globs in data matches path ("" or NULL: unknown, no match). */
static bool path_match(const void *data, const char *path)
{
	const struct rules_vec *vec = data;
	const struct procinfo_glob *g = vec->v;
	char norm[LW_PATH_MAX + 1], low[LW_PATH_MAX + 1];
	size_t n;

	if (!path || !path[0])
		return false;
	/* the exec'd name stands in for a gone process's executable: it may be relative */
	n = rules_path_normalize(norm, path, strnlen(path, LW_PATH_MAX));
	for (size_t i = 0; i <= n; i++)
		low[i] = norm[i] >= 'A' && norm[i] <= 'Z' ? (char)(norm[i] + 32) : norm[i];
	for (size_t i = 0; i < vec->n; i++)
		if (rules_glob_match(g[i].pat, g[i].icase ? low : norm))
			return true;
	return false;
}

bool rules_cond_exe_compile(struct rules_load *c, const struct rules_json *v, void **data)
{
	return path_compile(c, v, data);
}

bool rules_cond_exe_match(const void *data, struct rules_view *view)
{
	return path_match(data, view->ev->exe);
}

void rules_cond_exe_free(void *data)
{
	globs_free(data);
}

bool rules_cond_parent_exe_compile(struct rules_load *c, const struct rules_json *v, void **data)
{
	return path_compile(c, v, data);
}

bool rules_cond_parent_exe_match(const void *data, struct rules_view *view)
{
	return path_match(data, view->ev->parent_exe);
}

void rules_cond_parent_exe_free(void *data)
{
	globs_free(data);
}

/* ---- comm, parent_comm, argv, root_argv: text globs ------------------------------------- */

static bool text_parse(struct rules_load *c, const struct rules_load_item *it, void *out)
{
	struct procinfo_glob *g = out;
	const char *s = icase_prefix(it->v->str, &g->icase), *why;
	char eb[256], lb[96];

	if (!rules_glob_text_check(s, &why))
		return (g->pat = lower_dup(c, it, s, g->icase)) != NULL;
	rules_load_item_err(c, it, "bad pattern \"%s\": %s%s",
			    rules_load_esc(eb, sizeof(eb), it->v->str), why,
			    rules_load_in_list(lb, sizeof(lb), it));
	return false;
}

static bool text_compile(struct rules_load *c, const struct rules_json *v, void **data)
{
	return rules_load_list(c, v, true, sizeof(struct procinfo_glob), text_parse, data);
}

/* Whether one of the text globs in data matches s (NULL or "": unknown, no match). */
static bool text_match(const void *data, const char *s)
{
	const struct rules_vec *vec = data;
	const struct procinfo_glob *g = vec->v;
	size_t n;

	if (!s || !s[0])
		return false;
	n = strnlen(s, RULES_TEXT_MAX + 1);
	for (size_t i = 0; i < vec->n; i++)
		if (rules_glob_text_match(g[i].pat, s, n, g[i].icase))
			return true;
	return false;
}

bool rules_cond_comm_compile(struct rules_load *c, const struct rules_json *v, void **data)
{
	return text_compile(c, v, data);
}

bool rules_cond_comm_match(const void *data, struct rules_view *view)
{
	return text_match(data, view->ev->comm);
}

void rules_cond_comm_free(void *data)
{
	globs_free(data);
}

bool rules_cond_parent_comm_compile(struct rules_load *c, const struct rules_json *v, void **data)
{
	return text_compile(c, v, data);
}

bool rules_cond_parent_comm_match(const void *data, struct rules_view *view)
{
	return text_match(data, view->ev->parent_comm);
}

void rules_cond_parent_comm_free(void *data)
{
	globs_free(data);
}

bool rules_cond_argv_compile(struct rules_load *c, const struct rules_json *v, void **data)
{
	return text_compile(c, v, data);
}

/* Only a whole command line is matched: the end of a cut one could be anything. */
bool rules_cond_argv_match(const void *data, struct rules_view *view)
{
	return view->ev->argv_state == EVENT_ARGV_FULL && text_match(data, view->ev->argv);
}

void rules_cond_argv_free(void *data)
{
	globs_free(data);
}

bool rules_cond_root_argv_compile(struct rules_load *c, const struct rules_json *v, void **data)
{
	return text_compile(c, v, data);
}

bool rules_cond_root_argv_match(const void *data, struct rules_view *view)
{
	return view->ev->root_argv_state == EVENT_ARGV_FULL &&
	       text_match(data, view->ev->root_argv);
}

void rules_cond_root_argv_free(void *data)
{
	globs_free(data);
}

/* ---- netns ------------------------------------------------------------------------------ */

/* In the order of enum event_netns, from EVENT_NETNS_HOST. */
static const char *const netns_names[] = { "host", "other" };
static const uint32_t netns_bits[] = { 1u << EVENT_NETNS_HOST, 1u << EVENT_NETNS_OTHER };

bool rules_cond_netns_compile(struct rules_load *c, const struct rules_json *v, void **data)
{
	uint32_t *mask = malloc(sizeof(*mask));

	*data = mask;
	if (!mask) {
		rules_load_err(c, v, "out of memory");
		return false;
	}
	return rules_load_keywords(c, v, netns_names, netns_bits, 2, "network namespace", mask);
}

/* An unknown namespace (the process was gone) is neither. */
bool rules_cond_netns_match(const void *data, struct rules_view *view)
{
	uint8_t ns = view->ev->netns;

	return ns != EVENT_NETNS_UNKNOWN && ns < 32 && (*(const uint32_t *)data & (1u << ns));
}

void rules_cond_netns_free(void *data)
{
	free(data);
}
