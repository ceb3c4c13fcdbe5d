// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of profile files (rules/rules_profiles.c, docs/profiles.md): a good file, each
 * error with its exact file:line:col message, a built-in replaced, the limits, the order in
 * which paths are matched, and rules that name a user's tool.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "core/profiles.h"
#include "rules/rules.h"
#include "rules/rules_profiles.h"
#include "rules_test.h"

static struct profile_set set;
static char errbuf[8192];

/*
 * Loads text as "p.json" into set (built-ins first). Returns what rules_profiles_apply()
 * returned; the errors, one a line, are in errbuf. *out keeps the profiles alive.
 */
static int load(const char *text, struct rules_profiles **out)
{
	struct rules_profiles *pf = rules_profiles_new();
	size_t off = 0;
	int err;

	*out = pf; /* freed by the caller, whatever happens here */
	profiles_init(&set);
	errbuf[0] = '\0';
	if (!pf || rules_profiles_add_text(pf, "p.json", text, strlen(text)))
		return -ENOMEM;
	err = rules_profiles_apply(pf, &set);
	for (size_t i = 0; i < rules_profiles_error_count(pf); i++)
		off += (size_t)snprintf(errbuf + off, sizeof(errbuf) - off, "%s\n",
					rules_profiles_error(pf, i));
	return err;
}

/* The errors text gives, one a line ("" if it loads). */
static const char *errors_of(const char *text)
{
	struct rules_profiles *pf = NULL;

	load(text, &pf);
	rules_profiles_free(pf);
	return errbuf;
}

#define ONE(fields) "{\"profiles\": [{" fields "}]}"

static void test_good(void)
{
	static const char text[] = "{\n"
				   "  \"description\": \"my tools\",\n"
				   "  \"profiles\": [\n"
				   "    {\n"
				   "      \"name\": \"mytool\",\n"
				   "      \"display\": \"My Tool\",\n"
				   "      \"comms\": [\"mytool-server\", \"mytool\"],\n"
				   "      \"exe_globs\": \"*/mytool/bin/*\",\n"
				   "      \"source\": \"mytool docs: install.md\"\n"
				   "    },\n"
				   "    {\n"
				   "      \"name\": \"pyserve\",\n"
				   "      \"interpreters\": [\"python3*\"],\n"
				   "      \"argv_globs\": [\"* -m pyserve*\"],\n"
				   "      \"source\": \"pyserve README\"\n"
				   "    }\n"
				   "  ]\n"
				   "}\n";
	struct rules_profiles *pf = NULL;
	size_t nb = profiles_builtin_count();
	const struct profile *p;

	CHECK_INT(load(text, &pf), 0);
	CHECK_STR(errbuf, "");
	CHECK_INT(set.n, nb + 2);
	CHECK_INT(set.n_named, nb + 2);
	p = profiles_get(&set, (unsigned int)nb + 1);
	CHECK_STR(p->name, "mytool");
	CHECK_STR(p->display, "My Tool");
	CHECK_STR(p->comms[0], "mytool-server");
	CHECK_STR(p->comms[1], "mytool");
	CHECK(p->comms[2] == NULL);
	CHECK_STR(p->exe_globs[0], "*/mytool/bin/*");
	CHECK(p->exe_globs[1] == NULL);
	CHECK(p->interpreters == NULL && p->argv_globs == NULL);
	CHECK_STR(p->source, "mytool docs: install.md");
	CHECK_STR(p->origin, "p.json:4:5");
	CHECK(p->from_file && !p->replaced);
	p = profiles_find(&set, "pyserve");
	CHECK(p != NULL);
	if (p) {
		CHECK_STR(p->display, "pyserve"); /* the name when no display is given */
		CHECK(p->comms == NULL);
		CHECK_STR(p->origin, "p.json:11:5");
	}
	CHECK_STR(profiles_get(&set, 1)->origin, "built-in");
	CHECK_STR(profiles_name(&set, profiles_match_exe(&set, "/opt/mytool/bin/srv")), "mytool");
	CHECK_STR(profiles_name(&set,
				profiles_match_cmdline(&set, "python3.12",
						       "/usr/bin/python3 -m pyserve --port 1")),
		  "pyserve");
	CHECK_INT(profiles_match_cmdline(&set, "node", "node -m pyserve"), 0);
	/* --watch and --pid entries come after, and are no named tools */
	CHECK(profiles_add_watch(&set, "w") > 0);
	CHECK_INT(set.n_named, nb + 2);
	rules_profiles_free(pf);
}

