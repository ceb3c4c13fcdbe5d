// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Profile files (rules_profiles.h, docs/profiles.md): parsed with the rules' JSON reader,
 * checked with the rules' loading helpers (file:line:col errors, "did you mean"), then added
 * to a profile set all or nothing. The set points into the parsed trees, which stay here.
 */
#include "rules/rules_profiles.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/profiles.h"
#include "rules/rules_int.h"

/* The lists of a profile, in the order of struct pf_entry's lists. */
enum pf_list {
	PF_COMMS,
	PF_EXE_GLOBS,
	PF_INTERPRETERS,
	PF_ARGV_GLOBS,
	PF_N_LISTS
};

static const char *const list_keys[PF_N_LISTS] = { "comms", "exe_globs", "interpreters",
						   "argv_globs" };
static const char *const entry_keys[] = { "name",	  "display",	"comms", "exe_globs",
					  "interpreters", "argv_globs", "source" };
#define N_ENTRY_KEYS (sizeof(entry_keys) / sizeof(entry_keys[0]))
static const char *const top_keys[] = { "description", "profiles" };
#define N_TOP_KEYS (sizeof(top_keys) / sizeof(top_keys[0]))

/* One profile of a file, checked, with the values its errors point at. */
struct pf_entry {
	struct profile p;
	const struct rules_src *src;
	const struct rules_json *obj, *name_v;
	const struct rules_json *lists_v[PF_N_LISTS]; /* the members, or NULL */
	const char **lists[PF_N_LISTS];		      /* NULL-terminated, pointing into the tree */
	char *origin;				      /* "FILE:LINE:COL" */
};

struct rules_profiles {
	struct rules_src *srcs;
	size_t n_srcs;
	struct rules_errors errs;
	struct pf_entry *ents;
	size_t n_ents;
	bool applied;
};

/* ---- sources ---------------------------------------------------------------------------- */

struct rules_profiles *rules_profiles_new(void)
{
	return calloc(1, sizeof(struct rules_profiles));
}

static void entry_clear(struct pf_entry *e)
{
	for (int l = 0; l < PF_N_LISTS; l++)
		free(e->lists[l]);
	free(e->origin);
}

void rules_profiles_free(struct rules_profiles *pf)
{
	if (!pf)
		return;
	for (size_t i = 0; i < pf->n_ents; i++)
		entry_clear(&pf->ents[i]);
	free(pf->ents);
	for (size_t i = 0; i < pf->n_srcs; i++) {
		rules_json_free(pf->srcs[i].root);
		free(pf->srcs[i].name);
		free(pf->srcs[i].text);
	}
	free(pf->srcs);
	rules_load_errors_free(&pf->errs);
	free(pf);
}

int rules_profiles_add_text(struct rules_profiles *pf, const char *name, const char *text,
			    size_t len)
{
	struct rules_src *srcs = realloc(pf->srcs, (pf->n_srcs + 1) * sizeof(*srcs));
	struct rules_src *s;

	if (!srcs)
		return -ENOMEM;
	pf->srcs = srcs;
	s = &srcs[pf->n_srcs];
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
	pf->n_srcs++;
	return 0;
}

static int add_read_file(void *pf, const char *name, const char *text, size_t len)
{
	return rules_profiles_add_text(pf, name, text, len);
}

int rules_profiles_add_path(struct rules_profiles *pf, const char *path)
{
	return rules_files_read(path, &pf->errs, add_read_file, pf);
}

size_t rules_profiles_error_count(const struct rules_profiles *pf)
{
	return pf->errs.n;
}

const char *rules_profiles_error(const struct rules_profiles *pf, size_t i)
{
	return i < pf->errs.n ? pf->errs.v[i] : NULL;
}

/* ---- one profile ------------------------------------------------------------------------ */

/* Whether s is 1 to max bytes without control characters (it is printed and matched). */
static bool text_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (!n || n > max)
		return false;
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	}
	return true;
}

/* A member that must be a string of 1 to max bytes without control characters, or NULL. */
static const char *text_member(struct rules_load *c, const struct rules_json *v, size_t max)
{
	if (!rules_load_want(c, v, v->key, RULES_JSON_STRING, "a string"))
		return NULL;
	if (!text_ok(v->str, max)) {
		rules_load_err(c, v, "\"%s\" must be 1 to %zu bytes without control characters",
			       v->key, max);
		return NULL;
	}
	return v->str;
}

/*
 * A list member (a string or an array of strings) into a NULL-terminated array pointing into
 * the tree: 1 to RULES_PROFILE_LIST_MAX items, each checked. Returns false after an error.
 */
