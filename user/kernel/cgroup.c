// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Cgroup programs attached where watched processes live (see cgroup.h). */
#include "kernel/cgroup.h"

#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool cgroup_path_covers(const char *anc, const char *path)
{
	size_t n = strlen(anc);

	if (strcmp(anc, "/") == 0)
		return true;
	return strncmp(anc, path, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

int cgroup_parse_proc(const char *text, char *out, size_t size)
{
	const char *line = text;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);

		if (len >= 3 && memcmp(line, "0::", 3) == 0) {
			const char *p = line + 3;
			size_t plen = len - 3;

			if (plen == 0 || p[0] != '/')
				return -EINVAL;
			if (plen >= size)
				return -ENAMETOOLONG;
			memcpy(out, p, plen);
			out[plen] = '\0';
			/* outside our cgroup namespace (".." components): not under our mount */
			if (strstr(out, "/../") ||
			    (plen >= 3 && strcmp(out + plen - 3, "/..") == 0))
				return -EINVAL;
			return 0;
		}
		line = end ? end + 1 : NULL;
	}
	return -ENOENT;
}

static void detach(struct cgroup_attached *a, size_t nprogs)
{
	for (size_t i = 0; i < nprogs; i++)
		bpf_link__destroy(a->links[i]);
	free(a->path);
	free(a->pids);
}

/* Records that watched process pid was seen in (or below) a. 0 or -ENOMEM. */
static int add_pid(struct cgroup_attached *a, uint32_t pid)
{
	for (size_t i = 0; i < a->npids; i++)
		if (a->pids[i] == pid)
			return 0;
	if (a->npids == a->cappids) {
		size_t ncap = a->cappids ? a->cappids * 2 : 4;
		uint32_t *v = realloc(a->pids, ncap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		a->pids = v;
		a->cappids = ncap;
	}
	a->pids[a->npids++] = pid;
	return 0;
}

static int cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return (a > b) - (a < b);
}

/* Whether the cgroup attached as a is still the one at its path. */
static bool still_there(const struct cgroup_links *c, const struct cgroup_attached *a)
{
	char dir[4096];
	struct stat st;

	if ((size_t)snprintf(dir, sizeof(dir), "%s%s", c->root, a->path) >= sizeof(dir))
		return false;
	return stat(dir, &st) == 0 && (unsigned long long)st.st_ino == a->ino;
}

int cgroup_links_attach(struct cgroup_links *c, const char *path)
{
	struct cgroup_attached a = { 0 };
	char dir[4096];
	struct stat st;
	size_t i, kept;
	int fd, err = 0;

	for (i = 0, kept = 0; i < c->n; i++) {
		if (cgroup_path_covers(c->v[i].path, path) && !still_there(c, &c->v[i]))
			detach(&c->v[i], c->nprogs);
		else
			c->v[kept++] = c->v[i];
	}
	c->n = kept;
	for (i = 0; i < c->n; i++)
		if (cgroup_path_covers(c->v[i].path, path))
			return 0;
	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 8;
		struct cgroup_attached *v = realloc(c->v, ncap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		c->v = v;
		c->cap = ncap;
	}
	if ((size_t)snprintf(dir, sizeof(dir), "%s%s", c->root, path) >= sizeof(dir))
		return -ENAMETOOLONG;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		close(fd);
		return err;
	}
	a.ino = st.st_ino;
	a.path = strdup(path);
	if (!a.path) {
		close(fd);
		return -ENOMEM;
	}
	for (i = 0; i < c->nprogs; i++) {
		a.links[i] = bpf_program__attach_cgroup(c->progs[i], fd);
		if (!a.links[i]) {
			err = -errno;
			break;
		}
	}
	close(fd);
	if (err) {
		detach(&a, i);
		return err;
	}
	/*
	 * Attached cgroups below this one would now run every program twice. They are
	 * detached after the attach, not before: a packet seen twice for a moment beats one
	 * not seen at all.
	 */
	for (i = 0, kept = 0; i < c->n; i++) {
		if (cgroup_path_covers(path, c->v[i].path)) {
			/* its processes' sockets are below the new one now: their claim moves up */
			for (size_t j = 0; j < c->v[i].npids; j++)
				add_pid(&a, c->v[i].pids[j]);
			detach(&c->v[i], c->nprogs);
		} else {
			c->v[kept++] = c->v[i];
		}
	}
	c->n = kept;
	c->v[c->n++] = a;
	return 0;
}

