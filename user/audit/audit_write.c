// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The audit's two writers (audit.h): text for a person, grouped by checklist item, and one
 * JSON document for machines (docs/audit-format.md). Findings hold raw, untrusted bytes
 * (file contents, process names, paths): both writers pass every string through the one
 * escaped form (util/escape.h), so nothing read from the machine can steer a terminal or
 * break the document.
 */
#include "audit/audit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/escape.h"
#include "util/jsonw.h"

#define AUDIT_FORMAT_VERSION 1

/* The escaped form of s in a new string (NULL on ENOMEM). */
static char *escaped(const char *s)
{
	size_t need = escape_str(NULL, 0, s);
	char *out = malloc(need + 1);

	if (out)
		escape_str(out, need + 1, s);
	return out;
}

/* fputs of s's escaped form; false when it could not be made. */
static bool put_escaped(FILE *out, const char *s)
{
	char *e = escaped(s);

	if (!e)
		return false;
	fputs(e, out);
	free(e);
	return true;
}

static const char *status_color(enum audit_status s)
{
	switch (s) {
	case AUDIT_PASS:
		return "\033[32m";
	case AUDIT_WARN:
		return "\033[33m";
	case AUDIT_FAIL:
		return "\033[1;31m";
	default:
		return "\033[2m";
	}
}

static void write_home_list(const struct audit_ctx *c, FILE *out, bool *ok)
{
	for (size_t i = 0; i < c->n_homes; i++) {
		fputs(i ? ", " : "", out);
		*ok &= put_escaped(out, c->homes[i].path);
		if (c->homes[i].user) {
			fputs(" (", out);
			*ok &= put_escaped(out, c->homes[i].user);
			fputs(")", out);
		}
		if (c->homes[i].read_err)
			fprintf(out, " [cannot be read: %s]", strerror(-c->homes[i].read_err));
	}
	if (!c->n_homes)
		fputs("none", out);
}

static void write_finding_text(const struct audit_finding *f, FILE *out, bool color, bool *ok)
{
	fprintf(out, "  %s%s%s %s", color ? status_color(f->status) : "",
		audit_status_name(f->status), color ? "\033[0m" : "", f->check);
	if (f->tool) {
		fputs(" [", out);
		*ok &= put_escaped(out, f->tool);
		fputs("]", out);
	}
	if (f->subject) {
		fputs(" ", out);
		*ok &= put_escaped(out, f->subject);
	}
	if (f->evidence) {
		fputs(": ", out);
		*ok &= put_escaped(out, f->evidence);
	}
	fputs("\n", out);
	if (f->status != AUDIT_WARN && f->status != AUDIT_FAIL)
		return;
	if (f->fix) {
		fputs("       fix: ", out);
		*ok &= put_escaped(out, f->fix);
		fputs("\n", out);
	}
	if (f->source) {
		fputs("       source: ", out);
		*ok &= put_escaped(out, f->source);
		fputs("\n", out);
	}
}

int audit_write_text(const struct audit_report *r, const struct audit_ctx *c, FILE *out, bool color)
{
	const struct audit_finding *f;
	const char *const *err_check, *const *err_msg;
	size_t n = audit_findings(r, &f), n_err = audit_errors(r, &err_check, &err_msg);
	bool ok = true;

	fputs("llmwatch audit of ", out);
	ok &= put_escaped(out, c->root);
	fputs(c->live ? " (this running system)" : " (files only: no processes or sockets)", out);
	fputs(c->privileged ? "\n" : ", not as root: some files and processes may be unreadable\n",
	      out);
	fputs("homes: ", out);
	write_home_list(c, out, &ok);
	fputs("\n", out);
	for (int item = 0; item < AUDIT_ITEMS; item++) {
		bool title = false;

		for (size_t i = 0; i < n; i++) {
			if ((int)f[i].item != item)
				continue;
			if (!title) {
				fprintf(out, "\n%s\n", audit_item_title((enum audit_item)item));
				title = true;
			}
			write_finding_text(&f[i], out, color, &ok);
		}
	}
	if (n_err)
		fputs("\nChecks that could not run\n", out);
	for (size_t i = 0; i < n_err; i++) {
		fprintf(out, "  %sERROR%s ", color ? "\033[1;31m" : "", color ? "\033[0m" : "");
		ok &= put_escaped(out, err_check[i]);
		fputs(": ", out);
		ok &= put_escaped(out, err_msg[i]);
		fputs("\n", out);
	}
	fprintf(out, "\n%zu PASS, %zu WARN, %zu FAIL, %zu SKIP", audit_count(r, AUDIT_PASS),
		audit_count(r, AUDIT_WARN), audit_count(r, AUDIT_FAIL), audit_count(r, AUDIT_SKIP));
	if (n_err || audit_lost(r) || !ok)
		fprintf(out, "; INCOMPLETE: %zu checks could not run, %llu findings lost", n_err,
			(unsigned long long)audit_lost(r) + !ok);
	fputs("\n", out);
	if (fflush(out) || ferror(out))
		return -EIO;
	return 0;
}

