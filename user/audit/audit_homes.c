// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The homes an audit looks in (audit_homes.h). */
#include "audit/audit_homes.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit_files.h"
#include "audit/audit_stores.h"

#define PASSWD_MAX_BYTES (4u << 20)

static char *keep(struct audit_homes *l, char *s)
{
	if (!s || l->n_owned == sizeof(l->owned) / sizeof(l->owned[0])) {
		free(s);
		return NULL;
	}
	l->owned[l->n_owned++] = s;
	return s;
}

int audit_homes_add(const struct audit_ctx *c, struct audit_homes *l, const char *path,
		    const char *user)
{
	struct audit_home h;
	struct stat st;
	int fd;

	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->h[i].path, path))
			return 0;
	fd = audit_open(c, path, O_PATH | O_DIRECTORY);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st)) {
		int err = -errno;

		close(fd);
		return err;
	}
	close(fd);
	/* A home others cannot list (0700, not root): audited as far as it goes, and said. */
	fd = audit_open(c, path, O_RDONLY | O_DIRECTORY);
	if (fd >= 0)
		close(fd);
	if (l->n == AUDIT_HOMES_MAX) {
		l->cut++;
		return 0;
	}
	h = (struct audit_home){ .path = keep(l, strdup(path)),
				 .uid = st.st_uid,
				 .read_err = fd < 0 ? fd : 0 };
	if (h.path && user)
		h.user = keep(l, strdup(user));
	if (!h.path || (user && !h.user))
		return -ENOMEM;
	l->h[l->n++] = h;
	return 0;
}

/* A uid or gid: decimal digits only, at most UINT32_MAX. */
static bool parse_uid(const char *s, uint32_t *out)
{
	unsigned long long v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned int)(*s - '0');
		if (v > UINT32_MAX)
			return false;
	}
	*out = (uint32_t)v;
	return true;
}

/*
 * The next line of [*p, end) cut in place into at most max colon-separated fields; returns
 * how many, or -1 when there were more. An empty line gives 1 field, "".
 */
static int next_line(char **p, char *end, char **f, int max)
{
	char *nl = memchr(*p, '\n', (size_t)(end - *p)), *q = *p;
	int n = 0;

	if (nl)
		*nl = '\0';
	for (; n < max && q; n++) {
		f[n] = q;
		q = strchr(q, ':');
		if (q)
			*q++ = '\0';
	}
	*p = nl ? nl + 1 : end;
	return q ? -1 : n;
}

void audit_passwd_parse(char *text, size_t len, audit_passwd_fn fn, void *arg, size_t *bad)
{
	char *p = text, *end = text + len;
	unsigned int line = 0;

	*bad = 0;
	while (p < end) {
		char *f[7] = { NULL };
		uint32_t uid, gid;
		int n = next_line(&p, end, f, 7);

		line++;
		if (n == 1 && f[0][0] == '\0')
			continue; /* an empty line */
		if (n != 7 || !f[0][0] || !parse_uid(f[2], &uid) || !parse_uid(f[3], &gid)) {
			(*bad)++;
			continue;
		}
		fn(arg, &(struct audit_passwd_entry){ .user = f[0],
						      .uid = uid,
						      .gid = gid,
						      .home = f[5],
						      .shell = f[6],
						      .line = line });
	}
}

void audit_group_parse(char *text, size_t len, audit_group_fn fn, void *arg, size_t *bad)
{
	char *p = text, *end = text + len;
	unsigned int line = 0;

	*bad = 0;
	while (p < end) {
		char *f[4] = { NULL };
		uint32_t gid;
		int n = next_line(&p, end, f, 4);

		line++;
		if (n == 1 && f[0][0] == '\0')
			continue;
		if (n < 3 || !f[0][0] || !parse_uid(f[2], &gid)) {
			(*bad)++;
			continue;
		}
		fn(arg,
		   &(struct audit_group_entry){
			   .name = f[0], .gid = gid, .members = n == 4 ? f[3] : "", .line = line });
	}
}

/* Whether a home holds any tool's files (a service account such as ollama's). */
static bool holds_a_store(const struct audit_ctx *c, const char *home)
{
	char path[PATH_MAX];

	for (size_t i = 0; i < audit_n_stores; i++) {
		const struct audit_store *s = &audit_stores[i];

		if (s->path[0] != '/' &&
		    snprintf(path, sizeof(path), "%s/%s", home, s->path) < (int)sizeof(path) &&
		    audit_exists(c, path, NULL))
			return true;
	}
	return false;
}

struct from_passwd {
	const struct audit_ctx *c;
	struct audit_homes *l;
	int err;
};

static void take_entry(void *arg, const struct audit_passwd_entry *e)
{
	struct from_passwd *fp = arg;
	char home[PATH_MAX];
	bool is_dir;
	int err;

	if (e->home[0] != '/' || audit_path(fp->c, home, sizeof(home), "%s", e->home) ||
	    !audit_exists(fp->c, home, &is_dir) || !is_dir)
		return;
	if (e->uid != 0 && (e->uid < 1000 || e->uid > 65533) && !holds_a_store(fp->c, home))
		return;
	err = audit_homes_add(fp->c, fp->l, home, e->user);
	if (err == -ENOMEM)
		fp->err = err;
}

int audit_homes_from_passwd(const struct audit_ctx *c, struct audit_homes *l)
{
	struct from_passwd fp = { .c = c, .l = l };
	char path[PATH_MAX], *text;
	size_t len, bad;
	int err;

	err = audit_path(c, path, sizeof(path), "/etc/passwd");
	if (err)
		return err;
	err = audit_read_file(c, path, PASSWD_MAX_BYTES, &text, &len);
	if (err)
		return err;
	audit_passwd_parse(text, len, take_entry, &fp, &bad);
	free(text);
	return fp.err;
}

void audit_homes_free(struct audit_homes *l)
{
	for (size_t i = 0; i < l->n_owned; i++)
		free(l->owned[i]);
	l->n_owned = 0;
	l->n = 0;
}
