// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Who eval's command runs as, and the drop to them (see eval_user.h). */
#include "cmd/eval_user.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A decimal id as sudo writes it: digits only, no sign, in range. */
static int parse_id(const char *s, unsigned long *out)
{
	char *end;

	if (!s || !*s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno || *end || *out >= (unsigned long)UINT_MAX)
		return -1;
	return 0;
}

int eval_user_decide(const struct eval_user_env *env, struct eval_user *u, char *err, size_t n)
{
	unsigned long uid, gid;
	struct passwd *pw;
	int ng;

	memset(u, 0, sizeof(*u));
	if (env->euid != 0)
		return 0; /* not root: the command runs as whoever runs llmwatch */
	if (!env->sudo_uid) {
		if (env->as_root)
			return 0;
		snprintf(err, n,
			 "run as root without sudo: the command would run as root. Run llmwatch "
			 "eval with sudo (the command then runs as you), or give --as-root to "
			 "run it as root");
		return -1;
	}
	if (parse_id(env->sudo_uid, &uid) || parse_id(env->sudo_gid, &gid)) {
		snprintf(err, n, "SUDO_UID and SUDO_GID must be numbers (they are set by sudo)");
		return -1;
	}
	if (uid == 0) {
		if (env->as_root)
			return 0;
		snprintf(err, n,
			 "sudo was run by root (SUDO_UID=0): the command would run as root; give "
			 "--as-root to run it as root");
		return -1;
	}
	u->sudo = true;
	u->uid = (uid_t)uid;
	u->gid = (gid_t)gid;
	errno = 0;
	pw = getpwuid(u->uid);
	if (!pw) {
		snprintf(err, n, "SUDO_UID=%lu: no such user in the password database%s%s", uid,
			 errno ? ": " : "", errno ? strerror(errno) : "");
		return -1;
	}
	if (env->sudo_user && strcmp(env->sudo_user, pw->pw_name) != 0) {
		snprintf(err, n, "SUDO_USER does not name the user of SUDO_UID=%lu", uid);
		return -1;
	}
	if (snprintf(u->name, sizeof(u->name), "%s", pw->pw_name) >= (int)sizeof(u->name) ||
	    snprintf(u->home, sizeof(u->home), "%s", pw->pw_dir) >= (int)sizeof(u->home)) {
		snprintf(err, n, "SUDO_UID=%lu: user name or home too long", uid);
		return -1;
	}
	if (env->as_root)
		return 0; /* runs as root; u still names who gets the output */
	ng = EVAL_USER_GROUPS_MAX;
	if (getgrouplist(u->name, u->gid, u->groups, &ng) < 0) {
		snprintf(err, n, "%s is in more than %d groups", u->name, EVAL_USER_GROUPS_MAX);
		return -1;
	}
	u->n_groups = (size_t)ng;
	u->drop = true;
	return 0;
}

int eval_user_drop(const struct eval_user *u, const char **step)
{
	gid_t now[EVAL_USER_GROUPS_MAX];
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	int ng;

	if (!u->drop)
		return 0;
	*step = "setgroups";
	if (setgroups(u->n_groups, u->groups))
		return -errno;
	*step = "setgid";
	if (setresgid(u->gid, u->gid, u->gid))
		return -errno;
	*step = "setuid";
	if (setresuid(u->uid, u->uid, u->uid))
		return -errno;
	/* every id is the user's, and root cannot be had back */
	*step = "checking the ids";
	if (getresuid(&ru, &eu, &su) || getresgid(&rg, &eg, &sg))
		return -errno;
	if (ru != u->uid || eu != u->uid || su != u->uid || rg != u->gid || eg != u->gid ||
	    sg != u->gid)
		return -EPERM;
	ng = getgroups(EVAL_USER_GROUPS_MAX, now);
	if (ng < 0 || (size_t)ng != u->n_groups)
		return -EPERM;
	*step = "checking that root cannot be regained";
	if (setuid(0) == 0 || seteuid(0) == 0 || setgid(0) == 0)
		return -EPERM;
	return 0;
}
