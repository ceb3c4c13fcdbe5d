// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* eval's output directory (see eval_out.h). */
#include "cmd/eval_out.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/escape.h"

void eval_out_default_name(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(buf, size, "llmwatch-eval-%Y%m%d-%H%M%S", &tm))
		snprintf(buf, size, "llmwatch-eval-%lld", (long long)t);
}

/* Whether path is a directory with nothing in it; -errno if it cannot be read. */
static int is_empty_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int empty = 1;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			empty = 0;
			break;
		}
	}
	closedir(d);
	return empty;
}

int eval_out_prepare(struct eval_out *o, const char *dir, char *err, size_t n)
{
	char shown[512];
	int r;

	memset(o, 0, sizeof(*o));
	escape_str(shown, sizeof(shown), dir);
	if (!*dir || snprintf(o->dir, sizeof(o->dir), "%s", dir) >= (int)sizeof(o->dir)) {
		snprintf(err, n, "--out \"%s\": empty or too long", shown);
		return -1;
	}
	if (mkdir(dir, 0700) == 0) {
		o->created = true;
		/* the umask may have taken bits the mode asked for; it never adds any */
		if (chmod(dir, 0700)) {
			snprintf(err, n, "--out \"%s\": %s", shown, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (errno != EEXIST) {
		snprintf(err, n, "--out \"%s\": cannot create it: %s", shown, strerror(errno));
		return -1;
	}
	r = is_empty_dir(dir);
	if (r < 0) {
		snprintf(err, n, "--out \"%s\": exists and is not a readable directory: %s", shown,
			 strerror(-r));
		return -1;
	}
	if (!r) {
		snprintf(err, n,
			 "--out \"%s\": exists and is not empty; eval never overwrites: give a new "
			 "or empty directory",
			 shown);
		return -1;
	}
	return 0;
}

int eval_out_path(const struct eval_out *o, const char *name, char *buf, size_t size)
{
	return snprintf(buf, size, "%s/%s", o->dir, name) >= (int)size ? -ENAMETOOLONG : 0;
}

FILE *eval_out_create(const struct eval_out *o, const char *name)
{
	char path[4352];
	FILE *f;
	int fd;

	if (eval_out_path(o, name, path, sizeof(path))) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return NULL;
	f = fdopen(fd, "w");
	if (!f) {
		int e = errno;

		close(fd);
		errno = e;
	}
	return f;
}

int eval_out_give(const struct eval_out *o, const char *const *names, uid_t uid, gid_t gid)
{
	int first = 0;

	for (; *names; names++) {
		char path[4352];

		if (eval_out_path(o, *names, path, sizeof(path)))
			continue;
		if (fchownat(AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW) && errno != ENOENT) {
			if (!first)
				first = -errno;
			fprintf(stderr, "llmwatch: giving %s to uid %u: %s\n", *names,
				(unsigned int)uid, strerror(errno));
		}
	}
	if (o->created && fchownat(AT_FDCWD, o->dir, uid, gid, AT_SYMLINK_NOFOLLOW)) {
		if (!first)
			first = -errno;
		fprintf(stderr, "llmwatch: giving the output directory to uid %u: %s\n",
			(unsigned int)uid, strerror(errno));
	}
	return first;
}