static bool list_member(struct rules_load *c, const struct rules_json *v, enum pf_list l,
			const char ***out)
{
	const struct rules_json *one = v->type == RULES_JSON_ARRAY ? v->child : v;
	size_t n = v->type == RULES_JSON_ARRAY ? v->n : 1, k = 0;
	bool ok = true;

	if (v->type != RULES_JSON_ARRAY && v->type != RULES_JSON_STRING) {
		rules_load_err(c, v, "\"%s\" must be a string or an array of strings, not %s",
			       v->key, rules_json_type_name(v->type));
		return false;
	}
	if (n == 0 || n > RULES_PROFILE_LIST_MAX) {
		rules_load_err(c, v, "\"%s\" must have 1 to %d items, not %zu", v->key,
			       RULES_PROFILE_LIST_MAX, n);
		return false;
	}
	*out = calloc(n + 1, sizeof(**out));
	if (!*out) {
		rules_load_err(c, v, "out of memory");
		return false;
	}
	for (const struct rules_json *e = one; e;
	     e = v->type == RULES_JSON_ARRAY ? e->next : NULL) {
		char eb[128];

		if (e->type != RULES_JSON_STRING) {
			rules_load_err(c, e, "\"%s\" values must be strings, not %s", v->key,
				       rules_json_type_name(e->type));
			ok = false;
		} else if (l == PF_COMMS && (!text_ok(e->str, 15) || strchr(e->str, '/'))) {
			rules_load_err(c, e,
				       "bad process name \"%s\" in \"comms\": 1 to 15 bytes (the "
				       "kernel's comm), no '/' and no control characters",
				       rules_load_esc(eb, sizeof(eb), e->str));
			ok = false;
		} else if (!text_ok(e->str, RULES_PROFILE_PATTERN_MAX)) {
			rules_load_err(
				c, e,
				"bad pattern \"%s\" in \"%s\": 1 to %d bytes without control "
				"characters",
				rules_load_esc(eb, sizeof(eb), e->str), v->key,
				RULES_PROFILE_PATTERN_MAX);
			ok = false;
		} else {
			(*out)[k++] = e->str;
		}
	}
	return ok;
}

