// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Reading the files rules and profiles come from: a file, or a directory's "*.json" files in
 * name order, each bounded in size; a path that cannot be read is an error naming it.
 */
#include "rules/rules_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RULES_MAX_FILE (16u << 20)

static int read_file(const char *path, struct rules_errors *e, rules_files_fn fn, void *ctx)
{
	struct rules_src tmp = { .name = (char *)path };
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		goto fail;
	}
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *nb;

			if (cap >= RULES_MAX_FILE) {
				err = -EFBIG;
				goto fail;
			}
			cap = cap ? cap * 2 : 8192;
			nb = realloc(buf, cap);
			if (!nb) {
				err = -ENOMEM;
				goto fail;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	err = fn(ctx, path, buf ? buf : "", len);
	free(buf);
	return err;
fail:
	if (fd >= 0)
		close(fd);
	free(buf);
	rules_load_errorf(e, &tmp, 0, 0, "cannot read: %s",
			  err == -EFBIG ? "larger than 16 MiB" : strerror(-err));
	return err;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int rules_files_read(const char *path, struct rules_errors *e, rules_files_fn fn, void *ctx)
{
	struct rules_src tmp = { .name = (char *)path };
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;
	struct stat st;
	DIR *d;
	int err = 0;

	if (stat(path, &st) < 0) {
		err = -errno;
		rules_load_errorf(e, &tmp, 0, 0, "cannot read: %s", strerror(errno));
		return err;
	}
	if (!S_ISDIR(st.st_mode))
		return read_file(path, e, fn, ctx);
	d = opendir(path);
	if (!d) {
		err = -errno;
		rules_load_errorf(e, &tmp, 0, 0, "cannot read: %s", strerror(errno));
		return err;
	}
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		char **nn;

		/* hidden files are editor backups and the like */
		if (l < 6 || de->d_name[0] == '.' || strcmp(de->d_name + l - 5, ".json") != 0)
			continue;
		nn = realloc(names, (n + 1) * sizeof(*nn));
		if (!nn || asprintf(&nn[n], "%s%s%s", path,
				    path[strlen(path) - 1] == '/' ? "" : "/", de->d_name) < 0) {
			names = nn ? nn : names;
			err = -ENOMEM;
			break;
		}
		names = nn;
		n++;
	}
	closedir(d);
	if (!err) {
		if (n)
			qsort(names, n, sizeof(*names), cmp_str);
		else
			rules_load_errorf(e, &tmp, 0, 0, "no *.json files in this directory");
		for (size_t i = 0; i < n; i++) {
			int ferr = read_file(names[i], e, fn, ctx);

			if (ferr && !err)
				err = ferr;
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return err;
}
