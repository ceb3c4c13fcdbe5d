// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The journald sink: structured journal entries for alerts and events (see sink_journald.h). */
#include "sinks/sink_journald.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "rules/rules.h"
#include "rules/rules_output.h"
#include "sinks/sink_textline.h"
#include "sinks/syslog_format.h"
#include "util/escape.h"
#include "util/sockfmt.h"
#include "util/timefmt.h"

struct journald_sink {
	struct sink sink;
	bool events; /* ":events": every event, not only alerts */
	sink_journald_send_fn send;
	void *ctx;
	struct journal_entry e; /* the entry being built */
};

/* ---- building an entry ---------------------------------------------------------------- */

/* MESSAGE= what write(f, arg) prints: the text sink's words, rendered in memory. */
static void field_message(struct journald_sink *j, void (*write)(FILE *, const void *),
			  const void *arg)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	bool ok;

	if (!f) {
		j->e.broken = true;
		return;
	}
	write(f, arg);
	ok = !ferror(f);
	if (fclose(f) != 0 || !ok) {
		free(text);
		j->e.broken = true;
		return;
	}
	journal_entry_clean(&j->e, "MESSAGE", text, len);
	free(text);
}

static void write_event_line(FILE *f, const void *ev)
{
	sink_textline_event(f, ev);
}

static void write_verdict_line(FILE *f, const void *v)
{
	rules_output_line(f, v);
}

/* Sends the entry built so far and starts the next. 0 or -errno. */
static int entry_send(struct journald_sink *j)
{
	return journal_entry_send(&j->e, j->send, j->ctx);
}

/* ---- the fields of an event ------------------------------------------------------------ */

/* The addresses of a socket event: ADDR/PORT for the local end, DADDR/DPORT for the far one. */
static void put_addr(struct journald_sink *j, const struct lw_event *ev, bool local)
{
	const struct lw_sockaddr *a = ev->addr;
	char buf[SOCKFMT_ADDR_LEN];

	if (!a)
		return;
	if (a->family == 1) {
		/* an abstract name keeps its leading NUL, escaped as \x00 (as in the JSON) */
		journal_entry_untrusted(&j->e, "LLMWATCH_UNIX_PATH",
					ev->unix_path ? ev->unix_path : "", ev->unix_path_len);
		return;
	}
	if (a->family != 2 && a->family != 10)
		return;
	journal_entry_str(&j->e, local ? "LLMWATCH_ADDR" : "LLMWATCH_DADDR", sockfmt_addr(a, buf));
	journal_entry_fmt(&j->e, local ? "LLMWATCH_PORT" : "LLMWATCH_DPORT", "%u", a->port);
}

/* What every entry about ev carries, whatever its MESSAGE and PRIORITY. */
static void put_event_fields(struct journald_sink *j, const struct lw_event *ev)
{
	journal_entry_str(&j->e, "SYSLOG_IDENTIFIER", "llmwatch");
	journal_entry_str(&j->e, "LLMWATCH_TYPE", event_type_name(ev->type));
	/* profile names are ours, --watch names the admin's: escaped all the same */
	if (ev->tool[0])
		journal_entry_untrusted(&j->e, "LLMWATCH_TOOL", ev->tool, strlen(ev->tool));
	journal_entry_fmt(&j->e, "LLMWATCH_PID", "%" PRIu32, ev->pid);
	journal_entry_untrusted(&j->e, "LLMWATCH_COMM", ev->comm, strlen(ev->comm));
	if (ev->exe[0])
		journal_entry_untrusted(&j->e, "LLMWATCH_EXE", ev->exe, strlen(ev->exe));
	switch (ev->type) {
	case LW_REC_EXEC:
		journal_entry_untrusted(&j->e, "LLMWATCH_PATH", ev->filename, strlen(ev->filename));
		break;
	case LW_REC_OPEN:
		journal_entry_untrusted(&j->e, "LLMWATCH_PATH", ev->path, ev->path_len);
		break;
	case LW_REC_BIND:
	case LW_REC_LISTEN:
		put_addr(j, ev, true);
		break;
	case LW_REC_CONNECT:
	case LW_REC_SEND:
	case LW_REC_CONN_BYTES:
		put_addr(j, ev, false);
		if (ev->type != LW_REC_CONNECT)
			journal_entry_fmt(&j->e, "LLMWATCH_BYTES", "%" PRIu64, ev->bytes);
		break;
	}
	/* host names come from DNS answers and TLS hellos the process received or sent */
	if (ev->host)
		journal_entry_untrusted(&j->e, "LLMWATCH_HOST", ev->host, strlen(ev->host));
	if (ev->type == LW_REC_CONNECT || ev->type == LW_REC_SEND || ev->type == LW_REC_CONN_BYTES)
		journal_entry_str(&j->e, "LLMWATCH_HOST_SOURCE",
				  ev->host_source ? ev->host_source : "none");
	/* a fold summary (--fold-window): how many identical alerts, and when */
	if (ev->fold) {
		char t[48];

		journal_entry_fmt(&j->e, "LLMWATCH_FOLD_COUNT", "%" PRIu64, ev->fold->count);
		timefmt_rfc3339(t, sizeof(t), ev->fold->first);
		journal_entry_str(&j->e, "LLMWATCH_FOLD_FIRST", t);
		timefmt_rfc3339(t, sizeof(t), ev->fold->last);
		journal_entry_str(&j->e, "LLMWATCH_FOLD_LAST", t);
		journal_entry_fmt(&j->e, "LLMWATCH_FOLD_WINDOW", "%" PRIu32, ev->fold->window_s);
	}
}

