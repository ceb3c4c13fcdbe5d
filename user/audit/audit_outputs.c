// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The audit's outputs (audit_outputs.h): the report to files and stdout, findings to the
 * journal and to syslog. The journal entries are built with the journald sink's builder and
 * the syslog messages with its formatter, target parser and transport, so an audit's
 * findings escape and travel exactly as the monitor's alerts do.
 */
#include "audit/audit_outputs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "sinks/sink_file.h"
#include "sinks/sink_registry.h"
#include "sinks/sink_syslog.h"
#include "sinks/syslog_transport.h"
#include "util/escape.h"
#include "util/timefmt.h"

/* What a message's MSG and a journal MESSAGE hold at most: they stay one readable line. */
#define LINE_MAX_BYTES 2048

enum out_kind {
	OUT_TEXT,
	OUT_JSON,
	OUT_JOURNALD,
	OUT_SYSLOG
};

struct out {
	enum out_kind kind;
	char *shown;	     /* the spec as the user wrote it, for messages */
	char path[PATH_MAX]; /* text, json: "-" for stdout */
	bool all;	     /* journald:all */
	FILE *f;	     /* text, json: once open */
	struct sink_syslog_config *syslog;
	struct syslog_ident id;
	struct syslog_transport *tr;
	size_t made; /* syslog: messages handed to the transport or dropped by it */
	size_t lost; /* syslog: messages that could not even be made or queued */
};

struct audit_outputs {
	struct out out[AUDIT_OUTPUTS_MAX];
	size_t n;
	FILE *diag;
};

/* ---- the words of a finding ---------------------------------------------------------- */

/* A bounded writer of escaped text: cuts cleanly (escape_str never cuts an escape). */
struct line {
	char *buf;
	size_t size, len;
};

static void line_put(struct line *l, const char *s, bool untrusted)
{
	size_t room = l->size - l->len;

	if (room <= 1)
		return;
	if (untrusted) {
		size_t need = escape_str(l->buf + l->len, room, s);

		l->len += need < room ? need : strlen(l->buf + l->len);
	} else {
		int n = snprintf(l->buf + l->len, room, "%s", s);

		l->len += (size_t)n < room ? (size_t)n : room - 1;
	}
}

size_t audit_outputs_line(char *buf, size_t size, const struct audit_finding *f)
{
	struct line l = { buf, size, 0 };

	if (!size)
		return 0;
	buf[0] = '\0';
	line_put(&l, "audit ", false);
	line_put(&l, audit_status_name(f->status), false);
	line_put(&l, " ", false);
	line_put(&l, f->check, true);
	if (f->tool) {
		line_put(&l, " [", false);
		line_put(&l, f->tool, true);
		line_put(&l, "]", false);
	}
	if (f->subject) {
		line_put(&l, " ", false);
		line_put(&l, f->subject, true);
	}
	if (f->evidence) {
		line_put(&l, ": ", false);
		line_put(&l, f->evidence, true);
	}
	return l.len;
}

/* "audit of ROOT: 3 PASS, 1 WARN, 1 FAIL, 0 SKIP[; INCOMPLETE: ...]" */
static size_t summary_line(char *buf, size_t size, const struct audit_report *r,
			   const struct audit_ctx *c)
{
	const char *const *ec, *const *em;
	size_t n_err = audit_errors(r, &ec, &em);
	struct line l = { buf, size, 0 };
	char counts[160];

	buf[0] = '\0';
	line_put(&l, "audit of ", false);
	line_put(&l, c->root, true);
	snprintf(counts, sizeof(counts), ": %zu PASS, %zu WARN, %zu FAIL, %zu SKIP",
		 audit_count(r, AUDIT_PASS), audit_count(r, AUDIT_WARN), audit_count(r, AUDIT_FAIL),
		 audit_count(r, AUDIT_SKIP));
	line_put(&l, counts, false);
	if (n_err || audit_lost(r)) {
		snprintf(counts, sizeof(counts),
			 "; INCOMPLETE: %zu checks could not run, %llu findings lost", n_err,
			 (unsigned long long)audit_lost(r));
		line_put(&l, counts, false);
	}
	return l.len;
}

