// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A snapshot of /proc (see procscan.h). */
#include "core/procscan.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int procscan_read_stat(const char *proc_root, uint32_t pid, struct procscan_stat *out)
{
	char path[PATH_MAX], buf[1024];
	unsigned long long start_ticks = 0, vsize = 0;
	char *open_paren, *close_paren;
	size_t n, clen;
	FILE *f;

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "%s/%u/stat", proc_root, pid);
	f = fopen(path, "re");
	if (!f)
		return -ENOENT;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* the name may itself contain ") ": it runs from the first "(" to the last ")" */
	open_paren = strchr(buf, '(');
	close_paren = strrchr(buf, ')');
	if (!open_paren || !close_paren || close_paren < open_paren)
		return -ENOENT;
	clen = (size_t)(close_paren - open_paren - 1);
	if (clen > LW_COMM_LEN - 1)
		clen = LW_COMM_LEN - 1;
	memcpy(out->comm, open_paren + 1, clen);
	/* after ") ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
	 * utime stime cutime cstime priority nice threads itrealvalue starttime vsize */
	/* NOLINTNEXTLINE(cert-err34-c): the kernel writes these numbers; they fit their types */
	if (sscanf(close_paren + 1,
		   " %*c %u %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d "
		   "%*d %*d %*d %*d %llu %llu",
		   &out->ppid, &start_ticks, &vsize) != 3)
		return -ENOENT;
	out->start_ticks = start_ticks;
	out->vsize = vsize;
	return 0;
}

int procscan_read_cmdline(const char *proc_root, uint32_t pid, char *buf, size_t size, int *cut)
{
	char path[PATH_MAX], extra;
	size_t n;
	FILE *f;

	buf[0] = '\0';
	*cut = 0;
	snprintf(path, sizeof(path), "%s/%u/cmdline", proc_root, pid);
	f = fopen(path, "re");
	if (!f)
		return -ENOENT;
	/* size bytes: the last argument's NUL may take the place of the terminator */
	n = fread(buf, 1, size, f);
	if (n == size && fread(&extra, 1, 1, f) == 1)
		*cut = 1;
	fclose(f);
	/* arguments end in NUL; the last one's NUL is not a separator */
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	if (n > size - 1) {
		n = size - 1;
		*cut = 1;
	}
	buf[n] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\0')
			buf[i] = ' ';
	}
	return (int)n;
}

int procscan_read_netns(const char *proc_root, uint32_t pid, uint64_t *ino)
{
	char path[PATH_MAX];
	struct stat st;

	*ino = 0;
	if (pid)
		snprintf(path, sizeof(path), "%s/%u/ns/net", proc_root, pid);
	else
		snprintf(path, sizeof(path), "%s/self/ns/net", proc_root);
	/* stat follows the magic link to the namespace itself: its inode names it */
	if (stat(path, &st))
		return -errno;
	*ino = (uint64_t)st.st_ino;
	return *ino ? 0 : -ENOENT;
}

int procscan_read(const char *proc_root, uint32_t pid, struct procscan_entry *e)
{
	char path[PATH_MAX];
	struct procscan_stat ps;
	struct stat st;
	ssize_t len;
	long hz;

	memset(e, 0, sizeof(*e));
	e->pid = pid;
	if (procscan_read_stat(proc_root, pid, &ps))
		return -ENOENT;
	memcpy(e->comm, ps.comm, sizeof(ps.comm));
	e->ppid = ps.ppid;
	e->start_ticks = ps.start_ticks;
	hz = sysconf(_SC_CLK_TCK);
	if (hz > 0)
		e->start_ns = ps.start_ticks * (1000000000ull / (unsigned long long)hz);
	snprintf(path, sizeof(path), "%s/%u", proc_root, pid);
	if (stat(path, &st) == 0)
		e->uid = st.st_uid;
	snprintf(path, sizeof(path), "%s/%u/exe", proc_root, pid);
	len = readlink(path, e->exe, sizeof(e->exe) - 1);
	e->exe[len > 0 ? len : 0] = '\0';
	return 0;
}

int procscan_list(const char *proc_root, struct procscan_entry **out, size_t *n)
{
	struct procscan_entry *v = NULL;
	size_t cap = 0, cnt = 0;
	struct dirent *d;
	DIR *dir = opendir(proc_root);

	if (!dir)
		return -errno;
	while ((d = readdir(dir))) {
		char *end;
		unsigned long pid = strtoul(d->d_name, &end, 10);

		if (*end || pid == 0 || pid > UINT32_MAX)
			continue;
		if (cnt == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct procscan_entry *nv = realloc(v, ncap * sizeof(*v));

			if (!nv) {
				free(v);
				closedir(dir);
				return -ENOMEM;
			}
			v = nv;
			cap = ncap;
		}
		if (procscan_read(proc_root, (uint32_t)pid, &v[cnt]) == 0)
			cnt++;
	}
	closedir(dir);
	*out = v;
	*n = cnt;
	return 0;
}

int procscan_self_has_cap(const char *proc_root, unsigned int cap)
{
	char path[PATH_MAX], line[256];
	int found = -EBADMSG;
	FILE *f;

	if (cap >= 64)
		return -EINVAL;
	snprintf(path, sizeof(path), "%s/self/status", proc_root);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *end;
		unsigned long long eff;

		if (strncmp(line, "CapEff:", 7) != 0)
			continue;
		errno = 0;
		eff = strtoull(line + 7, &end, 16);
		if (!errno && end != line + 7 && (*end == '\n' || *end == '\0'))
			found = (int)((eff >> cap) & 1);
		break;
	}
	fclose(f);
	return found;
}
