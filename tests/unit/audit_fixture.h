/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Fixture roots for the audit checks' unit tests: a temporary directory with files written
 * under it, a context auditing it (not live) with one home, and lookups of the findings a
 * check added. Included by one test file each (static functions).
 */
#ifndef LW_AUDIT_FIXTURE_H
#define LW_AUDIT_FIXTURE_H

#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "check.h"
#include "core/profiles.h"

struct fixture {
	char root[64];
	char home_path[128];
	struct audit_home home;
	struct profile_set profiles;
	struct audit_ctx c;
	struct audit_report *r;
};

static inline void fx_mkdirs(struct fixture *fx, const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", fx->root, rel);
	for (char *p = path + strlen(fx->root) + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	mkdir(path, 0755);
}

/* Writes text to ROOT/rel, creating the folders on the way. */
static inline void fx_put(struct fixture *fx, const char *rel, const char *text)
{
	char path[512], dir[512], *slash;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s", rel);
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		fx_mkdirs(fx, dir);
	}
	snprintf(path, sizeof(path), "%s/%s", fx->root, rel);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

/* A symbolic link ROOT/rel -> target. */
static inline void fx_link(struct fixture *fx, const char *target, const char *rel)
{
	char path[512], dir[512], *slash;

	snprintf(dir, sizeof(dir), "%s", rel);
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		fx_mkdirs(fx, dir);
	}
	snprintf(path, sizeof(path), "%s/%s", fx->root, rel);
	CHECK(symlink(target, path) == 0);
}

/* Writes n bytes to ROOT/rel (NULs inside kept: /proc's cmdline and environ). */
static inline void fx_put_n(struct fixture *fx, const char *rel, const char *data, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fx->root, rel);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK(fwrite(data, 1, n, f) == n);
	fclose(f);
}

/*
 * A process in the fixture's /proc (ROOT/proc, for a live context's proc_root): its stat,
 * command line (NUL-separated, n bytes) and exe link. Its uid is the directory's owner: the
 * test's own.
 */
static inline void fx_proc(struct fixture *fx, unsigned int pid, const char *comm, const char *exe,
			   const char *cmdline, size_t n)
{
	char rel[128], stat[256];

	snprintf(rel, sizeof(rel), "proc/%u", pid);
	fx_mkdirs(fx, rel);
	snprintf(stat, sizeof(stat),
		 "%u (%s) S 1 %u %u 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 5000 1000000 100\n", pid,
		 comm, pid, pid);
	snprintf(rel, sizeof(rel), "proc/%u/stat", pid);
	fx_put(fx, rel, stat);
	snprintf(rel, sizeof(rel), "proc/%u/cmdline", pid);
	fx_put_n(fx, rel, cmdline, n);
	snprintf(rel, sizeof(rel), "proc/%u/environ", pid);
	fx_put(fx, rel, "");
	snprintf(rel, sizeof(rel), "proc/%u/exe", pid);
	fx_link(fx, exe, rel);
}

/* A new fixture root with the home /home/alice (uid 1000), audited as an image. */
static inline void fx_init(struct fixture *fx, const char *name)
{
	memset(fx, 0, sizeof(*fx));
	snprintf(fx->root, sizeof(fx->root), "/tmp/lw-%s-XXXXXX", name);
	if (!mkdtemp(fx->root)) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(fx->home_path, sizeof(fx->home_path), "%s/home/alice", fx->root);
	fx_mkdirs(fx, "home/alice");
	fx->home = (struct audit_home){ .path = fx->home_path, .user = "alice", .uid = 1000 };
	profiles_init(&fx->profiles);
	fx->c = (struct audit_ctx){
		.root = fx->root,
		.live = false,
		.homes = &fx->home,
		.n_homes = 1,
		.profiles = &fx->profiles,
	};
	fx->r = audit_report_new();
	CHECK(fx->r != NULL);
}

/* A fresh report, for the next case. */
static inline void fx_reset(struct fixture *fx)
{
	audit_report_free(fx->r);
	fx->r = audit_report_new();
}

static inline int fx_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* Removes ROOT/rel and everything below it (links not followed). */
static inline void fx_rm(struct fixture *fx, const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s%s%s", fx->root, rel[0] ? "/" : "", rel);
	if (nftw(path, fx_rm_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
		fprintf(stderr, "could not remove %s\n", path);
}

static inline void fx_done(struct fixture *fx)
{
	audit_report_free(fx->r);
	fx_rm(fx, "");
}

/*
 * The first finding of check with this status whose subject and evidence contain the
 * given texts (NULL: any), or NULL; printed all when none is found, to show why.
 */
static inline const struct audit_finding *fx_find(struct fixture *fx, const char *check,
						  enum audit_status st, const char *subject,
						  const char *evidence)
{
	const struct audit_finding *f;
	size_t n = audit_findings(fx->r, &f);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(f[i].check, check) && f[i].status == st &&
		    (!subject || (f[i].subject && strstr(f[i].subject, subject))) &&
		    (!evidence || (f[i].evidence && strstr(f[i].evidence, evidence))))
			return &f[i];
	fprintf(stderr, "no %s %s [%s] [%s] among:\n", audit_status_name(st), check,
		subject ? subject : "*", evidence ? evidence : "*");
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "  %s %s %s: %s\n", audit_status_name(f[i].status), f[i].check,
			f[i].subject ? f[i].subject : "-", f[i].evidence ? f[i].evidence : "-");
	return NULL;
}

/* How many findings of check have status st. */
static inline size_t fx_count(struct fixture *fx, const char *check, enum audit_status st)
{
	const struct audit_finding *f;
	size_t n = audit_findings(fx->r, &f), k = 0;

	for (size_t i = 0; i < n; i++)
		k += !strcmp(f[i].check, check) && f[i].status == st;
	return k;
}

#endif /* LW_AUDIT_FIXTURE_H */
