// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The stream of the line-oriented sinks: whole lines, rotation, reopening (see sink_file.h). */
#include "sinks/sink_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- options ------------------------------------------------------------------------- */

/* "N", "Nk", "NM", "NG" into bytes (>= 1). Returns 0 or -EINVAL. */
static int parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	if (*end == 'k' || *end == 'K')
		shift = 10, end++;
	else if (*end == 'M')
		shift = 20, end++;
	else if (*end == 'G')
		shift = 30, end++;
	if (*end || v == 0 || v > (1ull << 50) >> shift)
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

static int parse_keep(const char *s, unsigned int *out)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > SINK_FILE_KEEP_MAX)
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

int sink_file_parse(const char *arg, struct sink_file_opts *o, char *err, size_t errsz)
{
	size_t len = arg ? strlen(arg) : 1;
	bool have_size = false, have_keep = false;
	char *comma;

	memset(o, 0, sizeof(*o));
	if (len >= sizeof(o->path)) {
		snprintf(err, errsz, "path too long (%zu bytes)", len);
		return -EINVAL;
	}
	memcpy(o->path, arg ? arg : "-", len + 1);
	/* options are taken from the end, so that "a,b.json" stays a path */
	while ((comma = strrchr(o->path, ','))) {
		const char *opt = comma + 1;

		if (strncmp(opt, "max-size=", 9) == 0) {
			if (have_size || parse_size(opt + 9, &o->max_size)) {
				snprintf(err, errsz,
					 "\"%s\": %s (a size in bytes >= 1, with k, M or G "
					 "for KiB, MiB, GiB)",
					 opt, have_size ? "given twice" : "not a size");
				return -EINVAL;
			}
			have_size = true;
		} else if (strncmp(opt, "keep=", 5) == 0) {
			if (have_keep || parse_keep(opt + 5, &o->keep)) {
				snprintf(err, errsz, "\"%s\": %s (rotated files kept, 0 to %d)",
					 opt, have_keep ? "given twice" : "not a count",
					 SINK_FILE_KEEP_MAX);
				return -EINVAL;
			}
			have_keep = true;
		} else {
			break;
		}
		*comma = '\0';
	}
	if (have_keep && !have_size) {
		snprintf(err, errsz, "keep=%u without max-size=N: nothing would be rotated",
			 o->keep);
		return -EINVAL;
	}
	if (have_size && !have_keep)
		o->keep = SINK_FILE_KEEP_DEFAULT;
	if (have_size && strcmp(o->path, "-") == 0) {
		snprintf(err, errsz, "max-size: stdout cannot be rotated (give a file)");
		return -EINVAL;
	}
	if (!o->path[0]) {
		snprintf(err, errsz, "no path before the options");
		return -EINVAL;
	}
	return 0;
}

/* ---- opening --------------------------------------------------------------------------- */

static int init_line(struct sink_file *sf)
{
	memset(sf, 0, sizeof(*sf));
	sf->fd = -1;
	sf->write_fn = write;
	sf->line = open_memstream(&sf->line_buf, &sf->line_len);
	return sf->line ? 0 : -ENOMEM;
}

int sink_file_borrow(struct sink_file *sf, FILE *f)
{
	int err = init_line(sf);

	if (err)
		return err;
	sf->borrowed = f;
	return 0;
}

/*
 * Opens path for appending, truncated if trunc. llmwatch runs as root: a symlink planted
 * where an output is to go (a log directory another user can write to) would have it
 * truncate whatever the link names. The last component is never followed; a link there is
 * refused with ELOOP. O_APPEND: after logrotate's copytruncate, lines go to the start
 * again instead of leaving a hole. Returns the fd, its size in *size, or -errno.
 */
static int open_path(const char *path, bool trunc, uint64_t *size)
{
	int fd =
		open(path,
		     O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | (trunc ? O_TRUNC : 0),
		     0600);
	struct stat st;

	*size = 0;
	if (fd < 0)
		return -errno;
	*size = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
	return fd;
}

