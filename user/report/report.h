/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The evaluation report (docs/report-format.md): one JSON document built from captures,
 * which the text and HTML reports and `llmwatch diff` are made from. The document is a
 * cJSON tree; every string in it may hold untrusted bytes, and each writer escapes for its
 * own format.
 */
#ifndef LW_REPORT_H
#define LW_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#define REPORT_VERSION 1

struct report_opts {
	const char *const *rules; /* --rules FILE|DIR, n_rules of them */
	size_t n_rules;
	bool no_default_rules;
	const char *const *profiles; /* --profiles FILE|DIR */
	size_t n_profiles;
	const char
		*version; /* the document's "generator" is "llmwatch VERSION" (cmd/: the build's) */
};

/*
 * Builds the report of the captures files[0..n) (the rotated files of one run, or any
 * captures, read as one run in the order given) by replaying them through the record path
 * with the rules o names. Returns 0 and the document in *out (free with cJSON_Delete), or
 * -errno with the reason, naming the file, in err[errsz]. A capture whose chain is broken
 * or whose tail is torn still gives a report; its completeness says so.
 */
int report_build(const char *const *files, size_t n, const struct report_opts *o, cJSON **out,
		 char *err, size_t errsz);

/* The report for people, as text (report_text.c). Returns 0 or -errno. */
int report_write_text(FILE *f, const cJSON *doc);

/* The document itself, indented (report.json). Returns 0 or -errno. */
int report_write_json(FILE *f, const cJSON *doc);

/*
 * One self-contained HTML file (report_html.c): no network fetch, no external script,
 * style or font; a timeline per process, the tables and the completeness banner.
 */
int report_write_html(FILE *f, const cJSON *doc);

/*
 * What report b holds that a does not, and the reverse (docs/report-format.md, "Diff";
 * report_diff.c). NULL on no memory.
 */
cJSON *report_diff(const cJSON *a, const cJSON *b);

/*
 * Whether doc, read from a file nobody vouches for, is a report this llmwatch can compare:
 * an object with a whole report_version of at most REPORT_VERSION. Returns 0, or -EINVAL
 * (not a report) or -EPROTONOSUPPORT (a newer version) with the reason in err[errsz]. The
 * rest is checked item by item by report_diff(), which counts what it cannot compare.
 */
int report_diff_check(const cJSON *doc, char *err, size_t errsz);

/* Whether a diff adds anything (the exit status of `llmwatch diff`). */
bool report_diff_adds(const cJSON *diff);

/* The diff for people. Returns 0 or -errno. */
int report_diff_write_text(FILE *f, const cJSON *diff);

#endif /* LW_REPORT_H */