/* One entry for verdict v on ev. 0 or -errno. */
static int send_verdict(struct journald_sink *j, const struct lw_event *ev,
			const struct rules_verdict *v)
{
	char id[SINK_JOURNALD_ID_LEN + 1];
	/* a log verdict (recorded, not raised) only reaches here with :events, as a detail */
	/* syslog(3) priorities, the syslog sink's: `journalctl -p warning` is medium and above */
	int prio = v->action == RULES_ACTION_LOG ? LOG_DEBUG : syslog_severity_of(v->severity);

	if (sink_journald_message_id(v->rule, id))
		return -EIO;
	field_message(j, write_verdict_line, v);
	journal_entry_fmt(&j->e, "PRIORITY", "%d", prio);
	journal_entry_str(&j->e, "MESSAGE_ID", id);
	journal_entry_untrusted(&j->e, "LLMWATCH_RULE", v->rule, strlen(v->rule));
	journal_entry_str(&j->e, "LLMWATCH_SEVERITY", rules_severity_name(v->severity));
	journal_entry_str(&j->e, "LLMWATCH_ACTION", rules_action_name(v->action));
	put_event_fields(j, ev);
	return entry_send(j);
}

/* ---- the sink ------------------------------------------------------------------------- */

static int journald_event(struct sink *s, const struct lw_event *ev, const struct rules_verdict *v,
			  size_t nv)
{
	struct journald_sink *j = (struct journald_sink *)s;
	int first = 0, err;

	if (j->events) {
		field_message(j, write_event_line, ev);
		journal_entry_fmt(&j->e, "PRIORITY", "%d", LOG_DEBUG);
		put_event_fields(j, ev);
		first = entry_send(j);
	}
	/* each verdict is tried even when one failed: the others still reach the journal */
	for (size_t i = 0; i < nv; i++) {
		if (v[i].action == RULES_ACTION_LOG && !j->events)
			continue;
		err = send_verdict(j, ev, &v[i]);
		if (err && !first)
			first = err;
	}
	return first;
}

static int journald_summary(struct sink *s, const struct lw_stats *st)
{
	(void)s;
	(void)st; /* the monitor says the summary on stderr, which a service's journal keeps */
	return 0;
}

static void journald_destroy(struct sink *s)
{
	struct journald_sink *j = (struct journald_sink *)s;

	journal_entry_free(&j->e);
	free(j);
}

static const struct sink_ops journald_ops = {
	.event = journald_event,
	.summary = journald_summary,
	.destroy = journald_destroy,
	/* no flush: every entry is one datagram, sent when it is made */
};

struct sink *sink_journald_new(bool events, sink_journald_send_fn send, void *ctx)
{
	struct journald_sink *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->sink.ops = &journald_ops;
	j->events = events;
	j->send = send;
	j->ctx = ctx;
	return &j->sink;
}

struct sink *sink_journald_open(const char *arg, char *err, size_t errsz)
{
	struct sink *s;
	int e;

	if (arg && strcmp(arg, "events") != 0) {
		char shown[64];

		escape_str(shown, sizeof(shown), arg);
		snprintf(err, errsz, "unknown argument \"%s\" (journald or journald:events)",
			 shown);
		errno = EINVAL;
		return NULL;
	}
	e = journal_socket_check(err, errsz);
	if (e) {
		errno = -e;
		return NULL;
	}
	s = sink_journald_new(arg != NULL, journal_entry_sendv, NULL);
	if (!s)
		snprintf(err, errsz, "out of memory");
	return s;
}

int sink_journald_message_id(const char *rule, char id_out[SINK_JOURNALD_ID_LEN + 1])
{
	return journal_message_id("llmwatch-rule:", rule, id_out);
}
