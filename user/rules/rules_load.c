// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Loading rule packs: reads files, parses them with positions, validates every key and value
 * (each error names file:line:col and the offending key or value, with a suggestion when one
 * is close), expands named lists and compiles the rules. All or nothing.
 */
#include "rules/rules_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/escape.h"
#include "rules/rules_json.h"

#define RULES_MAX_ERRORS 100
#define RULES_MAX_FILE (16u << 20)

const char *const rules_profile_names[RULES_N_PROFILES] = {
	"ollama", "lm-studio", "gpt4all", "jan", "llama-server", "vllm", "koboldcpp", "localai",
};

struct rules_src {
	char *name;
	char *text;
	size_t len;
	bool is_default;
	struct rules_json *root;
};

struct rules_list {
	const char *name;
	const struct rules_json *key_node;	/* the member: key position and items */
	const struct rules_src *src;
};

struct rules_builder {
	struct rules_src *srcs;
	size_t n_srcs;
	char **errs;
	size_t n_errs;
	bool errs_capped;
	rules_home_fn home_fn;
	void *home_ctx;
	size_t n_rules, n_user_rules;

	/* during a build */
	struct rules_list *lists;
	size_t n_lists;
	struct rules_rule *rules;
	size_t n_out;
	bool *disabled;
};

/* A condition value after list expansion, with the file it was written in. */
struct vitem {
	const struct rules_json *v;
	const struct rules_src *src;
	const char *list;	/* name of the list it came from, or NULL */
};

/* ---- errors ------------------------------------------------------------------------------ */

__attribute__((format(printf, 5, 6))) static void berr(struct rules_builder *b,
						       const struct rules_src *src, int line,
						       int col, const char *fmt, ...)
{
	char msg[768], *full;
	char **errs;
	va_list ap;
	int n;

	if (b->errs_capped)
		return;
	if (b->n_errs == RULES_MAX_ERRORS) {
		b->errs_capped = true;
		snprintf(msg, sizeof(msg), "too many errors; stopping here");
		line = 0;
		src = NULL;
	} else {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
	}
	errs = realloc(b->errs, (b->n_errs + 1) * sizeof(*errs));
	if (!errs)
		return;
	b->errs = errs;
	if (!src)
		n = asprintf(&full, "%s", msg);
	else if (line > 0)
		n = asprintf(&full, "%s:%d:%d: %s", src->name, line, col, msg);
	else
		n = asprintf(&full, "%s: %s", src->name, msg);
	if (n >= 0)
		b->errs[b->n_errs++] = full;
}

/* Error at a value. */
#define verr(b, it, ...) berr((b), (it)->src, (it)->v->line, (it)->v->col, __VA_ARGS__)

/* Escaped copy of an untrusted string for a message (static buffer per call site). */
static const char *esc(char *buf, size_t size, const char *s)
{
	escape_str(buf, size, s);
	return buf;
}

