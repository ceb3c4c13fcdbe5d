// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A structured journal entry built field by field (see journal_entry.h). */
#include "sinks/journal_entry.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>
/* no CODE_FILE/CODE_LINE/CODE_FUNC of this file in every entry: they say nothing to an admin */
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include "util/escape.h"

/* Where journald listens for sd_journal_sendv(); systemd-journald.service(8). */
#define JOURNAL_SOCKET "/run/systemd/journal/socket"

void journal_entry_reset(struct journal_entry *e)
{
	e->len = 0;
	e->n = 0;
	e->broken = false;
}

void journal_entry_free(struct journal_entry *e)
{
	free(e->buf);
	e->buf = NULL;
	e->cap = 0;
	journal_entry_reset(e);
}

/* Room for more bytes at the end of buf; false (and the entry broken) if there is none. */
static bool entry_reserve(struct journal_entry *e, size_t more)
{
	size_t cap = e->cap ? e->cap : 4096;
	char *nb;

	if (e->broken || e->n == JOURNAL_ENTRY_FIELDS_MAX) {
		e->broken = true;
		return false;
	}
	if (e->len + more <= e->cap)
		return true;
	while (cap < e->len + more)
		cap *= 2;
	nb = realloc(e->buf, cap);
	if (!nb) {
		e->broken = true;
		return false;
	}
	e->buf = nb;
	e->cap = cap;
	return true;
}

/* Starts a field "NAME=" with room for value_room bytes and a NUL; false if it cannot. */
static bool field_begin(struct journal_entry *e, const char *name, size_t value_room)
{
	size_t nl = strlen(name);

	if (!entry_reserve(e, nl + 1 + value_room + 1))
		return false;
	e->field[e->n].off = e->len;
	memcpy(e->buf + e->len, name, nl);
	e->buf[e->len + nl] = '=';
	e->len += nl + 1;
	return true;
}

static void field_end(struct journal_entry *e)
{
	e->field[e->n].len = e->len - e->field[e->n].off;
	e->n++;
}

void journal_entry_clean(struct journal_entry *e, const char *name, const char *value, size_t len)
{
	if (!field_begin(e, name, len))
		return;
	memcpy(e->buf + e->len, value, len);
	e->len += len;
	field_end(e);
}

void journal_entry_str(struct journal_entry *e, const char *name, const char *value)
{
	journal_entry_clean(e, name, value, strlen(value));
}

void journal_entry_untrusted(struct journal_entry *e, const char *name, const char *value,
			     size_t len)
{
	size_t need = escape_bytes(NULL, 0, value, len);

	if (!field_begin(e, name, need))
		return;
	/* reserved need + 1 past the name: the NUL lands in the slack, not counted */
	escape_bytes(e->buf + e->len, need + 1, value, len);
	e->len += need;
	field_end(e);
}

void journal_entry_fmt(struct journal_entry *e, const char *name, const char *fmt, ...)
{
	char v[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(v)) {
		e->broken = true;
		return;
	}
	journal_entry_clean(e, name, v, (size_t)n);
}

int journal_entry_send(struct journal_entry *e, journal_send_fn send, void *ctx)
{
	int err;

	if (e->broken) {
		journal_entry_reset(e);
		return -ENOMEM;
	}
	for (size_t i = 0; i < e->n; i++)
		e->iov[i] = (struct iovec){ e->buf + e->field[i].off, e->field[i].len };
	err = send(e->iov, (int)e->n, ctx);
	journal_entry_reset(e);
	return err > 0 ? 0 : err;
}

int journal_entry_sendv(const struct iovec *iov, int n, void *ctx)
{
	(void)ctx;
	return sd_journal_sendv(iov, n);
}

int journal_socket_check(char *err, size_t errsz)
{
	struct stat st;
	int e = stat(JOURNAL_SOCKET, &st) != 0 ? errno : !S_ISSOCK(st.st_mode) ? ENOTSOCK : 0;

	if (e)
		snprintf(err, errsz, "no journal socket at %s (%s): is systemd-journald running?",
			 JOURNAL_SOCKET, strerror(e));
	return -e;
}

int journal_message_id(const char *ns, const char *name, char id_out[JOURNAL_MESSAGE_ID_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) &&
		 EVP_DigestUpdate(c, ns, strlen(ns)) && EVP_DigestUpdate(c, name, strlen(name)) &&
		 EVP_DigestFinal_ex(c, md, &md_len);

	EVP_MD_CTX_free(c);
	if (!ok || md_len < JOURNAL_MESSAGE_ID_LEN / 2)
		return -EIO;
	for (size_t i = 0; i < JOURNAL_MESSAGE_ID_LEN / 2; i++) {
		id_out[2 * i] = hex[md[i] >> 4];
		id_out[2 * i + 1] = hex[md[i] & 15];
	}
	id_out[JOURNAL_MESSAGE_ID_LEN] = '\0';
	return 0;
}