int audit_outputs_priority(enum audit_status s)
{
	switch (s) {
	case AUDIT_FAIL:
		return LOG_ERR;
	case AUDIT_WARN:
		return LOG_WARNING;
	default:
		return LOG_INFO;
	}
}

/* The summary's: err when something FAILs, warning when the audit is incomplete, else notice. */
static int summary_priority(const struct audit_report *r)
{
	const char *const *ec, *const *em;

	if (audit_count(r, AUDIT_FAIL))
		return LOG_ERR;
	return audit_errors(r, &ec, &em) || audit_lost(r) ? LOG_WARNING : LOG_NOTICE;
}

static bool complete(const struct audit_report *r)
{
	const char *const *ec, *const *em;

	return !audit_errors(r, &ec, &em) && !audit_lost(r);
}

int audit_outputs_message_id(const char *check, char id[JOURNAL_MESSAGE_ID_LEN + 1])
{
	return journal_message_id("llmwatch-audit:", check, id);
}

/* The item of a check by its name (for a check that could not run), or NULL. */
static const char *check_item(const char *check)
{
	for (size_t i = 0; i < audit_n_checks; i++)
		if (!strcmp(audit_checks[i].name, check))
			return audit_item_name(audit_checks[i].item);
	return NULL;
}

/* Whether an output that sends findings one by one sends f (all: every finding). */
static bool sent(const struct audit_finding *f, bool all)
{
	return all || f->status == AUDIT_WARN || f->status == AUDIT_FAIL;
}

/* ---- the journal ---------------------------------------------------------------------- */

static void entry_opt(struct journal_entry *e, const char *name, const char *value)
{
	if (value)
		journal_entry_untrusted(e, name, value, strlen(value));
}

static void entry_finding(struct journal_entry *e, const struct audit_finding *f)
{
	char line[LINE_MAX_BYTES], id[JOURNAL_MESSAGE_ID_LEN + 1];
	size_t n = audit_outputs_line(line, sizeof(line), f);

	journal_entry_clean(e, "MESSAGE", line, n);
	journal_entry_fmt(e, "PRIORITY", "%d", audit_outputs_priority(f->status));
	journal_entry_str(e, "SYSLOG_IDENTIFIER", "llmwatch");
	if (audit_outputs_message_id(f->check, id))
		e->broken = true;
	else
		journal_entry_str(e, "MESSAGE_ID", id);
	entry_opt(e, "LLMWATCH_AUDIT_CHECK", f->check);
	journal_entry_str(e, "LLMWATCH_AUDIT_ITEM", audit_item_name(f->item));
	journal_entry_str(e, "LLMWATCH_AUDIT_STATUS", audit_status_name(f->status));
	entry_opt(e, "LLMWATCH_AUDIT_TOOL", f->tool);
	entry_opt(e, "LLMWATCH_AUDIT_SUBJECT", f->subject);
	entry_opt(e, "LLMWATCH_AUDIT_EVIDENCE", f->evidence);
	entry_opt(e, "LLMWATCH_AUDIT_FIX", f->fix);
	entry_opt(e, "LLMWATCH_AUDIT_SOURCE", f->source);
}

/* A check that could not run: "audit ERROR check: message", at err. */
static void entry_error(struct journal_entry *e, const char *check, const char *message)
{
	struct audit_finding f = { .check = check, .evidence = message };
	char line[LINE_MAX_BYTES], id[JOURNAL_MESSAGE_ID_LEN + 1];
	struct line l = { line, sizeof(line), 0 };
	const char *item = check_item(check);

	line[0] = '\0';
	line_put(&l, "audit ERROR ", false);
	line_put(&l, f.check, true);
	line_put(&l, ": ", false);
	line_put(&l, f.evidence, true);
	journal_entry_clean(e, "MESSAGE", line, l.len);
	journal_entry_fmt(e, "PRIORITY", "%d", LOG_ERR);
	journal_entry_str(e, "SYSLOG_IDENTIFIER", "llmwatch");
	if (audit_outputs_message_id(check, id))
		e->broken = true;
	else
		journal_entry_str(e, "MESSAGE_ID", id);
	entry_opt(e, "LLMWATCH_AUDIT_CHECK", check);
	if (item)
		journal_entry_str(e, "LLMWATCH_AUDIT_ITEM", item);
	journal_entry_str(e, "LLMWATCH_AUDIT_STATUS", "ERROR");
	entry_opt(e, "LLMWATCH_AUDIT_EVIDENCE", message);
}

