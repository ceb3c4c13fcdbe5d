/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Fixture roots for the audit's unit tests: files, folders and links written under a root,
 * a temporary directory removed at the end, SHA-256 vectors computed apart from the audit;
 * a context auditing a fixture (not live) with one home, and lookups of the findings a check
 * added. Included by one test file each (static functions).
 */
#ifndef LW_AUDIT_FIXTURE_H
#define LW_AUDIT_FIXTURE_H

#include <errno.h>
#include <ftw.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "audit/audit_hash.h"
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

/* ---- files under a root directory ------------------------------------------------------ */

/* ROOT/rel and the folders above it: those 0755, rel itself mode (chmod'ed: no umask). */
static inline void fx_mkdirs_at(const char *root, const char *rel, mode_t mode)
{
	char path[1024];

	if (snprintf(path, sizeof(path), "%s/%s", root, rel) >= (int)sizeof(path)) {
		CHECK(!"fixture path too long");
		return;
	}
	for (char *p = path + strlen(root) + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	mkdir(path, mode);
	chmod(path, mode);
}

/* The folder part of rel made under root, 0755 (one already there is left as it is). */
static inline void fx_parent_at(const char *root, const char *rel)
{
	char dir[1024], path[1024], *slash;
	struct stat st;

	if (snprintf(dir, sizeof(dir), "%s", rel) >= (int)sizeof(dir)) {
		CHECK(!"fixture path too long");
		return;
	}
	slash = strrchr(dir, '/');
	if (!slash)
		return;
	*slash = '\0';
	if (snprintf(path, sizeof(path), "%s/%s", root, dir) < (int)sizeof(path) &&
	    stat(path, &st) != 0)
		fx_mkdirs_at(root, dir, 0755);
}

/* Writes len bytes (NULs kept) to ROOT/rel with mode, making the folders on the way. */
static inline void fx_write_at(const char *root, const char *rel, const void *data, size_t len,
			       mode_t mode)
{
	char path[1024];
	FILE *f;

	fx_parent_at(root, rel);
	if (snprintf(path, sizeof(path), "%s/%s", root, rel) >= (int)sizeof(path)) {
		CHECK(!"fixture path too long");
		return;
	}
	f = fopen(path, "wb");
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK(fwrite(data, 1, len, f) == len);
	fclose(f);
	chmod(path, mode);
}

/* A symbolic link ROOT/rel -> target (one already there replaced). */
static inline void fx_link_at(const char *root, const char *target, const char *rel)
{
	char path[1024];

	fx_parent_at(root, rel);
	if (snprintf(path, sizeof(path), "%s/%s", root, rel) >= (int)sizeof(path)) {
		CHECK(!"fixture path too long");
		return;
	}
	unlink(path);
	CHECK(symlink(target, path) == 0);
}

static inline int fx_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* rm -rf of path, without a shell (links not followed); a missing path is not an error. */
static inline void fx_rm_tree(const char *path)
{
	if (nftw(path, fx_rm_one, 16, FTW_DEPTH | FTW_PHYS) != 0 && errno != ENOENT)
		fprintf(stderr, "could not remove %s\n", path);
}

/* A new directory /tmp/lw-NAME-XXXXXX into dir (the test stops when it cannot be made). */
static inline void fx_mkdtemp(char *dir, size_t size, const char *name)
{
	snprintf(dir, size, "/tmp/lw-%s-XXXXXX", name);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(1);
	}
}

/* The SHA-256 of data, in lower-case hex (65 bytes with the NUL), computed apart from
 * audit_hash: the vector a test compares the audit's result with. */
static inline void fx_sha256_hex(const void *data, size_t len, char *out)
{
	unsigned char md[AUDIT_SHA256_LEN];
	unsigned int n = 0;

	EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
	audit_hash_hex(md, out);
}

/* ---- one root for a whole test file ------------------------------------------------------
 *
 * Tests that build their fixtures in one directory for the whole file (rather than a struct
 * fixture per case) keep it in fx_tmp: fx_tmp_init() makes it, fx_tmp_done() removes it.
 */
static char fx_tmp[64] __attribute__((unused));

static inline void fx_tmp_init(const char *name)
{
	fx_mkdtemp(fx_tmp, sizeof(fx_tmp), name);
}

static inline void fx_tmp_done(void)
{
	fx_rm_tree(fx_tmp);
}

static inline void fx_tmp_path(char *out, size_t size, const char *rel)
{
	snprintf(out, size, "%s/%s", fx_tmp, rel);
}

static inline void fx_tmp_mkdirs(const char *rel)
{
	fx_mkdirs_at(fx_tmp, rel, 0755);
}

static inline void fx_tmp_put(const char *rel, const char *text)
{
	fx_write_at(fx_tmp, rel, text, strlen(text), 0644);
}

static inline void fx_tmp_put_n(const char *rel, const void *data, size_t len)
{
	fx_write_at(fx_tmp, rel, data, len, 0644);
}

