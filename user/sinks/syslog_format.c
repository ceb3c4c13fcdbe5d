// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* RFC 5424 messages and RFC 6587 framing for the syslog sink (see syslog_format.h). */
#include "sinks/syslog_format.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "rules/rules.h"
#include "util/escape.h"
#include "util/sockfmt.h"
#include "util/timefmt.h"
#include "util/utf8.h"

static const char *const facilities[24] = {
	"kern",	  "user",   "mail",	"daemon", "auth",   "syslog",	"lpr",	   "news",
	"uucp",	  "cron",   "authpriv", "ftp",	  "ntp",    "security", "console", "clock",
	"local0", "local1", "local2",	"local3", "local4", "local5",	"local6",  "local7",
};

int syslog_facility_parse(const char *name)
{
	for (int i = 0; i < 24; i++) {
		if (strcmp(facilities[i], name) == 0)
			return i;
	}
	return -EINVAL;
}

const char *syslog_facility_name(int code)
{
	return code >= 0 && code < 24 ? facilities[code] : NULL;
}

int syslog_severity_of(int rules_severity)
{
	switch (rules_severity) {
	case RULES_SEV_CRITICAL:
		return 2; /* crit */
	case RULES_SEV_HIGH:
		return 3; /* err */
	case RULES_SEV_MEDIUM:
		return 4; /* warning */
	case RULES_SEV_LOW:
		return 5; /* notice */
	default:
		return 6; /* info */
	}
}

void syslog_header_field(char *dst, size_t size, const char *src, size_t max)
{
	size_t n = 0;

	if (!size)
		return;
	for (; n < max && n + 1 < size && src[n]; n++) {
		unsigned char c = (unsigned char)src[n];

		dst[n] = c >= 33 && c <= 126 ? (char)c : '_';
	}
	if (!n && size > 1)
		dst[n++] = '-';
	dst[n] = '\0';
}

int syslog_app_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > SYSLOG_APP_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 33 || (unsigned char)s[i] > 126)
			return 0;
	}
	return 1;
}

size_t syslog_sd_escape(char *dst, size_t size, const char *src, size_t len)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t used = 0;

	if (!size)
		return 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = 1, need;
		bool esc = s[i] == '"' || s[i] == '\\' || s[i] == ']';

		if (s[i] >= 0x80) {
			n = utf8_decode(s + i, len - i, &cp);
			if (!n)
				n = 1; /* not reached for escape_bytes() output; kept whole anyway */
		}
		need = n + (esc ? 1 : 0);
		if (used + need + 1 > size)
			break;
		if (esc)
			dst[used++] = '\\';
		memcpy(dst + used, s + i, n);
		used += n;
		i += n;
	}
	dst[used] = '\0';
	return used;
}

/* ---- a bounded writer ----------------------------------------------------------------------- */

struct out {
	char *buf;
	size_t size, len;
	bool full;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->full || o->len + n + 1 > o->size) {
		o->full = true;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

__attribute__((format(printf, 2, 3))) static void putf(struct out *o, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		o->full = true;
		return;
	}
	put(o, tmp, (size_t)n);
}

/* "<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID " */
static void put_header(struct out *o, const struct syslog_ident *id, int severity,
		       struct timespec ts, const char *msgid)
{
	char t[48], mid[SYSLOG_MSGID_MAX + 1];

	timefmt_rfc3339(t, sizeof(t), ts);
	syslog_header_field(mid, sizeof(mid), msgid, SYSLOG_MSGID_MAX);
	putf(o, "<%d>1 %s %s %s %" PRIu32 " %s ", id->facility * 8 + severity, t, id->hostname,
	     id->app, id->procid, mid);
}

/*
 * One SD-PARAM from untrusted bytes: escaped (escape.h), cut at cap bytes of that form, then
 * escaped for the SD syntax.
 */
static void put_param(struct out *o, const char *name, const char *val, size_t len, size_t cap)
{
	char esc[2048], sd[4096];

	if (cap > sizeof(esc))
		cap = sizeof(esc);
	escape_bytes(esc, cap, val, len);
	syslog_sd_escape(sd, sizeof(sd), esc, strlen(esc));
	putf(o, " %s=\"", name);
	put(o, sd, strlen(sd));
	put(o, "\"", 1);
}

static void put_param_str(struct out *o, const char *name, const char *val, size_t cap)
{
	put_param(o, name, val, strlen(val), cap);
}

static void put_param_u64(struct out *o, const char *name, uint64_t v)
{
	putf(o, " %s=\"%" PRIu64 "\"", name, v);
}

static void put_addr_params(struct out *o, const struct lw_event *ev)
{
	const struct lw_sockaddr *a = ev->addr;

	if (!a)
		return;
	if (a->family == 2 || a->family == 10) {
		char buf[SOCKFMT_ADDR_LEN];

		put_param_str(o, "daddr", sockfmt_addr(a, buf), 64);
		put_param_u64(o, "dport", a->port);
	} else if (a->family == 1 && ev->unix_path) {
		put_param(o, "path", ev->unix_path, ev->unix_path_len, 512);
	}
}

