// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The UDP sockets a process holds, reached through copies (see sock_marks.h). */
#include "kernel/sock_marks.h"

#include <bpf/bpf.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "llmwatch/events.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif
#ifndef SO_COOKIE
#define SO_COOKIE 57
#endif

/* Whether fd is a UDP socket of an IP family. */
static int is_udp(int fd)
{
	int v = 0;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len) || (v != AF_INET && v != AF_INET6))
		return 0;
	len = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len) || v != SOCK_DGRAM)
		return 0;
	len = sizeof(v);
	return !getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &len) && v == IPPROTO_UDP;
}

/* Called with a copy of each UDP socket of a process; returns 1 when it counts. */
typedef int (*udp_fd_fn)(void *arg, int fd, uint64_t cookie);

/*
 * Calls fn with a copy (pidfd_getfd(2)) of each UDP socket among pid's descriptors
 * (PROC_ROOT/PID/fd) and its cookie. Returns the sum of what fn returned, or -errno when
 * the process's descriptors cannot be read (-ESRCH gone, -EPERM). A descriptor closed
 * meanwhile is skipped.
 */
static int for_each_udp_fd(const char *proc_root, uint32_t pid, udp_fd_fn fn, void *arg)
{
	char path[PATH_MAX], link[64];
	struct dirent *d;
	int pidfd, n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/%u/fd", proc_root, pid);
	dir = opendir(path);
	if (!dir)
		return -errno;
	pidfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
	if (pidfd < 0) {
		int err = -errno;

		closedir(dir);
		return err;
	}
	while ((d = readdir(dir))) {
		uint64_t cookie = 0;
		socklen_t clen = sizeof(cookie);
		char *end;
		long target;
		ssize_t len;
		int fd;

		target = strtol(d->d_name, &end, 10);
		if (*end || end == d->d_name || target < 0 || target > INT_MAX)
			continue;
		/* only sockets are worth a copy: the link names their kind */
		snprintf(path, sizeof(path), "%s/%u/fd/%s", proc_root, pid, d->d_name);
		len = readlink(path, link, sizeof(link) - 1);
		if (len <= 0 || strncmp(link, "socket:", 7) != 0)
			continue;
		fd = (int)syscall(SYS_pidfd_getfd, pidfd, (int)target, 0);
		if (fd < 0)
			continue; /* closed meanwhile */
		if (is_udp(fd)) {
			if (getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &clen))
				cookie = 0;
			n += fn(arg, fd, cookie);
		}
		close(fd);
	}
	close(pidfd);
	closedir(dir);
	return n;
}

struct mark_ctx {
	int marks_fd, flows_fd;
	uint32_t pid;
	uint16_t tool;
	unsigned int failed;
};

static int mark_one(void *arg, int fd, uint64_t cookie)
{
	struct mark_ctx *c = arg;
	struct lw_sock_flows sf = { .cookie = cookie, .pid = c->pid, .tool = c->tool };
	struct lw_sock_conn mark = { .mark = LW_MARK_FLOWS }; /* no connection yet */

	/* the flows entry first: the egress program needs it once it sees the mark */
	if ((bpf_map_update_elem(c->flows_fd, &fd, &sf, BPF_NOEXIST) == 0 || errno == EEXIST) &&
	    (bpf_map_update_elem(c->marks_fd, &fd, &mark, BPF_NOEXIST) == 0 || errno == EEXIST))
		return 1;
	c->failed++;
	return 0;
}

int sock_marks_apply(int marks_fd, int flows_fd, const char *proc_root, uint32_t pid, uint16_t tool,
		     unsigned int *failed)
{
	struct mark_ctx c = { marks_fd, flows_fd, pid, tool, 0 };
	int n = for_each_udp_fd(proc_root, pid, mark_one, &c);

	if (failed)
		*failed = c.failed;
	return n;
}

static int forget_one(void *arg, int fd, uint64_t cookie)
{
	const struct mark_ctx *c = arg;
	struct lw_sock_flows sf;

	(void)cookie;
	/* a socket another process made (and handed over) keeps its owner's marks */
	if (bpf_map_lookup_elem(c->flows_fd, &fd, &sf) || sf.pid != c->pid)
		return 0;
	/* the mark first: the egress program stops counting, then the flows it listed go */
	bpf_map_delete_elem(c->marks_fd, &fd);
	bpf_map_delete_elem(c->flows_fd, &fd);
	return 1;
}

int sock_marks_forget(int marks_fd, int flows_fd, const char *proc_root, uint32_t pid)
{
	struct mark_ctx c = { marks_fd, flows_fd, pid, 0, 0 };

	return for_each_udp_fd(proc_root, pid, forget_one, &c);
}

struct read_ctx {
	int marks_fd;
	sock_flow_fn fn;
	void *arg;
};

static int read_one(void *arg, int fd, uint64_t cookie)
{
	const struct read_ctx *c = arg;
	struct lw_sock_conn sc;

	if (bpf_map_lookup_elem(c->marks_fd, &fd, &sc) || sc.conn.sk_flow != LW_SK_FLOW_READY)
		return 0;
	c->fn(c->arg, cookie, &sc.conn);
	return 1;
}

int sock_flows_read(int marks_fd, const char *proc_root, uint32_t pid, sock_flow_fn fn, void *arg)
{
	struct read_ctx c = { marks_fd, fn, arg };

	return for_each_udp_fd(proc_root, pid, read_one, &c);
}