static void entry_summary(struct journal_entry *e, const struct audit_report *r,
			  const struct audit_ctx *c)
{
	char line[LINE_MAX_BYTES], id[JOURNAL_MESSAGE_ID_LEN + 1];
	const char *const *ec, *const *em;
	size_t n = summary_line(line, sizeof(line), r, c);

	journal_entry_clean(e, "MESSAGE", line, n);
	journal_entry_fmt(e, "PRIORITY", "%d", summary_priority(r));
	journal_entry_str(e, "SYSLOG_IDENTIFIER", "llmwatch");
	if (journal_message_id("llmwatch-audit-summary", "", id))
		e->broken = true;
	else
		journal_entry_str(e, "MESSAGE_ID", id);
	journal_entry_str(e, "LLMWATCH_AUDIT_STATUS", "SUMMARY");
	entry_opt(e, "LLMWATCH_AUDIT_ROOT", c->root);
	journal_entry_fmt(e, "LLMWATCH_AUDIT_PASS", "%zu", audit_count(r, AUDIT_PASS));
	journal_entry_fmt(e, "LLMWATCH_AUDIT_WARN", "%zu", audit_count(r, AUDIT_WARN));
	journal_entry_fmt(e, "LLMWATCH_AUDIT_FAIL", "%zu", audit_count(r, AUDIT_FAIL));
	journal_entry_fmt(e, "LLMWATCH_AUDIT_SKIP", "%zu", audit_count(r, AUDIT_SKIP));
	journal_entry_fmt(e, "LLMWATCH_AUDIT_ERRORS", "%zu", audit_errors(r, &ec, &em));
	journal_entry_fmt(e, "LLMWATCH_AUDIT_LOST", "%llu", (unsigned long long)audit_lost(r));
	journal_entry_str(e, "LLMWATCH_AUDIT_COMPLETE", complete(r) ? "true" : "false");
}

/* Counts one sent entry; keeps the first error. */
static void tally(int err, size_t *failed, size_t *total, int *first_err)
{
	(*total)++;
	if (!err)
		return;
	(*failed)++;
	if (!*first_err)
		*first_err = err;
}

size_t audit_journal_send(const struct audit_report *r, const struct audit_ctx *c, bool all,
			  journal_send_fn send, void *ctx, size_t *total, int *first_err)
{
	const struct audit_finding *f;
	const char *const *ec, *const *em;
	size_t n = audit_findings(r, &f), n_err = audit_errors(r, &ec, &em), failed = 0, made = 0;
	struct journal_entry e = {};
	int first = 0;

	/* in the report's order: grouped by item, as the writers print them */
	for (int item = 0; item < AUDIT_ITEMS; item++)
		for (size_t i = 0; i < n; i++) {
			if ((int)f[i].item != item || !sent(&f[i], all))
				continue;
			entry_finding(&e, &f[i]);
			tally(journal_entry_send(&e, send, ctx), &failed, &made, &first);
		}
	for (size_t i = 0; i < n_err; i++) {
		entry_error(&e, ec[i], em[i]);
		tally(journal_entry_send(&e, send, ctx), &failed, &made, &first);
	}
	entry_summary(&e, r, c);
	tally(journal_entry_send(&e, send, ctx), &failed, &made, &first);
	journal_entry_free(&e);
	if (total)
		*total = made;
	if (first_err)
		*first_err = first;
	return failed;
}

/* ---- syslog --------------------------------------------------------------------------- */

/* Caps of the escaped params: with the SD escaping, a message stays under SYSLOG_MSG_MAX. */
#define P(name, value, cap)      \
	{                        \
		name, value, cap \
	}