/* A same-name entry replaces the built-in in place: same id, so the same rule bit. */
static void test_override(void)
{
	struct rules_profiles *pf = NULL;
	const struct profile *p;
	unsigned int id;

	profiles_init(&set);
	id = (unsigned int)(profiles_find(&set, "ollama") - set.p) + 1;
	CHECK_INT(load(ONE("\"name\": \"ollama\", \"comms\": \"ollama\", \"exe_globs\": "
			   "\"/srv/ollama-fork/ollama\", \"source\": \"our fork\""),
		       &pf),
		  0);
	CHECK_STR(errbuf, "");
	CHECK_INT(set.n, profiles_builtin_count());
	p = profiles_get(&set, id);
	CHECK_STR(p->name, "ollama");
	CHECK_STR(p->source, "our fork");
	CHECK(p->from_file && p->replaced);
	CHECK_STR(p->origin, "p.json:1:15");
	/* the built-in patterns are gone: only the file's path confirms it now */
	CHECK_INT(profiles_match_exe(&set, "/usr/local/bin/ollama"), 0);
	CHECK_INT(profiles_match_exe(&set, "/srv/ollama-fork/ollama"), id);
	rules_profiles_free(pf);
}

/* A user's own path wins over a built-in pattern that also matches it. */
static void test_user_first(void)
{
	struct rules_profiles *pf = NULL;

	CHECK_INT(load(ONE("\"name\": \"mine\", \"comms\": \"llama-server\", \"exe_globs\": "
			   "\"/opt/mine/llama-server\", \"source\": \"s\""),
		       &pf),
		  0);
	CHECK_STR(errbuf, "");
	CHECK_STR(profiles_name(&set, profiles_match_exe(&set, "/opt/mine/llama-server")), "mine");
	CHECK_STR(profiles_name(&set, profiles_match_exe(&set, "/usr/bin/llama-server")),
		  "llama-server");
	rules_profiles_free(pf);
}

