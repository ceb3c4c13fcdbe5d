// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The network conditions: "host" (names and "*." suffixes), "addr" (prefixes), "port"
 * (numbers and ranges), "addr_class", "host_source" and "bytes". Their rows are in
 * RULES_COND_TABLE (rules_int.h).
 */
#include "rules/rules_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/event.h"

/* ---- host ----------------------------------------------------------------------------------- */

/*
 * Checks and lowercases a host pattern: "name.example" or "*.name.example". Returns 0 or
 * -EINVAL with *why. On success dst (254 bytes) holds the lowercased name without "*." and
 * *suffix tells whether it had it.
 */
static int host_check(const char *pat, char *dst, bool *suffix, const char **why)
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
			if (!p[1]) /* a trailing dot names the same host */
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

static bool host_parse(struct rules_load *c, const struct rules_load_item *it, void *out)
{
	struct rules_host *h = out;
	const char *s = it->v->str, *why;
	char name[254], eb[300], lb[96];

	if (host_check(s, name, &h->suffix, &why)) {
		rules_load_item_err(c, it, "bad host \"%s\": %s%s",
				    rules_load_esc(eb, sizeof(eb), s), why,
				    rules_load_in_list(lb, sizeof(lb), it));
		return false;
	}
	h->name = rules_load_strdup(c, it->v, name);
	return h->name != NULL;
}

bool rules_cond_host_compile(struct rules_load *c, const struct rules_json *v, void **data)
{
	return rules_load_list(c, v, true, sizeof(struct rules_host), host_parse, data);
}

bool rules_cond_host_match(const void *data, struct rules_view *view)
{
	const struct rules_vec *vec = data;
	const struct rules_host *h = vec->v;

	if (!view->host)
		return false;
	for (size_t i = 0; i < vec->n; i++) {
		size_t sl;

		if (!h[i].suffix) {
			if (strcmp(h[i].name, view->host) == 0)
				return true;
			continue;
		}
		sl = strlen(h[i].name);
		if (view->host_len > sl + 1 && view->host[view->host_len - sl - 1] == '.' &&
		    memcmp(view->host + view->host_len - sl, h[i].name, sl) == 0)
			return true;
	}
	return false;
}

void rules_cond_host_free(void *data)
{
	struct rules_vec *vec = data;

	for (size_t i = 0; i < vec->n; i++)
		free(((struct rules_host *)vec->v)[i].name);
	free(vec->v);
	free(vec);
}

/* ---- addr ----------------------------------------------------------------------------------- */

static bool addr_parse(struct rules_load *c, const struct rules_load_item *it, void *out)
{
	const char *why;
	char eb[128], lb[96];

	if (!rules_cidr_parse(it->v->str, out, &why))
		return true;
	rules_load_item_err(c, it, "bad CIDR \"%s\": %s%s",
			    rules_load_esc(eb, sizeof(eb), it->v->str), why,
			    rules_load_in_list(lb, sizeof(lb), it));
	return false;
}

bool rules_cond_addr_compile(struct rules_load *c, const struct rules_json *v, void **data)
{
	return rules_load_list(c, v, true, sizeof(struct rules_cidr), addr_parse, data);
}

bool rules_cond_addr_match(const void *data, struct rules_view *view)
{
	const struct rules_vec *vec = data;

	for (size_t i = 0; view->fam && i < vec->n; i++) {
		if (rules_cidr_contains(&((const struct rules_cidr *)vec->v)[i], view->fam,
					view->addr))
			return true;
	}
	return false;
}

void rules_cond_addr_free(void *data)
{
	struct rules_vec *vec = data;

	free(vec->v);
	free(vec);
}

/* ---- port ----------------------------------------------------------------------------------- */

