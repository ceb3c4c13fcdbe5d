// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The rules builder (rules.h): collects rule files and texts, then builds them all or
 * nothing: parse every file, gather the named lists of every file, compile every rule
 * (rules_compile.c), apply "disable", and hand the rules to a new rule set (rules.c).
 */
#include "rules/rules_int.h"

#include "core/profiles.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rules_builder {
	struct rules_src *srcs;
	size_t n_srcs;
	struct rules_errors errs;
	rules_home_fn home_fn;
	void *home_ctx;
	size_t n_rules, n_user_rules;
	char *tools[RULES_TOOLS_MAX]; /* the named tools (struct rules' tools) */
	size_t n_tools;

	/* during a build */
	struct rules_list *lists;
	size_t n_lists;
	struct rules_rule *rules;
	size_t n_out;
	bool *disabled;
};

static const char *const top_keys[] = { "description", "lists", "rules", "disable" };
#define N_TOP_KEYS (sizeof(top_keys) / sizeof(top_keys[0]))

/* An error at line:col of src (line 0: the whole file). */
#define berr(b, src, line, col, ...) rules_load_errorf(&(b)->errs, src, line, col, __VA_ARGS__)

/* The context for compiling values of src. */
static struct rules_load load_ctx(struct rules_builder *b, const struct rules_src *src)
{
	return (struct rules_load){ .errs = &b->errs,
				    .src = src,
				    .lists = b->lists,
				    .n_lists = b->n_lists,
				    .tools = (const char *const *)b->tools,
				    .n_tools = b->n_tools };
}

/* ---- sources ------------------------------------------------------------------------------ */

static void free_tools(struct rules_builder *b)
{
	for (size_t i = 0; i < b->n_tools; i++)
		free(b->tools[i]);
	b->n_tools = 0;
}

/* Copies names[0..n) as the named tools. 0, or -ENOMEM (the tools are then none). */
static int set_tools(struct rules_builder *b, const char *const *names, size_t n)
{
	free_tools(b);
	for (; b->n_tools < n; b->n_tools++) {
		if (!(b->tools[b->n_tools] = strdup(names[b->n_tools]))) {
			free_tools(b);
			return -ENOMEM;
		}
	}
	return 0;
}

struct rules_builder *rules_builder_new(void)
{
	struct rules_builder *b = calloc(1, sizeof(*b));
	const char *names[PROFILES_BUILTIN_MAX];
	size_t n = profiles_builtin_count();

	/* the built-in tools unless rules_builder_set_profiles() says otherwise */
	for (size_t i = 0; b && i < n; i++)
		names[i] = profiles_builtin_name(i);
	if (b && set_tools(b, names, n)) {
		free(b);
		return NULL;
	}
	return b;
}

int rules_builder_set_profiles(struct rules_builder *b, const struct profile_set *set)
{
	const char *names[RULES_TOOLS_MAX];

	if (set->n_named > RULES_TOOLS_MAX)
		return -E2BIG;
	for (size_t i = 0; i < set->n_named; i++)
		names[i] = set->p[i].name;
	return set_tools(b, names, set->n_named);
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
	rules_load_errors_free(&b->errs);
	free_tools(b);
	free(b);
}

int rules_builder_add_text(struct rules_builder *b, const char *name, const char *text, size_t len,
			   bool is_default)
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

/* Adds a file read by rules_files_read(). */
static int add_read_file(void *b, const char *name, const char *text, size_t len)
{
	return rules_builder_add_text(b, name, text, len, false);
}

int rules_builder_add_path(struct rules_builder *b, const char *path)
{
	return rules_files_read(path, &b->errs, add_read_file, b);
}

void rules_builder_set_home_fn(struct rules_builder *b, rules_home_fn fn, void *ctx)
{
	b->home_fn = fn;
	b->home_ctx = ctx;
}

size_t rules_builder_error_count(const struct rules_builder *b)
{
	return b->errs.n;
}

const char *rules_builder_error(const struct rules_builder *b, size_t i)
{
	return i < b->errs.n ? b->errs.v[i] : NULL;
}

size_t rules_builder_rule_count(const struct rules_builder *b, bool only_user)
{
	return only_user ? b->n_user_rules : b->n_rules;
}

static const struct rules_list *find_list(const struct rules_builder *b, const char *name)
{
	for (size_t i = 0; i < b->n_lists; i++)
		if (strcmp(b->lists[i].name, name) == 0)
			return &b->lists[i];
	return NULL;
}

