/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Where the cgroup programs (sock_addr hooks, cgroup_skb) run. Attached to the root of the
 * cgroup2 hierarchy (the default) they run for every socket and packet of the machine;
 * with `--cgroups watched` they are attached only to the cgroups that watched processes
 * live in, when such a process is first seen there, so every other process pays nothing
 * for them. Cgroup programs of a cgroup also run for its descendants, so a cgroup below
 * one already attached is left alone, and attaching above attached ones detaches those
 * (or each packet would be seen twice).
 */
#ifndef LW_CGROUP_ATTACH_H
#define LW_CGROUP_ATTACH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CGROUP_PROGS_MAX 16

struct bpf_program;
struct bpf_link;

struct cgroup_attached {
	char *path;			/* relative to the hierarchy's root: "/" or "/a/b" */
	unsigned long long ino;		/* its inode: the cgroup's id, never reused */
	struct bpf_link *links[CGROUP_PROGS_MAX];
};

struct cgroup_links {
	char root[256];			/* where cgroup2 is mounted */
	struct bpf_program *progs[CGROUP_PROGS_MAX];
	size_t nprogs;
	struct cgroup_attached *v;
	size_t n, cap;
};

/* Whether cgroup ANC (a path relative to the root) is PATH or one of its ancestors. */
bool cgroup_path_covers(const char *anc, const char *path);

/*
 * The cgroup2 path in the text of a /proc/PID/cgroup file (its "0::PATH" line) into out.
 * Returns 0, -ENOENT without such a line (cgroup v1 only), -ENAMETOOLONG, or -EINVAL for
 * a path that is not absolute or has a ".." component.
 */
int cgroup_parse_proc(const char *text, char *out, size_t size);

/*
 * Attaches every program to cgroup path (relative to c->root) unless covered already. A
 * cgroup removed since its attach (a service restarted: same path, new cgroup, and the
 * kernel dropped the programs with the old one) covers nothing: it is forgotten first.
 */
int cgroup_links_attach(struct cgroup_links *c, const char *path);

/*
 * cgroup_links_attach() for the cgroup process pid lives in (read from proc_root/PID/cgroup).
 * Returns 0 (attached, or covered already), -ESRCH if the process is gone, or -errno.
 */
int cgroup_links_attach_pid(struct cgroup_links *c, const char *proc_root, uint32_t pid);

/* Detaches everything and frees the list (the programs stay the caller's). */
void cgroup_links_free(struct cgroup_links *c);

#endif
