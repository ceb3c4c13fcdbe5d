// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * File access for the audit's checks (audit_files.h): paths under the audited root, opened
 * inside it, read with a bound; and the two small parsers most settings files need (Qt's
 * INI, yes/no values).
 */
#include "audit/audit_files.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static bool root_is_slash(const struct audit_ctx *c)
{
	return !c->root || !c->root[0] || strcmp(c->root, "/") == 0;
}

int audit_path(const struct audit_ctx *c, char *out, size_t size, const char *fmt, ...)
{
	const char *root = root_is_slash(c) ? "" : c->root;
	size_t rl = strlen(root);
	va_list ap;
	int n;

	if (size == 0)
		return -ENAMETOOLONG;
	if (rl >= size) {
		snprintf(out, size, "%s", root);
		return -ENAMETOOLONG;
	}
	snprintf(out, size, "%s", root);
	va_start(ap, fmt);
	n = vsnprintf(out + rl, size - rl, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= size - rl ? -ENAMETOOLONG : 0;
}

/*
 * The part of path under the root, without its leading slashes, or NULL when path is not
 * under it (a --home elsewhere on this machine, opened as it is).
 */
static const char *under_root(const struct audit_ctx *c, const char *path)
{
	size_t rl;

	if (root_is_slash(c))
		return NULL;
	rl = strlen(c->root);
	if (strncmp(path, c->root, rl) != 0 || (path[rl] != '/' && path[rl] != '\0'))
		return NULL;
	path += rl;
	while (*path == '/')
		path++;
	return path;
}

int audit_open(const struct audit_ctx *c, const char *path, int flags)
{
	const char *rel = under_root(c, path);
	struct open_how how;
	int dirfd, fd;

	/* openat2() refuses O_PATH with any flag it ignores, O_NOCTTY among them. */
	flags |= O_CLOEXEC | (flags & O_PATH ? 0 : O_NOCTTY);
	how = (struct open_how){ .flags = (uint64_t)flags };
	if (!rel) {
		fd = open(path, flags);
		return fd < 0 ? -errno : fd;
	}
	dirfd = open(c->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -errno;
	/* RESOLVE_IN_ROOT: "/x" and ".." in the image's links resolve as if root were "/". */
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	fd = (int)syscall(SYS_openat2, dirfd, rel[0] ? rel : ".", &how, sizeof(how));
	if (fd < 0)
		fd = -errno;
	close(dirfd);
	return fd;
}

DIR *audit_opendir(const struct audit_ctx *c, const char *path)
{
	int fd = audit_open(c, path, O_RDONLY | O_DIRECTORY);
	DIR *d;

	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	d = fdopendir(fd);
	if (!d) {
		int e = errno;

		close(fd);
		errno = e;
	}
	return d;
}

int audit_read_file(const struct audit_ctx *c, const char *path, size_t max, char **text,
		    size_t *len)
{
	struct stat st;
	size_t got = 0;
	char *buf;
	int fd, err = 0;

	*text = NULL;
	*len = 0;
	fd = audit_open(c, path, O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0) {
		err = -errno;
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		err = -EISDIR;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err = -EINVAL; /* a FIFO or a device would block or never end */
		goto out;
	}
	if ((uint64_t)st.st_size > max) {
		err = -EFBIG;
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	/* The file may grow while read: never past what was allocated, one byte more tells. */
	while (got <= (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size + 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			free(buf);
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got > (size_t)st.st_size) {
		free(buf);
		err = -EFBIG;
		goto out;
	}
	buf[got] = '\0';
	*text = buf;
	*len = got;
out:
	close(fd);
	return err;
}

bool audit_exists(const struct audit_ctx *c, const char *path, bool *is_dir)
{
	struct stat st;
	int fd = audit_open(c, path, O_PATH | O_NOFOLLOW);
	bool ok;

	if (is_dir)
		*is_dir = false;
	if (fd < 0)
		return false;
	ok = fstat(fd, &st) == 0;
	close(fd);
	if (ok && S_ISLNK(st.st_mode)) {
		/* A link: what it leads to (inside the root) decides. */
		fd = audit_open(c, path, O_PATH);
		if (fd < 0)
			return false;
		ok = fstat(fd, &st) == 0;
		close(fd);
	}
	if (ok && is_dir)
		*is_dir = S_ISDIR(st.st_mode);
	return ok;
}

unsigned int audit_line_of(const char *text, size_t len, size_t off)
{
	unsigned int line = 1;

	if (off > len)
		off = len;
	for (size_t i = 0; i < off; i++)
		line += text[i] == '\n';
	return line;
}

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

/* [s, e) with blanks removed at both ends. */
static void trim(const char **s, const char **e)
{
	while (*s < *e && is_blank(**s))
		(*s)++;
	while (*e > *s && is_blank((*e)[-1]))
		(*e)--;
}

static bool span_eq(const char *s, const char *e, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(e - s) == n && memcmp(s, word, n) == 0;
}

bool audit_ini_get(const char *text, size_t len, const char *section, const char *key,
		   const char **value, size_t *vlen, unsigned int *line)
{
	const char *p = text, *end = text + len;
	/* Qt writes keys of no group under [General]. */
	bool in = !section || !section[0], found = false;
	unsigned int n = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end, *s = p, *eq;

		n++;
		p = nl ? nl + 1 : end;
		trim(&s, &e);
		if (s == e || *s == ';' || *s == '#')
			continue;
		if (*s == '[') {
			const char *close = e > s && e[-1] == ']' ? e - 1 : NULL;

			if (!close)
				continue;
			if (!section || !section[0])
				in = span_eq(s + 1, close, "General");
			else
				in = span_eq(s + 1, close, section);
			continue;
		}
		if (!in)
			continue;
		eq = memchr(s, '=', (size_t)(e - s));
		if (!eq)
			continue;
		{
			const char *ks = s, *ke = eq, *vs = eq + 1, *ve = e;

			trim(&ks, &ke);
			trim(&vs, &ve);
			if (!span_eq(ks, ke, key))
				continue;
			if (ve - vs >= 2 && *vs == '"' && ve[-1] == '"') {
				vs++;
				ve--;
			}
			*value = vs;
			*vlen = (size_t)(ve - vs);
			*line = n;
			found = true; /* the last assignment wins: keep looking */
		}
	}
	return found;
}

static bool word_in(const char *v, size_t len, const char *const *words)
{
	const char *s = v, *e = v + len;

	trim(&s, &e);
	for (; *words; words++)
		if (strlen(*words) == (size_t)(e - s) &&
		    strncasecmp(s, *words, (size_t)(e - s)) == 0)
			return true;
	return false;
}

bool audit_value_true(const char *v, size_t len)
{
	static const char *const yes[] = { "1", "true", "yes", "on", NULL };

	return word_in(v, len, yes);
}

bool audit_value_false(const char *v, size_t len)
{
	static const char *const no[] = { "0", "false", "no", "off", NULL };

	return word_in(v, len, no);
}
