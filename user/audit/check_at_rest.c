// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * at-rest-encryption and at-rest-permissions (check_at_rest.h): the device each model store
 * and chat history is stored on, and who besides its owner can read it.
 */
#include "audit/check_at_rest.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <linux/fscrypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit_files.h"
#include "audit/audit_homes.h"
#include "audit/audit_stores.h"

#define MOUNTINFO_MAX (4u << 20)
#define ACCOUNTS_MAX (4u << 20)
#define STORES_MAX 4096u
/* Block devices stacked deeper than this, or more of them, are not followed (a loop). */
#define SLAVES_DEPTH 8u
#define SLAVES_BUDGET 64u
/* An overlay's upper directory is followed this many times (an overlay on an overlay). */
#define OVERLAY_DEPTH 3u

#define CHECKLIST "the local-LLM checklist: encrypted storage for models and chats"

/* ---- the stores, each path once ------------------------------------------------------ */

struct store_ref {
	const struct audit_store *store;
	const struct audit_home *home;
	char *path;
	bool is_dir;
};

struct store_list {
	struct store_ref *v;
	size_t n, cap;
	int err;
};

static int collect(void *arg, const struct audit_store_hit *h)
{
	struct store_list *l = arg;

	/*
	 * GPT4All keeps models and chats in one folder, a row of each kind: chats come first,
	 * so the folder is judged as the more sensitive of the two, once.
	 */
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].path, h->path))
			return 0;
	if (l->n == STORES_MAX)
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct store_ref *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return l->err = -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n] = (struct store_ref){ h->store, h->home, strdup(h->path), h->is_dir };
	if (!l->v[l->n].path)
		return l->err = -ENOMEM;
	l->n++;
	return 0;
}

static void stores_free(struct store_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].path);
	free(l->v);
}

static int stores_collect(const struct audit_ctx *c, struct store_list *l)
{
	*l = (struct store_list){ 0 };
	audit_stores_each(c, AUDIT_STORE_CHATS, NULL, collect, l);
	if (!l->err)
		audit_stores_each(c, AUDIT_STORE_MODELS, NULL, collect, l);
	if (l->err)
		stores_free(l);
	return l->err;
}

/* ---- small files of this machine (sysfs, /proc) --------------------------------------- */

/* The first line of a small file into buf (NUL-terminated, newline removed); false if none. */
static bool read_line(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	ssize_t n;

	buf[0] = '\0';
	if (fd < 0)
		return false;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return true;
}

/* A whole file of unknown size (/proc reports 0), at most max bytes; NULL on error. */
static char *read_all(const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	size_t cap = 65536, got = 0;
	char *buf = NULL;

	if (fd < 0)
		return NULL;
	for (;;) {
		ssize_t n;

		if (got + 1 >= cap || !buf) {
			char *b;

			if (buf)
				cap *= 2;
			if (cap > max + 1) {
				free(buf);
				buf = NULL;
				break;
			}
			b = realloc(buf, cap);
			if (!b) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = b;
		}
		n = read(fd, buf + got, cap - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			buf = NULL;
			break;
		}
		if (n == 0) {
			buf[got] = '\0';
			*len = got;
			break;
		}
		got += (size_t)n;
	}
	close(fd);
	return buf;
}

/* ---- the mount ---------------------------------------------------------------------- */

struct mount_entry {
	char mount[256], fstype[32], source[128], upper[PATH_MAX];
};

