/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A capture of journal entries for unit tests: a send function (the journald sink's and the
 * audit outputs' send hook) that keeps each entry's fields instead of sending them, can be
 * told to fail, and checks of what was kept. Included by one test file each.
 */
#ifndef LW_JOURNAL_CAPTURE_H
#define LW_JOURNAL_CAPTURE_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "check.h"
#include "util/utf8.h"

#define JCAP_MAX_ENTRIES 16
#define JCAP_MAX_FIELDS 40

/* What was sent: each entry's fields as NUL-terminated "NAME=value" copies. */
struct jcap_entry {
	int n;
	char *field[JCAP_MAX_FIELDS];
	size_t len[JCAP_MAX_FIELDS]; /* as sent, without the NUL added here */
};

struct jcap {
	int n;
	struct jcap_entry e[JCAP_MAX_ENTRIES];
	/* sends from fail_from (counted from 0) up to fail_to (excluded; -1: every later one)
	 * fail with fail_err; fail_from -1: none fails */
	int fail_from, fail_to, fail_err;
	int attempts;
};

static inline int jcap_send(const struct iovec *iov, int n, void *ctx)
{
	struct jcap *c = ctx;
	struct jcap_entry *e;
	int at = c->attempts++;

	if (c->fail_from >= 0 && at >= c->fail_from && (c->fail_to < 0 || at < c->fail_to))
		return c->fail_err;
	if (c->n == JCAP_MAX_ENTRIES || n > JCAP_MAX_FIELDS)
		return -E2BIG;
	e = &c->e[c->n++];
	e->n = n;
	for (int i = 0; i < n; i++) {
		e->field[i] = malloc(iov[i].iov_len + 1);
		memcpy(e->field[i], iov[i].iov_base, iov[i].iov_len);
		e->field[i][iov[i].iov_len] = '\0';
		e->len[i] = iov[i].iov_len;
	}
	return 0;
}

static inline void jcap_init(struct jcap *c)
{
	memset(c, 0, sizeof(*c));
	c->fail_from = -1;
	c->fail_to = -1;
}

static inline void jcap_free(struct jcap *c)
{
	for (int i = 0; i < c->n; i++)
		for (int k = 0; k < c->e[i].n; k++)
			free(c->e[i].field[k]);
	jcap_init(c);
}

/* The value of field name in e (NULL if absent); a field sent twice fails the check. */
static inline const char *jcap_get(const struct jcap_entry *e, const char *name)
{
	size_t nl = strlen(name);
	const char *found = NULL;

	for (int i = 0; i < e->n; i++) {
		if (strncmp(e->field[i], name, nl) != 0 || e->field[i][nl] != '=')
			continue;
		CHECK(found == NULL);
		found = e->field[i] + nl + 1;
	}
	return found;
}

/* e has exactly the fields named in the space-separated list names, each once. */
static inline void jcap_check_names(const struct jcap_entry *e, const char *names)
{
	char copy[1024], *save = NULL;
	int count = 0;

	snprintf(copy, sizeof(copy), "%s", names);
	for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		if (!jcap_get(e, t))
			fprintf(stderr, "  field %s missing\n", t);
		CHECK(jcap_get(e, t) != NULL);
		count++;
	}
	if (e->n != count)
		for (int i = 0; i < e->n; i++)
			fprintf(stderr, "  sent: %.40s\n", e->field[i]);
	CHECK_INT(e->n, count);
}

/*
 * Every field of e is NAME=value with a journal field name (upper case, digits, '_', not
 * first, <= 64) and a value that is valid UTF-8 with no C0/C1 control or DEL in it.
 */
static inline bool jcap_clean(const struct jcap_entry *e)
{
	for (int i = 0; i < e->n; i++) {
		const unsigned char *p = (const unsigned char *)e->field[i];
		const unsigned char *end = p + e->len[i];
		const unsigned char *eq = memchr(p, '=', e->len[i]);

		if (!eq || eq == p || eq - p > 64 || *p == '_' || (*p >= '0' && *p <= '9'))
			return false;
		for (const unsigned char *q = p; q < eq; q++)
			if (!((*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || *q == '_'))
				return false;
		for (p = eq + 1; p < end;) {
			uint32_t cp = 0;
			size_t n = utf8_decode(p, (size_t)(end - p), &cp);

			if (n == 0 || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
				return false;
			p += n;
		}
	}
	return true;
}

#endif /* LW_JOURNAL_CAPTURE_H */
