// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Rule messages: a template such as "{tool} (pid {pid}) opened {path}" is checked and split
 * into text and fields when rules load, and written, every event byte escaped, when a rule
 * matches. The fields are listed once, in fields[] below.
 */
#include "rules/rules_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/event.h"
#include "util/escape.h"

enum rules_field {
	RULES_FLD_TEXT,
	RULES_FLD_TOOL,
	RULES_FLD_PID,
	RULES_FLD_PPID,
	RULES_FLD_UID,
	RULES_FLD_COMM,
	RULES_FLD_EXE,
	RULES_FLD_HOST,
	RULES_FLD_DADDR,
	RULES_FLD_DPORT,
	RULES_FLD_DEST,
	RULES_FLD_PATH,
	RULES_FLD_FLAGS,
	RULES_FLD_BYTES,
	RULES_FLD_RESULT,
	RULES_FLD_EVENT,
	RULES_FLD_RULE,
	RULES_FLD_SEVERITY,
	RULES_FLD_FILENAME,
	RULES_FLD_ARGV,
};

static const struct {
	const char *name;
	enum rules_field field;
	uint32_t events;
} fields[] = {
	{ "tool", RULES_FLD_TOOL, RULES_EV_ALL },
	{ "pid", RULES_FLD_PID, RULES_EV_ALL },
	{ "ppid", RULES_FLD_PPID, RULES_EV_ALL },
	{ "uid", RULES_FLD_UID, RULES_EV_ALL },
	{ "comm", RULES_FLD_COMM, RULES_EV_ALL },
	{ "exe", RULES_FLD_EXE, RULES_EV_ALL },
	{ "host", RULES_FLD_HOST, RULES_EV_NET },
	{ "daddr", RULES_FLD_DADDR, RULES_EV_NET },
	{ "dport", RULES_FLD_DPORT, RULES_EV_NET },
	{ "dest", RULES_FLD_DEST, RULES_EV_NET },
	{ "path", RULES_FLD_PATH, RULES_EV_PATH },
	{ "flags", RULES_FLD_FLAGS, RULES_EV(LW_REC_OPEN) },
	{ "bytes", RULES_FLD_BYTES, RULES_EV_BYTES },
	{ "result", RULES_FLD_RESULT, RULES_EV_RESULT },
	{ "event", RULES_FLD_EVENT, RULES_EV_ALL },
	{ "rule", RULES_FLD_RULE, RULES_EV_ALL },
	{ "severity", RULES_FLD_SEVERITY, RULES_EV_ALL },
	{ "filename", RULES_FLD_FILENAME, RULES_EV(LW_REC_EXEC) },
	{ "argv", RULES_FLD_ARGV, RULES_EV_ALL },
};
#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

/* Template pieces: literal text, or a field. */
struct rules_tpl_piece {
	enum rules_field field;
	char *text; /* RULES_FLD_TEXT */
	size_t len;
};

struct rules_message {
	struct rules_tpl_piece *tpl;
	size_t n_tpl;
};

/* ---- compiling ------------------------------------------------------------------------------ */

static bool tpl_push(struct rules_message *r, enum rules_field f, const char *text, size_t len)
{
	struct rules_tpl_piece *p = realloc(r->tpl, (r->n_tpl + 1) * sizeof(*p));

	if (!p)
		return false;
	r->tpl = p;
	p = &r->tpl[r->n_tpl];
	p->field = f;
	p->text = NULL;
	p->len = len;
	if (f == RULES_FLD_TEXT) {
		p->text = malloc(len + 1);
		if (!p->text)
			return false;
		memcpy(p->text, text, len);
		p->text[len] = '\0';
	}
	r->n_tpl++;
	return true;
}