static void copy_field(char *dst, size_t size, const char *s, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* "MAJ:MIN" as mountinfo writes it. */
static bool parse_devno(const char *s, unsigned int *maj, unsigned int *min)
{
	char *end;
	unsigned long a, b;

	errno = 0;
	a = strtoul(s, &end, 10);
	if (errno || end == s || *end != ':' || a > UINT_MAX)
		return false;
	s = end + 1;
	b = strtoul(s, &end, 10);
	if (errno || end == s || *end || b > UINT_MAX)
		return false;
	*maj = (unsigned int)a;
	*min = (unsigned int)b;
	return true;
}

/* Whether mount point m (mountinfo's form) holds path real. */
static size_t prefix_len(const char *m, const char *real)
{
	size_t n = strlen(m);

	if (!strcmp(m, "/"))
		return 1;
	if (strncmp(real, m, n) != 0 || (real[n] != '/' && real[n] != '\0'))
		return 0;
	return n;
}

/*
 * The mount of device maj:min that holds real: of the lines with that device (bind mounts
 * repeat it), the one whose mount point is the longest prefix of real, or the last one.
 * Lines are: ID PARENT MAJ:MIN ROOT MOUNT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER.
 */
static bool mount_find(const char *mountinfo, unsigned int maj, unsigned int min, const char *real,
		       struct mount_entry *out)
{
	size_t len, best = 0;
	char *text = read_all(mountinfo, MOUNTINFO_MAX, &len), *line, *save = NULL;
	bool found = false;

	if (!text)
		return false;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[16], *p = line;
		unsigned int a, b;
		int n = 0, sep = -1;
		const char *up;
		size_t pl;

		while (n < 16 && p && *p) {
			f[n++] = p;
			p = strchr(p, ' ');
			if (p)
				*p++ = '\0';
		}
		for (int i = 6; i + 2 < n; i++)
			if (!strcmp(f[i], "-")) {
				sep = i;
				break;
			}
		if (sep < 0 || !parse_devno(f[2], &a, &b) || a != maj || b != min)
			continue;
		pl = prefix_len(f[4], real);
		if (found && pl < best)
			continue;
		best = pl;
		found = true;
		copy_field(out->mount, sizeof(out->mount), f[4], strlen(f[4]));
		copy_field(out->fstype, sizeof(out->fstype), f[sep + 1], strlen(f[sep + 1]));
		copy_field(out->source, sizeof(out->source), f[sep + 2], strlen(f[sep + 2]));
		out->upper[0] = '\0';
		up = sep + 3 < n ? strstr(f[sep + 3], "upperdir=") : NULL;
		if (up) {
			up += strlen("upperdir=");
			copy_field(out->upper, sizeof(out->upper), up, strcspn(up, ","));
		}
	}
	free(text);
	return found;
}

/* ---- the block device's stack --------------------------------------------------------- */

__attribute__((format(printf, 3, 4))) static void append(char *buf, size_t size, const char *fmt,
							 ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
}

/*
 * Whether the block device whose sysfs directory is dir is encrypted: a dm-crypt device
 * itself (dm/uuid "CRYPT-..."), or a device all of whose slaves are (LVM over LUKS, RAID over
 * LUKS). A partition's slaves are its disk's. Holders are not followed: they are the devices
 * built on this one, and the filesystem sits on this one, not on them. Appends the chain
 * to desc.
 */
static bool dev_encrypted(const char *dir, unsigned int depth, unsigned int *budget, char *desc,
			  size_t dsize)
{
	char real[PATH_MAX], p[PATH_MAX + 32], uuid[160], name[128];
	const char *base;
	bool all = true;
	size_t n = 0;
	DIR *d;

	if (depth > SLAVES_DEPTH || *budget == 0 || !realpath(dir, real))
		return false;
	(*budget)--;
	base = strrchr(real, '/') ? strrchr(real, '/') + 1 : real;
	snprintf(p, sizeof(p), "%s/dm/uuid", real);
	read_line(p, uuid, sizeof(uuid));
	snprintf(p, sizeof(p), "%s/dm/name", real);
	read_line(p, name, sizeof(name));
	append(desc, dsize, "%s%s", depth ? " over " : "", base);
	if (uuid[0])
		append(desc, dsize, " (%s, %s)", name[0] ? name : "?", uuid);
	if (!strncmp(uuid, "CRYPT-", 6))
		return true;
	snprintf(p, sizeof(p), "%s/partition", real);
	if (access(p, F_OK) == 0)
		snprintf(p, sizeof(p), "%s/../slaves", real);
	else
		snprintf(p, sizeof(p), "%s/slaves", real);
	d = opendir(p);
	if (!d)
		return false;
	for (struct dirent *de; (de = readdir(d));) {
		char sub[PATH_MAX + 300];

		if (de->d_name[0] == '.')
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", p, de->d_name) >= (int)sizeof(sub))
			continue;
		if (n++)
			append(desc, dsize, " and");
		if (!dev_encrypted(sub, depth + 1, budget, desc, dsize))
			all = false;
	}
	closedir(d);
	return n > 0 && all;
}