/* Checks profile object o of c->src into e (zeroed). Returns false after an error. */
static bool compile_entry(struct rules_load *c, const struct rules_json *o, struct pf_entry *e)
{
	const struct rules_json *name_v, *source_v, *display_v;
	bool ok = true;
	char eb[128];

	e->src = c->src;
	e->obj = o;
	e->p.from_file = true;
	if (o->type != RULES_JSON_OBJECT) {
		rules_load_err(c, o, "a profile is an object, not %s",
			       rules_json_type_name(o->type));
		return false;
	}
	for (const struct rules_json *m = o->child; m; m = m->next) {
		char sug[96];

		if (rules_load_lookup(m->key, entry_keys, N_ENTRY_KEYS) < 0) {
			rules_load_errorf(c->errs, c->src, m->key_line, m->key_col,
					  "unknown key \"%s\" in a profile%s",
					  rules_load_esc(eb, sizeof(eb), m->key),
					  rules_load_suggest(sug, sizeof(sug), m->key, "",
							     entry_keys, N_ENTRY_KEYS));
			ok = false;
		}
	}
	name_v = rules_json_get(o, "name");
	source_v = rules_json_get(o, "source");
	display_v = rules_json_get(o, "display");
	e->name_v = name_v;
	if (!name_v) {
		rules_load_err(c, o, "a profile without \"name\"");
		ok = false;
	} else if (rules_load_want(c, name_v, "name", RULES_JSON_STRING, "a string")) {
		if (!rules_load_valid_name(name_v->str)) {
			rules_load_err(c, name_v,
				       "bad profile name \"%s\": use 1-64 letters, digits, '.', "
				       "'_' or '-'",
				       rules_load_esc(eb, sizeof(eb), name_v->str));
			ok = false;
		}
		e->p.name = name_v->str;
	} else {
		ok = false;
	}
	if (!source_v) {
		rules_load_err(c, o, "a profile without \"source\": say where its facts come from");
		ok = false;
	} else if (!(e->p.source = text_member(c, source_v, RULES_PROFILE_SOURCE_MAX))) {
		ok = false;
	}
	e->p.display = e->p.name;
	if (display_v && !(e->p.display = text_member(c, display_v, RULES_PROFILE_DISPLAY_MAX)))
		ok = false;
	for (int l = 0; l < PF_N_LISTS; l++) {
		e->lists_v[l] = rules_json_get(o, list_keys[l]);
		if (e->lists_v[l] && !list_member(c, e->lists_v[l], l, &e->lists[l]))
			ok = false;
	}
	if (!ok)
		return false;
	/* how the monitor can find its processes (docs/profiles.md, "Recognition") */
	if (!e->lists_v[PF_COMMS] && !e->lists_v[PF_ARGV_GLOBS]) {
		rules_load_err(c, o,
			       "profile \"%s\" names no process: give \"comms\" (process names) "
			       "or \"interpreters\" with \"argv_globs\"",
			       rules_load_esc(eb, sizeof(eb), e->p.name));
		return false;
	}
	if (e->lists_v[PF_EXE_GLOBS] && !e->lists_v[PF_COMMS]) {
		rules_load_errorf(c->errs, c->src, e->lists_v[PF_EXE_GLOBS]->key_line,
				  e->lists_v[PF_EXE_GLOBS]->key_col,
				  "\"exe_globs\" without \"comms\": the kernel picks a process by "
				  "its name before its path is checked");
		return false;
	}
	if (!e->lists_v[PF_INTERPRETERS] != !e->lists_v[PF_ARGV_GLOBS]) {
		const struct rules_json *m = e->lists_v[PF_INTERPRETERS] ?
						     e->lists_v[PF_INTERPRETERS] :
						     e->lists_v[PF_ARGV_GLOBS];

		rules_load_errorf(c->errs, c->src, m->key_line, m->key_col,
				  "\"%s\" without \"%s\": a command line is read only from a "
				  "process named like an interpreter, and matched with argv_globs",
				  m->key,
				  m == e->lists_v[PF_INTERPRETERS] ? "argv_globs" : "interpreters");
		return false;
	}
	e->p.comms = e->lists[PF_COMMS];
	e->p.exe_globs = e->lists[PF_EXE_GLOBS];
	e->p.interpreters = e->lists[PF_INTERPRETERS];
	e->p.argv_globs = e->lists[PF_ARGV_GLOBS];
	if (asprintf(&e->origin, "%s:%d:%d", c->src->name, o->line, o->col) < 0) {
		e->origin = NULL;
		rules_load_err(c, o, "out of memory");
		return false;
	}
	e->p.origin = e->origin;
	return true;
}

/* ---- the files together ------------------------------------------------------------------ */

/* Checks the top level of src and compiles its profiles into pf->ents. */
static void compile_file(struct rules_profiles *pf, struct rules_src *s)
{
	struct rules_load c = { .errs = &pf->errs, .src = s };
	const struct rules_json *list;
	struct pf_entry *ne;

	for (const struct rules_json *m = s->root->child; m; m = m->next) {
		char sug[96], eb[128];

		if (rules_load_lookup(m->key, top_keys, N_TOP_KEYS) < 0)
			rules_load_errorf(&pf->errs, s, m->key_line, m->key_col,
					  "unknown key \"%s\"%s",
					  rules_load_esc(eb, sizeof(eb), m->key),
					  rules_load_suggest(sug, sizeof(sug), m->key, "", top_keys,
							     N_TOP_KEYS));
		else if (strcmp(m->key, "description") == 0)
			rules_load_want(&c, m, "description", RULES_JSON_STRING, "a string");
	}
	list = rules_json_get(s->root, "profiles");
	if (!list) {
		rules_load_errorf(&pf->errs, s, s->root->line, s->root->col,
				  "a profiles file is an object {\"profiles\": [...]}: "
				  "\"profiles\" is missing");
		return;
	}
	if (!rules_load_want(&c, list, "profiles", RULES_JSON_ARRAY, "an array of objects"))
		return;
	ne = realloc(pf->ents, (pf->n_ents + list->n + 1) * sizeof(*ne));
	if (!ne) {
		rules_load_err(&c, list, "out of memory");
		return;
	}
	pf->ents = ne;
	for (const struct rules_json *o = list->child; o; o = o->next) {
		struct pf_entry *e = &pf->ents[pf->n_ents];

		memset(e, 0, sizeof(*e));
		if (compile_entry(&c, o, e))
			pf->n_ents++;
		else
			entry_clear(e);
	}
}

/* The profile, other than skip, that has a process name equal to comm, or NULL. */
static const struct profile *comm_owner(const struct profile *const *ps, size_t n,
					const struct profile *skip, const char *comm)
{
	for (size_t i = 0; i < n; i++) {
		if (ps[i] == skip)
			continue;
		for (const char *const *c = ps[i]->comms; c && *c; c++) {
			if (strcmp(*c, comm) == 0)
				return ps[i];
		}
	}
	return NULL;
}

