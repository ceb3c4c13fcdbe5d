/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The homes an audit looks in (audit.h's struct audit_home): those the user names, or those
 * of the audited root's /etc/passwd: people (uid 0, 1000 to 65533) and service accounts whose
 * home holds a tool's files (Ollama's service keeps its models in /usr/share/ollama).
 */
#ifndef LW_AUDIT_HOMES_H
#define LW_AUDIT_HOMES_H

#include <stddef.h>
#include <stdint.h>

#include "audit/audit.h"

#define AUDIT_HOMES_MAX 256

struct audit_homes {
	struct audit_home h[AUDIT_HOMES_MAX];
	size_t n;
	size_t cut; /* homes past AUDIT_HOMES_MAX, counted, not audited */
	char *owned[2 * AUDIT_HOMES_MAX];
	size_t n_owned;
};

/* One account of a passwd file: its name, ids, home and shell, as written (untrusted). */
struct audit_passwd_entry {
	const char *user;
	uint32_t uid, gid;
	const char *home; /* not checked: the homes want it absolute, other readers do not */
	const char *shell;
	unsigned int line;
};

/*
 * Calls fn for each well-formed line of a passwd(5) text (7 fields, a name, a numeric uid
 * and gid); malformed lines are counted in *bad and skipped. text is changed (fields cut in
 * place) and must be NUL-terminated at text[len].
 */
typedef void (*audit_passwd_fn)(void *arg, const struct audit_passwd_entry *e);
void audit_passwd_parse(char *text, size_t len, audit_passwd_fn fn, void *arg, size_t *bad);

/* One group of a group file: its name, gid and members (comma-separated, maybe ""). */
struct audit_group_entry {
	const char *name;
	uint32_t gid;
	const char *members;
	unsigned int line;
};

/*
 * Calls fn for each well-formed line of a group(5) text (4 fields, or 3 with no member
 * list; a name, a numeric gid); malformed lines are counted in *bad and skipped. text is
 * changed and must be NUL-terminated at text[len], as for audit_passwd_parse().
 */
typedef void (*audit_group_fn)(void *arg, const struct audit_group_entry *e);
void audit_group_parse(char *text, size_t len, audit_group_fn fn, void *arg, size_t *bad);

/*
 * Adds path (as the checks open it) with its owner from stat, user may be NULL. A path
 * already listed is not added again. Returns 0, or -errno: the path cannot be opened as a
 * directory (-ENOENT, -ENOTDIR, -EACCES), -ENOMEM.
 */
int audit_homes_add(const struct audit_ctx *c, struct audit_homes *l, const char *path,
		    const char *user);

/*
 * Adds the homes of the root's /etc/passwd that exist. Returns 0 or -errno (the file could
 * not be read).
 */
int audit_homes_from_passwd(const struct audit_ctx *c, struct audit_homes *l);

void audit_homes_free(struct audit_homes *l);

#endif /* LW_AUDIT_HOMES_H */
