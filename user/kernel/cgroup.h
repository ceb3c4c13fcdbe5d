/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Where the cgroup programs (sock_addr hooks, cgroup_skb) run. Attached to the root of the
 * cgroup2 hierarchy (the default) they run for every socket and packet of the machine;
 * with `--cgroups watched` they are attached only to the cgroups that watched processes
 * live in, when such a process is first seen there, so every other process pays nothing
 * for them. Cgroup programs of a cgroup also run for its descendants, so a cgroup below
 * one already attached is left alone, and attaching above attached ones detaches those
 * (or each packet would be seen twice).
 *
 * Processes leave and move: cgroup_links_sweep(), run every few seconds with the watched
 * processes of the moment, attaches where one has moved to (without an exec, which attaches
 * at once) and detaches from a cgroup none of them has lived in for a while.
 */
#ifndef LW_CGROUP_H
#define LW_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CGROUP_PROGS_MAX 16
#define CGROUP_FAILED_PIDS 64 /* processes remembered as counted unattached */

struct bpf_program;
struct bpf_link;

struct cgroup_attached {
	char *path;		/* relative to the hierarchy's root: "/" or "/a/b" */
	unsigned long long ino; /* its inode: the cgroup's id, never reused */
	unsigned int idle;	/* sweeps in a row that found no watched process in it */
	/*
	 * The watched processes seen in it (or below it) that still live, wherever they are
	 * now: a socket stays in the cgroup it was made in, so a process that moved away keeps
	 * the cgroup attached for the sockets it took along, until it exits.
	 */
	uint32_t *pids;
	size_t npids, cappids;
	struct bpf_link *links[CGROUP_PROGS_MAX];
};

struct cgroup_links {
	char root[256]; /* where cgroup2 is mounted */
	struct bpf_program *progs[CGROUP_PROGS_MAX];
	size_t nprogs;
	struct cgroup_attached *v;
	size_t n, cap;
	/*
	 * The last processes whose cgroup could not be attached: each is counted once (the
	 * stats say how many processes), though every sweep tries again.
	 */
	uint32_t failed_pids[CGROUP_FAILED_PIDS];
	size_t failed_next;
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
 * The cgroup2 path process pid lives in, from proc_root/PID/cgroup. Returns 0, -ESRCH if
 * the process is gone, or an error of cgroup_parse_proc() or the read.
 */
int cgroup_of_pid(const char *proc_root, uint32_t pid, char *out, size_t size);

/*
 * cgroup_links_attach() for the cgroup process pid lives in (read from proc_root/PID/cgroup).
 * Returns 0 (attached, or covered already), -ESRCH if the process is gone, or -errno (the
 * caller counts it; the sweep will not count pid again).
 */
int cgroup_links_attach_pid(struct cgroup_links *c, const char *proc_root, uint32_t pid);

/*
 * Given the watched processes of the moment (pids), attaches the cgroup of any of them
 * that no attached cgroup covers (it moved), and detaches each attached cgroup that none
 * of them has lived in, since it was seen there, for idle_max sweeps in a row (its last
 * watched process exited: one sweep of grace lets a tool that restarts keep its
 * attachment). A cgroup removed since its attach is forgotten. Returns how many processes' cgroups failed to attach for the
 * first time (a process already counted, here or by cgroup_links_attach_pid(), is not
 * counted again; one gone or whose cgroup cannot be read is not counted: the attach at
 * its exec counted that).
 */
size_t cgroup_links_sweep(struct cgroup_links *c, const char *proc_root, const uint32_t *pids,
			  size_t n, unsigned int idle_max);

/* Detaches everything and frees the list (the programs stay the caller's). */
void cgroup_links_free(struct cgroup_links *c);

#endif