static void test_errors(void)
{
	/* syntax: the reader's own message and position */
	CHECK_STR(errors_of("{\"profiles\": [\n  {\"name\": \"a\",}\n]}"),
		  "p.json:2:16: trailing comma before '}'\n");
	CHECK_STR(errors_of("[]"), "p.json:1:1: a profiles file is an object {\"profiles\": "
				   "[...]}, not array\n");
	CHECK_STR(errors_of("{}"), "p.json:1:1: a profiles file is an object {\"profiles\": "
				   "[...]}: \"profiles\" is missing\n");
	CHECK_STR(errors_of("{\"profile\": []}"),
		  "p.json:1:2: unknown key \"profile\" (did you mean \"profiles\"?)\n"
		  "p.json:1:1: a profiles file is an object {\"profiles\": [...]}: "
		  "\"profiles\" is missing\n");
	CHECK_STR(errors_of("{\"profiles\": {}}"),
		  "p.json:1:14: \"profiles\" must be an array of objects, not object\n");
	CHECK_STR(errors_of("{\"profiles\": [1]}"), "p.json:1:15: a profile is an object, not "
						    "number\n");
	CHECK_STR(errors_of(ONE("\"name\": \"a\", \"comm\": \"a\", \"source\": \"s\"")),
		  "p.json:1:29: unknown key \"comm\" in a profile (did you mean \"comms\"?)\n");
	CHECK_STR(errors_of(ONE("\"comms\": \"a\", \"source\": \"s\"")),
		  "p.json:1:15: a profile without \"name\"\n");
	CHECK_STR(errors_of(ONE("\"name\": \"a\", \"comms\": \"a\"")),
		  "p.json:1:15: a profile without \"source\": say where its facts come from\n");
	CHECK_STR(errors_of(ONE("\"name\": \"my tool\", \"comms\": \"a\", \"source\": \"s\"")),
		  "p.json:1:24: bad profile name \"my tool\": use 1-64 letters, digits, '.', '_' "
		  "or '-'\n");
	CHECK_STR(errors_of(ONE("\"name\": \"watch:x\", \"comms\": \"a\", \"source\": \"s\"")),
		  "p.json:1:24: bad profile name \"watch:x\": use 1-64 letters, digits, '.', '_' "
		  "or '-'\n");
	CHECK_STR(errors_of(ONE("\"name\": 7, \"comms\": \"a\", \"source\": \"s\"")),
		  "p.json:1:24: \"name\" must be a string, not number\n");
	CHECK_STR(errors_of(ONE("\"name\": \"a\", \"comms\": \"a\", \"source\": \"\"")),
		  "p.json:1:53: \"source\" must be 1 to 512 bytes without control characters\n");
	CHECK_STR(errors_of(ONE("\"name\": \"a\", \"comms\": \"a\", \"display\": \"x\\ty\", "
				"\"source\": \"s\"")),
		  "p.json:1:54: \"display\" must be 1 to 64 bytes without control characters\n");
	CHECK_STR(errors_of(ONE("\"name\": \"a\", \"comms\": [\"a-name-of-16-byt\"], \"source\": "
				"\"s\"")),
		  "p.json:1:39: bad process name \"a-name-of-16-byt\" in \"comms\": 1 to 15 bytes "
		  "(the kernel's comm), no '/' and no control characters\n");
	CHECK_STR(errors_of(ONE("\"name\": \"a\", \"comms\": [\"x\", \"bin/a\"], \"source\": "
				"\"s\"")),
		  "p.json:1:44: bad process name \"bin/a\" in \"comms\": 1 to 15 bytes (the "
		  "kernel's comm), no '/' and no control characters\n");
	CHECK_STR(errors_of(ONE("\"name\": \"a\", \"comms\": [], \"source\": \"s\"")),
		  "p.json:1:38: \"comms\" must have 1 to 16 items, not 0\n");
	CHECK_STR(errors_of(ONE("\"name\": \"a\", \"comms\": [\"a\", 1], \"source\": \"s\"")),
		  "p.json:1:44: \"comms\" values must be strings, not number\n");
	CHECK_STR(errors_of(ONE("\"name\": \"a\", \"comms\": {}, \"source\": \"s\"")),
		  "p.json:1:38: \"comms\" must be a string or an array of strings, not object\n");
	CHECK_STR(errors_of(ONE("\"name\": \"a\", \"comms\": \"a\", \"exe_globs\": \"\", "
				"\"source\": \"s\"")),
		  "p.json:1:56: bad pattern \"\" in \"exe_globs\": 1 to 256 bytes without control "
		  "characters\n");
	CHECK_STR(errors_of(ONE("\"name\": \"a\", \"display\": \"A\", \"source\": \"s\"")),
		  "p.json:1:15: profile \"a\" names no process: give \"comms\" (process names) or "
		  "\"interpreters\" with \"argv_globs\"\n");
	CHECK_STR(errors_of(ONE("\"name\": \"a\", \"exe_globs\": \"*/a\", \"interpreters\": "
				"\"node\", \"argv_globs\": \"* a.js\", \"source\": \"s\"")),
		  "p.json:1:29: \"exe_globs\" without \"comms\": the kernel picks a process by its "
		  "name before its path is checked\n");
	CHECK_STR(errors_of(ONE("\"name\": \"a\", \"comms\": \"a\", \"interpreters\": \"node\", "
				"\"source\": \"s\"")),
		  "p.json:1:43: \"interpreters\" without \"argv_globs\": a command line is read "
		  "only from a process named like an interpreter, and matched with argv_globs\n");
	/* between profiles */
	CHECK_STR(errors_of("{\"profiles\": [\n"
			    " {\"name\": \"a\", \"comms\": \"a\", \"source\": \"s\"},\n"
			    " {\"name\": \"a\", \"comms\": \"b\", \"source\": \"s\"}]}"),
		  "p.json:3:11: duplicate profile \"a\" (first defined at p.json:2:2)\n");
	CHECK_STR(
		errors_of(ONE("\"name\": \"a\", \"comms\": [\"x\", \"chat\"], \"source\": \"s\"")),
		"p.json:1:44: process name \"chat\" is also one of profile \"gpt4all\" "
		"(built-in): a shared name needs \"exe_globs\" in both to tell them apart\n");
	CHECK_STR(
		errors_of(
			"{\"profiles\": [\n"
			" {\"name\": \"a\", \"comms\": \"x\", \"exe_globs\": \"*/a/x\", \"source\": "
			"\"s\"},\n"
			" {\"name\": \"b\", \"comms\": \"x\", \"source\": \"s\"}]}"),
		"p.json:2:25: process name \"x\" is also one of profile \"b\" (p.json:3:2): a "
		"shared name needs \"exe_globs\" in both to tell them apart\n"
		"p.json:3:25: process name \"x\" is also one of profile \"a\" (p.json:2:2): a "
		"shared name needs \"exe_globs\" in both to tell them apart\n");
	/* a shared name is fine when both have paths; a replaced built-in no longer counts */
	CHECK_STR(
		errors_of(ONE("\"name\": \"a\", \"comms\": \"chat\", \"exe_globs\": \"*/a/chat\", "
			      "\"source\": \"s\"")),
		"");
	CHECK_STR(errors_of("{\"profiles\": [{\"name\": \"gpt4all\", \"comms\": \"g\", \"source\": "
			    "\"s\"}, {\"name\": \"a\", \"comms\": \"chat\", \"source\": \"s\"}]}"),
		  "");
}