/*
 * The checks between profiles: names used twice, too many, and a process name shared with
 * another profile when one of the two has no paths to tell them apart (the kernel keeps one
 * profile per name, and a profile without paths takes every process so named).
 */
static void check_together(struct rules_profiles *pf, const struct profile_set *set)
{
	const struct profile *all[PROFILE_MAX + PROFILES_FILE_MAX];
	size_t n_all = 0;
	char eb[128], eb2[128];

	for (size_t i = 0; i < pf->n_ents; i++) {
		struct pf_entry *e = &pf->ents[i];

		for (size_t k = 0; k < i; k++) {
			if (strcmp(pf->ents[k].p.name, e->p.name) == 0) {
				rules_load_errorf(&pf->errs, e->src, e->name_v->line,
						  e->name_v->col,
						  "duplicate profile \"%s\" (first defined at %s)",
						  rules_load_esc(eb, sizeof(eb), e->p.name),
						  pf->ents[k].origin);
				break;
			}
		}
		if (i == PROFILES_FILE_MAX)
			rules_load_errorf(&pf->errs, e->src, e->obj->line, e->obj->col,
					  "more than %d profiles in profile files (rules keep one "
					  "bit per tool)",
					  PROFILES_FILE_MAX);
	}
	if (pf->errs.n)
		return;
	/* the set as it will be: built-in profiles not replaced, then the files' */
	for (size_t i = 0; i < set->n_named; i++) {
		bool replaced = false;

		for (size_t k = 0; k < pf->n_ents && !replaced; k++)
			replaced = strcmp(pf->ents[k].p.name, set->p[i].name) == 0;
		if (!replaced)
			all[n_all++] = &set->p[i];
	}
	for (size_t i = 0; i < pf->n_ents; i++)
		all[n_all++] = &pf->ents[i].p;
	for (size_t i = 0; i < pf->n_ents; i++) {
		const struct pf_entry *e = &pf->ents[i];
		const struct rules_json *v = e->lists_v[PF_COMMS];

		for (size_t k = 0; e->p.comms && e->p.comms[k]; k++) {
			const struct profile *o = comm_owner(all, n_all, &e->p, e->p.comms[k]);
			const struct rules_json *at = v->type == RULES_JSON_ARRAY ? v->child : v;

			if (!o || (e->p.exe_globs && o->exe_globs && o->exe_globs[0]))
				continue;
			for (size_t j = 0; j < k; j++)
				at = at->next;
			rules_load_errorf(&pf->errs, e->src, at->line, at->col,
					  "process name \"%s\" is also one of profile \"%s\" (%s): "
					  "a shared name needs \"exe_globs\" in both to tell them "
					  "apart",
					  rules_load_esc(eb, sizeof(eb), e->p.comms[k]),
					  rules_load_esc(eb2, sizeof(eb2), o->name),
					  o->from_file ? o->origin : "built-in");
		}
	}
}

int rules_profiles_apply(struct rules_profiles *pf, struct profile_set *set)
{
	if (pf->applied || set->n != set->n_named)
		return -EBUSY;
	for (size_t i = 0; i < set->n; i++) {
		if (set->p[i].from_file)
			return -EBUSY;
	}
	pf->applied = true;
	for (size_t i = 0; i < pf->n_srcs; i++) {
		struct rules_src *s = &pf->srcs[i];
		char msg[256];
		int line = 0, col = 0;

		s->root = rules_json_parse(s->text, s->len, msg, sizeof(msg), &line, &col);
		if (!s->root) {
			if (errno == ENOMEM)
				return -ENOMEM;
			rules_load_errorf(&pf->errs, s, line, col, "%s", msg);
			continue;
		}
		if (s->root->type != RULES_JSON_OBJECT) {
			rules_load_errorf(
				&pf->errs, s, s->root->line, s->root->col,
				"a profiles file is an object {\"profiles\": [...]}, not %s",
				rules_json_type_name(s->root->type));
			continue;
		}
		compile_file(pf, s);
	}
	if (!pf->errs.n)
		check_together(pf, set);
	if (pf->errs.n)
		return -EINVAL;
	for (size_t i = 0; i < pf->n_ents; i++) {
		int id = profiles_add_file(set, &pf->ents[i].p);

		/* checked above: only a set that was not as documented gets here */
		if (id < 0)
			return id;
	}
	return 0;
}
