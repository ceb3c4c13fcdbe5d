// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `llmwatch profiles list [--json]`: the built-in tool profiles (see verbs.h). */
#include "cmd/verbs.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/profiles.h"
#include "util/escape.h"
#include "util/jsonw.h"

static const char usage[] =
	"usage: llmwatch profiles list [--json]\n"
	"\n"
	"list   prints each built-in profile: its name (as in the output and in rules), display\n"
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
		fputs("\n", stdout);
	}
	printf("%zu profiles\n", set->n);
}

static int profiles_list(int argc, char **argv)
{
	static struct profile_set set; /* a few KiB: not on the stack */
	bool json = false;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else {
			fputs("llmwatch profiles list: unexpected argument \"", stderr);
			fput_escaped(argv[i], stderr);
			fprintf(stderr, "\"\n%s", usage);
			return 2;
		}
	}
	profiles_init(&set);
	if (json)
		return list_json(&set);
	list_text(&set);
	return 0;
}

int cmd_profiles(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	if (strcmp(argv[1], "list") == 0)
		return profiles_list(argc - 1, argv + 1);
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