/* A file of n profiles t0, t1, ..., one a line from line 2, in text (64 KiB). */
static char *many(char *text, int n)
{
	size_t off = (size_t)sprintf(text, "{\"profiles\": [");

	for (int i = 0; i < n; i++)
		off += (size_t)sprintf(
			text + off,
			"%s\n{\"name\": \"t%d\", \"comms\": \"t%d\", \"source\": \"s\"}",
			i ? "," : "", i, i);
	sprintf(text + off, "]}");
	return text;
}

static void test_limits(void)
{
	char *text = malloc(64 * 1024);
	size_t off = 0;
	struct rules_profiles *pf = NULL;

	CHECK_INT(load(many(text, PROFILES_FILE_MAX + 1), &pf), -EINVAL);
	CHECK_STR(errbuf, "p.json:34:1: more than 32 profiles in profile files (rules keep one bit "
			  "per tool)\n");
	CHECK_INT(set.n, profiles_builtin_count()); /* all or nothing */
	rules_profiles_free(pf);
	/* exactly the limit loads, and the rules can still name each */
	CHECK_INT(load(many(text, PROFILES_FILE_MAX), &pf), 0);
	CHECK_INT(set.n_named, profiles_builtin_count() + PROFILES_FILE_MAX);
	rules_profiles_free(pf);
	/* 17 items in a list */
	off = (size_t)sprintf(text, ONE("\"name\": \"a\", \"source\": \"s\", \"comms\": ["));
	off -= 3; /* before "}]}" */
	for (int i = 0; i < 17; i++)
		off += (size_t)sprintf(text + off, "%s\"c%d\"", i ? "," : "", i);
	sprintf(text + off, "]}]}");
	CHECK_STR(errors_of(text), "p.json:1:53: \"comms\" must have 1 to 16 items, not 17\n");
	free(text);
}

static void test_files(void)
{
	struct rules_profiles *pf = rules_profiles_new();

	CHECK_INT(rules_profiles_add_path(pf, "/nonexistent/p.json"), -ENOENT);
	CHECK_STR(rules_profiles_error(pf, 0),
		  "/nonexistent/p.json: cannot read: No such file or directory");
	profiles_init(&set);
	CHECK_INT(rules_profiles_apply(pf, &set), -EINVAL);
	CHECK_INT(rules_profiles_apply(pf, &set), -EBUSY); /* once */
	rules_profiles_free(pf);
}

/* Rules name a user's tool; the 64-bit mask reaches the last of 64 named tools. */
static void test_rules(void)
{
	static const char rules_text[] =
		"{\"rules\": [{\"id\": \"r\", \"description\": \"d\", \"severity\": \"low\", "
		"\"tools\": [\"t31\", \"ollama\"], \"event\": \"connect\", \"message\": \"m\"}]}";
	char *text = many(malloc(64 * 1024), PROFILES_FILE_MAX);
	struct lw_sockaddr sa = rt_addr("10.0.0.1", 443);
	struct rules_verdict v[2];
	struct rules_profiles *pf = NULL;
	struct rules_builder *b;
	struct lw_event ev;
	struct rules *r;

	CHECK_INT(load(text, &pf), 0);
	free(text);
	/* without the profiles, the name is unknown */
	b = rules_builder_new();
	rules_builder_add_text(b, "r.json", rules_text, strlen(rules_text), false);
	CHECK(rules_builder_build(b) == NULL);
	CHECK_STR(rules_builder_error(b, 0), "r.json:1:73: unknown tool \"t31\"");
	rules_builder_free(b);

	b = rules_builder_new();
	CHECK_INT(rules_builder_set_profiles(b, &set), 0);
	rules_builder_add_text(b, "r.json", rules_text, strlen(rules_text), false);
	r = rules_builder_build(b);
	CHECK(r != NULL);
	rules_builder_free(b);
	ev = rt_net(LW_REC_CONNECT, "t31", NULL, &sa);
	CHECK_INT(rules_match(r, &ev, v, 2), 1);
	ev = rt_net(LW_REC_CONNECT, "ollama", NULL, &sa);
	CHECK_INT(rules_match(r, &ev, v, 2), 1);
	ev = rt_net(LW_REC_CONNECT, "t30", NULL, &sa);
	CHECK_INT(rules_match(r, &ev, v, 2), 0);
	rules_free(r);
	rules_profiles_free(pf);
}

int main(void)
{
	test_good();
	test_override();
	test_user_first();
	test_errors();
	test_limits();
	test_files();
	test_rules();
	return check_summary("test_profiles_file");
}
