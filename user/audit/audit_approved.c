// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The --approved list, read once (audit_approved.h). */
#include "audit/audit_approved.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "audit/audit_files.h"
#include "util/escape.h"

/* How much of a line that does not parse is shown (escaped): enough to recognise it. */
#define SHOWN_LINE 80u

static int sha_cmp(const void *a, const void *b)
{
	return memcmp(a, b, AUDIT_SHA256_LEN);
}

/* a->error: "--approved FILE:LINE: why: the line is "..."" (file and line escaped). */
static void say_line(struct audit_approved *a, unsigned int line, const char *why, const char *p,
		     size_t n)
{
	char file[PATH_MAX], shown[4 * SHOWN_LINE + 8];

	escape_str(file, sizeof(file), a->file);
	escape_bytes(shown, sizeof(shown), p, n < SHOWN_LINE ? n : SHOWN_LINE);
	snprintf(a->error, sizeof(a->error), "--approved %s:%u: %s: the line is \"%s\"%s", file,
		 line, why, shown, n > SHOWN_LINE ? " (cut)" : "");
}

/*
 * A list that is half understood would silently approve less, or more, than its author
 * meant: anything but sha256sum's lines, blank lines and comments is an error. A model is
 * approved by its digest: the name is the author's note, not checked.
 */
int audit_approved_parse(struct audit_approved *a, const char *text, size_t len)
{
	size_t cap = 0;
	unsigned int line = 0;

	free(a->sha);
	a->sha = NULL;
	a->n = 0;
	a->error[0] = '\0';
	for (size_t off = 0; off < len;) {
		const char *p = text + off, *nl = memchr(p, '\n', len - off), *at;
		size_t n = nl ? (size_t)(nl - p) : len - off, whole;
		const char *why = NULL;
		unsigned char digest[AUDIT_SHA256_LEN];

		off += n + (nl ? 1 : 0);
		line++;
		if (n && p[n - 1] == '\r')
			n--;
		at = p;
		whole = n;
		if (n == 0 || p[0] == '#')
			continue;
		if (p[0] == '\\') { /* sha256sum escapes a name holding \ or a newline */
			p++;
			n--;
		}
		if (memchr(p, '\0', n))
			why = "a NUL byte";
		if (!why && (n < 67 || audit_hash_unhex(p, 64, digest) || p[64] != ' ' ||
			     (p[65] != ' ' && p[65] != '*')))
			why = "not \"<64 hex digits>  NAME\" or \"<64 hex digits> *NAME\" "
			      "(sha256sum's format)";
		if (why) {
			say_line(a, line, why, at, whole);
			free(a->sha);
			a->sha = NULL;
			a->n = 0;
			return -EINVAL;
		}
		if (a->n == cap) {
			size_t ncap = cap ? 2 * cap : 64;
			void *g = realloc(a->sha, ncap * AUDIT_SHA256_LEN);

			if (!g) {
				free(a->sha);
				a->sha = NULL;
				a->n = 0;
				snprintf(a->error, sizeof(a->error), "--approved: out of memory");
				return -ENOMEM;
			}
			a->sha = g;
			cap = ncap;
		}
		memcpy(a->sha[a->n++], digest, AUDIT_SHA256_LEN);
	}
	if (a->n)
		qsort(a->sha, a->n, AUDIT_SHA256_LEN, sha_cmp);
	return 0;
}

int audit_approved_use(struct audit_approved *a, FILE *err)
{
	struct audit_ctx here = { .root = "/" };
	char file[PATH_MAX];
	size_t len;
	char *text;

	if (a->loaded)
		return a->err;
	a->loaded = true;
	a->err = audit_read_file(&here, a->file, AUDIT_APPROVED_MAX, &text, &len);
	if (a->err) {
		escape_str(file, sizeof(file), a->file);
		snprintf(a->error, sizeof(a->error), "--approved %s: %s", file,
			 a->err == -EFBIG ? "larger than 64 MiB" : strerror(-a->err));
	} else {
		a->err = audit_approved_parse(a, text, len);
		free(text);
	}
	if (a->err && err)
		fprintf(err, "llmwatch: audit: %s\n", a->error);
	return a->err;
}

bool audit_approved_has(const struct audit_approved *a, const unsigned char *sha256)
{
	return a->n && bsearch(sha256, a->sha, a->n, AUDIT_SHA256_LEN, sha_cmp);
}

void audit_approved_free(struct audit_approved *a)
{
	free(a->sha);
	a->sha = NULL;
	a->n = 0;
	a->loaded = false;
	a->err = 0;
}