static bool compile(struct rules_load *c, const struct rules_json *v, struct rules_message *r)
{
	const char *s;
	char buf[1024];
	size_t bl = 0;

	if (!rules_load_want(c, v, "message", RULES_JSON_STRING, "a string"))
		return false;
	s = v->str;
	if (!*s) {
		rules_load_err(c, v, "\"message\" is empty");
		return false;
	}
	/* a verdict's message holds RULES_MESSAGE_MAX bytes: leave room for the fields */
	if (strlen(s) > 512) {
		rules_load_err(c, v, "\"message\" is longer than 512 characters");
		return false;
	}
	while (*s) {
		if ((s[0] == '{' && s[1] == '{') || (s[0] == '}' && s[1] == '}')) {
			if (bl < sizeof(buf))
				buf[bl++] = s[0];
			s += 2;
			continue;
		}
		if (s[0] == '}') {
			rules_load_err(
				c, v,
				"unmatched '}' in message (write \"}}\" for a literal brace)");
			return false;
		}
		if (s[0] == '{') {
			const char *end = strchr(s, '}');
			char name[64], eb[96], sug[96];
			const char *names[N_FIELDS];
			size_t nl;
			int k = -1;

			if (!end) {
				rules_load_err(
					c, v,
					"unmatched '{' in message (write \"{{\" for a literal brace)");
				return false;
			}
			nl = (size_t)(end - s - 1);
			/* names[] is filled in every case: suggest() reads it for too-long names too */
			for (size_t i = 0; i < N_FIELDS; i++)
				names[i] = fields[i].name;
			if (nl < sizeof(name)) {
				memcpy(name, s + 1, nl);
				name[nl] = '\0';
				for (size_t i = 0; i < N_FIELDS; i++) {
					if (strcmp(name, fields[i].name) == 0)
						k = (int)i;
				}
			} else {
				/* too long to be a field: show its start, marked as cut */
				memcpy(name, s + 1, sizeof(name) - 4);
				memcpy(name + sizeof(name) - 4, "...", 4);
			}
			if (k < 0) {
				rules_load_err(c, v, "unknown field \"%s\" in message%s",
					       rules_load_esc(eb, sizeof(eb), name),
					       rules_load_suggest(sug, sizeof(sug), name, "", names,
								  N_FIELDS));
				return false;
			}
			if (!(fields[k].events & c->events)) {
				rules_load_err(
					c, v,
					"field \"%s\" in message does not apply to event \"%s\"",
					name, c->event_name);
				return false;
			}
			if ((bl && !tpl_push(r, RULES_FLD_TEXT, buf, bl)) ||
			    !tpl_push(r, fields[k].field, NULL, 0)) {
				rules_load_err(c, v, "out of memory");
				return false;
			}
			bl = 0;
			s = end + 1;
			continue;
		}
		if (bl < sizeof(buf))
			buf[bl++] = *s;
		s++;
	}
	if (bl && !tpl_push(r, RULES_FLD_TEXT, buf, bl)) {
		rules_load_err(c, v, "out of memory");
		return false;
	}
	return true;
}

/* ---- writing ------------------------------------------------------------------------------- */

struct out {
	char *buf;
	size_t size, len;
	bool full;
};

static void out_esc(struct out *o, const char *s, size_t n)
{
	size_t need;

	if (o->full)
		return;
	need = escape_bytes(o->buf + o->len, o->size - o->len, s, n);
	if (need >= o->size - o->len) {
		o->len += strlen(o->buf + o->len);
		o->full = true;
	} else {
		o->len += need;
	}
}

static void out_str(struct out *o, const char *s)
{
	out_esc(o, s, strlen(s));
}

static void fmt_addr(const struct lw_event *ev, char *buf, size_t size)
{
	const struct lw_sockaddr *sa = ev->addr;

	if (!sa || !sa->family) {
		snprintf(buf, size, "?");
	} else if (sa->family == AF_INET) {
		inet_ntop(AF_INET, sa->addr, buf, (socklen_t)size);
	} else if (sa->family == AF_INET6) {
		inet_ntop(AF_INET6, sa->addr, buf, (socklen_t)size);
	} else if (sa->family == AF_UNIX) {
		snprintf(buf, size, "unix");
	} else {
		snprintf(buf, size, "family %u", sa->family);
	}
}

static void out_unix(struct out *o, const struct lw_event *ev)
{
	const char *p = ev->unix_path;
	size_t n = ev->unix_path_len;

	out_str(o, "unix:");
	if (!p || !n) {
		out_str(o, "(unnamed)");
		return;
	}
	if (p[0] == '\0') {
		/* abstract names start with NUL; "@" is how ss(8) shows them */
		out_str(o, "@");
		p++;
		n--;
	}
	out_esc(o, p, n);
}

static void out_field(struct out *o, const struct rules_rule *r, const struct rules_view *m,
		      enum rules_field f)
{
	const struct lw_event *ev = m->ev;
	char b[128];