/*
 * MSG: the verdict's message, already escaped by the rules engine; a control byte that a rule
 * file's own text might still carry is escaped here too, so no message spans two lines. A
 * message with UTF-8 in it starts with the BOM, as RFC 5424 6.4 asks.
 */
static void put_msg(struct out *o, const char *msg)
{
	static const char hex[] = "0123456789abcdef";
	bool ascii = true;

	for (const char *p = msg; *p; p++)
		ascii = ascii && (unsigned char)*p < 0x80;
	if (!ascii)
		put(o, "\xef\xbb\xbf", 3);
	for (const unsigned char *p = (const unsigned char *)msg; *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			char e[4] = { '\\', 'x', hex[*p >> 4], hex[*p & 15] };

			put(o, e, 4);
		} else {
			put(o, (const char *)p, 1);
		}
	}
}

int syslog_format_alert(char *buf, size_t size, const struct syslog_ident *id,
			const struct lw_event *ev, const struct rules_verdict *v)
{
	struct out o = { .buf = buf, .size = size };

	put_header(&o, id, syslog_severity_of(v->severity), ev->wall, v->rule);
	put(&o, "[" SYSLOG_SD_ID, 1 + strlen(SYSLOG_SD_ID));
	put_param_str(&o, "rule", v->rule, 256);
	put_param_str(&o, "severity", rules_severity_name(v->severity), 32);
	put_param_str(&o, "tool", ev->tool ? ev->tool : "", 256);
	put_param_u64(&o, "pid", ev->pid);
	put_param_str(&o, "comm", ev->comm, 128);
	put_param_str(&o, "exe", ev->exe ? ev->exe : "", 1024);
	put_param_str(&o, "type", event_type_name(ev->type), 32);
	if (ev->host)
		put_param_str(&o, "host", ev->host, 512);
	put_addr_params(&o, ev);
	if (ev->type == LW_REC_OPEN && ev->path)
		put_param(&o, "path", ev->path, ev->path_len, 1536);
	else if (ev->type == LW_REC_EXEC && ev->filename)
		put_param_str(&o, "path", ev->filename, 1536);
	if (ev->type == LW_REC_SEND || ev->type == LW_REC_CONN_BYTES)
		put_param_u64(&o, "bytes", ev->bytes);
	/* a fold summary (--fold-window): how many identical alerts, and when */
	if (ev->fold) {
		char t[48];

		put_param_u64(&o, "fold_count", ev->fold->count);
		timefmt_rfc3339(t, sizeof(t), ev->fold->first);
		put_param_str(&o, "fold_first", t, sizeof(t));
		timefmt_rfc3339(t, sizeof(t), ev->fold->last);
		put_param_str(&o, "fold_last", t, sizeof(t));
		put_param_u64(&o, "fold_window", ev->fold->window_s);
	}
	put(&o, "] ", 2);
	put_msg(&o, v->message);
	return o.full ? -EMSGSIZE : (int)o.len;
}

int syslog_format_message(char *buf, size_t size, const struct syslog_ident *id, int severity,
			  struct timespec ts, const char *msgid, const char *sd_id,
			  const struct syslog_param *params, size_t n, const char *msg)
{
	struct out o = { .buf = buf, .size = size };

	put_header(&o, id, severity, ts, msgid);
	put(&o, "[", 1);
	put(&o, sd_id, strlen(sd_id));
	for (size_t i = 0; i < n; i++)
		if (params[i].value)
			put_param_str(&o, params[i].name, params[i].value, params[i].cap + 1);
	put(&o, "] ", 2);
	put_msg(&o, msg);
	return o.full ? -EMSGSIZE : (int)o.len;
}

int syslog_format_dropped(char *buf, size_t size, const struct syslog_ident *id,
			  struct timespec now, uint64_t dropped, size_t queue_max,
			  const char *target)
{
	struct out o = { .buf = buf, .size = size };

	put_header(&o, id, 4, now, "dropped");
	put(&o, "[" SYSLOG_SD_ID, 1 + strlen(SYSLOG_SD_ID));
	put_param_u64(&o, "dropped", dropped);
	put_param_u64(&o, "queue", queue_max);
	put(&o, "] ", 2);
	putf(&o,
	     "llmwatch dropped %" PRIu64 " alert(s): more than %zu were waiting for %s, "
	     "the rest were sent",
	     dropped, queue_max, target);
	return o.full ? -EMSGSIZE : (int)o.len;
}

size_t syslog_frame_prefix(char *dst, size_t size, size_t len)
{
	int n = snprintf(dst, size, "%zu ", len);

	return n > 0 && (size_t)n < size ? (size_t)n : 0;
}