/* The sysfs directory of the mount's source when its st_dev is not a block device (btrfs). */
static bool source_dev(const struct check_at_rest_sys *s, const char *source, char *out,
		       size_t size)
{
	char p[PATH_MAX], name[128];
	DIR *d;

	if (!strncmp(source, "/dev/mapper/", 12)) {
		snprintf(p, sizeof(p), "%s/block", s->sys_root);
		d = opendir(p);
		if (!d)
			return false;
		for (struct dirent *de; (de = readdir(d));) {
			if (strncmp(de->d_name, "dm-", 3) != 0)
				continue;
			snprintf(p, sizeof(p), "%s/block/%s/dm/name", s->sys_root, de->d_name);
			if (read_line(p, name, sizeof(name)) && !strcmp(name, source + 12)) {
				snprintf(out, size, "%s/block/%s", s->sys_root, de->d_name);
				closedir(d);
				return true;
			}
		}
		closedir(d);
		return false;
	}
	if (strncmp(source, "/dev/", 5) != 0 || strchr(source + 5, '/'))
		return false;
	snprintf(out, size, "%s/class/block/%s", s->sys_root, source + 5);
	return access(out, F_OK) == 0;
}

/* ---- how a path is stored ------------------------------------------------------------- */

static bool has_fscrypt_policy(const struct audit_ctx *c, const char *path)
{
	struct fscrypt_get_policy_ex_arg arg = { .policy_size = sizeof(arg.policy) };
	int fd = audit_open(c, path, O_RDONLY | O_DIRECTORY | O_NONBLOCK);
	bool yes;

	if (fd < 0)
		return false;
	/* 0: a policy; ENODATA: none; ENOTTY / EOPNOTSUPP: the filesystem has no fscrypt. */
	yes = ioctl(fd, FS_IOC_GET_ENCRYPTION_POLICY_EX, &arg) == 0;
	close(fd);
	return yes;
}

static int encryption_of(const struct check_at_rest_sys *s, const struct audit_ctx *c,
			 const char *path, struct check_at_rest_enc *out, unsigned int depth)
{
	struct mount_entry m = { 0 };
	struct statx stx;
	char link[64], real[PATH_MAX], dev[PATH_MAX];
	unsigned int budget = SLAVES_BUDGET;
	bool fscrypt;
	ssize_t n;
	int fd;

	memset(out, 0, sizeof(*out));
	fd = audit_open(c, path, O_PATH);
	if (fd < 0)
		return fd;
	if (statx(fd, "", AT_EMPTY_PATH, STATX_TYPE, &stx)) {
		int err = -errno;

		close(fd);
		return err;
	}
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, real, sizeof(real) - 1);
	real[n > 0 ? n : 0] = '\0';
	close(fd);
	out->major = stx.stx_dev_major;
	out->minor = stx.stx_dev_minor;
	fscrypt = (stx.stx_attributes_mask & STATX_ATTR_ENCRYPTED) &&
		  (stx.stx_attributes & STATX_ATTR_ENCRYPTED);
	if (!fscrypt && S_ISDIR(stx.stx_mode))
		fscrypt = has_fscrypt_policy(c, path);
	if (mount_find(s->mountinfo, out->major, out->minor, real, &m)) {
		snprintf(out->mount, sizeof(out->mount), "%s", m.mount);
		snprintf(out->fstype, sizeof(out->fstype), "%s", m.fstype);
		snprintf(out->source, sizeof(out->source), "%s", m.source);
	}
	if (fscrypt) {
		out->mech = CHECK_AT_REST_FSCRYPT;
		return 0;
	}
	if (!strcmp(out->fstype, "ecryptfs")) {
		out->mech = CHECK_AT_REST_ECRYPTFS;
		snprintf(out->device, sizeof(out->device), "%s", out->source);
		return 0;
	}
	if (!strcmp(out->fstype, "overlay") && m.upper[0] == '/' && depth < OVERLAY_DEPTH) {
		/* A container's files: what counts is where its upper directory is stored. */
		struct audit_ctx here = { .root = "/" };
		struct check_at_rest_enc up;

		if (encryption_of(s, &here, m.upper, &up, depth + 1) == 0) {
			out->mech = up.mech;
			snprintf(out->device, sizeof(out->device), "overlay upper %.200s on %.280s",
				 m.upper, up.device);
			return 0;
		}
	}
	snprintf(dev, sizeof(dev), "%s/dev/block/%u:%u", s->sys_root, out->major, out->minor);
	if (access(dev, F_OK) != 0 && !source_dev(s, out->source, dev, sizeof(dev))) {
		out->mech = CHECK_AT_REST_UNKNOWN;
		return 0;
	}
	out->mech = dev_encrypted(dev, 0, &budget, out->device, sizeof(out->device)) ?
			    CHECK_AT_REST_DM_CRYPT :
			    CHECK_AT_REST_NONE;
	return 0;
}

