/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Who the command `llmwatch eval` runs runs as: under sudo the person who asked (SUDO_UID,
 * SUDO_GID, their groups, HOME, USER and LOGNAME), never root unless --as-root; and the
 * privilege drop itself, done in the child between fork and exec.
 */
#ifndef LW_EVAL_USER_H
#define LW_EVAL_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define EVAL_USER_GROUPS_MAX 256

struct eval_user {
	bool drop; /* switch to uid/gid/groups in the child; false: run as llmwatch runs */
	bool sudo; /* SUDO_UID was set and names another user: the output belongs to them */
	uid_t uid;
	gid_t gid;
	gid_t groups[EVAL_USER_GROUPS_MAX];
	size_t n_groups;
	char name[64];	 /* the user's name (passwd), for USER and LOGNAME */
	char home[4096]; /* passwd's home, for HOME */
};

/* What eval_user_decide() reads, so that tests can give any. */
struct eval_user_env {
	uid_t euid;
	const char *sudo_uid, *sudo_gid, *sudo_user; /* NULL when unset */
	bool as_root;
};

/*
 * Decides who the command runs as. Run by root under sudo (SUDO_UID not 0): the sudo
 * user, their passwd entry and groups (unless as_root: then root, but the output is still
 * theirs); by root without sudo (or sudo from root): refused unless as_root; by anyone
 * else: as themselves. Returns 0, or -1 with the reason in err[n].
 */
int eval_user_decide(const struct eval_user_env *env, struct eval_user *u, char *err, size_t n);

/*
 * In the child: setgroups, setgid, setuid to u, then checks that neither root nor the old
 * ids can be regained. Only async-signal-safe calls. Returns 0, or -errno with *step naming
 * what failed.
 */
int eval_user_drop(const struct eval_user *u, const char **step);

#endif /* LW_EVAL_USER_H */