int audit_syslog_finding(char *buf, size_t size, const struct syslog_ident *id, struct timespec ts,
			 const struct audit_finding *f)
{
	char line[1024];
	const struct syslog_param p[] = {
		P("check", f->check, 64),
		P("item", audit_item_name(f->item), 16),
		P("status", audit_status_name(f->status), 8),
		P("tool", f->tool, 64),
		P("subject", f->subject, 512),
		P("evidence", f->evidence, 1024),
		P("fix", f->fix, 512),
		P("source", f->source, 256),
	};

	audit_outputs_line(line, sizeof(line), f);
	return syslog_format_message(buf, size, id, audit_outputs_priority(f->status), ts, f->check,
				     AUDIT_SYSLOG_SD_ID, p, sizeof(p) / sizeof(p[0]), line);
}

static int syslog_error(char *buf, size_t size, const struct syslog_ident *id, struct timespec ts,
			const char *check, const char *message)
{
	char line[1024];
	struct line l = { line, sizeof(line), 0 };
	const struct syslog_param p[] = {
		P("check", check, 64),
		P("item", check_item(check), 16),
		P("status", "ERROR", 8),
		P("evidence", message, 1024),
	};

	line[0] = '\0';
	line_put(&l, "audit ERROR ", false);
	line_put(&l, check, true);
	line_put(&l, ": ", false);
	line_put(&l, message, true);
	return syslog_format_message(buf, size, id, LOG_ERR, ts, check, AUDIT_SYSLOG_SD_ID, p,
				     sizeof(p) / sizeof(p[0]), line);
}

int audit_syslog_summary(char *buf, size_t size, const struct syslog_ident *id, struct timespec ts,
			 const struct audit_report *r, const struct audit_ctx *c)
{
	const char *const *ec, *const *em;
	char line[1024], n[AUDIT_STATUSES + 2][24];
	const struct syslog_param p[] = {
		P("status", "SUMMARY", 8),
		P("root", c->root, 1024),
		P("pass", n[AUDIT_PASS], 24),
		P("warn", n[AUDIT_WARN], 24),
		P("fail", n[AUDIT_FAIL], 24),
		P("skip", n[AUDIT_SKIP], 24),
		P("errors", n[AUDIT_STATUSES], 24),
		P("lost", n[AUDIT_STATUSES + 1], 24),
		P("complete", complete(r) ? "true" : "false", 8),
	};

	for (int s = 0; s < AUDIT_STATUSES; s++)
		snprintf(n[s], sizeof(n[s]), "%zu", audit_count(r, (enum audit_status)s));
	snprintf(n[AUDIT_STATUSES], sizeof(n[0]), "%zu", audit_errors(r, &ec, &em));
	snprintf(n[AUDIT_STATUSES + 1], sizeof(n[0]), "%llu", (unsigned long long)audit_lost(r));
	summary_line(line, sizeof(line), r, c);
	return syslog_format_message(buf, size, id, summary_priority(r), ts, "audit-summary",
				     AUDIT_SYSLOG_SD_ID, p, sizeof(p) / sizeof(p[0]), line);
}

#undef P

/* Queues one message on x's link; waits (until deadline) for room when the queue is full. */
static void syslog_queue(struct out *x, const char *msg, int len, uint64_t deadline)
{
	struct syslog_transport_stats st;
	uint64_t now = timefmt_boot_now();

	if (len < 0) {
		x->lost++;
		return;
	}
	syslog_transport_stats(x->tr, &st);
	if (st.queued >= x->syslog->queue && now < deadline)
		syslog_transport_drain(x->tr, (int)((deadline - now) / 1000000ull) + 1);
	if (syslog_transport_send(x->tr, msg, (size_t)len, timefmt_boot_now()) == -ENOMEM)
		x->lost++;
	else
		x->made++; /* sent, queued, or dropped and counted by the transport */
}

