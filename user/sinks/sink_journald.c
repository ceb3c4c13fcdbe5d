// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The journald sink: structured journal entries for alerts and events (see sink_journald.h). */
#include "sinks/sink_journald.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>

#include <openssl/evp.h>
/* no CODE_FILE/CODE_LINE/CODE_FUNC of this file in every entry: they say nothing to an admin */
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include "rules/rules.h"
#include "rules/rules_output.h"
#include "sinks/sink_textline.h"
#include "sinks/syslog_format.h"
#include "util/escape.h"
#include "util/sockfmt.h"
#include "util/timefmt.h"

/* Where journald listens for sd_journal_sendv(); systemd-journald.service(8). */
#define JOURNAL_SOCKET "/run/systemd/journal/socket"

/* More than the most an entry carries (a verdict on conn_bytes: 17). */
#define FIELDS_MAX 24

/* One "NAME=value" field, as an offset into the entry's buffer (which may move). */
struct field {
	size_t off, len;
};

struct journald_sink {
	struct sink sink;
	bool events; /* ":events": every event, not only alerts */
	sink_journald_send_fn send;
	void *ctx;
	/* the entry being built: its fields laid end to end in buf */
	char *buf;
	size_t len, cap;
	struct field fields[FIELDS_MAX];
	struct iovec iov[FIELDS_MAX];
	size_t n;
	bool broken; /* a field did not fit in memory: the entry is not sent */
};

/* ---- building an entry ---------------------------------------------------------------- */

static void entry_reset(struct journald_sink *j)
{
	j->len = 0;
	j->n = 0;
	j->broken = false;
}

/* Room for more bytes at the end of buf; false (and the entry broken) if there is none. */
static bool entry_reserve(struct journald_sink *j, size_t more)
{
	size_t cap = j->cap ? j->cap : 4096;
	char *nb;

	if (j->broken || j->n == FIELDS_MAX) {
		j->broken = true;
		return false;
	}
	if (j->len + more <= j->cap)
		return true;
	while (cap < j->len + more)
		cap *= 2;
	nb = realloc(j->buf, cap);
	if (!nb) {
		j->broken = true;
		return false;
	}
	j->buf = nb;
	j->cap = cap;
	return true;
}

/* Starts a field "NAME=" (NAME one of this file's constants); false if it cannot. */
static bool field_begin(struct journald_sink *j, const char *name, size_t value_room)
{
	size_t nl = strlen(name);

	if (!entry_reserve(j, nl + 1 + value_room + 1))
		return false;
	j->fields[j->n].off = j->len;
	memcpy(j->buf + j->len, name, nl);
	j->buf[j->len + nl] = '=';
	j->len += nl + 1;
	return true;
}

static void field_end(struct journald_sink *j)
{
	j->fields[j->n].len = j->len - j->fields[j->n].off;
	j->n++;
}

/* A field whose value is known to be clean: our own words, numbers, escaped text. */
static void field_clean(struct journald_sink *j, const char *name, const char *value, size_t len)
{
	if (!field_begin(j, name, len))
		return;
	memcpy(j->buf + j->len, value, len);
	j->len += len;
	field_end(j);
}

static void field_str(struct journald_sink *j, const char *name, const char *value)
{
	field_clean(j, name, value, strlen(value));
}

/* A field holding untrusted bytes, escaped: valid UTF-8 without control characters. */
static void field_untrusted(struct journald_sink *j, const char *name, const char *value,
			    size_t len)
{
	size_t need = escape_bytes(NULL, 0, value, len);

	if (!field_begin(j, name, need))
		return;
	/* reserved need + 1 past the name: the NUL lands in the slack, not counted */
	escape_bytes(j->buf + j->len, need + 1, value, len);
	j->len += need;
	field_end(j);
}

__attribute__((format(printf, 3, 4))) static void field_fmt(struct journald_sink *j,
							    const char *name, const char *fmt, ...)
{
	char v[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(v)) {
		j->broken = true;
		return;
	}
	field_clean(j, name, v, (size_t)n);
}

/* MESSAGE= what write(f, arg) prints: the text sink's words, rendered in memory. */
static void field_message(struct journald_sink *j, void (*write)(FILE *, const void *),
			  const void *arg)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	bool ok;

	if (!f) {
		j->broken = true;
		return;
	}
	write(f, arg);
	ok = !ferror(f);
	if (fclose(f) != 0 || !ok) {
		free(text);
		j->broken = true;
		return;
	}
	field_clean(j, "MESSAGE", text, len);
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
	int err;

	if (j->broken) {
		entry_reset(j);
		return -ENOMEM;
	}
	for (size_t i = 0; i < j->n; i++)
		j->iov[i] = (struct iovec){ j->buf + j->fields[i].off, j->fields[i].len };
	err = j->send(j->iov, (int)j->n, j->ctx);
	entry_reset(j);
	return err > 0 ? 0 : err;
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
		field_untrusted(j, "LLMWATCH_UNIX_PATH", ev->unix_path ? ev->unix_path : "",
				ev->unix_path_len);
		return;
	}
	if (a->family != 2 && a->family != 10)
		return;
	field_str(j, local ? "LLMWATCH_ADDR" : "LLMWATCH_DADDR", sockfmt_addr(a, buf));
	field_fmt(j, local ? "LLMWATCH_PORT" : "LLMWATCH_DPORT", "%u", a->port);
}

