// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `llmwatch rules check|list`: validate rule files, show the rule set (see verbs.h). */
#include "cmd/verbs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/escape.h"
#include "llmwatch/events.h"
#include "core/profiles.h"
#include "rules/rules.h"
#include "rules/rules_profiles.h"
#include "sinks/sink_journald.h"

static const char usage[] =
	"usage: llmwatch rules check [--no-default-rules] [--profiles FILE|DIR]... [FILE|DIR...]\n"
	"       llmwatch rules list [--no-default-rules] [--profiles FILE|DIR]...\n"
	"                           [--rules FILE|DIR]...\n"
	"\n"
	"check  validates rule files (with the default pack, so its lists can be used and its\n"
	"       ids are not reused; --no-default-rules checks the files alone); no file: the\n"
	"       default pack itself. Prints every error as FILE:LINE:COL: message.\n"
	"list   prints the rules that would be loaded: id, severity, action, events, the\n"
	"       description, and the MESSAGE_ID of the rule's journald entries (journalctl\n"
	"       MESSAGE_ID=... shows its alerts).\n"
	"--profiles adds the tools of profile files (docs/profiles.md), which rules may name.\n"
	"The rule format is described in docs/rules.md.\n";

static void print_errors(const struct rules_builder *b)
{
	for (size_t i = 0; i < rules_builder_error_count(b); i++)
		fprintf(stderr, "%s\n", rules_builder_error(b, i));
}

/*
 * Makes the tools of the --profiles files in pf known to b. Returns 0, or 1 after printing
 * the errors of the profile files.
 */
static int use_profiles(const char *verb, struct rules_profiles *pf, struct rules_builder *b)
{
	static struct profile_set set; /* a few KiB: not on the stack */
	int err;

	profiles_init(&set);
	err = rules_profiles_apply(pf, &set);
	for (size_t i = 0; i < rules_profiles_error_count(pf); i++)
		fprintf(stderr, "%s\n", rules_profiles_error(pf, i));
	if (!err)
		err = rules_builder_set_profiles(b, &set);
	if (err && !rules_profiles_error_count(pf))
		fprintf(stderr, "llmwatch rules %s: %s\n", verb, strerror(-err));
	return err ? 1 : 0;
}

static int rules_check(int argc, char **argv)
{
	struct rules_builder *b = rules_builder_new();
	struct rules_profiles *pf = rules_profiles_new();
	bool with_default = true;
	size_t n_files = 0;
	struct rules *r;
	int i;

	if (!b || !pf) {
		fprintf(stderr, "llmwatch rules check: %s\n", strerror(ENOMEM));
		rules_builder_free(b);
		rules_profiles_free(pf);
		return 1;
	}
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--no-default-rules") == 0) {
			with_default = false;
		} else if (strcmp(argv[i], "--profiles") == 0 && i + 1 < argc) {
			rules_profiles_add_path(pf, argv[++i]);
		} else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "llmwatch rules check: unknown option \"%s\"\n%s", argv[i],
				usage);
			rules_builder_free(b);
			rules_profiles_free(pf);
			return 2;
		} else {
			break;
		}
	}
	if (use_profiles("check", pf, b)) {
		rules_builder_free(b);
		rules_profiles_free(pf);
		return 1;
	}
	if (with_default && rules_builder_add_default(b)) {
		fprintf(stderr, "llmwatch rules check: %s\n", strerror(ENOMEM));
		rules_builder_free(b);
		rules_profiles_free(pf);
		return 1;
	}
	/* a file that cannot be read is recorded as an error; go on to report the others */
	for (; i < argc; i++, n_files++)
		rules_builder_add_path(b, argv[i]);
	r = rules_builder_build(b);
	if (!r) {
		if (errno == ENOMEM && !rules_builder_error_count(b))
			fprintf(stderr, "llmwatch rules check: %s\n", strerror(ENOMEM));
		print_errors(b);
		rules_builder_free(b);
		rules_profiles_free(pf);
		return 1;
	}
	printf("%zu rules OK\n", rules_builder_rule_count(b, n_files > 0));
	rules_free(r);
	rules_builder_free(b);
	rules_profiles_free(pf);
	return 0;
}