static void syslog_write(struct out *x, const struct audit_report *r, const struct audit_ctx *c,
			 uint64_t deadline)
{
	const struct audit_finding *f;
	const char *const *ec, *const *em;
	size_t n = audit_findings(r, &f), n_err = audit_errors(r, &ec, &em);
	char msg[SYSLOG_MSG_MAX];
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	for (int item = 0; item < AUDIT_ITEMS; item++)
		for (size_t i = 0; i < n; i++) {
			if ((int)f[i].item != item || !sent(&f[i], false))
				continue;
			syslog_queue(x, msg,
				     audit_syslog_finding(msg, sizeof(msg), &x->id, ts, &f[i]),
				     deadline);
		}
	for (size_t i = 0; i < n_err; i++)
		syslog_queue(x, msg, syslog_error(msg, sizeof(msg), &x->id, ts, ec[i], em[i]),
			     deadline);
	syslog_queue(x, msg, audit_syslog_summary(msg, sizeof(msg), &x->id, ts, r, c), deadline);
}

/* ---- the list ------------------------------------------------------------------------- */

struct audit_outputs *audit_outputs_new(void)
{
	struct audit_outputs *o = calloc(1, sizeof(*o));

	if (!o)
		errno = ENOMEM;
	return o;
}

size_t audit_outputs_count(const struct audit_outputs *o)
{
	return o->n;
}

static struct out *new_out(struct audit_outputs *o, enum out_kind kind, const char *shown,
			   char *err, size_t errsz)
{
	struct out *x;
	size_t len;

	if (o->n == AUDIT_OUTPUTS_MAX) {
		snprintf(err, errsz, "\"%s\": more than %d outputs", shown, AUDIT_OUTPUTS_MAX);
		return NULL;
	}
	x = &o->out[o->n];
	/* specs come from the command line or a unit file: said escaped, as every value */
	len = escape_str(NULL, 0, shown) + 1;
	*x = (struct out){ .kind = kind, .shown = malloc(len) };
	if (!x->shown) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	escape_str(x->shown, len, shown);
	o->n++;
	return x;
}

int audit_outputs_add_report(struct audit_outputs *o, const char *shown, bool json,
			     const char *path, char *err, size_t errsz)
{
	struct out *x;

	if (!path)
		path = "-";
	if (strlen(path) >= sizeof(x->path)) {
		snprintf(err, errsz, "\"%s\": the path is too long", shown);
		return -EINVAL;
	}
	x = new_out(o, json ? OUT_JSON : OUT_TEXT, shown, err, errsz);
	if (!x)
		return -EINVAL;
	strcpy(x->path, path);
	return 0;
}

int audit_outputs_add(struct audit_outputs *o, const char *spec, char *err, size_t errsz)
{
	struct sink_spec sp;
	char why[512];
	struct out *x;
	int e = sink_registry_parse(spec, &sp, err, errsz);

	if (e)
		return e;
	if (!strcmp(sp.row->name, "text") || !strcmp(sp.row->name, "json")) {
		struct sink_file_opts fo;

		if (sp.arg && sink_file_parse(sp.arg, &fo, why, sizeof(why))) {
			snprintf(err, errsz, "\"%s\": %s", spec, why);
			return -EINVAL;
		}
		if (sp.arg && fo.max_size) {
			snprintf(err, errsz,
				 "\"%s\": max-size and keep rotate the monitor's line outputs; the "
				 "audit writes one report whole",
				 spec);
			return -EINVAL;
		}
		return audit_outputs_add_report(o, spec, !strcmp(sp.row->name, "json"),
						sp.arg ? fo.path : "-", err, errsz);
	}
	if (!strcmp(sp.row->name, "journald")) {
		if (sp.arg && strcmp(sp.arg, "all") != 0) {
			char shown[64];

			escape_str(shown, sizeof(shown), sp.arg);
			snprintf(err, errsz,
				 "\"%s\": unknown argument \"%s\" (journald or journald:all)", spec,
				 shown);
			return -EINVAL;
		}
		x = new_out(o, OUT_JOURNALD, spec, err, errsz);
		if (!x)
			return -EINVAL;
		x->all = sp.arg != NULL;
		return 0;
	}
	if (!strcmp(sp.row->name, "syslog")) {
		struct sink_syslog_config *cfg = malloc(sizeof(*cfg));

		if (!cfg) {
			snprintf(err, errsz, "out of memory");
			return -ENOMEM;
		}
		e = sink_syslog_parse(sp.arg, cfg, why, sizeof(why));
		if (e) {
			snprintf(err, errsz, "\"%s\": %s", spec, why);
			free(cfg);
			return e;
		}
		x = new_out(o, OUT_SYSLOG, spec, err, errsz);
		if (!x) {
			free(cfg);
			return -EINVAL;
		}
		x->syslog = cfg;
		return 0;
	}
	snprintf(err, errsz, "\"%s\": not an output of the audit (text, json, journald, syslog)",
		 spec);
	return -EINVAL;
}