/* " (did you mean \"x\"?)" when one candidate is close to word, else "". */
static const char *suggest(char *buf, size_t size, const char *word, const char *prefix,
			   const char *const *cands, size_t n)
{
	unsigned int best = 99;
	const char *pick = NULL;
	size_t wl = strlen(word);

	for (size_t i = 0; i < n; i++) {
		unsigned int d = rules_edit_distance(word, cands[i]);

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

/* ---- sources ------------------------------------------------------------------------------ */

struct rules_builder *rules_builder_new(void)
{
	return calloc(1, sizeof(struct rules_builder));
}

static void free_build_state(struct rules_builder *b)
{
	for (size_t i = 0; i < b->n_out; i++)
		rules_rule_clear(&b->rules[i]);
	free(b->rules);
	b->rules = NULL;
	b->n_out = 0;
	free(b->lists);
	b->lists = NULL;
	b->n_lists = 0;
	free(b->disabled);
	b->disabled = NULL;
	for (size_t i = 0; i < b->n_srcs; i++) {
		rules_json_free(b->srcs[i].root);
		b->srcs[i].root = NULL;
	}
}

void rules_builder_free(struct rules_builder *b)
{
	if (!b)
		return;
	free_build_state(b);
	for (size_t i = 0; i < b->n_srcs; i++) {
		free(b->srcs[i].name);
		free(b->srcs[i].text);
	}
	free(b->srcs);
	for (size_t i = 0; i < b->n_errs; i++)
		free(b->errs[i]);
	free(b->errs);
	free(b);
}

int rules_builder_add_text(struct rules_builder *b, const char *name, const char *text,
			   size_t len, bool is_default)
{
	struct rules_src *srcs = realloc(b->srcs, (b->n_srcs + 1) * sizeof(*srcs));
	struct rules_src *s;

	if (!srcs)
		return -ENOMEM;
	b->srcs = srcs;
	s = &b->srcs[b->n_srcs];
	memset(s, 0, sizeof(*s));
	s->name = strdup(name);
	s->text = malloc(len + 1);
	if (!s->name || !s->text) {
		free(s->name);
		free(s->text);
		return -ENOMEM;
	}
	memcpy(s->text, text, len);
	s->text[len] = '\0';
	s->len = len;
	s->is_default = is_default;
	b->n_srcs++;
	return 0;
}

int rules_builder_add_default(struct rules_builder *b)
{
	for (size_t i = 0; i < rules_default_pack_count; i++) {
		const struct rules_pack_file *f = &rules_default_pack[i];
		int err = rules_builder_add_text(b, f->name, f->text, f->len, true);

		if (err)
			return err;
	}
	return 0;
}

static int add_file(struct rules_builder *b, const char *path)
{
	struct rules_src tmp = { .name = (char *)path };
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		goto fail;
	}
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *nb;

			if (cap >= RULES_MAX_FILE) {
				err = -EFBIG;
				goto fail;
			}
			cap = cap ? cap * 2 : 8192;
			nb = realloc(buf, cap);
			if (!nb) {
				err = -ENOMEM;
				goto fail;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	err = rules_builder_add_text(b, path, buf ? buf : "", len, false);
	free(buf);
	return err;
fail:
	if (fd >= 0)
		close(fd);
	free(buf);
	berr(b, &tmp, 0, 0, "cannot read: %s", err == -EFBIG ? "larger than 16 MiB" :
		    strerror(-err));
	return err;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int rules_builder_add_path(struct rules_builder *b, const char *path)
{
	struct rules_src tmp = { .name = (char *)path };
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;
	struct stat st;
	DIR *d;
	int err = 0;

	if (stat(path, &st) < 0) {
		err = -errno;
		berr(b, &tmp, 0, 0, "cannot read: %s", strerror(errno));
		return err;
	}
	if (!S_ISDIR(st.st_mode))
		return add_file(b, path);
	d = opendir(path);
	if (!d) {
		err = -errno;
		berr(b, &tmp, 0, 0, "cannot read: %s", strerror(errno));
		return err;
	}
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		char **nn;

		/* hidden files are editor backups and the like */
		if (l < 6 || de->d_name[0] == '.' || strcmp(de->d_name + l - 5, ".json") != 0)
			continue;
		nn = realloc(names, (n + 1) * sizeof(*nn));
		if (!nn || asprintf(&nn[n], "%s%s%s", path,
				    path[strlen(path) - 1] == '/' ? "" : "/", de->d_name) < 0) {
			names = nn ? nn : names;
			err = -ENOMEM;
			break;
		}
		names = nn;
		n++;
	}
	closedir(d);
	if (!err) {
		if (n)
			qsort(names, n, sizeof(*names), cmp_str);
		else
			berr(b, &tmp, 0, 0, "no *.json files in this directory");
		for (size_t i = 0; i < n; i++) {
			int e = add_file(b, names[i]);

			if (e && !err)
				err = e;
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return err;
}

void rules_builder_set_home_fn(struct rules_builder *b, rules_home_fn fn, void *ctx)
{
	b->home_fn = fn;
	b->home_ctx = ctx;
}

size_t rules_builder_error_count(const struct rules_builder *b)
{
	return b->n_errs;
}

const char *rules_builder_error(const struct rules_builder *b, size_t i)
{
	return i < b->n_errs ? b->errs[i] : NULL;
}

size_t rules_builder_rule_count(const struct rules_builder *b, bool only_user)
{
	return only_user ? b->n_user_rules : b->n_rules;
}

/* ---- vocabularies -------------------------------------------------------------------------- */

static const char *const top_keys[] = { "description", "lists", "rules", "disable" };
static const char *const rule_keys[] = {
	"id", "description", "severity", "tags", "tools", "event", "conditions", "exceptions",
	"action", "message", "fallback",
};
static const char *const cond_keys[] = {
	"host", "addr", "port", "path", "flags", "addr_class", "bytes", "result", "tool",
	"host_source",
};
static const uint32_t cond_key_bits[] = {
	RULES_K_HOST, RULES_K_ADDR, RULES_K_PORT, RULES_K_PATH, RULES_K_FLAGS, RULES_K_CLASS,
	RULES_K_BYTES, RULES_K_RESULT, RULES_K_TOOL, RULES_K_HOST_SOURCE,
};
static const char *const severity_names[] = { "info", "low", "medium", "high", "critical" };
static const char *const action_names[] = { "alert", "log", "block" };
static const char *const event_names[] = {
	"connect", "send", "bind", "listen", "open", "exec", "conn_bytes",
};
static const unsigned int event_types[] = {
	LW_REC_CONNECT, LW_REC_SEND, LW_REC_BIND, LW_REC_LISTEN, LW_REC_OPEN, LW_REC_EXEC,
	LW_REC_CONN_BYTES,
};
static const char *const flag_names[] = { "read", "write", "create", "truncate" };
static const char *const class_names[] = {
	"loopback", "any", "private", "link_local", "multicast", "public", "unix", "none", "other",
};
static const uint32_t class_bits[] = {
	RULES_C_LOOPBACK, RULES_C_ANY, RULES_C_PRIVATE, RULES_C_LINK_LOCAL, RULES_C_MULTICAST,
	RULES_C_PUBLIC, RULES_C_UNIX, RULES_C_NONE, RULES_C_OTHER,
};
static const char *const host_source_names[] = { "dns", "sni", "http", "none", "rule" };
static const uint32_t host_source_bits[] = {
	RULES_HS_DNS, RULES_HS_SNI, RULES_HS_HTTP, RULES_HS_NONE, RULES_HS_RULE,
};
static const char *const result_names[] = { "any", "ok", "failed" };
static const char *const bytes_keys[] = { "min", "max" };

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define EV(t) (1u << (t))
#define EV_NET (EV(LW_REC_CONNECT) | EV(LW_REC_SEND) | EV(LW_REC_BIND) | EV(LW_REC_LISTEN) | \
		EV(LW_REC_CONN_BYTES))
/* events with a far end that llmwatch names (bind and listen have a local address) */
#define EV_REMOTE (EV(LW_REC_CONNECT) | EV(LW_REC_SEND) | EV(LW_REC_CONN_BYTES))
#define EV_PATH (EV(LW_REC_OPEN) | EV(LW_REC_EXEC))
#define EV_RESULT (EV(LW_REC_CONNECT) | EV(LW_REC_SEND) | EV(LW_REC_BIND) | \
		   EV(LW_REC_LISTEN) | EV(LW_REC_OPEN))
#define EV_ALL 0xffffffffu

/* Which events each condition key makes sense for (same order as cond_keys). */
static const uint32_t cond_key_events[] = {
	EV_NET, EV_NET, EV_NET, EV_PATH, EV(LW_REC_OPEN), EV_NET, EV(LW_REC_SEND) |
	EV(LW_REC_CONN_BYTES), EV_RESULT, EV_ALL, EV_REMOTE,
};

static const struct {
	const char *name;
	enum rules_field field;
	uint32_t events;
} fields[] = {
	{ "tool", RULES_FLD_TOOL, EV_ALL },
	{ "pid", RULES_FLD_PID, EV_ALL },
	{ "ppid", RULES_FLD_PPID, EV_ALL },
	{ "uid", RULES_FLD_UID, EV_ALL },
	{ "comm", RULES_FLD_COMM, EV_ALL },
	{ "exe", RULES_FLD_EXE, EV_ALL },
	{ "host", RULES_FLD_HOST, EV_NET },
	{ "daddr", RULES_FLD_DADDR, EV_NET },
	{ "dport", RULES_FLD_DPORT, EV_NET },
	{ "dest", RULES_FLD_DEST, EV_NET },
	{ "path", RULES_FLD_PATH, EV_PATH },
	{ "flags", RULES_FLD_FLAGS, EV(LW_REC_OPEN) },
	{ "bytes", RULES_FLD_BYTES, EV(LW_REC_SEND) | EV(LW_REC_CONN_BYTES) },
	{ "result", RULES_FLD_RESULT, EV_RESULT },
	{ "event", RULES_FLD_EVENT, EV_ALL },
	{ "rule", RULES_FLD_RULE, EV_ALL },
	{ "severity", RULES_FLD_SEVERITY, EV_ALL },
	{ "filename", RULES_FLD_FILENAME, EV(LW_REC_EXEC) },
};

static int lookup(const char *s, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

/* ---- value helpers ------------------------------------------------------------------------- */

struct rctx {
	struct rules_builder *b;
	const struct rules_src *src;
	uint32_t events;	/* of the rule being compiled */
	const char *event_name;	/* one of them, for messages */
};

static bool want_type(struct rctx *c, const struct rules_json *v, const char *key,
		      enum rules_json_type t, const char *what)
{
	if (v->type == t || (t == RULES_JSON_TRUE && v->type == RULES_JSON_FALSE))
		return true;
	berr(c->b, c->src, v->line, v->col, "\"%s\" must be %s, not %s", key, what,
	     rules_json_type_name(v->type));
	return false;
}

static const struct rules_list *find_list(struct rules_builder *b, const char *name)
{
	for (size_t i = 0; i < b->n_lists; i++)
		if (strcmp(b->lists[i].name, name) == 0)
			return &b->lists[i];
	return NULL;
}

/*
 * Expands a condition value (a scalar or an array, whose strings "@name" stand for the items
 * of list `name`) into items. Returns the count, or -1 after reporting an error.
 */
static long expand(struct rctx *c, const struct rules_json *v, const char *key,
		   struct vitem **out)
{
	struct vitem *items = NULL;
	size_t n = 0, cap = 0;
	const struct rules_json *one = v, *e;
	bool ok = true;

	*out = NULL;
	if (v->type == RULES_JSON_ARRAY) {
		if (!v->n) {
			berr(c->b, c->src, v->line, v->col, "\"%s\" is an empty array", key);
			return -1;
		}
		one = v->child;
	} else if (v->type == RULES_JSON_OBJECT || v->type == RULES_JSON_NULL ||
		   v->type == RULES_JSON_TRUE || v->type == RULES_JSON_FALSE) {
		berr(c->b, c->src, v->line, v->col,
		     "\"%s\" must be a string or an array of strings, not %s", key,
		     rules_json_type_name(v->type));
		return -1;
	}
	for (e = one; e; e = v->type == RULES_JSON_ARRAY ? e->next : NULL) {
		const struct rules_json *from = e;
		const struct rules_src *src = c->src;
		const char *list = NULL;
		size_t cnt = 1;

		if (e->type == RULES_JSON_STRING && e->str[0] == '@') {
			const struct rules_list *l = find_list(c->b, e->str + 1);

			if (!l) {
				char sug[96], eb[128];
				const char **names = malloc((c->b->n_lists + 1) * sizeof(*names));

				for (size_t i = 0; names && i < c->b->n_lists; i++)
					names[i] = c->b->lists[i].name;
				berr(c->b, c->src, e->line, e->col, "unknown list \"%s\"%s",
				     esc(eb, sizeof(eb), e->str),
				     names ? suggest(sug, sizeof(sug), e->str + 1, "@", names,
						     c->b->n_lists) : "");
				free(names);
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
				struct vitem *ni;

				cap = cap ? cap * 2 : 8;
				ni = realloc(items, cap * sizeof(*ni));
				if (!ni) {
					free(items);
					berr(c->b, c->src, v->line, v->col, "out of memory");
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

/* " (in list \"x\")" for items that came from a list. */
static const char *in_list(char *buf, size_t size, const struct vitem *it)
{
	if (!it->list)
		return "";
	snprintf(buf, size, " (in list \"%s\")", it->list);
	return buf;
}

/* Checks that every item is a string; reports the first that is not. */
static bool items_are_strings(struct rctx *c, const struct vitem *it, long n, const char *key)
{
	for (long i = 0; i < n; i++) {
		if (it[i].v->type != RULES_JSON_STRING) {
			char lb[96];

			verr(c->b, &it[i], "\"%s\" values must be strings, not %s%s", key,
			     rules_json_type_name(it[i].v->type), in_list(lb, sizeof(lb), &it[i]));
			return false;
		}
	}
	return true;
}

/* A string, or an array of strings, from a fixed vocabulary: returns a bit mask, or -1. */
static long keyword_set(struct rctx *c, const struct rules_json *v, const char *key,
			const char *const *names, size_t n_names, const char *what)
{
	struct vitem *it;
	long n = expand(c, v, key, &it), mask = 0;
	bool ok;

	if (n < 0)
		return -1;
	ok = items_are_strings(c, it, n, key);
	for (long i = 0; ok && i < n; i++) {
		int k = lookup(it[i].v->str, names, n_names);

		if (k < 0) {
			char sug[96], eb[128], lb[96];

			verr(c->b, &it[i], "unknown %s \"%s\"%s%s", what,
			     esc(eb, sizeof(eb), it[i].v->str),
			     suggest(sug, sizeof(sug), it[i].v->str, "", names, n_names),
			     in_list(lb, sizeof(lb), &it[i]));
			ok = false;
		} else {
			mask |= 1l << k;
		}
	}
	free(it);
	return ok ? mask : -1;
}

static char *xstrdup(struct rctx *c, const struct rules_json *at, const char *s)
{
	char *d = strdup(s);

	if (!d)
		berr(c->b, c->src, at->line, at->col, "out of memory");
	return d;
}

static bool valid_list_name(const char *s)
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

/* ---- tools ---------------------------------------------------------------------------------- */

static bool compile_tools(struct rctx *c, const struct rules_json *v, const char *key,
			  struct rules_tools *t)
{
	struct vitem *it;
	long n = expand(c, v, key, &it);
	bool ok;

	if (n < 0)
		return false;
	ok = items_are_strings(c, it, n, key);
	for (long i = 0; ok && i < n; i++) {
		const char *s = it[i].v->str;
		int k = lookup(s, rules_profile_names, RULES_N_PROFILES);

		if (strcmp(s, "*") == 0) {
			t->any = true;
		} else if (k >= 0) {
			t->mask |= 1u << k;
		} else if ((strncmp(s, "watch:", 6) == 0 && s[6]) ||
			   (strncmp(s, "pid:", 4) == 0 && s[4] &&
			    strspn(s + 4, "0123456789") == strlen(s + 4))) {
			char **nn = realloc(t->names, (t->n_names + 1) * sizeof(*nn));

			if (!nn || !(nn[t->n_names] = xstrdup(c, it[i].v, s))) {
				if (nn)
					t->names = nn;
				ok = false;
				break;
			}
			t->names = nn;
			t->n_names++;
		} else {
			char sug[96], eb[128], lb[96];

			verr(c->b, &it[i], "unknown tool \"%s\"%s%s", esc(eb, sizeof(eb), s),
			     suggest(sug, sizeof(sug), s, "", rules_profile_names,
				     RULES_N_PROFILES),
			     in_list(lb, sizeof(lb), &it[i]));
			ok = false;
		}
	}
	free(it);
	return ok;
}

static void tools_clear(struct rules_tools *t)
{
	for (size_t i = 0; i < t->n_names; i++)
		free(t->names[i]);
	free(t->names);
	memset(t, 0, sizeof(*t));
}

/* ---- conditions ------------------------------------------------------------------------------ */

static bool compile_hosts(struct rctx *c, const struct rules_json *v, struct rules_cond *cd)
{
	struct vitem *it;
	long n = expand(c, v, "host", &it);
	bool ok;

	if (n < 0)
		return false;
	ok = items_are_strings(c, it, n, "host");
	if (ok) {
		cd->host_exact = calloc((size_t)n, sizeof(char *));
		cd->host_suffix = calloc((size_t)n, sizeof(char *));
		ok = cd->host_exact && cd->host_suffix;
	}
	for (long i = 0; ok && i < n; i++) {
		const char *s = it[i].v->str, *why;
		char name[300], eb[300], lb[96];
		bool suffix;

		/* rules_host_check() refuses a name over 253 before it fills name[] */
		if (rules_host_check(s, name, &suffix, &why)) {
			verr(c->b, &it[i], "bad host \"%s\": %s%s", esc(eb, sizeof(eb), s), why,
			     in_list(lb, sizeof(lb), &it[i]));
			ok = false;
			break;
		}
		if (suffix) {
			if (!(cd->host_suffix[cd->n_host_suffix++] = xstrdup(c, it[i].v, name)))
				ok = false;
		} else if (!(cd->host_exact[cd->n_host_exact++] = xstrdup(c, it[i].v, name))) {
			ok = false;
		}
	}
	free(it);
	return ok;
}

static bool compile_addrs(struct rctx *c, const struct rules_json *v, struct rules_cond *cd)
{
	struct vitem *it;
	long n = expand(c, v, "addr", &it);
	bool ok;

	if (n < 0)
		return false;
	ok = items_are_strings(c, it, n, "addr");
	if (ok && !(cd->addrs = calloc((size_t)n, sizeof(*cd->addrs))))
		ok = false;
	for (long i = 0; ok && i < n; i++) {
		const char *why;
		char eb[128], lb[96];

		/* every bad address is reported; only those that parsed are counted */
		if (rules_cidr_parse(it[i].v->str, &cd->addrs[cd->n_addrs], &why)) {
			verr(c->b, &it[i], "bad CIDR \"%s\": %s%s",
			     esc(eb, sizeof(eb), it[i].v->str), why,
			     in_list(lb, sizeof(lb), &it[i]));
			ok = false;
		} else {
			cd->n_addrs++;
		}
	}
	free(it);
	return ok;
}

static bool parse_port_num(const char *s, size_t len, long *out)
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

static bool compile_ports(struct rctx *c, const struct rules_json *v, struct rules_cond *cd)
{
	struct vitem *it;
	long n = expand(c, v, "port", &it);
	bool ok = n >= 0;

	if (ok && !(cd->ports = calloc((size_t)n, sizeof(*cd->ports))))
		ok = false;
	for (long i = 0; ok && i < n; i++) {
		const struct rules_json *e = it[i].v;
		char eb[128], lb[96];
		long lo, hi;

		if (e->type == RULES_JSON_NUMBER) {
			if (!e->is_int || e->int_overflow || e->inum < 0 || e->inum > 65535) {
				verr(c->b, &it[i], "bad port %g: must be an integer 0-65535%s",
				     e->num, in_list(lb, sizeof(lb), &it[i]));
				ok = false;
				break;
			}
			lo = hi = e->inum;
		} else if (e->type == RULES_JSON_STRING) {
			const char *dash = strchr(e->str, '-');
			bool good = dash ? parse_port_num(e->str, (size_t)(dash - e->str), &lo) &&
					   parse_port_num(dash + 1, strlen(dash + 1), &hi)
					 : parse_port_num(e->str, strlen(e->str), &lo);

			if (!dash)
				hi = lo;
			if (!good) {
				verr(c->b, &it[i],
				     "bad port \"%s\": use a number or a range \"LOW-HIGH\"%s",
				     esc(eb, sizeof(eb), e->str), in_list(lb, sizeof(lb), &it[i]));
				ok = false;
				break;
			}
			if (lo > 65535 || hi > 65535) {
				verr(c->b, &it[i], "bad port \"%s\": ports are 0-65535%s",
				     esc(eb, sizeof(eb), e->str), in_list(lb, sizeof(lb), &it[i]));
				ok = false;
				break;
			}
			if (lo > hi) {
				verr(c->b, &it[i],
				     "bad port range \"%s\": the start is after the end%s",
				     esc(eb, sizeof(eb), e->str), in_list(lb, sizeof(lb), &it[i]));
				ok = false;
				break;
			}
		} else {
			verr(c->b, &it[i], "\"port\" values must be numbers or strings, not %s%s",
			     rules_json_type_name(e->type), in_list(lb, sizeof(lb), &it[i]));
			ok = false;
			break;
		}
		cd->ports[cd->n_ports].lo = (uint16_t)lo;
		cd->ports[cd->n_ports].hi = (uint16_t)hi;
		cd->n_ports++;
	}
	free(it);
	return ok;
}

static bool compile_paths(struct rctx *c, const struct rules_json *v, struct rules_cond *cd)
{
	struct vitem *it;
	long n = expand(c, v, "path", &it);
	bool ok;

	if (n < 0)
		return false;
	ok = items_are_strings(c, it, n, "path");
	if (ok && !(cd->globs = calloc((size_t)n, sizeof(*cd->globs))))
		ok = false;
	for (long i = 0; ok && i < n; i++) {
		const char *s = it[i].v->str, *why;
		char eb[256], lb[96];
		size_t lit;
		bool wild;

		if (rules_glob_check(s, &lit, &wild, &why)) {
			verr(c->b, &it[i], "bad glob \"%s\": %s%s", esc(eb, sizeof(eb), s), why,
			     in_list(lb, sizeof(lb), &it[i]));
			ok = false;
			break;
		}
		if (!(cd->globs[i].pat = xstrdup(c, it[i].v, s))) {
			ok = false;
			break;
		}
		cd->globs[i].home = s[0] == '~';
		cd->n_globs++;
	}
	free(it);
	return ok;
}

static bool compile_bytes(struct rctx *c, const struct rules_json *v, struct rules_cond *cd)
{
	const struct rules_json *e, *lims[2] = { NULL, NULL };
	uint64_t val[2] = { 0, UINT64_MAX };

	if (v->type == RULES_JSON_NUMBER) {
		lims[0] = v;
	} else if (v->type == RULES_JSON_OBJECT) {
		for (e = v->child; e; e = e->next) {
			int k = lookup(e->key, bytes_keys, N(bytes_keys));

			if (k < 0) {
				char sug[96], eb[128];

				berr(c->b, c->src, e->key_line, e->key_col,
				     "unknown key \"%s\"%s", esc(eb, sizeof(eb), e->key),
				     suggest(sug, sizeof(sug), e->key, "", bytes_keys,
					     N(bytes_keys)));
				return false;
			}
			lims[k] = e;
		}
	} else {
		berr(c->b, c->src, v->line, v->col,
		     "\"bytes\" must be a number or an object {\"min\": N, \"max\": N}, not %s",
		     rules_json_type_name(v->type));
		return false;
	}
	for (int k = 0; k < 2; k++) {
		e = lims[k];
		if (!e)
			continue;
		if (e->type != RULES_JSON_NUMBER || !e->is_int || e->int_overflow || e->inum < 0) {
			berr(c->b, c->src, e->line, e->col,
			     "bad byte count: a non-negative integer is expected");
			return false;
		}
		val[k] = (uint64_t)e->inum;
	}
	if (val[0] > val[1]) {
		berr(c->b, c->src, v->line, v->col, "bad byte range: \"min\" is above \"max\"");
		return false;
	}
	cd->bytes_min = val[0];
	cd->bytes_max = val[1];
	return true;
}

static void cond_clear(struct rules_cond *cd)
{
	for (size_t i = 0; i < cd->n_host_exact; i++)
		free(cd->host_exact[i]);
	for (size_t i = 0; i < cd->n_host_suffix; i++)
		free(cd->host_suffix[i]);
	for (size_t i = 0; i < cd->n_globs; i++)
		free(cd->globs[i].pat);
	free(cd->host_exact);
	free(cd->host_suffix);
	free(cd->addrs);
	free(cd->ports);
	free(cd->globs);
	tools_clear(&cd->tool);
	memset(cd, 0, sizeof(*cd));
}

static bool compile_cond(struct rctx *c, const struct rules_json *obj, const char *what,
			 struct rules_cond *cd)
{
	bool ok = true;

	memset(cd, 0, sizeof(*cd));
	cd->bytes_max = UINT64_MAX;
	if (!want_type(c, obj, what, RULES_JSON_OBJECT, "an object"))
		return false;
	for (const struct rules_json *e = obj->child; e; e = e->next) {
		int k = lookup(e->key, cond_keys, N(cond_keys));
		char sug[96], eb[128];
		long m;

		if (k < 0) {
			berr(c->b, c->src, e->key_line, e->key_col, "unknown key \"%s\"%s",
			     esc(eb, sizeof(eb), e->key),
			     suggest(sug, sizeof(sug), e->key, "", cond_keys, N(cond_keys)));
			ok = false;
			continue;
		}
		if (!(cond_key_events[k] & c->events)) {
			berr(c->b, c->src, e->key_line, e->key_col,
			     "condition \"%s\" does not apply to event \"%s\"", e->key,
			     c->event_name);
			ok = false;
			continue;
		}
		cd->keys |= cond_key_bits[k];
		switch (cond_key_bits[k]) {
		case RULES_K_HOST:
			ok &= compile_hosts(c, e, cd);
			break;
		case RULES_K_ADDR:
			ok &= compile_addrs(c, e, cd);
			break;
		case RULES_K_PORT:
			ok &= compile_ports(c, e, cd);
			break;
		case RULES_K_PATH:
			ok &= compile_paths(c, e, cd);
			break;
		case RULES_K_FLAGS:
			m = keyword_set(c, e, "flags", flag_names, N(flag_names), "open flag");
			ok &= m >= 0;
			cd->flags = m >= 0 ? (uint32_t)m : 0;
			break;
		case RULES_K_CLASS:
			m = keyword_set(c, e, "addr_class", class_names, N(class_names),
					"address class");
			cd->classes = 0;
			for (size_t i = 0; m > 0 && i < N(class_names); i++)
				if (m & (1l << i))
					cd->classes |= class_bits[i];
			ok &= m >= 0;
			break;
		case RULES_K_HOST_SOURCE:
			m = keyword_set(c, e, "host_source", host_source_names,
					N(host_source_names), "host source");
			cd->host_sources = 0;
			for (size_t i = 0; m > 0 && i < N(host_source_names); i++)
				if (m & (1l << i))
					cd->host_sources |= host_source_bits[i];
			ok &= m >= 0;
			break;
		case RULES_K_BYTES:
			ok &= compile_bytes(c, e, cd);
			break;
		case RULES_K_RESULT:
			if (!want_type(c, e, "result", RULES_JSON_STRING, "a string")) {
				ok = false;
				break;
			}
			m = lookup(e->str, result_names, N(result_names));
			if (m < 0) {
				berr(c->b, c->src, e->line, e->col, "unknown result \"%s\"%s",
				     esc(eb, sizeof(eb), e->str),
				     suggest(sug, sizeof(sug), e->str, "", result_names,
					     N(result_names)));
				ok = false;
				break;
			}
			cd->result = (enum rules_result)m;
			break;
		case RULES_K_TOOL:
			ok &= compile_tools(c, e, "tool", &cd->tool);
			break;
		}
	}
	return ok;
}

/* ---- message templates --------------------------------------------------------------------- */

static bool tpl_push(struct rules_rule *r, enum rules_field f, const char *text, size_t len)
{
	struct rules_tpl_piece *p = realloc(r->tpl, (r->n_tpl + 1) * sizeof(*p));

	if (!p)
		return false;
	r->tpl = p;
	p = &r->tpl[r->n_tpl];
	p->field = f;
	p->text = NULL;
	p->len = len;
	if (f == RULES_FLD_TEXT) {
		p->text = malloc(len + 1);
		if (!p->text)
			return false;
		memcpy(p->text, text, len);
		p->text[len] = '\0';
	}
	r->n_tpl++;
	return true;
}

static bool compile_message(struct rctx *c, const struct rules_json *v, struct rules_rule *r)
{
	const char *s;
	char buf[1024];
	size_t bl = 0;

	if (!want_type(c, v, "message", RULES_JSON_STRING, "a string"))
		return false;
	s = v->str;
	if (!*s) {
		berr(c->b, c->src, v->line, v->col, "\"message\" is empty");
		return false;
	}
	/* a verdict's message holds RULES_MESSAGE_MAX bytes: leave room for the fields */
	if (strlen(s) > 512) {
		berr(c->b, c->src, v->line, v->col, "\"message\" is longer than 512 characters");
		return false;
	}
	while (*s) {
		if ((s[0] == '{' && s[1] == '{') || (s[0] == '}' && s[1] == '}')) {
			if (bl < sizeof(buf))
				buf[bl++] = s[0];
			s += 2;
			continue;
		}
		if (s[0] == '}') {
			berr(c->b, c->src, v->line, v->col,
			     "unmatched '}' in message (write \"}}\" for a literal brace)");
			return false;
		}
		if (s[0] == '{') {
			const char *end = strchr(s, '}');
			char name[64], eb[96], sug[96];
			const char *names[N(fields)];
			size_t nl;
			int k = -1;

			if (!end) {
				berr(c->b, c->src, v->line, v->col,
				     "unmatched '{' in message (write \"{{\" for a literal brace)");
				return false;
			}
			nl = (size_t)(end - s - 1);
			/* names[] is filled in every case: suggest() reads it for too-long names too */
			for (size_t i = 0; i < N(fields); i++)
				names[i] = fields[i].name;
			if (nl < sizeof(name)) {
				memcpy(name, s + 1, nl);
				name[nl] = '\0';
				for (size_t i = 0; i < N(fields); i++) {
					if (strcmp(name, fields[i].name) == 0)
						k = (int)i;
				}
			} else {
				/* too long to be a field: show its start, marked as cut */
				memcpy(name, s + 1, sizeof(name) - 4);
				memcpy(name + sizeof(name) - 4, "...", 4);
			}
			if (k < 0) {
				berr(c->b, c->src, v->line, v->col,
				     "unknown field \"%s\" in message%s",
				     esc(eb, sizeof(eb), name),
				     suggest(sug, sizeof(sug), name, "", names, N(fields)));
				return false;
			}
			if (!(fields[k].events & c->events)) {
				berr(c->b, c->src, v->line, v->col,
				     "field \"%s\" in message does not apply to event \"%s\"", name,
				     c->event_name);
				return false;
			}
			if ((bl && !tpl_push(r, RULES_FLD_TEXT, buf, bl)) ||
			    !tpl_push(r, fields[k].field, NULL, 0)) {
				berr(c->b, c->src, v->line, v->col, "out of memory");
				return false;
			}
			bl = 0;
			s = end + 1;
			continue;
		}
		if (bl < sizeof(buf))
			buf[bl++] = *s;
		s++;
	}
	if (bl && !tpl_push(r, RULES_FLD_TEXT, buf, bl)) {
		berr(c->b, c->src, v->line, v->col, "out of memory");
		return false;
	}
	return true;
}

/* ---- rules ---------------------------------------------------------------------------------- */

void rules_rule_clear(struct rules_rule *r)
{
	free(r->id);
	free(r->description);
	for (size_t i = 0; i < r->n_tags; i++)
		free(r->tags[i]);
	free(r->tags);
	tools_clear(&r->tools);
	cond_clear(&r->cond);
	for (size_t i = 0; i < r->n_exceptions; i++)
		cond_clear(&r->exceptions[i]);
	free(r->exceptions);
	for (size_t i = 0; i < r->n_tpl; i++)
		free(r->tpl[i].text);
	free(r->tpl);
	free(r->source);
	memset(r, 0, sizeof(*r));
}

static bool valid_id(const char *s)
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

/* Compiles one rule object into r (cleared by the caller on failure). */
static bool compile_rule(struct rctx *c, const struct rules_json *obj, struct rules_rule *r)
{
	static const char *const required[] = {
		"id", "description", "severity", "tools", "event", "message",
	};
	const struct rules_json *v;
	char sug[96], eb[256];
	bool ok = true;
	long m;

	if (!want_type(c, obj, "rules", RULES_JSON_OBJECT, "an array of objects"))
		return false;
	for (const struct rules_json *e = obj->child; e; e = e->next) {
		if (lookup(e->key, rule_keys, N(rule_keys)) < 0) {
			berr(c->b, c->src, e->key_line, e->key_col, "unknown key \"%s\"%s",
			     esc(eb, sizeof(eb), e->key),
			     suggest(sug, sizeof(sug), e->key, "", rule_keys, N(rule_keys)));
			ok = false;
		}
	}
	for (size_t i = 0; i < N(required); i++) {
		bool misspelt = false;

		/* "sevrity" already got "did you mean severity": saying it is missing is noise */
		for (const struct rules_json *e = obj->child; e && !misspelt; e = e->next)
			misspelt = lookup(e->key, rule_keys, N(rule_keys)) < 0 &&
				   rules_edit_distance(e->key, required[i]) <= 2;
		if (!misspelt && !rules_json_get(obj, required[i])) {
			berr(c->b, c->src, obj->line, obj->col, "missing required key \"%s\"",
			     required[i]);
			ok = false;
		}
	}
	if (!ok)
		return false;

	if (asprintf(&r->source, "%s:%d:%d", c->src->name, obj->line, obj->col) < 0) {
		r->source = NULL;
		return false;
	}
	r->is_default = c->src->is_default;

	v = rules_json_get(obj, "id");
	if (!want_type(c, v, "id", RULES_JSON_STRING, "a string"))
		return false;
	if (!valid_id(v->str)) {
		berr(c->b, c->src, v->line, v->col,
		     "bad rule id \"%s\": use 1-64 letters, digits, '.', '_' or '-'",
		     esc(eb, sizeof(eb), v->str));
		return false;
	}
	if (!(r->id = xstrdup(c, v, v->str)))
		return false;

	v = rules_json_get(obj, "description");
	if (!want_type(c, v, "description", RULES_JSON_STRING, "a string"))
		ok = false;
	else if (!v->str[0]) {
		berr(c->b, c->src, v->line, v->col, "\"description\" is empty");
		ok = false;
	} else if (!(r->description = xstrdup(c, v, v->str)))
		return false;

	v = rules_json_get(obj, "severity");
	if (!want_type(c, v, "severity", RULES_JSON_STRING, "a string")) {
		ok = false;
	} else if ((m = lookup(v->str, severity_names, N(severity_names))) < 0) {
		berr(c->b, c->src, v->line, v->col, "unknown severity \"%s\"%s",
		     esc(eb, sizeof(eb), v->str),
		     suggest(sug, sizeof(sug), v->str, "", severity_names, N(severity_names)));
		ok = false;
	} else {
		r->severity = (enum rules_severity)m;
	}

	r->action = RULES_ACTION_ALERT;
	if ((v = rules_json_get(obj, "action"))) {
		if (!want_type(c, v, "action", RULES_JSON_STRING, "a string")) {
			ok = false;
		} else if ((m = lookup(v->str, action_names, N(action_names))) < 0) {
			berr(c->b, c->src, v->line, v->col, "unknown action \"%s\"%s",
			     esc(eb, sizeof(eb), v->str),
			     suggest(sug, sizeof(sug), v->str, "", action_names,
				     N(action_names)));
			ok = false;
		} else {
			r->action = (enum rules_action)m;
		}
	}

	if ((v = rules_json_get(obj, "fallback"))) {
		if (want_type(c, v, "fallback", RULES_JSON_TRUE, "true or false"))
			r->fallback = v->type == RULES_JSON_TRUE;
		else
			ok = false;
	}

	if ((v = rules_json_get(obj, "tags"))) {
		struct vitem *it;
		long n = expand(c, v, "tags", &it);

		if (n < 0 || !items_are_strings(c, it, n, "tags")) {
			ok = false;
		} else if (!(r->tags = calloc((size_t)n, sizeof(char *)))) {
			ok = false;
		} else {
			for (long i = 0; i < n; i++) {
				if (!(r->tags[r->n_tags] = xstrdup(c, it[i].v, it[i].v->str))) {
					ok = false;
					break;
				}
				r->n_tags++;
			}
		}
		free(it);
	}

	if (!compile_tools(c, rules_json_get(obj, "tools"), "tools", &r->tools))
		ok = false;

	v = rules_json_get(obj, "event");
	m = keyword_set(c, v, "event", event_names, N(event_names), "event type");
	if (m < 0)
		return false;
	for (size_t i = 0; i < N(event_names); i++) {
		if (m & (1l << i)) {
			r->events |= EV(event_types[i]);
			if (!c->event_name)
				c->event_name = event_names[i];
		}
	}
	c->events = r->events;

	if ((v = rules_json_get(obj, "conditions")) && !compile_cond(c, v, "conditions", &r->cond))
		ok = false;
	if ((v = rules_json_get(obj, "exceptions"))) {
		if (!want_type(c, v, "exceptions", RULES_JSON_ARRAY, "an array of objects")) {
			ok = false;
		} else if (v->n && !(r->exceptions = calloc(v->n, sizeof(*r->exceptions)))) {
			ok = false;
		} else {
			for (const struct rules_json *e = v->child; e; e = e->next) {
				if (!compile_cond(c, e, "exceptions",
						  &r->exceptions[r->n_exceptions++]))
					ok = false;
			}
		}
	}
	if (!compile_message(c, rules_json_get(obj, "message"), r))
		ok = false;
	return ok;
}

/* ---- build ---------------------------------------------------------------------------------- */

static void collect_lists(struct rules_builder *b, const struct rules_src *src,
			  const struct rules_json *lists)
{
	struct rctx c = { .b = b, .src = src };

	if (!want_type(&c, lists, "lists", RULES_JSON_OBJECT, "an object"))
		return;
	for (const struct rules_json *l = lists->child; l; l = l->next) {
		const struct rules_list *prev = find_list(b, l->key);
		struct rules_list *nl;
		char eb[128];

		if (!valid_list_name(l->key)) {
			berr(b, src, l->key_line, l->key_col,
			     "bad list name \"%s\": use 1-64 letters, digits, '.', '_' or '-'",
			     esc(eb, sizeof(eb), l->key));
			continue;
		}
		if (prev) {
			berr(b, src, l->key_line, l->key_col,
			     "duplicate list \"%s\" (first defined at %s:%d:%d)", l->key,
			     prev->src->name, prev->key_node->key_line, prev->key_node->key_col);
			continue;
		}
		if (!want_type(&c, l, l->key, RULES_JSON_ARRAY, "an array"))
			continue;
		for (const struct rules_json *e = l->child; e; e = e->next) {
			if (e->type == RULES_JSON_STRING && e->str[0] == '@') {
				berr(b, src, e->line, e->col,
				     "lists cannot refer to other lists (\"%s\")",
				     esc(eb, sizeof(eb), e->str));
			} else if (e->type != RULES_JSON_STRING && e->type != RULES_JSON_NUMBER) {
				berr(b, src, e->line, e->col,
				     "list items must be strings or numbers, not %s",
				     rules_json_type_name(e->type));
			}
		}
		nl = realloc(b->lists, (b->n_lists + 1) * sizeof(*nl));
		if (!nl)
			return;
		b->lists = nl;
		nl[b->n_lists].name = l->key;
		nl[b->n_lists].key_node = l;
		nl[b->n_lists].src = src;
		b->n_lists++;
	}
}

static void compile_rules(struct rules_builder *b, const struct rules_src *src,
			  const struct rules_json *rules, struct rules_map *ids)
{
	struct rctx c0 = { .b = b, .src = src };
	struct rules_rule *nr;

	if (!want_type(&c0, rules, "rules", RULES_JSON_ARRAY, "an array of objects"))
		return;
	nr = realloc(b->rules, (b->n_out + rules->n) * sizeof(*nr));
	if (!nr) {
		berr(b, src, rules->line, rules->col, "out of memory");
		return;
	}
	b->rules = nr;
	for (const struct rules_json *o = rules->child; o; o = o->next) {
		struct rctx c = { .b = b, .src = src };
		struct rules_rule *r = &b->rules[b->n_out];
		const struct rules_ids *prev;

		const struct rules_json *idv = rules_json_get(o, "id");
		bool ok;

		memset(r, 0, sizeof(*r));
		/* before compiling, so a rule with other errors still reports a reused id */
		prev = idv && idv->type == RULES_JSON_STRING ?
		       rules_map_get(ids, idv->str, strlen(idv->str),
				     rules_hash(idv->str, strlen(idv->str))) : NULL;
		if (prev) {
			char eb[128];

			berr(b, src, idv->line, idv->col,
			     "duplicate rule id \"%s\" (first defined at %s)",
			     esc(eb, sizeof(eb), idv->str), b->rules[prev->v[0]].source);
		}
		ok = compile_rule(&c, o, r);
		if (!ok || prev) {
			rules_rule_clear(r);
			continue;
		}
		if (rules_map_add(ids, r->id, strlen(r->id), (uint32_t)b->n_out)) {
			berr(b, src, o->line, o->col, "out of memory");
			rules_rule_clear(r);
			continue;
		}
		b->n_out++;
	}
}

static void apply_disable(struct rules_builder *b, const struct rules_src *src,
			  const struct rules_json *dis, const struct rules_map *ids)
{
	struct rctx c = { .b = b, .src = src };

	if (!want_type(&c, dis, "disable", RULES_JSON_ARRAY, "an array of rule ids"))
		return;
	for (const struct rules_json *e = dis->child; e; e = e->next) {
		const struct rules_ids *hit;
		char eb[128], sug[96];

		if (!want_type(&c, e, "disable", RULES_JSON_STRING, "a rule id string"))
			continue;
		hit = rules_map_get(ids, e->str, strlen(e->str), rules_hash(e->str, strlen(e->str)));
		if (!hit) {
			const char **names = malloc((b->n_out + 1) * sizeof(*names));

			for (size_t i = 0; names && i < b->n_out; i++)
				names[i] = b->rules[i].id;
			berr(b, src, e->line, e->col, "unknown rule id \"%s\" in \"disable\"%s",
			     esc(eb, sizeof(eb), e->str),
			     names ? suggest(sug, sizeof(sug), e->str, "", names, b->n_out) : "");
			free(names);
			continue;
		}
		b->disabled[hit->v[0]] = true;
	}
}

static int home_cache_new(struct rules *r, rules_home_fn fn, void *ctx)
{
	r->homes = calloc(1, sizeof(*r->homes));
	if (!r->homes)
		return -ENOMEM;
	r->homes->fn = fn;
	r->homes->ctx = ctx;
	return 0;
}

struct rules *rules_builder_build(struct rules_builder *b)
{
	struct rules_map ids = { 0 };
	struct rules *r = NULL;

	free_build_state(b);
	b->n_rules = b->n_user_rules = 0;
	/* 1: syntax and top-level keys, in every file */
	for (size_t i = 0; i < b->n_srcs; i++) {
		struct rules_src *s = &b->srcs[i];
		char msg[256];
		int line = 0, col = 0;

		s->root = rules_json_parse(s->text, s->len, msg, sizeof(msg), &line, &col);
		if (!s->root) {
			if (errno == ENOMEM)
				goto nomem;
			berr(b, s, line, col, "%s", msg);
			continue;
		}
		if (s->root->type != RULES_JSON_OBJECT) {
			berr(b, s, s->root->line, s->root->col,
			     "a rule file is an object {\"rules\": [...]}, not %s",
			     rules_json_type_name(s->root->type));
			continue;
		}
		for (const struct rules_json *e = s->root->child; e; e = e->next) {
			char sug[96], eb[128];

			if (lookup(e->key, top_keys, N(top_keys)) < 0)
				berr(b, s, e->key_line, e->key_col, "unknown key \"%s\"%s",
				     esc(eb, sizeof(eb), e->key),
				     suggest(sug, sizeof(sug), e->key, "", top_keys, N(top_keys)));
			else if (strcmp(e->key, "description") == 0 && e->type != RULES_JSON_STRING)
				berr(b, s, e->line, e->col, "\"description\" must be a string, not %s",
				     rules_json_type_name(e->type));
		}
	}
	/* 2: lists from every file first, so any rule may use any list */
	for (size_t i = 0; i < b->n_srcs; i++) {
		const struct rules_json *l = rules_json_get(b->srcs[i].root, "lists");

		if (l)
			collect_lists(b, &b->srcs[i], l);
	}
	/* 3: rules */
	for (size_t i = 0; i < b->n_srcs; i++) {
		const struct rules_json *rl = rules_json_get(b->srcs[i].root, "rules");

		if (rl)
			compile_rules(b, &b->srcs[i], rl, &ids);
	}
	/* 4: rules other files turn off */
	b->disabled = calloc(b->n_out + 1, sizeof(bool));
	if (!b->disabled)
		goto nomem;
	for (size_t i = 0; i < b->n_srcs; i++) {
		const struct rules_json *d = rules_json_get(b->srcs[i].root, "disable");

		if (d)
			apply_disable(b, &b->srcs[i], d, &ids);
	}
	rules_map_free(&ids);
	if (b->n_errs) {
		free_build_state(b);
		errno = EINVAL;
		return NULL;
	}

	r = calloc(1, sizeof(*r));
	if (!r || home_cache_new(r, b->home_fn, b->home_ctx))
		goto nomem;
	r->rules = calloc(b->n_out + 1, sizeof(*r->rules));
	if (!r->rules)
		goto nomem;
	for (size_t i = 0; i < b->n_out; i++) {
		if (b->disabled[i]) {
			rules_rule_clear(&b->rules[i]);
			continue;
		}
		if (!b->rules[i].is_default)
			b->n_user_rules++;
		r->rules[r->n++] = b->rules[i];
		memset(&b->rules[i], 0, sizeof(b->rules[i]));
	}
	b->n_rules = r->n;
	free_build_state(b);
	if (rules_index_build(r))
		goto nomem;
	return r;
nomem:
	rules_map_free(&ids);
	free_build_state(b);
	rules_free(r);
	errno = ENOMEM;
	return NULL;
}