	switch (f) {
	case RULES_FLD_TEXT:
		break;
	case RULES_FLD_TOOL:
		out_str(o, ev->tool && ev->tool[0] ? ev->tool : ev->comm);
		break;
	case RULES_FLD_PID:
		snprintf(b, sizeof(b), "%" PRIu32, ev->pid);
		out_str(o, b);
		break;
	case RULES_FLD_PPID:
		snprintf(b, sizeof(b), "%" PRIu32, ev->ppid);
		out_str(o, b);
		break;
	case RULES_FLD_UID:
		snprintf(b, sizeof(b), "%" PRIu32, ev->uid);
		out_str(o, b);
		break;
	case RULES_FLD_COMM:
		out_str(o, ev->comm);
		break;
	case RULES_FLD_EXE:
		out_str(o, ev->exe && ev->exe[0] ? ev->exe : "?");
		break;
	case RULES_FLD_ARGV:
		/* a cut command line says so; an unread one is unknown, not empty */
		out_str(o, ev->argv && ev->argv_state != EVENT_ARGV_UNKNOWN ? ev->argv : "?");
		if (ev->argv && ev->argv_state == EVENT_ARGV_CUT)
			out_str(o, " [cut]");
		break;
	case RULES_FLD_HOST:
		if (ev->host && ev->host[0]) {
			out_str(o, ev->host);
		} else if (ev->addr && ev->addr->family == AF_UNIX) {
			out_unix(o, ev);
		} else {
			fmt_addr(ev, b, sizeof(b));
			out_str(o, b);
		}
		break;
	case RULES_FLD_DADDR:
		if (ev->addr && ev->addr->family == AF_UNIX) {
			out_unix(o, ev);
		} else {
			fmt_addr(ev, b, sizeof(b));
			out_str(o, b);
		}
		break;
	case RULES_FLD_DPORT:
		snprintf(b, sizeof(b), "%u", ev->addr ? ev->addr->port : 0);
		out_str(o, b);
		break;
	case RULES_FLD_DEST: {
		char a[64];

		if (ev->addr && ev->addr->family == AF_UNIX) {
			out_unix(o, ev);
			break;
		}
		fmt_addr(ev, a, sizeof(a));
		if (ev->host && ev->host[0]) {
			out_str(o, ev->host);
			snprintf(b, sizeof(b), ":%u (%s)", ev->addr ? ev->addr->port : 0, a);
		} else if (ev->addr && ev->addr->family == AF_INET6) {
			snprintf(b, sizeof(b), "[%s]:%u", a, ev->addr->port);
		} else {
			snprintf(b, sizeof(b), "%s:%u", a, ev->addr ? ev->addr->port : 0);
		}
		out_str(o, b);
		break;
	}
	case RULES_FLD_PATH:
		if (ev->type == LW_REC_EXEC)
			out_str(o, ev->filename ? ev->filename : "?");
		else if (ev->path)
			out_esc(o, ev->path, strnlen(ev->path, ev->path_len));
		else
			out_str(o, "?");
		break;
	case RULES_FLD_FILENAME:
		out_str(o, ev->filename ? ev->filename : "?");
		break;
	case RULES_FLD_FLAGS: {
		uint32_t fb = m->oflags;

		snprintf(b, sizeof(b), "%s%s%s",
			 (fb & RULES_F_READ) && (fb & RULES_F_WRITE) ? "read-write" :
			 (fb & RULES_F_WRITE)			     ? "write" :
								       "read",
			 fb & RULES_F_CREATE ? ",create" : "",
			 fb & RULES_F_TRUNCATE ? ",truncate" : "");
		out_str(o, b);
		break;
	}
	case RULES_FLD_BYTES:
		if (ev->bytes < 1024)
			snprintf(b, sizeof(b), "%" PRIu64 " B", ev->bytes);
		else if (ev->bytes < (1ull << 20))
			snprintf(b, sizeof(b), "%.1f KiB", ev->bytes / 1024.0);
		else if (ev->bytes < (1ull << 30))
			snprintf(b, sizeof(b), "%.1f MiB", ev->bytes / 1048576.0);
		else
			snprintf(b, sizeof(b), "%.1f GiB", ev->bytes / 1073741824.0);
		out_str(o, b);
		break;
	case RULES_FLD_RESULT:
		if (m->ok) {
			out_str(o, "ok");
		} else {
			const char *name = strerrorname_np((int)-ev->ret);

			if (name)
				snprintf(b, sizeof(b), "failed (%s)", name);
			else
				snprintf(b, sizeof(b), "failed (%" PRId64 ")", ev->ret);
			out_str(o, b);
		}
		break;
	case RULES_FLD_EVENT:
		out_str(o, ev->type == LW_REC_CONNECT	 ? "connect" :
			   ev->type == LW_REC_SEND	 ? "send" :
			   ev->type == LW_REC_BIND	 ? "bind" :
			   ev->type == LW_REC_LISTEN	 ? "listen" :
			   ev->type == LW_REC_OPEN	 ? "open" :
			   ev->type == LW_REC_EXEC	 ? "exec" :
			   ev->type == LW_REC_CONN_BYTES ? "conn_bytes" :
							   "other");
		break;
	case RULES_FLD_RULE:
		out_str(o, r->id);
		break;
	case RULES_FLD_SEVERITY:
		out_str(o, rules_severity_names[r->severity]);
		break;
	}
}

/* ---- the interface -------------------------------------------------------------------------- */

struct rules_message *rules_message_compile(struct rules_load *c, const struct rules_json *v)
{
	struct rules_message *m = calloc(1, sizeof(*m));

	if (!m) {
		rules_load_err(c, v, "out of memory");
		return NULL;
	}
	if (!compile(c, v, m)) {
		rules_message_free(m);
		return NULL;
	}
	return m;
}

void rules_message_format(const struct rules_rule *r, const struct rules_view *view, char *buf,
			  size_t size)
{
	const struct rules_message *msg = r->message;
	struct out o = { .buf = buf, .size = size };

	buf[0] = '\0';
	for (size_t i = 0; i < msg->n_tpl; i++) {
		if (msg->tpl[i].field == RULES_FLD_TEXT)
			out_esc(&o, msg->tpl[i].text, msg->tpl[i].len);
		else
			out_field(&o, r, view, msg->tpl[i].field);
	}
}

void rules_message_free(struct rules_message *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_tpl; i++)
		free(m->tpl[i].text);
	free(m->tpl);
	free(m);
}
