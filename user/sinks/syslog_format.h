/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * RFC 5424 syslog messages for the syslog sink: the header (PRI from facility and severity,
 * timestamp, host, app-name, procid, msgid), the alert's fields as structured data under
 * llmwatch's own SD-ID, and the message; plus RFC 6587 octet-counted framing. Untrusted bytes
 * (process names, paths, host names) are escaped first (util/escape.h), then escaped again for
 * the SD-PARAM syntax, so a value can neither end its element nor start a new line.
 */
#ifndef LW_SYSLOG_FORMAT_H
#define LW_SYSLOG_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/event.h"

struct rules_verdict;

/* llmwatch's SD-ID (RFC 5424 6.3.2: NAME@PEN; 32473 is the PEN set aside for examples). */
#define SYSLOG_SD_ID "llmwatch@32473"
/* No message is longer than this (rsyslog's default maxMessageSize is 8 KiB). */
#define SYSLOG_MSG_MAX 8192
#define SYSLOG_APP_NAME_MAX 48 /* RFC 5424 APP-NAME */
#define SYSLOG_MSGID_MAX 32    /* RFC 5424 MSGID */
#define SYSLOG_HOSTNAME_MAX 255

/* What every message of one sink says about its sender. */
struct syslog_ident {
	int facility;				/* 0..23 (syslog_facility_parse) */
	char hostname[SYSLOG_HOSTNAME_MAX + 1]; /* PRINTUSASCII (syslog_header_field) */
	char app[SYSLOG_APP_NAME_MAX + 1];	/* PRINTUSASCII, checked by the caller */
	uint32_t procid;			/* llmwatch's own pid */
};

/* The facility code of a name ("daemon", "local3", ...), or -EINVAL. */
int syslog_facility_parse(const char *name);

/* The name of a facility code, or NULL outside 0..23. */
const char *syslog_facility_name(int code);

/* The syslog severity (0 emergency .. 7 debug) of a rule's severity (rules.h). */
int syslog_severity_of(int rules_severity);

/*
 * Copies src into dst[size] as an RFC 5424 header field: at most max bytes, each byte outside
 * PRINTUSASCII (33..126) replaced by '_', "-" (NILVALUE) for an empty src.
 */
void syslog_header_field(char *dst, size_t size, const char *src, size_t max);

/*
 * Whether s is a valid APP-NAME (1..48 PRINTUSASCII bytes). The sink refuses others rather
 * than change them behind the user's back.
 */
int syslog_app_name_ok(const char *s);

/*
 * Writes the SD-PARAM form of src[0..len) to dst[size] (NUL-terminated): '"', '\' and ']'
 * get a backslash. Cuts, when dst is too small, between characters, never inside an escape
 * or a UTF-8 sequence. Returns the bytes written (excluding the NUL).
 */
size_t syslog_sd_escape(char *dst, size_t size, const char *src, size_t len);

/*
 * One alert: the event ev and one of its verdicts v, at the event's time. Returns the
 * message's length (it is NUL-terminated in buf), or -EMSGSIZE when buf is too small.
 */
int syslog_format_alert(char *buf, size_t size, const struct syslog_ident *id,
			const struct lw_event *ev, const struct rules_verdict *v);

/* One SD-PARAM of syslog_format_message(). */
struct syslog_param {
	const char *name;  /* an SD-NAME: printable ASCII without '=', ' ', ']', '"' */
	const char *value; /* untrusted bytes, escaped here; NULL: the param is left out */
	size_t cap;	   /* the escaped value is cut at this many bytes (at most 2047) */
};

/*
 * A message of another kind than an alert (the audit's findings): the header with severity,
 * ts and msgid, one SD-ELEMENT sd_id holding the n params, and msg (a control byte in it is
 * escaped; the BOM first when it holds UTF-8). Returns the length, or -EMSGSIZE.
 */
int syslog_format_message(char *buf, size_t size, const struct syslog_ident *id, int severity,
			  struct timespec ts, const char *msgid, const char *sd_id,
			  const struct syslog_param *params, size_t n, const char *msg);

/*
 * The message that says, when the link is back, how many alerts were dropped (msgid
 * "dropped", severity warning): text is its MSG, printable ASCII. Returns the length, or
 * -EMSGSIZE.
 */
int syslog_format_dropped(char *buf, size_t size, const struct syslog_ident *id,
			  struct timespec now, uint64_t dropped, size_t queue_max,
			  const char *target);

/*
 * RFC 6587 octet counting: writes "LEN " for a message of len bytes to dst[size]. Returns
 * the prefix's length, or 0 when it does not fit.
 */
size_t syslog_frame_prefix(char *dst, size_t size, size_t len);

#endif /* LW_SYSLOG_FORMAT_H */