static bool port_num(const char *s, size_t len, long *out)
{
	long v = 0;

	if (!len || len > 6)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static bool port_parse(struct rules_load *c, const struct rules_load_item *it, void *out)
{
	struct rules_port_range *p = out;
	const struct rules_json *e = it->v;
	char eb[128], lb[96];
	long lo = 0, hi = 0;

	if (e->type == RULES_JSON_NUMBER) {
		if (!e->is_int || e->int_overflow || e->inum < 0 || e->inum > 65535) {
			rules_load_item_err(c, it, "bad port %g: must be an integer 0-65535%s",
					    e->num, rules_load_in_list(lb, sizeof(lb), it));
			return false;
		}
		lo = hi = e->inum;
	} else if (e->type == RULES_JSON_STRING) {
		const char *dash = strchr(e->str, '-');
		bool good = dash ? port_num(e->str, (size_t)(dash - e->str), &lo) &&
					    port_num(dash + 1, strlen(dash + 1), &hi) :
				   port_num(e->str, strlen(e->str), &lo);

		if (!dash)
			hi = lo;
		if (!good) {
			rules_load_item_err(
				c, it, "bad port \"%s\": use a number or a range \"LOW-HIGH\"%s",
				rules_load_esc(eb, sizeof(eb), e->str),
				rules_load_in_list(lb, sizeof(lb), it));
			return false;
		}
		if (lo > 65535 || hi > 65535) {
			rules_load_item_err(c, it, "bad port \"%s\": ports are 0-65535%s",
					    rules_load_esc(eb, sizeof(eb), e->str),
					    rules_load_in_list(lb, sizeof(lb), it));
			return false;
		}
		if (lo > hi) {
			rules_load_item_err(c, it,
					    "bad port range \"%s\": the start is after the end%s",
					    rules_load_esc(eb, sizeof(eb), e->str),
					    rules_load_in_list(lb, sizeof(lb), it));
			return false;
		}
	} else {
		rules_load_item_err(c, it, "\"port\" values must be numbers or strings, not %s%s",
				    rules_json_type_name(e->type),
				    rules_load_in_list(lb, sizeof(lb), it));
		return false;
	}
	p->lo = (uint16_t)lo;
	p->hi = (uint16_t)hi;
	return true;
}

bool rules_cond_port_compile(struct rules_load *c, const struct rules_json *v, void **data)
{
	return rules_load_list(c, v, false, sizeof(struct rules_port_range), port_parse, data);
}

bool rules_cond_port_match(const void *data, struct rules_view *view)
{
	const struct rules_vec *vec = data;
	const struct rules_port_range *p = vec->v;

	for (size_t i = 0; view->has_port && i < vec->n; i++) {
		if (view->port >= p[i].lo && view->port <= p[i].hi)
			return true;
	}
	return false;
}

void rules_cond_port_free(void *data)
{
	rules_cond_addr_free(data);
}

/* ---- addr_class, host_source: keyword sets -------------------------------------------------- */

/* A keyword set compiles to its mask of bits, and matches when the event's bit is in it. */
static bool bits_compile(struct rules_load *c, const struct rules_json *v, void **data,
			 const char *const *names, const uint32_t *bits, size_t n, const char *what)
{
	uint32_t *mask = malloc(sizeof(*mask));

	*data = mask;
	if (!mask) {
		rules_load_err(c, v, "out of memory");
		return false;
	}
	return rules_load_keywords(c, v, names, bits, n, what, mask);
}

static const char *const class_names[] = {
	"loopback", "any", "private", "link_local", "multicast", "public", "unix", "none", "other",
};
static const uint32_t class_bits[] = {
	RULES_C_LOOPBACK, RULES_C_ANY,	RULES_C_PRIVATE, RULES_C_LINK_LOCAL, RULES_C_MULTICAST,
	RULES_C_PUBLIC,	  RULES_C_UNIX, RULES_C_NONE,	 RULES_C_OTHER,
};

bool rules_cond_addr_class_compile(struct rules_load *c, const struct rules_json *v, void **data)
{
	return bits_compile(c, v, data, class_names, class_bits,
			    sizeof(class_names) / sizeof(class_names[0]), "address class");
}

bool rules_cond_addr_class_match(const void *data, struct rules_view *view)
{
	return view->cls & *(const uint32_t *)data;
}

void rules_cond_addr_class_free(void *data)
{
	free(data);
}

static const char *const host_source_names[] = { "dns", "sni", "http", "none", "rule" };
static const uint32_t host_source_bits[] = {
	RULES_HS_DNS, RULES_HS_SNI, RULES_HS_HTTP, RULES_HS_NONE, RULES_HS_RULE,
};

bool rules_cond_host_source_compile(struct rules_load *c, const struct rules_json *v, void **data)
{
	return bits_compile(c, v, data, host_source_names, host_source_bits,
			    sizeof(host_source_names) / sizeof(host_source_names[0]),
			    "host source");
}

bool rules_cond_host_source_match(const void *data, struct rules_view *view)
{
	return view->host_src & *(const uint32_t *)data;
}

void rules_cond_host_source_free(void *data)
{
	free(data);
}

/* ---- bytes ---------------------------------------------------------------------------------- */

struct bytes_range {
	uint64_t min, max;
};

bool rules_cond_bytes_compile(struct rules_load *c, const struct rules_json *v, void **data)
{
	static const char *const keys[] = { "min", "max" };
	const struct rules_json *e, *lims[2] = { NULL, NULL };
	uint64_t val[2] = { 0, UINT64_MAX };
	struct bytes_range *b = malloc(sizeof(*b));

	*data = b;
	if (!b) {
		rules_load_err(c, v, "out of memory");
		return false;
	}
	if (v->type == RULES_JSON_NUMBER) {
		lims[0] = v;
	} else if (v->type == RULES_JSON_OBJECT) {
		for (e = v->child; e; e = e->next) {
			int k = rules_load_lookup(e->key, keys, 2);

			if (k < 0) {
				char sug[96], eb[128];

				rules_load_errorf(c->errs, c->src, e->key_line, e->key_col,
						  "unknown key \"%s\"%s",
						  rules_load_esc(eb, sizeof(eb), e->key),
						  rules_load_suggest(sug, sizeof(sug), e->key, "",
								     keys, 2));
				return false;
			}
			lims[k] = e;
		}
	} else {
		rules_load_err(
			c, v,
			"\"bytes\" must be a number or an object {\"min\": N, \"max\": N}, not %s",
			rules_json_type_name(v->type));
		return false;
	}
	for (int k = 0; k < 2; k++) {
		e = lims[k];
		if (!e)
			continue;
		if (e->type != RULES_JSON_NUMBER || !e->is_int || e->int_overflow || e->inum < 0) {
			rules_load_err(c, e, "bad byte count: a non-negative integer is expected");
			return false;
		}
		val[k] = (uint64_t)e->inum;
	}
	if (val[0] > val[1]) {
		rules_load_err(c, v, "bad byte range: \"min\" is above \"max\"");
		return false;
	}
	b->min = val[0];
	b->max = val[1];
	return true;
}

bool rules_cond_bytes_match(const void *data, struct rules_view *view)
{
	const struct bytes_range *b = data;

	return view->ev->bytes >= b->min && view->ev->bytes <= b->max;
}

void rules_cond_bytes_free(void *data)
{
	free(data);
}