static void collect_lists(struct rules_builder *b, const struct rules_src *src,
			  const struct rules_json *lists)
{
	struct rules_load c = load_ctx(b, src);

	if (!rules_load_want(&c, lists, "lists", RULES_JSON_OBJECT, "an object"))
		return;
	for (const struct rules_json *l = lists->child; l; l = l->next) {
		const struct rules_list *prev = find_list(b, l->key);
		struct rules_list *nl;
		char eb[128];

		if (!rules_load_valid_name(l->key)) {
			berr(b, src, l->key_line, l->key_col,
			     "bad list name \"%s\": use 1-64 letters, digits, '.', '_' or '-'",
			     rules_load_esc(eb, sizeof(eb), l->key));
			continue;
		}
		if (prev) {
			berr(b, src, l->key_line, l->key_col,
			     "duplicate list \"%s\" (first defined at %s:%d:%d)", l->key,
			     prev->src->name, prev->key_node->key_line, prev->key_node->key_col);
			continue;
		}
		if (!rules_load_want(&c, l, l->key, RULES_JSON_ARRAY, "an array"))
			continue;
		for (const struct rules_json *e = l->child; e; e = e->next) {
			if (e->type == RULES_JSON_STRING && e->str[0] == '@') {
				berr(b, src, e->line, e->col,
				     "lists cannot refer to other lists (\"%s\")",
				     rules_load_esc(eb, sizeof(eb), e->str));
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
	struct rules_load c0 = load_ctx(b, src);
	struct rules_rule *nr;

	if (!rules_load_want(&c0, rules, "rules", RULES_JSON_ARRAY, "an array of objects"))
		return;
	nr = realloc(b->rules, (b->n_out + rules->n) * sizeof(*nr));
	if (!nr) {
		berr(b, src, rules->line, rules->col, "out of memory");
		return;
	}
	b->rules = nr;
	for (const struct rules_json *o = rules->child; o; o = o->next) {
		struct rules_load c = load_ctx(b, src);
		struct rules_rule *r = &b->rules[b->n_out];
		const struct rules_ids *prev;

		const struct rules_json *idv = rules_json_get(o, "id");
		bool ok;

		memset(r, 0, sizeof(*r));
		/* before compiling, so a rule with other errors still reports a reused id */
		prev = idv && idv->type == RULES_JSON_STRING ?
			       rules_map_get(ids, idv->str, strlen(idv->str),
					     rules_map_hash(idv->str, strlen(idv->str))) :
			       NULL;
		if (prev) {
			char eb[128];

			berr(b, src, idv->line, idv->col,
			     "duplicate rule id \"%s\" (first defined at %s)",
			     rules_load_esc(eb, sizeof(eb), idv->str), b->rules[prev->v[0]].source);
		}
		ok = rules_compile_rule(&c, o, r);
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
	struct rules_load c = load_ctx(b, src);

	if (!rules_load_want(&c, dis, "disable", RULES_JSON_ARRAY, "an array of rule ids"))
		return;
	for (const struct rules_json *e = dis->child; e; e = e->next) {
		const struct rules_ids *hit;
		char eb[128], sug[96];

		if (!rules_load_want(&c, e, "disable", RULES_JSON_STRING, "a rule id string"))
			continue;
		hit = rules_map_get(ids, e->str, strlen(e->str),
				    rules_map_hash(e->str, strlen(e->str)));
		if (!hit) {
			const char **names = malloc((b->n_out + 1) * sizeof(*names));

			for (size_t i = 0; names && i < b->n_out; i++)
				names[i] = b->rules[i].id;
			berr(b, src, e->line, e->col, "unknown rule id \"%s\" in \"disable\"%s",
			     rules_load_esc(eb, sizeof(eb), e->str),
			     names ? rules_load_suggest(sug, sizeof(sug), e->str, "", names,
							b->n_out) :
				     "");
			free(names);
			continue;
		}
		b->disabled[hit->v[0]] = true;
	}
}

/*
 * The rule set's digest: SHA-256 over each source loaded (the built-in pack's files, then
 * each file read), in load order, each as its length (8 bytes, little-endian) and its bytes,
 * so two sets hash alike only when the same texts were loaded in the same order. A capture
 * records it, and a replay says whether its rules are the same.
 */
static int digest_sources(const struct rules_builder *b, unsigned char *md)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned int n = 0;
	int ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL);

	for (size_t i = 0; ok && i < b->n_srcs; i++) {
		uint64_t len = b->srcs[i].len;
		unsigned char le[8];

		for (int k = 0; k < 8; k++)
			le[k] = (unsigned char)(len >> (8 * k));
		ok = EVP_DigestUpdate(c, le, sizeof(le)) &&
		     EVP_DigestUpdate(c, b->srcs[i].text, b->srcs[i].len);
	}
	ok = ok && EVP_DigestFinal_ex(c, md, &n) && n == RULES_DIGEST_LEN;
	EVP_MD_CTX_free(c);
	return ok ? 0 : -ENOMEM;
}

struct rules *rules_builder_build(struct rules_builder *b)
{
	struct rules_map ids = { 0 };
	struct rules_rule *rules;

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

			if (rules_load_lookup(e->key, top_keys, N_TOP_KEYS) < 0)
				berr(b, s, e->key_line, e->key_col, "unknown key \"%s\"%s",
				     rules_load_esc(eb, sizeof(eb), e->key),
				     rules_load_suggest(sug, sizeof(sug), e->key, "", top_keys,
							N_TOP_KEYS));
			else if (strcmp(e->key, "description") == 0 && e->type != RULES_JSON_STRING)
				berr(b, s, e->line, e->col,
				     "\"description\" must be a string, not %s",
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
	if (b->errs.n) {
		free_build_state(b);
		errno = EINVAL;
		return NULL;
	}

	/* the rule set takes the rules that are left, in file order */
	for (size_t i = 0; i < b->n_out; i++) {
		if (b->disabled[i]) {
			rules_rule_clear(&b->rules[i]);
			continue;
		}
		if (!b->rules[i].is_default)
			b->n_user_rules++;
		b->rules[b->n_rules++] = b->rules[i];
	}
	rules = b->rules;
	b->rules = NULL;
	b->n_out = 0;
	free_build_state(b);
	{
		struct rules *r = rules_new(rules, b->n_rules, (const char *const *)b->tools,
					    b->n_tools, b->home_fn, b->home_ctx);

		if (r && digest_sources(b, r->digest)) {
			rules_free(r);
			errno = ENOMEM;
			return NULL;
		}
		return r;
	}
nomem:
	rules_map_free(&ids);
	free_build_state(b);
	errno = ENOMEM;
	return NULL;
}