int check_at_rest_encryption_of(const struct check_at_rest_sys *s, const struct audit_ctx *c,
				const char *path, struct check_at_rest_enc *out)
{
	return encryption_of(s, c, path, out, 0);
}

/* ---- at-rest-encryption --------------------------------------------------------------- */

static const char *mount_desc(struct audit_report *r, const struct check_at_rest_enc *e)
{
	return audit_fmt(r, "%s mounted at %s", e->fstype[0] ? e->fstype : "a filesystem",
			 e->mount[0] ? e->mount : "(not in mountinfo)");
}

int check_at_rest_encryption_with(const struct audit_ctx *c, struct audit_report *r,
				  const struct check_at_rest_sys *s)
{
	/* Under --root the image's files are still on one of this machine's devices. */
	const char *here = c->live ? "" : " (the device of this machine that holds the image)";
	struct store_list l;
	int err = stores_collect(c, &l);

	if (err)
		return err;
	for (size_t i = 0; i < l.n; i++) {
		const struct store_ref *ref = &l.v[i];
		struct audit_finding f = {
			.item = AUDIT_ITEM_AT_REST,
			.check = "at-rest-encryption",
			.tool = ref->store->tool,
			.subject = ref->path,
			.source = audit_fmt(r, CHECKLIST "; the path: %s", ref->store->source),
		};
		struct check_at_rest_enc e;

		err = check_at_rest_encryption_of(s, c, ref->path, &e);
		if (err) {
			f.status = AUDIT_SKIP;
			f.evidence = audit_fmt(r, "%s: could not be looked at: %s",
					       ref->store->what, strerror(-err));
			audit_add(r, &f);
			continue;
		}
		switch (e.mech) {
		case CHECK_AT_REST_DM_CRYPT:
			f.status = AUDIT_PASS;
			f.evidence = audit_fmt(r, "%s: dm-crypt: on %s%s, %s", ref->store->what,
					       e.device, here, mount_desc(r, &e));
			break;
		case CHECK_AT_REST_FSCRYPT:
			f.status = AUDIT_PASS;
			f.evidence = audit_fmt(r,
					       "%s: fscrypt: the directory has an encryption "
					       "policy (%s)",
					       ref->store->what, mount_desc(r, &e));
			break;
		case CHECK_AT_REST_ECRYPTFS:
			f.status = AUDIT_PASS;
			f.evidence = audit_fmt(r, "%s: eCryptfs: %s from %s", ref->store->what,
					       mount_desc(r, &e), e.source);
			break;
		case CHECK_AT_REST_NONE:
			f.status = AUDIT_WARN;
			f.evidence = audit_fmt(r,
					       "%s: not encrypted: on %s (%u:%u)%s, %s; no "
					       "dm-crypt device below it, no fscrypt policy, "
					       "not eCryptfs",
					       ref->store->what, e.device, e.major, e.minor, here,
					       mount_desc(r, &e));
			break;
		default:
			f.status = AUDIT_WARN;
			if (!strcmp(e.fstype, "tmpfs") || !strcmp(e.fstype, "ramfs")) {
				/* Gone at power-off, but swap (and hibernation) write it out. */
				f.evidence = audit_fmt(r,
						       "%s: in memory (%s), not on a disk: only "
						       "swap or a hibernation image may hold it",
						       ref->store->what, mount_desc(r, &e));
				break;
			}
			f.evidence = audit_fmt(r,
					       "%s: could not tell: %s from %s has no block "
					       "device to look at (device %u:%u); its own "
					       "encryption, if any, is not checked",
					       ref->store->what, mount_desc(r, &e),
					       e.source[0] ? e.source : "?", e.major, e.minor);
			break;
		}
		if (f.status != AUDIT_PASS)
			f.fix = "keep models and chats on an encrypted device: LUKS (cryptsetup "
				"luksFormat) for the disk or partition, or an encrypted home "
				"(fscrypt, systemd-homed)";
		audit_add(r, &f);
	}
	if (l.n == 0)
		audit_add(r, &(struct audit_finding){
				     .item = AUDIT_ITEM_AT_REST,
				     .status = AUDIT_SKIP,
				     .check = "at-rest-encryption",
				     .subject = "model stores and chat histories",
				     .evidence = "none of a known tool found in the audited homes",
			     });
	stores_free(&l);
	return 0;
}