/* Where x writes, when two outputs must not share it: a path, "-", "the journal"; or NULL. */
static const char *place(const struct out *x)
{
	switch (x->kind) {
	case OUT_TEXT:
	case OUT_JSON:
		return x->path;
	case OUT_JOURNALD:
		return "the journal";
	default:
		return NULL;
	}
}

/* PATH created or truncated, 0600 (a report names the user's files), never via a symlink. */
static FILE *open_report(const char *path)
{
	int fd;
	FILE *f;

	if (!strcmp(path, "-"))
		return stdout;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return NULL;
	f = fdopen(fd, "w");
	if (!f)
		close(fd);
	return f;
}

/* The host name for HOSTNAME, as PRINTUSASCII. */
static void own_hostname(char *buf, size_t size)
{
	char h[SYSLOG_HOSTNAME_MAX + 1] = "";

	if (gethostname(h, sizeof(h)) != 0)
		h[0] = '\0';
	h[sizeof(h) - 1] = '\0';
	syslog_header_field(buf, size, h, SYSLOG_HOSTNAME_MAX);
}

static int syslog_open(struct out *x, FILE *diag, char *err, size_t errsz)
{
	const struct sink_syslog_config *c = x->syslog;
	struct syslog_transport_opts opts = {
		.target = c->target,
		.tls = { .ca = c->ca[0] ? c->ca : NULL,
			 .cert = c->cert[0] ? c->cert : NULL,
			 .key = c->key[0] ? c->key : NULL },
		.queue_max = c->queue,
		.name = x->shown,
		.diag = diag,
		/* no dropped-count notice: the audit waits for room instead of dropping */
		.dropped_msg = NULL,
		/* retried often enough to come back within the wait */
		.backoff_min_ns = 200000000ull,
		.backoff_max_ns = 1000000000ull,
	};
	char why[512];

	x->id.facility = c->facility;
	x->id.procid = (uint32_t)getpid();
	strcpy(x->id.app, c->app);
	own_hostname(x->id.hostname, sizeof(x->id.hostname));
	x->tr = syslog_transport_new(&opts, timefmt_boot_now(), why, sizeof(why));
	if (!x->tr) {
		int e = errno ? errno : EINVAL;

		snprintf(err, errsz, "\"%s\": %s", x->shown, why);
		return -e;
	}
	return 0;
}

int audit_outputs_open(struct audit_outputs *o, FILE *diag, char *err, size_t errsz)
{
	o->diag = diag;
	for (size_t i = 0; i < o->n; i++) {
		const char *a = place(&o->out[i]);

		for (size_t j = 0; a && j < i; j++) {
			const char *b = place(&o->out[j]);

			if (!b || strcmp(a, b) != 0)
				continue;
			snprintf(err, errsz, "\"%s\" and \"%s\" both write to %s", o->out[j].shown,
				 o->out[i].shown, strcmp(a, "-") != 0 ? a : "stdout");
			return -EINVAL;
		}
	}
	for (size_t i = 0; i < o->n; i++) {
		struct out *x = &o->out[i];
		char why[512];
		int e;

		switch (x->kind) {
		case OUT_TEXT:
		case OUT_JSON:
			x->f = open_report(x->path);
			if (!x->f) {
				e = errno;
				escape_str(why, sizeof(why), x->path);
				snprintf(err, errsz, "\"%s\": cannot write %s: %s", x->shown, why,
					 strerror(e));
				return -e;
			}
			break;
		case OUT_JOURNALD:
			e = journal_socket_check(why, sizeof(why));
			if (e) {
				snprintf(err, errsz, "\"%s\": %s", x->shown, why);
				return e;
			}
			break;
		case OUT_SYSLOG:
			e = syslog_open(x, diag, err, errsz);
			if (e)
				return e;
			break;
		}
	}
	return 0;
}

