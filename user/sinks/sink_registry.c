// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The outputs known by name, and turning --output values into one tee (see sink_registry.h). */
#include "sinks/sink_registry.h"

#include <errno.h>
#include <string.h>

#include "sinks/sink_journald.h"
#include "sinks/sink_syslog.h"
#include "sinks/sink_file.h"
#include "sinks/sink_tee.h"

static const struct sink_registry_row rows[] = {
	{ "text", sink_text_open, "[:PATH]", "one line per event, for people (the default)", true },
	{ "json", sink_json_open, "[:PATH]", "one JSON object per line (schema in README.md)",
	  true },
	{ "journald", sink_journald_open, "[:events]",
	  "a journal entry per alert (:events, per event too)", false },
	{ "syslog", sink_syslog_open, "[:TARGET][,OPT=V]",
	  "alerts as RFC 5424 (README.md, \"Syslog\")", false },
};

#define N_ROWS (sizeof(rows) / sizeof(rows[0]))

int sink_registry_parse(const char *text, struct sink_spec *spec, char *err, size_t errsz)
{
	const char *colon = strchr(text, ':');
	size_t len = colon ? (size_t)(colon - text) : strlen(text), used = 0;
	/* "syslog,facility=local3": options with no ARG before them, for sinks that take any */
	size_t comma = strcspn(text, ",:");

	for (size_t i = 0; i < N_ROWS; i++) {
		if (!rows[i].arg_is_path && text[comma] == ',' && strlen(rows[i].name) == comma &&
		    strncmp(rows[i].name, text, comma) == 0) {
			*spec = (struct sink_spec){ .row = &rows[i],
						    .text = text,
						    .arg = text + comma };
			return 0;
		}
		if (strlen(rows[i].name) != len || strncmp(rows[i].name, text, len) != 0)
			continue;
		if (colon && !colon[1]) {
			snprintf(err, errsz, "\"%s\": nothing after ':' (%s%s%s)", text,
				 rows[i].name, rows[i].arg_help,
				 rows[i].arg_is_path ? "; - is stdout" : "");
			return -EINVAL;
		}
		*spec = (struct sink_spec){ .row = &rows[i],
					    .text = text,
					    .arg = colon ? colon + 1 : NULL };
		return 0;
	}
	used = (size_t)snprintf(err, errsz, "\"%s\": unknown output; known:", text);
	for (size_t i = 0; i < N_ROWS && used < errsz; i++)
		used += (size_t)snprintf(err + used, errsz - used, "%s %s", i ? "," : "",
					 rows[i].name);
	return -EINVAL;
}

/*
 * Where a spec writes, if it writes to a path: "-" for stdout, else the path without its
 * options (sink_file.h), in buf; or NULL.
 */
static const char *target(const struct sink_spec *s, struct sink_file_opts *buf)
{
	char why[16];

	if (!s->row->arg_is_path)
		return NULL;
	/* a bad option is said when the sink opens; compare what is there until then */
	if (sink_file_parse(s->arg, buf, why, sizeof(why)))
		return s->arg ? s->arg : "-";
	return buf->path;
}

struct sink *sink_registry_open(const struct sink_spec *specs, size_t n, FILE *diag, char *err,
				size_t errsz)
{
	struct sink *tee;

	if (n == 0 || n > LW_OUTPUTS_MAX) {
		snprintf(err, errsz, "%zu outputs: 1 to %d", n, LW_OUTPUTS_MAX);
		errno = EINVAL;
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		struct sink_file_opts oa, ob;
		const char *a = target(&specs[i], &oa);

		for (size_t j = 0; a && j < i; j++) {
			const char *b = target(&specs[j], &ob);

			if (!b || strcmp(a, b) != 0)
				continue;
			snprintf(err, errsz, "\"%s\" and \"%s\" both write to %s", specs[j].text,
				 specs[i].text, strcmp(a, "-") != 0 ? a : "stdout");
			errno = EINVAL;
			return NULL;
		}
	}
	tee = sink_tee_new(diag);
	if (!tee) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		char why[256] = "";
		struct sink *s = specs[i].row->open(specs[i].arg, why, sizeof(why));
		int e;

		if (!s) {
			e = errno ? errno : EINVAL;
			snprintf(err, errsz, "\"%s\": %s", specs[i].text,
				 why[0] ? why : strerror(e));
			sink_destroy(tee);
			errno = e;
			return NULL;
		}
		e = sink_tee_add(tee, s, specs[i].text);
		if (e) {
			snprintf(err, errsz, "\"%s\": %s", specs[i].text, strerror(-e));
			sink_destroy(tee);
			errno = -e;
			return NULL;
		}
	}
	return tee;
}

void sink_registry_help(FILE *f, const char *indent)
{
	for (size_t i = 0; i < N_ROWS; i++) {
		char spec[32];

		snprintf(spec, sizeof(spec), "%s%s", rows[i].name, rows[i].arg_help);
		fprintf(f, "%s%-12s %s\n", indent, spec, rows[i].help);
	}
}