static void opt_str(struct jsonw *w, const char *key, const char *s)
{
	if (s)
		jsonw_str(w, key, s);
	else
		jsonw_null(w, key);
}

int audit_write_json(const struct audit_report *r, const struct audit_ctx *c, FILE *out)
{
	const struct audit_finding *f;
	const char *const *err_check, *const *err_msg;
	size_t n = audit_findings(r, &f), n_err = audit_errors(r, &err_check, &err_msg);
	struct jsonw w;
	int err;

	jsonw_init(&w);
	jsonw_begin(&w);
	jsonw_uint(&w, "audit_format_version", AUDIT_FORMAT_VERSION);
	jsonw_str(&w, "root", c->root);
	jsonw_bool(&w, "live", c->live);
	jsonw_bool(&w, "privileged", c->privileged);
	jsonw_open(&w, "homes", '[');
	for (size_t i = 0; i < c->n_homes; i++) {
		jsonw_open(&w, NULL, '{');
		jsonw_str(&w, "path", c->homes[i].path);
		opt_str(&w, "user", c->homes[i].user);
		jsonw_uint(&w, "uid", c->homes[i].uid);
		jsonw_bool(&w, "readable", !c->homes[i].read_err);
		if (c->homes[i].read_err)
			jsonw_str(&w, "error", strerror(-c->homes[i].read_err));
		jsonw_close(&w, '}');
	}
	jsonw_close(&w, ']');
	jsonw_open(&w, "findings", '[');
	/* Grouped by item as the text is, in the order each check added them. */
	for (int item = 0; item < AUDIT_ITEMS; item++)
		for (size_t i = 0; i < n; i++) {
			if ((int)f[i].item != item)
				continue;
			jsonw_open(&w, NULL, '{');
			jsonw_str(&w, "item", audit_item_name(f[i].item));
			jsonw_str(&w, "status", audit_status_name(f[i].status));
			jsonw_str(&w, "check", f[i].check);
			opt_str(&w, "tool", f[i].tool);
			opt_str(&w, "subject", f[i].subject);
			opt_str(&w, "evidence", f[i].evidence);
			opt_str(&w, "fix", f[i].fix);
			opt_str(&w, "source", f[i].source);
			jsonw_close(&w, '}');
		}
	jsonw_close(&w, ']');
	jsonw_open(&w, "errors", '[');
	for (size_t i = 0; i < n_err; i++) {
		jsonw_open(&w, NULL, '{');
		jsonw_str(&w, "check", err_check[i]);
		jsonw_str(&w, "error", err_msg[i]);
		jsonw_close(&w, '}');
	}
	jsonw_close(&w, ']');
	jsonw_open(&w, "counts", '{');
	for (int s = 0; s < AUDIT_STATUSES; s++)
		jsonw_uint(&w, audit_status_name((enum audit_status)s),
			   audit_count(r, (enum audit_status)s));
	jsonw_close(&w, '}');
	jsonw_uint(&w, "lost", audit_lost(r));
	jsonw_bool(&w, "complete", !n_err && !audit_lost(r));
	err = jsonw_end(&w);
	if (!err) {
		fwrite(w.buf, 1, w.len, out);
		fputc('\n', out);
		if (fflush(out) || ferror(out))
			err = -EIO;
	}
	jsonw_free(&w);
	return err;
}