int sink_file_open(struct sink_file *sf, const char *arg, char *err, size_t errsz)
{
	struct sink_file_opts o;
	struct stat st;
	int e;

	e = sink_file_parse(arg, &o, err, errsz);
	if (e)
		return e;
	e = init_line(sf);
	if (e) {
		snprintf(err, errsz, "out of memory");
		return e;
	}
	if (strcmp(o.path, "-") == 0) {
		sf->fd = STDOUT_FILENO;
		return 0;
	}
	sf->path = strdup(o.path);
	if (!sf->path) {
		sink_file_close(sf);
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	sf->fd = open_path(o.path, true, &sf->size);
	if (sf->fd < 0) {
		e = sf->fd;
		snprintf(err, errsz, "cannot open %s: %s", o.path, strerror(-e));
		sink_file_close(sf);
		return e;
	}
	sf->owned = true;
	if (o.max_size && (fstat(sf->fd, &st) || !S_ISREG(st.st_mode))) {
		snprintf(err, errsz, "max-size: %s is not a regular file (nothing to rotate)",
			 o.path);
		sink_file_close(sf);
		return -EINVAL;
	}
	sf->max_size = o.max_size;
	sf->keep = o.keep;
	return 0;
}

/* ---- rotation and reopening ------------------------------------------------------------ */

/* path.n into buf, or path itself when n is 0. */
static void numbered(char *buf, size_t size, const char *path, unsigned int n)
{
	if (n)
		snprintf(buf, size, "%s.%u", path, n);
	else
		snprintf(buf, size, "%s", path);
}

/*
 * PATH.keep-1 -> PATH.keep, ..., PATH -> PATH.1 (the oldest replaced), then a new PATH. rename
 * moves a symlink found there, never what it names, so a link planted as PATH.2 is not
 * written through. With keep=0 PATH itself starts again empty. Returns 0 or -errno; the old
 * file is then kept open (and written: nothing is lost).
 */
static int rotate(struct sink_file *sf)
{
	char from[PATH_MAX + 16], to[PATH_MAX + 16];
	uint64_t size;
	int fd;

	for (unsigned int i = sf->keep; i > 0; i--) {
		numbered(from, sizeof(from), sf->path, i - 1);
		numbered(to, sizeof(to), sf->path, i);
		if (rename(from, to) && errno != ENOENT)
			return -errno;
	}
	fd = open_path(sf->path, true, &size);
	if (fd < 0)
		return fd;
	close(sf->fd);
	sf->fd = fd;
	sf->size = size;
	return 0;
}

int sink_file_reopen(struct sink_file *sf)
{
	uint64_t size;
	int fd;

	if (!sf->path || sf->borrowed)
		return 0;
	fd = open_path(sf->path, false, &size);
	if (fd < 0)
		return fd;
	if (sf->owned)
		close(sf->fd);
	sf->fd = fd;
	sf->owned = true;
	sf->size = size;
	sf->rotate_failed = false;
	return 0;
}

/* ---- writing --------------------------------------------------------------------------- */

FILE *sink_file_begin(struct sink_file *sf)
{
	rewind(sf->line);
	return sf->line;
}

/*
 * Removes the done bytes of a line that could not be written whole. The file position is
 * the end of what was written (O_APPEND, or our own writes), so the line began done bytes
 * before it. A pipe or terminal cannot take bytes back: there lseek fails and nothing is
 * done (short writes come there only from signals, and the loop finishes the line).
 */
static void cut_torn_line(struct sink_file *sf, size_t done)
{
	off_t end = lseek(sf->fd, 0, SEEK_CUR);

	if (end < 0 || (uint64_t)end < done)
		return;
	if (ftruncate(sf->fd, end - (off_t)done) == 0)
		lseek(sf->fd, end - (off_t)done, SEEK_SET);
}

/* len bytes in one write(2), more only if the kernel stops short. Returns 0 or -errno. */
static int write_whole(struct sink_file *sf, const char *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = sf->write_fn(sf->fd, buf + done, len - done);
		int err;

		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		err = n < 0 ? -errno : -EIO;
		if (done)
			cut_torn_line(sf, done);
		return err;
	}
	return 0;
}

int sink_file_write(struct sink_file *sf, const char *buf, size_t len)
{
	int err, rot = 0;

	if (sf->borrowed) {
		errno = 0;
		if (fwrite(buf, 1, len, sf->borrowed) == len)
			return 0;
		err = errno ? -errno : -EIO;
		clearerr(sf->borrowed);
		return err;
	}
	/* a line longer than max-size gets a file of its own: lines are never split */
	if (sf->max_size && !sf->rotate_failed && sf->size &&
	    sf->size + (uint64_t)len > sf->max_size) {
		rot = rotate(sf);
		sf->rotate_failed = rot != 0;
	}
	err = write_whole(sf, buf, len);
	if (err)
		return err;
	sf->size += (uint64_t)len;
	return rot;
}

int sink_file_end(struct sink_file *sf)
{
	off_t len;

	if (fflush(sf->line) || ferror(sf->line) || (len = ftello(sf->line)) < 0) {
		clearerr(sf->line);
		return -ENOMEM;
	}
	return sink_file_write(sf, sf->line_buf, (size_t)len);
}

int sink_file_flush(struct sink_file *sf)
{
	int err = 0;

	if (!sf->borrowed)
		return 0; /* every line is written as it ends */
	errno = 0;
	if (fflush(sf->borrowed) || ferror(sf->borrowed))
		err = errno ? -errno : -EIO;
	clearerr(sf->borrowed);
	return err;
}

int sink_file_close(struct sink_file *sf)
{
	int err = sink_file_flush(sf);

	if (sf->owned && sf->fd >= 0 && close(sf->fd) && !err)
		err = -errno;
	if (sf->line)
		fclose(sf->line);
	free(sf->line_buf);
	free(sf->path);
	memset(sf, 0, sizeof(*sf));
	sf->fd = -1;
	return err;
}
