// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `llmwatch report FILE... [--format text|json|html] [-o OUT] [--rules FILE|DIR]...
 * [--no-default-rules] [--profiles FILE|DIR]...`: the evaluation report
 * (docs/report-format.md) of one or more captures read as one run, written as text or as
 * its JSON document or as one self-contained HTML page (report/report.h).
 */
#include "cmd/verbs.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "report/report.h"
#include "util/escape.h"
#include "util/timefmt.h"
#include "version.h"

#define REPORT_FILES_MAX 1024
#define REPORT_EXTRA_MAX 32

/* The formats, one row each: a new one is a row and its writer. */
static const struct report_format {
	const char *name;
	int (*write)(FILE *f, const cJSON *doc);
} formats[] = {
	{ "text", report_write_text },
	{ "json", report_write_json },
	{ "html", report_write_html },
};

struct report_cli {
	const char *files[REPORT_FILES_MAX];
	size_t n_files;
	const char *rules[REPORT_EXTRA_MAX], *profiles[REPORT_EXTRA_MAX];
	size_t n_rules, n_profiles;
	bool no_default_rules;
	const struct report_format *format;
	const char *out; /* NULL or "-": stdout */
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: llmwatch report FILE... [--format text|json|html] [-o OUT]\n"
		"                       [--rules FILE|DIR]... [--no-default-rules]\n"
		"                       [--profiles FILE|DIR]...\n"
		"Builds the evaluation report of captures written with --capture (several FILEs,\n"
		"such as a rotated capture's, are read as one run, in the order given): the\n"
		"capture's completeness (events lost, hash chain, seal), alerts, remote endpoints\n"
		"with their host names and how each is known, listeners and whether they are\n"
		"reachable, files by category, and processes. The rules (the built-in pack and\n"
		"each --rules) match the records again, as for llmwatch replay.\n"
		"  --format text|json|html\n"
		"                      text for people (default), the JSON document\n"
		"                      (docs/report-format.md), or one self-contained HTML page\n"
		"                      (a timeline per process and the tables; it loads nothing)\n"
		"  -o, --output OUT    write to OUT (created mode 0600, never through a symlink)\n"
		"                      instead of stdout\n"
		"Exit status: 0 when the report is written (an incomplete capture's too: its\n"
		"completeness says so), 1 when a capture is unreadable (no report) or its hash\n"
		"chain is broken (the report is written, and says from which block), or OUT cannot\n"
		"be written, 2 for bad usage or rules that do not load.\n");
}

static int parse(int argc, char **argv, struct report_cli *o)
{
	static const struct option lo[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "rules", required_argument, NULL, 'r' },
		{ "profiles", required_argument, NULL, 'p' },
		{ "no-default-rules", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	char shown[256];
	int c;

	o->format = &formats[0];
	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:", lo, NULL)) != -1) {
		switch (c) {
		case 'f':
			o->format = NULL;
			for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
				if (!strcmp(optarg, formats[i].name))
					o->format = &formats[i];
			if (!o->format) {
				char names[128] = "";

				for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
					snprintf(names + strlen(names),
						 sizeof(names) - strlen(names), "%s%s",
						 i ? ", " : "", formats[i].name);
				escape_str(shown, sizeof(shown), optarg);
				return cli_usage_error("--format \"%s\": one of %s", shown, names);
			}
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'r':
			if (o->n_rules == REPORT_EXTRA_MAX)
				return cli_usage_error("too many --rules");
			o->rules[o->n_rules++] = optarg;
			break;
		case 'p':
			if (o->n_profiles == REPORT_EXTRA_MAX)
				return cli_usage_error("too many --profiles");
			o->profiles[o->n_profiles++] = optarg;
			break;
		case 'n':
			o->no_default_rules = true;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			return cli_usage_error("see llmwatch report --help");
		}
	}
	if (optind == argc)
		return cli_usage_error(
			"report takes one or more capture FILEs (see llmwatch report --help)");
	for (; optind < argc; optind++) {
		if (o->n_files == REPORT_FILES_MAX)
			return cli_usage_error("more than %d capture files", REPORT_FILES_MAX);
		o->files[o->n_files++] = argv[optind];
	}
	return 0;
}

/* OUT created or truncated, 0600 (a report names the user's files), never via a symlink. */
static FILE *open_out(const char *path)
{
	int fd;
	FILE *f;

	if (!path || !strcmp(path, "-"))
		return stdout;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return NULL;
	f = fdopen(fd, "w");
	if (!f)
		close(fd);
	return f;
}

int cmd_report(int argc, char **argv)
{
	struct report_cli o = {};
	struct report_opts ro;
	char why[512], shown[1024];
	const cJSON *caps, *c;
	cJSON *doc;
	FILE *out;
	int err, status = 0;

	err = parse(argc, argv, &o);
	if (err)
		return err > 0 ? 0 : 2;
	if (timefmt_init()) {
		fprintf(stderr, "llmwatch: report: cannot read the clocks\n");
		return 1;
	}
	ro = (struct report_opts){
		.rules = o.rules,
		.n_rules = o.n_rules,
		.no_default_rules = o.no_default_rules,
		.profiles = o.profiles,
		.n_profiles = o.n_profiles,
		.version = LLMWATCH_VERSION,
	};
	err = report_build(o.files, o.n_files, &ro, &doc, why, sizeof(why));
	if (err) {
		escape_str(shown, sizeof(shown), why);
		fprintf(stderr, "llmwatch: report: %s\n", shown);
		return err == -EINVAL ? 2 : 1;
	}
	out = open_out(o.out);
	if (!out) {
		escape_str(shown, sizeof(shown), o.out);
		fprintf(stderr, "llmwatch: report: cannot write %s: %s\n", shown, strerror(errno));
		cJSON_Delete(doc);
		return 1;
	}
	err = o.format->write(out, doc);
	if (out != stdout) {
		if (fclose(out))
			err = err ? err : -errno;
	} else if (fflush(out)) {
		err = err ? err : -errno;
	}
	if (err) {
		fprintf(stderr, "llmwatch: report: writing the report: %s\n", strerror(-err));
		status = 1;
	}
	/* a broken chain is evidence that was changed: said, and the exit status says it */
	caps = cJSON_GetObjectItemCaseSensitive(doc, "captures");
	cJSON_ArrayForEach(c, caps)
	{
		const cJSON *chain = cJSON_GetObjectItemCaseSensitive(c, "chain");

		if (cJSON_IsString(chain) && strcmp(chain->valuestring, "intact") != 0) {
			escape_str(shown, sizeof(shown),
				   cJSON_GetObjectItemCaseSensitive(c, "file")->valuestring);
			fprintf(stderr, "llmwatch: report: %s: hash chain broken from block %.0f\n",
				shown,
				cJSON_GetNumberValue(
					cJSON_GetObjectItemCaseSensitive(c, "first_bad_block")));
			status = 1;
		}
	}
	cJSON_Delete(doc);
	return status;
}