__attribute__((format(printf, 3, 4))) static void say(struct audit_outputs *o, const struct out *x,
						      const char *fmt, ...)
{
	va_list ap;

	if (!o->diag)
		return;
	fprintf(o->diag, "llmwatch: audit: output \"%s\": ", x->shown);
	va_start(ap, fmt);
	vfprintf(o->diag, fmt, ap);
	va_end(ap);
	fputc('\n', o->diag);
}

static int report_write(struct audit_outputs *o, struct out *x, const struct audit_report *r,
			const struct audit_ctx *c)
{
	bool color = x->f == stdout && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	int err = x->kind == OUT_JSON ? audit_write_json(r, c, x->f) :
					audit_write_text(r, c, x->f, color);

	if (x->f != stdout && fclose(x->f) && !err)
		err = -errno;
	x->f = NULL;
	if (err)
		say(o, x, "writing the report: %s", strerror(-err));
	return err ? 1 : 0;
}

static int journal_write(struct audit_outputs *o, struct out *x, const struct audit_report *r,
			 const struct audit_ctx *c)
{
	size_t total = 0, failed;
	int first = 0;

	failed = audit_journal_send(r, c, x->all, journal_entry_sendv, NULL, &total, &first);
	if (failed)
		say(o, x, "%zu of %zu entries not sent: %s", failed, total, strerror(-first));
	return failed ? 1 : 0;
}

/* Lets every syslog link deliver what it holds, together, until deadline. */
static void syslog_wait(struct audit_outputs *o, uint64_t deadline)
{
	for (;;) {
		bool pending = false;

		for (size_t i = 0; i < o->n; i++) {
			struct syslog_transport_stats st;

			if (!o->out[i].tr)
				continue;
			syslog_transport_stats(o->out[i].tr, &st);
			if (!st.queued)
				continue;
			pending = true;
			/* a short turn each, so that one dead collector does not starve the rest */
			syslog_transport_drain(o->out[i].tr, 20);
		}
		if (!pending || timefmt_boot_now() >= deadline)
			return;
		/* a link that is down returns at once until its next attempt: do not spin */
		poll(NULL, 0, 5);
	}
}

static int syslog_result(struct audit_outputs *o, struct out *x)
{
	struct syslog_transport_stats st;
	size_t total = x->made + x->lost, delivered;

	syslog_transport_stats(x->tr, &st);
	delivered = st.sent < total ? (size_t)st.sent : total;
	if (delivered == total)
		return 0;
	say(o, x, "%zu of %zu messages not delivered (link %s)", total - delivered, total,
	    !st.up    ? "down" :
	    st.queued ? "busy" :
			"up");
	return 1;
}

int audit_outputs_write(struct audit_outputs *o, const struct audit_report *r,
			const struct audit_ctx *c, int wait_ms)
{
	uint64_t deadline = timefmt_boot_now() + (uint64_t)(wait_ms > 0 ? wait_ms : 0) * 1000000ull;
	int failed = 0;

	for (size_t i = 0; i < o->n; i++) {
		struct out *x = &o->out[i];

		switch (x->kind) {
		case OUT_TEXT:
		case OUT_JSON:
			if (x->f)
				failed += report_write(o, x, r, c);
			break;
		case OUT_JOURNALD:
			failed += journal_write(o, x, r, c);
			break;
		case OUT_SYSLOG:
			if (x->tr)
				syslog_write(x, r, c, deadline);
			break;
		}
	}
	syslog_wait(o, deadline);
	for (size_t i = 0; i < o->n; i++)
		if (o->out[i].tr)
			failed += syslog_result(o, &o->out[i]);
	return failed;
}

void audit_outputs_free(struct audit_outputs *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->n; i++) {
		struct out *x = &o->out[i];

		if (x->f && x->f != stdout)
			fclose(x->f);
		syslog_transport_free(x->tr);
		free(x->syslog);
		free(x->shown);
	}
	free(o);
}