/* What every entry about ev carries, whatever its MESSAGE and PRIORITY. */
static void put_event_fields(struct journald_sink *j, const struct lw_event *ev)
{
	field_str(j, "SYSLOG_IDENTIFIER", "llmwatch");
	field_str(j, "LLMWATCH_TYPE", event_type_name(ev->type));
	/* profile names are ours, --watch names the admin's: escaped all the same */
	if (ev->tool[0])
		field_untrusted(j, "LLMWATCH_TOOL", ev->tool, strlen(ev->tool));
	field_fmt(j, "LLMWATCH_PID", "%" PRIu32, ev->pid);
	field_untrusted(j, "LLMWATCH_COMM", ev->comm, strlen(ev->comm));
	if (ev->exe[0])
		field_untrusted(j, "LLMWATCH_EXE", ev->exe, strlen(ev->exe));
	switch (ev->type) {
	case LW_REC_EXEC:
		field_untrusted(j, "LLMWATCH_PATH", ev->filename, strlen(ev->filename));
		break;
	case LW_REC_OPEN:
		field_untrusted(j, "LLMWATCH_PATH", ev->path, ev->path_len);
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
			field_fmt(j, "LLMWATCH_BYTES", "%" PRIu64, ev->bytes);
		break;
	}
	/* host names come from DNS answers and TLS hellos the process received or sent */
	if (ev->host)
		field_untrusted(j, "LLMWATCH_HOST", ev->host, strlen(ev->host));
	if (ev->type == LW_REC_CONNECT || ev->type == LW_REC_SEND || ev->type == LW_REC_CONN_BYTES)
		field_str(j, "LLMWATCH_HOST_SOURCE", ev->host_source ? ev->host_source : "none");
	/* a fold summary (--fold-window): how many identical alerts, and when */
	if (ev->fold) {
		char t[48];

		field_fmt(j, "LLMWATCH_FOLD_COUNT", "%" PRIu64, ev->fold->count);
		timefmt_rfc3339(t, sizeof(t), ev->fold->first);
		field_str(j, "LLMWATCH_FOLD_FIRST", t);
		timefmt_rfc3339(t, sizeof(t), ev->fold->last);
		field_str(j, "LLMWATCH_FOLD_LAST", t);
		field_fmt(j, "LLMWATCH_FOLD_WINDOW", "%" PRIu32, ev->fold->window_s);
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
	field_fmt(j, "PRIORITY", "%d", prio);
	field_str(j, "MESSAGE_ID", id);
	field_untrusted(j, "LLMWATCH_RULE", v->rule, strlen(v->rule));
	field_str(j, "LLMWATCH_SEVERITY", rules_severity_name(v->severity));
	field_str(j, "LLMWATCH_ACTION", rules_action_name(v->action));
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
		field_fmt(j, "PRIORITY", "%d", LOG_DEBUG);
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

	free(j->buf);
	free(j);
}

static const struct sink_ops journald_ops = {
	.event = journald_event,
	.summary = journald_summary,
	.destroy = journald_destroy,
	/* no flush: every entry is one datagram, sent when it is made */
};

static int journal_send(const struct iovec *iov, int n, void *ctx)
{
	(void)ctx;
	return sd_journal_sendv(iov, n);
}

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
	struct stat st;
	int e;

	if (arg && strcmp(arg, "events") != 0) {
		char shown[64];

		escape_str(shown, sizeof(shown), arg);
		snprintf(err, errsz, "unknown argument \"%s\" (journald or journald:events)",
			 shown);
		errno = EINVAL;
		return NULL;
	}
	e = stat(JOURNAL_SOCKET, &st) != 0 ? errno : !S_ISSOCK(st.st_mode) ? ENOTSOCK : 0;
	if (e) {
		snprintf(err, errsz, "no journal socket at %s (%s): is systemd-journald running?",
			 JOURNAL_SOCKET, strerror(e));
		errno = e;
		return NULL;
	}
	s = sink_journald_new(arg != NULL, journal_send, NULL);
	if (!s)
		snprintf(err, errsz, "out of memory");
	return s;
}

int sink_journald_message_id(const char *rule, char id_out[SINK_JOURNALD_ID_LEN + 1])
{
	static const char prefix[] = "llmwatch-rule:", hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) &&
		 EVP_DigestUpdate(c, prefix, sizeof(prefix) - 1) &&
		 EVP_DigestUpdate(c, rule, strlen(rule)) && EVP_DigestFinal_ex(c, md, &md_len);

	EVP_MD_CTX_free(c);
	if (!ok || md_len < SINK_JOURNALD_ID_LEN / 2)
		return -EIO;
	for (size_t i = 0; i < SINK_JOURNALD_ID_LEN / 2; i++) {
		id_out[2 * i] = hex[md[i] >> 4];
		id_out[2 * i + 1] = hex[md[i] & 15];
	}
	id_out[SINK_JOURNALD_ID_LEN] = '\0';
	return 0;
}