/* A file of size bytes (sparse: zeros) at root/rel, for the limits of bounded reads. */
static inline void fx_size_at(const char *root, const char *rel, off_t size)
{
	char path[1024];

	fx_write_at(root, rel, "", 0, 0644);
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (truncate(path, size) != 0)
		fprintf(stderr, "could not size %s\n", path);
}

static inline void fx_tmp_put_size(const char *rel, off_t size)
{
	fx_size_at(fx_tmp, rel, size);
}

static inline void fx_tmp_link(const char *target, const char *rel)
{
	fx_link_at(fx_tmp, target, rel);
}

static inline void fx_tmp_mkdirs_mode(const char *rel, mode_t mode)
{
	fx_mkdirs_at(fx_tmp, rel, mode);
}

static inline void fx_tmp_put_mode(const char *rel, const char *text, mode_t mode)
{
	fx_write_at(fx_tmp, rel, text, strlen(text), mode);
}

/* Removes fx_tmp/rel and everything below it. */
static inline void fx_tmp_rm(const char *rel)
{
	char path[1024];

	if (snprintf(path, sizeof(path), "%s/%s", fx_tmp, rel) < (int)sizeof(path))
		fx_rm_tree(path);
}

/* ---- a fixture's files ------------------------------------------------------------------ */

static inline void fx_mkdirs(struct fixture *fx, const char *rel)
{
	fx_mkdirs_at(fx->root, rel, 0755);
}

/* Writes text to ROOT/rel, creating the folders on the way. */
static inline void fx_put(struct fixture *fx, const char *rel, const char *text)
{
	fx_write_at(fx->root, rel, text, strlen(text), 0644);
}

/* A file of size bytes at ROOT/rel (fx_size_at()). */
static inline void fx_put_size(struct fixture *fx, const char *rel, off_t size)
{
	fx_size_at(fx->root, rel, size);
}

/* A symbolic link ROOT/rel -> target. */
static inline void fx_link(struct fixture *fx, const char *target, const char *rel)
{
	fx_link_at(fx->root, target, rel);
}

/* Writes n bytes to ROOT/rel (NULs inside kept: /proc's cmdline and environ). */
static inline void fx_put_n(struct fixture *fx, const char *rel, const char *data, size_t n)
{
	fx_write_at(fx->root, rel, data, n, 0644);
}

/*
 * A process in a fixture /proc (ROOT/proc, for a live context's proc_root): its stat,
 * command line and environment (NUL-separated, clen and elen bytes) and its exe link (none
 * when exe is NULL). Its uid is the directory's owner: the test's own.
 */
static inline void fx_proc_at(const char *root, unsigned int pid, const char *comm, const char *exe,
			      const char *cmdline, size_t clen, const char *env, size_t elen)
{
	char rel[128], stat[256];

	snprintf(rel, sizeof(rel), "proc/%u", pid);
	fx_mkdirs_at(root, rel, 0755);
	snprintf(stat, sizeof(stat),
		 "%u (%s) S 1 %u %u 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 5000 1000000 100\n", pid,
		 comm, pid, pid);
	snprintf(rel, sizeof(rel), "proc/%u/stat", pid);
	fx_write_at(root, rel, stat, strlen(stat), 0644);
	snprintf(rel, sizeof(rel), "proc/%u/cmdline", pid);
	fx_write_at(root, rel, cmdline, clen, 0644);
	snprintf(rel, sizeof(rel), "proc/%u/environ", pid);
	fx_write_at(root, rel, env, elen, 0644);
	if (exe) {
		snprintf(rel, sizeof(rel), "proc/%u/exe", pid);
		fx_link_at(root, exe, rel);
	}
}

/* fx_proc_at() in a fixture, with an empty environment. */
static inline void fx_proc(struct fixture *fx, unsigned int pid, const char *comm, const char *exe,
			   const char *cmdline, size_t n)
{
	fx_proc_at(fx->root, pid, comm, exe, cmdline, n, "", 0);
}

/* A new fixture root with the home /home/alice (uid 1000), audited as an image. */
static inline void fx_init(struct fixture *fx, const char *name)
{
	memset(fx, 0, sizeof(*fx));
	fx_mkdtemp(fx->root, sizeof(fx->root), name);
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

/* Removes ROOT/rel and everything below it (links not followed). */
static inline void fx_rm(struct fixture *fx, const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s%s%s", fx->root, rel[0] ? "/" : "", rel);
	fx_rm_tree(path);
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

/*
 * Whether finding f (NULL: none was found) has status s and evidence holding needle; says
 * what it got when not, to show why.
 */
static inline bool fx_has(const struct audit_finding *f, enum audit_status s, const char *needle)
{
	if (!f) {
		fprintf(stderr, "  no finding (wanted %s \"%s\")\n", audit_status_name(s), needle);
		return false;
	}
	if (f->status != s || !f->evidence || !strstr(f->evidence, needle)) {
		fprintf(stderr, "  got %s \"%s\", wanted %s \"%s\"\n", audit_status_name(f->status),
			f->evidence ? f->evidence : "-", audit_status_name(s), needle);
		return false;
	}
	return true;
}

#endif /* LW_AUDIT_FIXTURE_H */
