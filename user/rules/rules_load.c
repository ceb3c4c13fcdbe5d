// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What every part of loading shares: errors that name file:line:col (with "did you mean"
 * when a word is close to one expected), type checks, the expansion of "@list" references,
 * and the one compiler of list values that the host, address, port and path conditions use.
 */
#include "rules/rules_int.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/escape.h"

#define RULES_MAX_ERRORS 100

/* ---- errors ------------------------------------------------------------------------------ */

void rules_load_errorf(struct rules_errors *e, const struct rules_src *src, int line, int col,
		       const char *fmt, ...)
{
	char msg[768], *full;
	char **v;
	va_list ap;
	int n;

	if (e->capped)
		return;
	if (e->n == RULES_MAX_ERRORS) {
		e->capped = true;
		/* still "file: message", the file where the errors went on */
		snprintf(msg, sizeof(msg), "too many errors; stopping here");
		line = 0;
	} else {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
	}
	v = realloc(e->v, (e->n + 1) * sizeof(*v));
	if (!v)
		return;
	e->v = v;
	if (!src)
		n = asprintf(&full, "%s", msg);
	else if (line > 0)
		n = asprintf(&full, "%s:%d:%d: %s", src->name, line, col, msg);
	else
		n = asprintf(&full, "%s: %s", src->name, msg);
	if (n >= 0)
		e->v[e->n++] = full;
}

void rules_load_errors_free(struct rules_errors *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->v[i]);
	free(e->v);
	memset(e, 0, sizeof(*e));
}

const char *rules_load_esc(char *buf, size_t size, const char *s)
{
	escape_str(buf, size, s);
	return buf;
}

unsigned int rules_load_distance(const char *a, const char *b)
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

const char *rules_load_suggest(char *buf, size_t size, const char *word, const char *prefix,
			       const char *const *cands, size_t n)
{
	unsigned int best = 99;
	const char *pick = NULL;
	size_t wl = strlen(word);

	for (size_t i = 0; i < n; i++) {
		unsigned int d = rules_load_distance(word, cands[i]);

		if (d < best) {
			best = d;
			pick = cands[i];
		}
	}
	if (!pick || best > 2 || best >= wl) {
		buf[0] = '\0';
		return buf;
	}
	snprintf(buf, size, " (did you mean \"%s%s\"?)", prefix, pick);
	return buf;
}

const char *rules_load_in_list(char *buf, size_t size, const struct rules_load_item *it)
{
	if (!it->list)
		return "";
	snprintf(buf, size, " (in list \"%s\")", it->list);
	return buf;
}

