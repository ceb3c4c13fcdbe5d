// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `llmwatch diff A B [--format text|json] [-o OUT] [--rules FILE|DIR]... [--no-default-rules]
 * [--profiles FILE|DIR]...`: what run B did that run A did not, and what it stopped doing
 * (report/report_diff.c), for comparing two versions of a tool. A and B are each a report
 * (report.json) or a capture, told apart by the capture's magic; a capture is made into its
 * report first (report_build(), with the rules and profiles given). Both files are
 * untrusted: read within a bound, parsed with the place of any error, and checked to be a
 * report this llmwatch reads before they are compared.
 */
#include "cmd/verbs.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/capture_format.h"
#include "cmd/cli.h"
#include "report/report.h"
#include "util/escape.h"
#include "util/timefmt.h"
#include "version.h"

#define DIFF_EXTRA_MAX 32
/* A report.json larger than this is refused, not read: cJSON holds several times it. */
#define DIFF_DOC_MAX (256u << 20)

struct diff_opts {
	const char *file[2];
	const char *rules[DIFF_EXTRA_MAX], *profiles[DIFF_EXTRA_MAX];
	size_t n_rules, n_profiles;
	bool no_default_rules;
	bool json;
	const char *out;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: llmwatch diff A B [--format text|json] [-o OUT] [--rules FILE|DIR]...\n"
		"                     [--no-default-rules] [--profiles FILE|DIR]...\n"
		"What run B did that run A did not (added), and what A did that B did not\n"
		"(removed): remote endpoints (by host name when known, else address; port and\n"
		"protocol), listeners (address, port, protocol, reachability), file categories\n"
		"(credentials, documents, model, tool, other), executables (path and SHA-256: a\n"
		"changed hash is one removed and one added) and alerts (by rule id). For comparing\n"
		"two versions of a tool, or a tool with and without a plugin.\n"
		"A and B are each a report (report.json, as `llmwatch report --format json` and\n"
		"`llmwatch eval` write it) or a capture (--capture), whose report is made first\n"
		"with the rules (the built-in pack and each --rules) and --profiles given.\n"
		"  --format text|json  text for people (default; every string escaped), or the\n"
		"                      diff as one JSON document (docs/report-format.md, \"Diff\")\n"
		"  -o, --output OUT    write to OUT (created mode 0600) instead of stdout\n"
		"Exit status: 1 when B adds anything, 0 when it adds nothing (it may remove),\n"
		"2 on an error (a file unreadable or not a report) or bad usage.\n");
}

static int parse(int argc, char **argv, struct diff_opts *o)
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

	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:", lo, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0) {
				escape_str(shown, sizeof(shown), optarg);
				return cli_usage_error("--format \"%s\": text or json", shown);
			}
			o->json = strcmp(optarg, "json") == 0;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'r':
			if (o->n_rules == DIFF_EXTRA_MAX)
				return cli_usage_error("too many --rules");
			o->rules[o->n_rules++] = optarg;
			break;
		case 'p':
			if (o->n_profiles == DIFF_EXTRA_MAX)
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
			return cli_usage_error("see llmwatch diff --help");
		}
	}
	if (argc - optind != 2)
		return cli_usage_error("diff takes two runs, A and B (see llmwatch diff --help)");
	o->file[0] = argv[optind];
	o->file[1] = argv[optind + 1];
	return 0;
}

/* ---- reading one side ------------------------------------------------------------------ */

/* LINE:COL (1-based, COL in bytes) of buf + off. */
static void place_of(const char *buf, size_t off, unsigned long *line, unsigned long *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			++*line;
			*col = 1;
		} else {
			++*col;
		}
	}
}

/*
 * The rest of a report.json after its first `have` bytes (already in buf), parsed.
 * Returns the document, or NULL with the reason (FILE:LINE:COL for a JSON error) printed.
 */
static cJSON *read_json(FILE *f, const char *shown, char *head, size_t have)
{
	size_t cap = 1 << 16, len = have;
	char *buf = malloc(cap);
	const char *end = NULL;
	cJSON *doc;

	if (!buf) {
		fprintf(stderr, "llmwatch: diff: %s: out of memory\n", shown);
		return NULL;
	}
	memcpy(buf, head, have);
	for (;;) {
		size_t n;

		if (len + 1 >= cap) {
			char *p;

			if (cap > DIFF_DOC_MAX) {
				fprintf(stderr,
					"llmwatch: diff: %s: larger than %u MiB, not read as a "
					"report\n",
					shown, DIFF_DOC_MAX >> 20);
				free(buf);
				return NULL;
			}
			p = realloc(buf, cap * 2);
			if (!p) {
				fprintf(stderr, "llmwatch: diff: %s: out of memory\n", shown);
				free(buf);
				return NULL;
			}
			buf = p;
			cap *= 2;
		}
		n = fread(buf + len, 1, cap - 1 - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "llmwatch: diff: %s: %s\n", shown, strerror(errno));
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	if (memchr(buf, '\0', len)) {
		fprintf(stderr, "llmwatch: diff: %s: a NUL byte at offset %zu: not a report\n",
			shown, (size_t)((char *)memchr(buf, '\0', len) - buf));
		free(buf);
		return NULL;
	}
	/* the NUL included in the length: nothing but white space may follow the value */
	doc = cJSON_ParseWithLengthOpts(buf, len + 1, &end, true);
	if (!doc) {
		unsigned long line, col;

		if (!end || end < buf || end > buf + len)
			end = buf + len;
		place_of(buf, (size_t)(end - buf), &line, &col);
		fprintf(stderr, "llmwatch: diff: %s:%lu:%lu: %s\n", shown, line, col,
			len ? "not JSON (a report.json or a capture is expected)" :
			      "empty (a report.json or a capture is expected)");
	}
	free(buf);
	return doc;
}

/*
 * The report of one side: the file's own when it is a report, else the one made from the
 * capture it is. Returns the document checked to be a report, or NULL (reason printed).
 */
static cJSON *read_side(const char *path, const struct diff_opts *o)
{
	char shown[1024], head[CAPTURE_MAGIC_LEN], err[512];
	size_t have;
	cJSON *doc = NULL;
	FILE *f;

	escape_str(shown, sizeof(shown), path);
	f = fopen(path, "rbe");
	if (!f) {
		fprintf(stderr, "llmwatch: diff: %s: %s\n", shown, strerror(errno));
		return NULL;
	}
	have = fread(head, 1, sizeof(head), f);
	if (have == sizeof(head) && memcmp(head, CAPTURE_MAGIC, CAPTURE_MAGIC_LEN) == 0) {
		const struct report_opts ro = {
			.rules = o->rules,
			.n_rules = o->n_rules,
			.no_default_rules = o->no_default_rules,
			.profiles = o->profiles,
			.n_profiles = o->n_profiles,
			.version = LLMWATCH_VERSION,
		};
		int rc;

		fclose(f);
		rc = report_build(&path, 1, &ro, &doc, err, sizeof(err));
		if (rc) {
			/* the reason names the file, as given: escaped */
			escape_str(shown, sizeof(shown), err[0] ? err : strerror(-rc));
			fprintf(stderr, "llmwatch: diff: %s\n", shown);
			return NULL;
		}
	} else {
		doc = read_json(f, shown, head, have);
		fclose(f);
		if (!doc)
			return NULL;
	}
	if (report_diff_check(doc, err, sizeof(err))) {
		fprintf(stderr, "llmwatch: diff: %s: %s\n", shown, err);
		cJSON_Delete(doc);
		return NULL;
	}
	return doc;
}

/* ---- the run --------------------------------------------------------------------------- */

/* The path each report was read from, beside the captures it names. */
static int add_files(cJSON *diff, const struct diff_opts *o)
{
	return cJSON_AddStringToObject(cJSON_GetObjectItem(diff, "a"), "file", o->file[0]) &&
			       cJSON_AddStringToObject(cJSON_GetObjectItem(diff, "b"), "file",
						       o->file[1]) ?
		       0 :
		       -ENOMEM;
}

static int write_diff(FILE *f, const cJSON *diff, bool json)
{
	char *text;
	int err = 0;

	if (!json)
		return report_diff_write_text(f, diff);
	text = cJSON_Print(diff);
	if (!text)
		return -ENOMEM;
	if (fputs(text, f) == EOF || fputc('\n', f) == EOF || fflush(f))
		err = -EIO;
	cJSON_free(text);
	return err;
}

static FILE *open_out(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (!f && fd >= 0)
		close(fd);
	return f;
}

int cmd_diff(int argc, char **argv)
{
	struct diff_opts o = {};
	cJSON *a = NULL, *b = NULL, *diff = NULL;
	char shown[1024];
	FILE *out = stdout;
	int err, status = 2;

	err = parse(argc, argv, &o);
	if (err)
		return err > 0 ? 0 : 2;
	if (timefmt_init()) {
		fprintf(stderr, "llmwatch: diff: cannot read the clocks\n");
		return 2;
	}
	a = read_side(o.file[0], &o);
	if (a)
		b = read_side(o.file[1], &o);
	if (!a || !b)
		goto done;
	diff = report_diff(a, b);
	if (!diff || add_files(diff, &o)) {
		fprintf(stderr, "llmwatch: diff: out of memory\n");
		goto done;
	}
	if (o.out) {
		escape_str(shown, sizeof(shown), o.out);
		out = open_out(o.out);
		if (!out) {
			fprintf(stderr, "llmwatch: diff: -o %s: %s\n", shown, strerror(errno));
			goto done;
		}
	}
	err = write_diff(out, diff, o.json);
	if (out != stdout && fclose(out) && !err)
		err = -errno;
	if (err) {
		fprintf(stderr, "llmwatch: diff: writing %s: %s\n", o.out ? shown : "stdout",
			strerror(-err));
		goto done;
	}
	status = report_diff_adds(diff) ? 1 : 0;
done:
	cJSON_Delete(diff);
	cJSON_Delete(a);
	cJSON_Delete(b);
	return status;
}