int cgroup_of_pid(const char *proc_root, uint32_t pid, char *out, size_t size)
{
	char file[64 + 256], text[4096];
	ssize_t n;
	int fd, err;

	snprintf(file, sizeof(file), "%s/%u/cgroup", proc_root, pid);
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	n = read(fd, text, sizeof(text) - 1);
	err = n < 0 ? -errno : 0;
	close(fd);
	if (err)
		return err == -ENOENT ? -ESRCH : err;
	text[n] = '\0';
	return cgroup_parse_proc(text, out, size);
}

/* Whether pid was counted as unattached before; remembers it if not (the oldest goes). */
static bool counted_before(struct cgroup_links *c, uint32_t pid)
{
	for (size_t i = 0; i < CGROUP_FAILED_PIDS; i++)
		if (c->failed_pids[i] == pid)
			return true;
	c->failed_pids[c->failed_next] = pid;
	c->failed_next = (c->failed_next + 1) % CGROUP_FAILED_PIDS;
	return false;
}

/* The attached cgroup that covers path, or NULL. */
static struct cgroup_attached *covering(struct cgroup_links *c, const char *path)
{
	for (size_t i = 0; i < c->n; i++)
		if (cgroup_path_covers(c->v[i].path, path))
			return &c->v[i];
	return NULL;
}

/* Attaches (if need be) where path is, and records pid there. 0 or -errno. */
static int attach_for(struct cgroup_links *c, const char *path, uint32_t pid)
{
	struct cgroup_attached *a;
	int err = cgroup_links_attach(c, path);

	if (err)
		return err;
	a = covering(c, path);
	return a ? add_pid(a, pid) : -ENOENT;
}

int cgroup_links_attach_pid(struct cgroup_links *c, const char *proc_root, uint32_t pid)
{
	char path[4096];
	int err = cgroup_of_pid(proc_root, pid, path, sizeof(path));

	if (!err)
		err = attach_for(c, path, pid);
	if (err && err != -ESRCH)
		counted_before(c, pid);
	return err;
}

size_t cgroup_links_sweep(struct cgroup_links *c, const char *proc_root, const uint32_t *pids,
			  size_t n, unsigned int idle_max)
{
	char path[4096];
	size_t failed = 0, i, kept;
	uint32_t *alive = n ? malloc(n * sizeof(*alive)) : NULL;

	/* a cgroup removed since its attach took its programs with it */
	for (i = 0, kept = 0; i < c->n; i++) {
		if (!still_there(c, &c->v[i]))
			detach(&c->v[i], c->nprogs);
		else
			c->v[kept++] = c->v[i];
	}
	c->n = kept;
	/*
	 * Each cgroup keeps the processes seen there that are still watched (without memory
	 * to tell, it keeps them all this time: detaching too early loses what is seen).
	 */
	if (alive || !n) {
		if (n) {
			memcpy(alive, pids, n * sizeof(*alive));
			qsort(alive, n, sizeof(*alive), cmp_u32);
		}
		for (i = 0; i < c->n; i++) {
			struct cgroup_attached *a = &c->v[i];
			size_t k = 0;

			for (size_t j = 0; j < a->npids; j++)
				if (n && bsearch(&a->pids[j], alive, n, sizeof(*alive), cmp_u32))
					a->pids[k++] = a->pids[j];
			a->npids = k;
		}
	}
	free(alive);
	for (i = 0; i < n; i++) {
		struct cgroup_attached *a;
		int err = cgroup_of_pid(proc_root, pids[i], path, sizeof(path));

		if (err)
			continue;
		a = covering(c, path);
		if (a) {
			add_pid(a, pids[i]); /* no memory: the next sweep records it */
			continue;
		}
		/* moved without an exec: attach where it is now */
		if (attach_for(c, path, pids[i]))
			failed += !counted_before(c, pids[i]);
	}
	for (i = 0, kept = 0; i < c->n; i++) {
		struct cgroup_attached *a = &c->v[i];

		a->idle = a->npids ? 0 : a->idle + 1;
		if (a->idle >= idle_max)
			detach(a, c->nprogs);
		else
			c->v[kept++] = *a;
	}
	c->n = kept;
	return failed;
}

void cgroup_links_free(struct cgroup_links *c)
{
	for (size_t i = 0; i < c->n; i++)
		detach(&c->v[i], c->nprogs);
	free(c->v);
	c->v = NULL;
	c->n = c->cap = 0;
}
