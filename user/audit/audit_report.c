// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The audit's findings (audit.h): copied as they are added, each string once in the
 * report's own memory, so a check may add text it is about to free; names of statuses and
 * checklist items.
 */
#include "audit/audit.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct audit_report {
	struct audit_finding *f;
	size_t n, cap;
	char **strings; /* what the findings and audit_fmt() point into */
	size_t n_strings, cap_strings;
	const char **err_check, **err_msg; /* checks that failed outright, and why */
	size_t n_err, cap_err;
	uint64_t lost;
};

static const char *const status_names[AUDIT_STATUSES] = { "PASS", "WARN", "FAIL", "SKIP" };
static const char *const item_names[AUDIT_ITEMS] = {
	"exposure", "telemetry", "integrity", "gguf", "at-rest", "versions", "hygiene",
};
static const char *const item_titles[AUDIT_ITEMS] = {
	"Exposure: the API bound to localhost, nothing reachable from the network",
	"Telemetry settings",
	"Model integrity: checksums and approved models",
	"Model files: GGUF that parses safely",
	"At rest: encryption and permissions of models and chats",
	"Versions: known vulnerabilities",
	"Hygiene: start-up items, automatic updates, accounts, extensions",
};

const char *audit_status_name(enum audit_status s)
{
	return (unsigned int)s < AUDIT_STATUSES ? status_names[s] : "?";
}

const char *audit_item_name(enum audit_item i)
{
	return (unsigned int)i < AUDIT_ITEMS ? item_names[i] : "?";
}

const char *audit_item_title(enum audit_item i)
{
	return (unsigned int)i < AUDIT_ITEMS ? item_titles[i] : "?";
}

struct audit_report *audit_report_new(void)
{
	struct audit_report *r = calloc(1, sizeof(*r));

	if (!r)
		errno = ENOMEM;
	return r;
}

void audit_report_free(struct audit_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_strings; i++)
		free(r->strings[i]);
	free(r->strings);
	free(r->err_check);
	free(r->err_msg);
	free(r->f);
	free(r);
}

/* Takes s (malloc'ed) into the report; NULL (s freed) when there is no room. */
static const char *own(struct audit_report *r, char *s)
{
	if (!s)
		return NULL;
	if (r->n_strings == r->cap_strings) {
		size_t cap = r->cap_strings ? r->cap_strings * 2 : 64;
		char **grown = realloc(r->strings, cap * sizeof(*grown));

		if (!grown) {
			free(s);
			return NULL;
		}
		r->strings = grown;
		r->cap_strings = cap;
	}
	r->strings[r->n_strings++] = s;
	return s;
}

/* A copy of s owned by the report; *failed set when it could not be made. */
static const char *copy(struct audit_report *r, const char *s, bool *failed)
{
	const char *c;

	if (!s)
		return NULL;
	c = own(r, strdup(s));
	if (!c)
		*failed = true;
	return c;
}

int audit_add(struct audit_report *r, const struct audit_finding *f)
{
	struct audit_finding c = *f;
	bool failed = false;

	c.check = copy(r, f->check, &failed);
	c.tool = copy(r, f->tool, &failed);
	c.subject = copy(r, f->subject, &failed);
	c.evidence = copy(r, f->evidence, &failed);
	c.fix = copy(r, f->fix, &failed);
	c.source = copy(r, f->source, &failed);
	if (!failed && r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 32;
		struct audit_finding *grown = realloc(r->f, cap * sizeof(*grown));

		if (grown) {
			r->f = grown;
			r->cap = cap;
		} else {
			failed = true;
		}
	}
	if (failed) {
		r->lost++;
		return -ENOMEM;
	}
	r->f[r->n++] = c;
	return 0;
}

const char *audit_fmt(struct audit_report *r, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		r->lost++;
		return "(out of memory)";
	}
	return own(r, s) ?: "(out of memory)";
}

size_t audit_count(const struct audit_report *r, enum audit_status s)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++)
		n += r->f[i].status == s;
	return n;
}

uint64_t audit_lost(const struct audit_report *r)
{
	return r->lost;
}

size_t audit_findings(const struct audit_report *r, const struct audit_finding **out)
{
	*out = r->f;
	return r->n;
}

int audit_add_error(struct audit_report *r, const char *check, const char *message)
{
	bool failed = false;
	const char *c = copy(r, check, &failed), *m = copy(r, message, &failed);

	if (!failed && r->n_err == r->cap_err) {
		size_t cap = r->cap_err ? r->cap_err * 2 : 8;
		const char **gc = realloc(r->err_check, cap * sizeof(*gc));
		const char **gm;

		if (gc)
			r->err_check = gc; /* the old block is gone either way: keep the new one */
		gm = gc ? realloc(r->err_msg, cap * sizeof(*gm)) : NULL;
		if (gm) {
			r->err_msg = gm;
			r->cap_err = cap;
		} else {
			failed = true;
		}
	}
	if (failed) {
		r->lost++;
		return -ENOMEM;
	}
	r->err_check[r->n_err] = c;
	r->err_msg[r->n_err] = m;
	r->n_err++;
	return 0;
}

size_t audit_errors(const struct audit_report *r, const char *const **checks,
		    const char *const **messages)
{
	*checks = r->err_check;
	*messages = r->err_msg;
	return r->n_err;
}