static void print_events(uint32_t events)
{
	static const struct {
		unsigned int type;
		const char *name;
	} names[] = {
		{ LW_REC_CONNECT, "connect" },
		{ LW_REC_SEND, "send" },
		{ LW_REC_BIND, "bind" },
		{ LW_REC_LISTEN, "listen" },
		{ LW_REC_OPEN, "open" },
		{ LW_REC_EXEC, "exec" },
		{ LW_REC_CONN_BYTES, "conn_bytes" },
	};
	bool first = true;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (events & (1u << names[i].type)) {
			printf("%s%s", first ? "" : ",", names[i].name);
			first = false;
		}
	}
}

/* Checks the arguments of `rules list`; sets *with_default. 0 or -EINVAL (usage printed). */
static int parse_list_args(int argc, char **argv, bool *with_default)
{
	*with_default = true;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--no-default-rules") == 0) {
			*with_default = false;
		} else if ((strcmp(argv[i], "--rules") == 0 ||
			    strcmp(argv[i], "--profiles") == 0) &&
			   i + 1 < argc) {
			i++;
		} else if (strncmp(argv[i], "--rules=", 8) != 0 &&
			   strncmp(argv[i], "--profiles=", 11) != 0) {
			fprintf(stderr, "llmwatch rules list: unexpected argument \"%s\"\n%s",
				argv[i], usage);
			return -EINVAL;
		}
	}
	return 0;
}

static int rules_list(int argc, char **argv)
{
	struct rules_builder *b;
	struct rules_profiles *pf;
	bool with_default;
	struct rules *r;
	char *buf = NULL;
	size_t bufsz = 0;

	if (parse_list_args(argc, argv, &with_default))
		return 2;
	b = rules_builder_new();
	pf = rules_profiles_new();
	if (!b || !pf || (with_default && rules_builder_add_default(b))) {
		fprintf(stderr, "llmwatch rules list: %s\n", strerror(ENOMEM));
		rules_builder_free(b);
		rules_profiles_free(pf);
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--profiles") == 0)
			rules_profiles_add_path(pf, argv[++i]);
		else if (strncmp(argv[i], "--profiles=", 11) == 0)
			rules_profiles_add_path(pf, argv[i] + 11);
		else if (strcmp(argv[i], "--rules") == 0)
			i++;
	}
	if (use_profiles("list", pf, b)) {
		rules_builder_free(b);
		rules_profiles_free(pf);
		return 1;
	}
	/* in command-line order after the default pack, as the monitor loads them */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--rules") == 0)
			rules_builder_add_path(b, argv[++i]);
		else if (strncmp(argv[i], "--rules=", 8) == 0)
			rules_builder_add_path(b, argv[i] + 8);
	}
	r = rules_builder_build(b);
	if (!r) {
		if (!rules_builder_error_count(b))
			fprintf(stderr, "llmwatch rules list: %s\n", strerror(errno));
		print_errors(b);
		rules_builder_free(b);
		rules_profiles_free(pf);
		return 1;
	}
	for (size_t i = 0; i < rules_count(r); i++) {
		char id[SINK_JOURNALD_ID_LEN + 1];
		struct rules_info info;
		size_t need;

		if (rules_get_info(r, i, &info))
			continue;
		need = strlen(info.description) * 4 + 1;
		if (need > bufsz) {
			char *nb = realloc(buf, need);

			if (!nb)
				break;
			buf = nb;
			bufsz = need;
		}
		escape_str(buf, bufsz, info.description);
		/* ids are restricted to [A-Za-z0-9._-] by the loader: safe to print as is */
		printf("%s [%s, %s%s] ", info.id, rules_severity_name(info.severity),
		       rules_action_name(info.action), info.fallback ? ", fallback" : "");
		print_events(info.events);
		printf("\n    %s\n", buf);
		if (sink_journald_message_id(info.id, id) == 0)
			printf("    MESSAGE_ID=%s\n", id);
		else
			printf("    MESSAGE_ID unknown: SHA-256 failed\n");
	}
	printf("%zu rules\n", rules_count(r));
	free(buf);
	rules_free(r);
	rules_builder_free(b);
	rules_profiles_free(pf);
	return 0;
}

int cmd_rules(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	if (strcmp(argv[1], "check") == 0)
		return rules_check(argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return rules_list(argc - 1, argv + 1);
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	fprintf(stderr, "llmwatch rules: unknown command \"%s\"\n%s", argv[1], usage);
	return 2;
}
