// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `llmwatch profiles list|check`: the tool profiles, built-in and from --profiles files, and
 * the checking of such files (see verbs.h).
 */
#include "cmd/verbs.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/profiles.h"
#include "rules/rules_profiles.h"
#include "util/escape.h"
#include "util/jsonw.h"

static const char usage[] =
	"usage: llmwatch profiles list [--json] [--profiles FILE|DIR]...\n"
	"       llmwatch profiles check FILE|DIR...\n"
	"\n"
	"check  checks profile files (format: docs/profiles.md), printing every error as\n"
	"       FILE:LINE:COL: message; exit status 1 if there is one.\n"
	"list   prints each profile, built-in or from a --profiles file, with its origin\n"
	"       (\"built-in\", or FILE:LINE:COL, saying so when it replaces the built-in one),\n"
	"       its name (as in the output and in rules), display\n"
	"       name, the process names the kernel takes as candidates at exec, the executable\n"
	"       paths (fnmatch(3) patterns, `*` spanning `/`) that confirm one, for a tool run by\n"
	"       an interpreter the process names (patterns) whose command line is read and the\n"
	"       command-line patterns (arguments joined by spaces) that name the tool, and where\n"
	"       these facts come from; --json: one JSON object per profile and line.\n";

/* Prints s escaped for the terminal (util/escape.h); a cut form if it is very long. */
static void fput_escaped(const char *s, FILE *f)
{
	char buf[1024];

	escape_str(buf, sizeof(buf), s);
	fputs(buf, f);
}

static void put_escaped(const char *s)
{
	fput_escaped(s, stdout);
}

/* Prints "    LABEL: a, b, c" ("-" for an empty list). */
static void put_list(const char *label, const char *const *l)
{
	printf("    %s: ", label);
	if (!l || !*l)
		fputs("-", stdout);
	for (; l && *l; l++) {
		put_escaped(*l);
		if (l[1])
			fputs(", ", stdout);
	}
	fputs("\n", stdout);
}

static void json_list(struct jsonw *w, const char *key, const char *const *l)
{
	jsonw_open(w, key, '[');
	for (; l && *l; l++)
		jsonw_elem_str(w, *l);
	jsonw_close(w, ']');
}

/* One JSON object per line. Returns 0, or 1 if one could not be written in full. */
static int list_json(const struct profile_set *set)
{
	struct jsonw w;
	int rc = 0;

	jsonw_init(&w);
	for (unsigned int id = 1; id <= set->n; id++) {
		const struct profile *p = profiles_get(set, id);

		jsonw_begin(&w);
		jsonw_str(&w, "name", p->name);
		jsonw_str(&w, "display", p->display);
		json_list(&w, "comms", p->comms);
		json_list(&w, "exe_globs", p->exe_globs);
		json_list(&w, "interpreters", p->interpreters);
		json_list(&w, "argv_globs", p->argv_globs);
		jsonw_str(&w, "source", p->source);
		jsonw_str(&w, "origin", p->origin);
		jsonw_bool(&w, "replaces_builtin", p->replaced);
		if (jsonw_end(&w)) {
			fprintf(stderr, "llmwatch profiles list: %s\n", strerror(ENOMEM));
			rc = 1;
			break;
		}
		printf("%s\n", w.buf);
	}
	jsonw_free(&w);
	return rc;
}

static void list_text(const struct profile_set *set)
{
	for (unsigned int id = 1; id <= set->n; id++) {
		const struct profile *p = profiles_get(set, id);

		put_escaped(p->name);
		fputs(" (", stdout);
		put_escaped(p->display);
		fputs(")\n", stdout);
		put_list("names", p->comms);
		put_list("paths", p->exe_globs);
		put_list("interpreters", p->interpreters);
		put_list("command lines", p->argv_globs);
		fputs("    source: ", stdout);
		put_escaped(p->source);
		fputs("\n    origin: ", stdout);
		put_escaped(p->origin);
		fputs(p->replaced ? ", replacing the built-in profile\n" : "\n", stdout);
	}
	printf("%zu profiles\n", set->n);
}

/*
 * The built-in profiles and those of the files added to pf into set. Returns 0, or 1 after
 * printing the errors (FILE:LINE:COL: message).
 */
static int load_set(const char *verb, struct rules_profiles *pf, struct profile_set *set)
{
	int err;

	profiles_init(set);
	err = rules_profiles_apply(pf, set);
	for (size_t i = 0; i < rules_profiles_error_count(pf); i++)
		fprintf(stderr, "%s\n", rules_profiles_error(pf, i));
	if (err && !rules_profiles_error_count(pf))
		fprintf(stderr, "llmwatch profiles %s: %s\n", verb, strerror(-err));
	return err ? 1 : 0;
}

static int profiles_list(int argc, char **argv)
{
	static struct profile_set set; /* a few KiB: not on the stack */
	struct rules_profiles *pf = rules_profiles_new();
	bool json = false;
	int rc;

	if (!pf) {
		fprintf(stderr, "llmwatch profiles list: %s\n", strerror(ENOMEM));
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[i], "--profiles") == 0 && i + 1 < argc) {
			/* an unreadable path is recorded, and reported with the other errors */
			rules_profiles_add_path(pf, argv[++i]);
		} else if (strncmp(argv[i], "--profiles=", 11) == 0) {
			rules_profiles_add_path(pf, argv[i] + 11);
		} else {
			fputs("llmwatch profiles list: unexpected argument \"", stderr);
			fput_escaped(argv[i], stderr);
			fprintf(stderr, "\"\n%s", usage);
			rules_profiles_free(pf);
			return 2;
		}
	}
	rc = load_set("list", pf, &set);
	if (!rc && json)
		rc = list_json(&set);
	else if (!rc)
		list_text(&set);
	rules_profiles_free(pf);
	return rc;
}

static int profiles_check(int argc, char **argv)
{
	static struct profile_set set;
	struct rules_profiles *pf;
	int rc;

	if (argc < 2) {
		fprintf(stderr, "llmwatch profiles check: no file given\n%s", usage);
		return 2;
	}
	pf = rules_profiles_new();
	if (!pf) {
		fprintf(stderr, "llmwatch profiles check: %s\n", strerror(ENOMEM));
		return 1;
	}
	for (int i = 1; i < argc; i++)
		rules_profiles_add_path(pf, argv[i]);
	rc = load_set("check", pf, &set);
	if (!rc) {
		size_t n_file = 0;

		for (size_t i = 0; i < set.n; i++)
			n_file += set.p[i].from_file;
		printf("%zu profiles from files OK (%zu in all)\n", n_file, set.n);
	}
	rules_profiles_free(pf);
	return rc;
}

int cmd_profiles(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	if (strcmp(argv[1], "list") == 0)
		return profiles_list(argc - 1, argv + 1);
	if (strcmp(argv[1], "check") == 0)
		return profiles_check(argc - 1, argv + 1);
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	fputs("llmwatch profiles: unknown command \"", stderr);
	fput_escaped(argv[1], stderr);
	fprintf(stderr, "\"\n%s", usage);
	return 2;
}