int check_at_rest_encryption(const struct audit_ctx *c, struct audit_report *r)
{
	static const struct check_at_rest_sys here = { "/sys", "/proc/self/mountinfo" };

	return check_at_rest_encryption_with(c, r, &here);
}

/* ---- accounts: who owns what ---------------------------------------------------------- */

struct acct_user {
	const char *name;
	uint32_t uid, gid;
};

struct acct_group {
	const char *name, *members;
	uint32_t gid;
};

struct accounts {
	char *pw_text, *gr_text;
	struct acct_user *u;
	struct acct_group *g;
	size_t nu, ng;
};

static size_t count_lines(const char *text, size_t len)
{
	size_t lines = 1;

	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	return lines;
}

static void take_user(void *arg, const struct audit_passwd_entry *e)
{
	struct accounts *a = arg;

	a->u[a->nu++] = (struct acct_user){ .name = e->user, .uid = e->uid, .gid = e->gid };
}

static void take_group(void *arg, const struct audit_group_entry *e)
{
	struct accounts *a = arg;

	a->g[a->ng++] =
		(struct acct_group){ .name = e->name, .members = e->members, .gid = e->gid };
}

/* The root's passwd and group (untrusted lines: malformed ones are skipped). */
static void accounts_load(const struct audit_ctx *c, struct accounts *a)
{
	char path[PATH_MAX];
	size_t len, bad;

	*a = (struct accounts){ 0 };
	if (!audit_path(c, path, sizeof(path), "/etc/passwd") &&
	    !audit_read_file(c, path, ACCOUNTS_MAX, &a->pw_text, &len)) {
		a->u = calloc(count_lines(a->pw_text, len), sizeof(*a->u));
		if (a->u)
			audit_passwd_parse(a->pw_text, len, take_user, a, &bad);
	}
	if (!audit_path(c, path, sizeof(path), "/etc/group") &&
	    !audit_read_file(c, path, ACCOUNTS_MAX, &a->gr_text, &len)) {
		a->g = calloc(count_lines(a->gr_text, len), sizeof(*a->g));
		if (a->g)
			audit_group_parse(a->gr_text, len, take_group, a, &bad);
	}
}

static void accounts_free(struct accounts *a)
{
	free(a->pw_text);
	free(a->gr_text);
	free(a->u);
	free(a->g);
}

static const struct acct_user *user_by_uid(const struct accounts *a, uint32_t uid)
{
	for (size_t i = 0; i < a->nu; i++)
		if (a->u[i].uid == uid)
			return &a->u[i];
	return NULL;
}

static const struct acct_group *group_by_gid(const struct accounts *a, uint32_t gid)
{
	for (size_t i = 0; i < a->ng; i++)
		if (a->g[i].gid == gid)
			return &a->g[i];
	return NULL;
}

/*
 * Whether group gid is uid's private group (Debian's and Fedora's user private groups):
 * named as the user, with no other member and no other user's primary group. With no group
 * file to tell, a gid equal to the uid is taken as private, as those schemes allocate them.
 */