int rules_load_lookup(const char *s, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

bool rules_load_valid_name(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' || *s == '.'))
			return false;
	return true;
}

/* ---- values ------------------------------------------------------------------------------ */

bool rules_load_want(struct rules_load *c, const struct rules_json *v, const char *key,
		     enum rules_json_type t, const char *what)
{
	if (v->type == t || (t == RULES_JSON_TRUE && v->type == RULES_JSON_FALSE))
		return true;
	rules_load_err(c, v, "\"%s\" must be %s, not %s", key, what, rules_json_type_name(v->type));
	return false;
}

char *rules_load_strdup(struct rules_load *c, const struct rules_json *v, const char *s)
{
	char *d = strdup(s);

	if (!d)
		rules_load_err(c, v, "out of memory");
	return d;
}

static const struct rules_list *find_list(const struct rules_load *c, const char *name)
{
	for (size_t i = 0; i < c->n_lists; i++)
		if (strcmp(c->lists[i].name, name) == 0)
			return &c->lists[i];
	return NULL;
}

static void unknown_list(struct rules_load *c, const struct rules_json *e)
{
	char sug[96], eb[128];
	const char **names = malloc((c->n_lists + 1) * sizeof(*names));

	for (size_t i = 0; names && i < c->n_lists; i++)
		names[i] = c->lists[i].name;
	rules_load_err(c, e, "unknown list \"%s\"%s", rules_load_esc(eb, sizeof(eb), e->str),
		       names ? rules_load_suggest(sug, sizeof(sug), e->str + 1, "@", names,
						  c->n_lists) :
			       "");
	free(names);
}

void *rules_load_calloc(size_t n, size_t size)
{
	return calloc(n ? n : 1, size);
}

long rules_load_expand(struct rules_load *c, const struct rules_json *v, const char *key,
		       struct rules_load_item **out)
{
	struct rules_load_item *items = NULL;
	size_t n = 0, cap = 0;
	const struct rules_json *one = v, *e;
	bool ok = true;

	*out = NULL;
	if (v->type == RULES_JSON_ARRAY) {
		if (!v->n) {
			rules_load_err(c, v, "\"%s\" is an empty array", key);
			return -1;
		}
		one = v->child;
	} else if (v->type == RULES_JSON_OBJECT || v->type == RULES_JSON_NULL ||
		   v->type == RULES_JSON_TRUE || v->type == RULES_JSON_FALSE) {
		rules_load_err(c, v, "\"%s\" must be a string or an array of strings, not %s", key,
			       rules_json_type_name(v->type));
		return -1;
	}
	for (e = one; e; e = v->type == RULES_JSON_ARRAY ? e->next : NULL) {
		const struct rules_json *from = e;
		const struct rules_src *src = c->src;
		const char *list = NULL;
		size_t cnt = 1;

		if (e->type == RULES_JSON_STRING && e->str[0] == '@') {
			const struct rules_list *l = find_list(c, e->str + 1);

			if (!l) {
				unknown_list(c, e);
				ok = false;
				continue;
			}
			from = l->key_node->child;
			cnt = l->key_node->n;
			src = l->src;
			list = l->name;
		}
		for (size_t i = 0; i < cnt; i++, from = from->next) {
			if (n == cap) {
				struct rules_load_item *ni;

				cap = cap ? cap * 2 : 8;
				ni = realloc(items, cap * sizeof(*ni));
				if (!ni) {
					free(items);
					rules_load_err(c, v, "out of memory");
					return -1;
				}
				items = ni;
			}
			items[n].v = from;
			items[n].src = src;
			items[n].list = list;
			n++;
		}
	}
	if (!ok) {
		free(items);
		return -1;
	}
	*out = items;
	return (long)n;
}

bool rules_load_strings(struct rules_load *c, const struct rules_load_item *it, long n,
			const char *key)
{
	for (long i = 0; i < n; i++) {
		if (it[i].v->type != RULES_JSON_STRING) {
			char lb[96];

			rules_load_item_err(c, &it[i], "\"%s\" values must be strings, not %s%s",
					    key, rules_json_type_name(it[i].v->type),
					    rules_load_in_list(lb, sizeof(lb), &it[i]));
			return false;
		}
	}
	return true;
}

bool rules_load_keywords(struct rules_load *c, const struct rules_json *v, const char *const *names,
			 const uint32_t *bits, size_t n, const char *what, uint32_t *mask)
{
	struct rules_load_item *it;
	long cnt = rules_load_expand(c, v, v->key, &it);
	bool ok;

	*mask = 0;
	if (cnt < 0)
		return false;
	ok = rules_load_strings(c, it, cnt, v->key);
	for (long i = 0; ok && i < cnt; i++) {
		int k = rules_load_lookup(it[i].v->str, names, n);

		if (k < 0) {
			char sug[96], eb[128], lb[96];

			rules_load_item_err(c, &it[i], "unknown %s \"%s\"%s%s", what,
					    rules_load_esc(eb, sizeof(eb), it[i].v->str),
					    rules_load_suggest(sug, sizeof(sug), it[i].v->str, "",
							       names, n),
					    rules_load_in_list(lb, sizeof(lb), &it[i]));
			ok = false;
		} else {
			*mask |= bits ? bits[k] : 1u << k;
		}
	}
	free(it);
	return ok;
}

bool rules_load_list(struct rules_load *c, const struct rules_json *v, bool strings,
		     size_t item_size, rules_load_item_fn parse, void **data)
{
	struct rules_vec *vec = calloc(1, sizeof(*vec));
	struct rules_load_item *it;
	long n;
	bool ok;

	*data = vec;
	if (!vec) {
		rules_load_err(c, v, "out of memory");
		return false;
	}
	n = rules_load_expand(c, v, v->key, &it);
	if (n < 0)
		return false;
	ok = !strings || rules_load_strings(c, it, n, v->key);
	if (ok && !(vec->v = rules_load_calloc((size_t)n, item_size))) {
		rules_load_err(c, v, "out of memory");
		ok = false;
	}
	for (long i = 0; vec->v && i < n; i++) {
		/* an item counts only once parsed: the slot of a bad one is reused */
		void *slot = (char *)vec->v + vec->n * item_size;

		memset(slot, 0, item_size);
		if (parse(c, &it[i], slot))
			vec->n++;
		else
			ok = false;
	}
	free(it);
	return ok;
}
