/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The --approved list (sha256sum's format): the model digests the user trusts. Both
 * integrity checks use it; it is read once, on the first use, and an error in it is said
 * once, naming FILE:LINE and the line.
 */
#ifndef LW_AUDIT_APPROVED_H
#define LW_AUDIT_APPROVED_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "audit/audit_hash.h"

#define AUDIT_APPROVED_MAX (64u << 20) /* about 700,000 lines */

struct audit_approved {
	const char *file; /* --approved FILE, on this machine (not under --root) */
	/* filled by the first audit_approved_use() */
	bool loaded;
	int err; /* 0, -EINVAL (a line that does not parse), -EFBIG, -errno of the read */
	char error[PATH_MAX +
		   512]; /* what was said about err (without the "llmwatch: audit: " prefix) */
	unsigned char (*sha)[AUDIT_SHA256_LEN]; /* sorted */
	size_t n;
};

/*
 * Parses text[0..len) strictly into a (a->file names it in errors): "<64 hex>  NAME" or
 * "<64 hex> *NAME", a leading backslash for an escaped name, blank lines and "#" comments.
 * Returns 0, -EINVAL (a->error says FILE:LINE, why, and the line, escaped and cut) or
 * -ENOMEM.
 */
int audit_approved_parse(struct audit_approved *a, const char *text, size_t len);

/*
 * Reads and parses a->file on the first call (an error is printed on err, once); every
 * later call returns the same result. Returns 0 or the -errno of the first call.
 */
int audit_approved_use(struct audit_approved *a, FILE *err);

/* Whether the digest is in the list. */
bool audit_approved_has(const struct audit_approved *a, const unsigned char *sha256);

void audit_approved_free(struct audit_approved *a);

#endif /* LW_AUDIT_APPROVED_H */