static bool group_private(const struct accounts *a, uint32_t gid, uint32_t uid)
{
	const struct acct_group *g = group_by_gid(a, gid);
	const struct acct_user *u = user_by_uid(a, uid);
	const char *m;

	if (!g)
		return gid == uid;
	if (!u || strcmp(g->name, u->name) != 0)
		return false;
	for (m = g->members; m && *m;) {
		size_t n = strcspn(m, ",");

		if (n && (n != strlen(u->name) || strncmp(m, u->name, n) != 0))
			return false;
		m += n + (m[n] == ',');
	}
	for (size_t i = 0; i < a->nu; i++)
		if (a->u[i].gid == gid && a->u[i].uid != uid)
			return false;
	return true;
}

/* ---- at-rest-permissions -------------------------------------------------------------- */

struct perm_walk {
	const struct audit_ctx *c;
	const struct accounts *a;
	uint32_t owner; /* the home's owner: another non-root owner is another user */
	bool has_owner;
	struct audit_walk walk;
	size_t top_unreadable; /* the store itself could not be listed */
	size_t readable, listable, writable, foreign, open;
	char ex_readable[600], ex_listable[600], ex_writable[600], ex_foreign[600];
};

static void owner_desc(const struct accounts *a, const struct stat *st, char *buf, size_t size)
{
	const struct acct_user *u = user_by_uid(a, st->st_uid);
	const struct acct_group *g = group_by_gid(a, st->st_gid);
	char un[16], gn[16];

	snprintf(un, sizeof(un), "%u", (unsigned int)st->st_uid);
	snprintf(gn, sizeof(gn), "%u", (unsigned int)st->st_gid);
	snprintf(buf, size, "%s:%s", u ? u->name : un, g ? g->name : gn);
}

static void example(struct perm_walk *w, char *ex, size_t size, const char *path,
		    const struct stat *st)
{
	char owner[128];

	if (ex[0])
		return;
	owner_desc(w->a, st, owner, sizeof(owner));
	snprintf(ex, size, "%.400s (%04o %.100s)", path, (unsigned int)(st->st_mode & 07777),
		 owner);
}

/* The permission bits (rwx) users other than the owner hold on an entry. */
static unsigned int foreign_bits(const struct perm_walk *w, const struct stat *st, bool judged)
{
	unsigned int b = st->st_mode & 07;

	if (!group_private(w->a, st->st_gid, st->st_uid))
		b |= (st->st_mode >> 3) & 07;
	/* Another user owning it reads it (and can chmod it) whatever its mode. */
	if (judged && w->has_owner && st->st_uid != 0 && st->st_uid != w->owner)
		b |= 07;
	return b;
}

/* Counts what other users can do with the entry at path; returns whether they can
 * enter it (a directory they reach with x). */
static bool judge(struct perm_walk *w, const char *path, const struct stat *st, bool reach_parent)
{
	unsigned int f = foreign_bits(w, st, true);

	if (w->has_owner && st->st_uid != 0 && st->st_uid != w->owner) {
		w->foreign++;
		example(w, w->ex_foreign, sizeof(w->ex_foreign), path, st);
	}
	if (f & 04)
		w->open++;
	if (S_ISDIR(st->st_mode)) {
		if (reach_parent && (f & 04)) {
			w->listable++;
			example(w, w->ex_listable, sizeof(w->ex_listable), path, st);
		}
		/* w and x on a directory: files in it can be replaced (not when sticky). */
		if (reach_parent && (f & 03) == 03 && !(st->st_mode & S_ISVTX)) {
			w->writable++;
			example(w, w->ex_writable, sizeof(w->ex_writable), path, st);
		}
		return reach_parent && (f & 01);
	}
	if (S_ISREG(st->st_mode)) {
		if (reach_parent && (f & 04)) {
			w->readable++;
			example(w, w->ex_readable, sizeof(w->ex_readable), path, st);
		}
		if (reach_parent && (f & 02)) {
			w->writable++;
			example(w, w->ex_writable, sizeof(w->ex_writable), path, st);
		}
	}
	return false;
}

