// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The stream of the line-oriented sinks (see sink_file.h). */
#include "sinks/sink_file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int sink_file_open(struct sink_file *sf, const char *path, char *err, size_t errsz)
{
	FILE *f;
	int fd, e;

	if (!path || strcmp(path, "-") == 0) {
		sink_file_borrow(sf, stdout);
		return 0;
	}
	/*
	 * llmwatch runs as root: a symlink planted where an output is to go (a log directory
	 * another user can write to) would have it truncate whatever the link names. The last
	 * component is never followed; a link there is refused with ELOOP.
	 */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		e = errno;
		snprintf(err, errsz, "cannot open %s: %s", path, strerror(e));
		return -e;
	}
	f = fdopen(fd, "w");
	if (!f) {
		e = errno;
		close(fd);
		snprintf(err, errsz, "cannot open %s: %s", path, strerror(e));
		return -e;
	}
	sf->f = f;
	sf->owned = true;
	return 0;
}

FILE *sink_file_begin(struct sink_file *sf)
{
	errno = 0;
	return sf->f;
}

int sink_file_end(struct sink_file *sf)
{
	int e = errno;

	if (!ferror(sf->f))
		return 0;
	clearerr(sf->f);
	return e ? -e : -EIO;
}

int sink_file_flush(struct sink_file *sf)
{
	int err = 0;

	errno = 0;
	if (fflush(sf->f) || ferror(sf->f))
		err = errno ? -errno : -EIO;
	clearerr(sf->f);
	return err;
}

int sink_file_close(struct sink_file *sf)
{
	int err;

	if (!sf->f)
		return 0;
	err = sink_file_flush(sf);
	if (sf->owned && fclose(sf->f) && !err)
		err = -errno;
	sf->f = NULL;
	return err;
}