/* The walk's callback: each entry judged; a directory's entries are reached when it is. */
static int perm_entry(void *arg, struct audit_walk_entry *e)
{
	struct perm_walk *w = arg;

	if (!e->st)
		return AUDIT_WALK_SKIP;
	e->flags = judge(w, e->path, e->st, e->flags != 0);
	return 0;
}

/*
 * Whether other users can pass through every directory above path, up to the audited root
 * (its files are the image's; above it is this machine) or "/". When not, *blocker names
 * the first that keeps them out.
 */
static bool ancestors_reach(struct perm_walk *w, const char *path, char *blocker, size_t size)
{
	const char *root = w->c->root && strcmp(w->c->root, "/") != 0 ? w->c->root : "";
	size_t rl = strlen(root);
	char buf[PATH_MAX];

	if (rl && (strncmp(path, root, rl) != 0 || path[rl] != '/'))
		rl = 0; /* a --home outside the root: up to this machine's "/" */
	snprintf(buf, sizeof(buf), "%s", path);
	for (;;) {
		char *slash = strrchr(buf, '/');
		struct stat st;
		int fd;

		if (!slash)
			return true;
		if (slash == buf)
			slash[1] = '\0';
		else
			*slash = '\0';
		if (strlen(buf) < (rl ? rl : 1))
			return true;
		fd = audit_open(w->c, buf, O_PATH);
		if (fd < 0)
			return true;
		if (fstat(fd, &st) == 0 && !(foreign_bits(w, &st, false) & 01)) {
			close(fd);
			example(w, blocker, size, buf, &st);
			return false;
		}
		close(fd);
		if (!strcmp(buf, "/") || strlen(buf) == rl)
			return true;
	}
}

static void perm_limits(struct audit_report *r, const struct perm_walk *w, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	if (w->walk.cut)
		n += (size_t)snprintf(buf, size, "; walk stopped after %u entries",
				      CHECK_AT_REST_MAX_ENTRIES);
	if (w->walk.deep && n < size)
		n += (size_t)snprintf(buf + n, size - n,
				      "; %zu directories deeper than %u levels not entered",
				      w->walk.deep, CHECK_AT_REST_MAX_DEPTH);
	if (w->walk.unreadable + w->top_unreadable && n < size)
		snprintf(buf + n, size - n, "; %zu directories could not be read%s",
			 w->walk.unreadable + w->top_unreadable,
			 w->c->privileged ? "" : " (not root)");
	(void)r;
}

static void judge_store(const struct audit_ctx *c, struct audit_report *r, const struct accounts *a,
			const struct store_ref *ref, bool chats)
{
	struct perm_walk *w = calloc(1, sizeof(*w));
	struct audit_finding f = {
		.item = AUDIT_ITEM_AT_REST,
		.check = "at-rest-permissions",
		.tool = ref->store->tool,
		.subject = ref->path,
		.source = audit_fmt(r, "the path: %s", ref->store->source),
	};
	char blocker[600] = "", limits[300], top[128], what[700], foreign[700] = "";
	const char *kind = chats ? "chat files" : "model files";
	struct stat st;
	bool anc, reach;
	int fd;

	if (!w) {
		audit_add(r, &(struct audit_finding){ .item = AUDIT_ITEM_AT_REST,
						      .status = AUDIT_SKIP,
						      .check = "at-rest-permissions",
						      .subject = ref->path,
						      .evidence = "out of memory" });
		return;
	}
	*w = (struct perm_walk){ .c = c,
				 .a = a,
				 .walk = { .max_depth = CHECK_AT_REST_MAX_DEPTH,
					   .max_entries = CHECK_AT_REST_MAX_ENTRIES,
					   .fn = perm_entry,
					   .arg = w } };
	if (ref->home) {
		w->owner = ref->home->uid;
		w->has_owner = true;
	}
	fd = audit_open(c, ref->path, O_PATH);
	if (fd < 0 || fstat(fd, &st)) {
		f.status = AUDIT_SKIP;
		f.evidence = audit_fmt(r, "%s: could not be looked at: %s", ref->store->what,
				       strerror(fd < 0 ? -fd : errno));
		audit_add(r, &f);
		if (fd >= 0)
			close(fd);
		free(w);
		return;
	}
	close(fd);
	anc = ancestors_reach(w, ref->path, blocker, sizeof(blocker));
	reach = judge(w, ref->path, &st, anc);
	if (S_ISDIR(st.st_mode) && audit_walk_dir(c, &w->walk, ref->path, reach) < 0)
		w->top_unreadable++;
	perm_limits(r, w, limits, sizeof(limits));
	owner_desc(a, &st, top, sizeof(top));
	if (S_ISDIR(st.st_mode))
		snprintf(what, sizeof(what), "%s (%04o %s, %zu entries under it)", ref->store->what,
			 (unsigned int)(st.st_mode & 07777), top, w->walk.entries);
	else
		snprintf(what, sizeof(what), "%s (%04o %s)", ref->store->what,
			 (unsigned int)(st.st_mode & 07777), top);
	if (w->foreign)
		snprintf(foreign, sizeof(foreign), "; owned by another user: %zu, e.g. %s",
			 w->foreign, w->ex_foreign);
	if (w->writable) {
		f.status = AUDIT_FAIL;
		f.evidence = audit_fmt(r,
				       "%s: other users can replace or add %s: %zu writable "
				       "by them, e.g. %s%s%s",
				       what, kind, w->writable, w->ex_writable, foreign, limits);
	} else if (w->readable) {
		/* Chats hold what people typed; models are mostly public weights. */
		f.status = chats ? AUDIT_FAIL : AUDIT_WARN;
		f.evidence = audit_fmt(r, "%s: other users can read %zu files, e.g. %s%s%s", what,
				       w->readable, w->ex_readable, foreign, limits);
	} else if (w->foreign) {
		f.status = AUDIT_WARN;
		f.evidence = audit_fmt(r,
				       "%s: the directories above keep other users out today%s%s",
				       what, foreign, limits);
	} else if (w->listable && chats) {
		f.status = AUDIT_WARN;
		f.evidence = audit_fmt(r,
				       "%s: other users cannot read the chats but can list "
				       "their names: %zu directories, e.g. %s%s",
				       what, w->listable, w->ex_listable, limits);
	} else if (w->open && !anc && chats) {
		f.status = AUDIT_WARN;
		f.evidence = audit_fmt(r,
				       "%s: %zu entries have modes that let other users read "
				       "them; only %s keeps them out%s",
				       what, w->open, blocker, limits);
	} else {
		f.status = AUDIT_PASS;
		f.evidence = audit_fmt(r, "%s: none readable by other users%s%s%s%s", what,
				       w->open && !anc ? " (modes are open, but " : "",
				       w->open && !anc ? blocker : "",
				       w->open && !anc ? " keeps them out)" : "", limits);
	}
	if (f.status != AUDIT_PASS)
		f.fix = w->foreign ?
				audit_fmt(r,
					  "chown -R %s '%s' and chmod -R go-rwx '%s' (and "
					  "umask 077 for the tool)",
					  ref->home && ref->home->user ? ref->home->user : "OWNER",
					  ref->path, ref->path) :
				audit_fmt(r,
					  "chmod -R go-rwx '%s' (and umask 077 for the "
					  "tool, so new files are private too)",
					  ref->path);
	audit_add(r, &f);
	free(w);
}

int check_at_rest_permissions(const struct audit_ctx *c, struct audit_report *r)
{
	struct accounts a;
	struct store_list l;
	int err = stores_collect(c, &l);

	if (err)
		return err;
	accounts_load(c, &a);
	for (size_t i = 0; i < l.n; i++)
		judge_store(c, r, &a, &l.v[i], l.v[i].store->kind == AUDIT_STORE_CHATS);
	if (l.n == 0)
		audit_add(r, &(struct audit_finding){
				     .item = AUDIT_ITEM_AT_REST,
				     .status = AUDIT_SKIP,
				     .check = "at-rest-permissions",
				     .subject = "model stores and chat histories",
				     .evidence = "none of a known tool found in the audited homes",
			     });
	accounts_free(&a);
	stores_free(&l);
	return 0;
}
