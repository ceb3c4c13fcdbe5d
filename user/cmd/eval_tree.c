// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The tree eval starts, from the waiting child to the last exit (see eval_tree.h). */
#include "cmd/eval_tree.h"

#include <dirent.h>
#include <limits.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* What the child tells llmwatch on its status pipe. */
enum {
	MSG_READY = 1,
	MSG_FAILED = 2
};

struct child_msg {
	int kind;
	int err;       /* errno of the failed step */
	char step[64]; /* what failed */
};

int eval_tree_find_command(const char *cmd, const char *path_env, char *out, size_t size)
{
	const char *p = path_env ? path_env : "/usr/local/bin:/usr/bin:/bin";
	struct stat st;
	int last = -ENOENT;

	if (!*cmd)
		return -ENOENT;
	if (strchr(cmd, '/')) {
		if (stat(cmd, &st))
			return -errno;
		if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111))
			return -EACCES;
		return snprintf(out, size, "%s", cmd) >= (int)size ? -ENAMETOOLONG : 0;
	}
	for (;;) {
		const char *end = strchrnul(p, ':');
		size_t len = (size_t)(end - p);

		/* an empty entry is the current directory, as for execvp */
		if (snprintf(out, size, "%.*s%s%s", (int)len, len ? p : ".", "/", cmd) <
		    (int)size) {
			if (stat(out, &st) == 0) {
				if (S_ISREG(st.st_mode) && (st.st_mode & 0111))
					return 0;
				last = -EACCES;
			}
		}
		if (!*end)
			return last;
		p = end + 1;
	}
}

/* In the child: says what failed and ends. Async-signal-safe. */
_Noreturn static void child_fail(int fd, const char *step, int err)
{
	struct child_msg m = { .kind = MSG_FAILED, .err = err };
	size_t i;

	/* string functions are plain loops in the C library: safe after fork */
	i = strnlen(step, sizeof(m.step) - 1);
	memcpy(m.step, step, i);
	if (write(fd, &m, sizeof(m)) < 0) {
		/* nobody to tell: the exit status says it */
	}
	_exit(127);
}

/* In the child, from fork to exec: only async-signal-safe calls. */
_Noreturn static void child_run(int go_fd, int status_fd, pid_t parent, const struct eval_user *u,
				const char *path, char *const argv[], char *const envp[])
{
	struct child_msg ready = { .kind = MSG_READY };
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	const char *step = "";
	sigset_t none;
	char go;
	int err;

	/* as from a shell: every signal at its default, none blocked (llmwatch blocks some) */
	for (int sig = 1; sig < NSIG; sig++) {
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &dfl, NULL);
	}
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL))
		child_fail(status_fd, "unblocking signals", errno);
	/* nothing of llmwatch's (BPF maps, the capture) may reach the command */
	if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC)) {
		for (int fd = 3; fd < 65536; fd++)
			fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	err = eval_user_drop(u, &step);
	if (err)
		child_fail(status_fd, step, -err);
	/* after the drop, which clears it: an unwatched command must not outlive llmwatch */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		child_fail(status_fd, "following llmwatch's end", errno ? errno : ESRCH);
	if (write(status_fd, &ready, sizeof(ready)) != (ssize_t)sizeof(ready))
		_exit(127);
	/* end of file instead of the byte: llmwatch gave up, nothing runs */
	if (read(go_fd, &go, 1) != 1)
		_exit(127);
	execve(path, argv, envp);
	child_fail(status_fd, "exec", errno);
}

/*
 * The tool CMD is: a profile whose candidate name is CMD's and whose executable patterns
 * (if any) match its real path, or one whose interpreter and command line match; else 0.
 */
unsigned int eval_tree_tool(const struct profile_set *set, const char *path, char *const argv[])
{
	const char *base = strrchr(path, '/');
	char real[PATH_MAX], comm[16], line[4096];
	size_t used = 0;

	base = base ? base + 1 : path;
	snprintf(comm, sizeof(comm), "%.15s", base); /* the kernel's comm: 15 bytes */
	if (!realpath(path, real))
		snprintf(real, sizeof(real), "%s", path);
	for (size_t p = 0; p < set->n; p++) {
		for (const char *const *c = set->p[p].comms; c && *c; c++) {
			if (strcmp(*c, comm) != 0)
				continue;
			if (!set->p[p].exe_globs || !set->p[p].exe_globs[0])
				return (unsigned int)(p + 1);
			return profiles_match_exe(set, real);
		}
	}
	line[0] = '\0';
	for (char *const *a = argv; *a && used < sizeof(line) - 1; a++) {
		int w = snprintf(line + used, sizeof(line) - used, "%s%s", a == argv ? "" : " ",
				 *a);

		used += w > 0 ? (size_t)w : 0;
	}
	/* cut at sizeof(line) - 1 by snprintf: the patterns see what fits */
	return profiles_match_cmdline(set, comm, line);
}

int eval_tree_fork(struct eval_child *ch, const struct eval_user *u, const char *path,
		   char *const argv[], char *const envp[], char *err, size_t n)
{
	int go[2], st[2];
	pid_t parent = getpid();

	ch->pid = -1;
	ch->go_fd = ch->status_fd = -1;
	if (pipe2(go, O_CLOEXEC)) {
		snprintf(err, n, "pipe: %s", strerror(errno));
		return -errno;
	}
	if (pipe2(st, O_CLOEXEC)) {
		int e = errno;

		close(go[0]), close(go[1]);
		snprintf(err, n, "pipe: %s", strerror(e));
		return -e;
	}
	ch->pid = fork();
	if (ch->pid < 0) {
		int e = errno;

		close(go[0]), close(go[1]), close(st[0]), close(st[1]);
		snprintf(err, n, "fork: %s", strerror(e));
		return -e;
	}
	if (ch->pid == 0) {
		close(go[1]);
		close(st[0]);
		child_run(go[0], st[1], parent, u, path, argv, envp);
	}
	close(go[0]);
	close(st[1]);
	ch->go_fd = go[1];
	ch->status_fd = st[0];
	return 0;
}

/* Reads one message; 0 at end of file, 1 with *m, or -errno. */
static int read_msg(int fd, struct child_msg *m)
{
	size_t got = 0;

	while (got < sizeof(*m)) {
		ssize_t r = read(fd, (char *)m + got, sizeof(*m) - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return got ? -EPROTO : 0;
		got += (size_t)r;
	}
	m->step[sizeof(m->step) - 1] = '\0';
	return 1;
}

int eval_tree_wait_ready(struct eval_child *ch, char *err, size_t n)
{
	struct child_msg m;
	int r = read_msg(ch->status_fd, &m);

	if (r == 1 && m.kind == MSG_READY)
		return 0;
	if (r == 1 && m.kind == MSG_FAILED) {
		snprintf(err, n, "starting the command: %s: %s", m.step, strerror(m.err));
		return -(m.err ? m.err : EPERM);
	}
	snprintf(err, n, "starting the command: the child ended before it was ready");
	return r < 0 ? r : -ECHILD;
}

int eval_tree_exec(struct eval_child *ch, char *err, size_t n)
{
	struct child_msg m;
	int r;

	if (write(ch->go_fd, "x", 1) != 1) {
		snprintf(err, n, "starting the command: %s", strerror(errno));
		return -errno;
	}
	close(ch->go_fd);
	ch->go_fd = -1;
	r = read_msg(ch->status_fd, &m);
	if (r == 0)
		return 0; /* the pipe closed on exec */
	if (r == 1 && m.kind == MSG_FAILED) {
		snprintf(err, n, "cannot run the command: %s: %s", m.step, strerror(m.err));
		return -(m.err ? m.err : EPERM);
	}
	snprintf(err, n, "starting the command: %s", r < 0 ? strerror(-r) : "unexpected message");
	return r < 0 ? r : -EPROTO;
}

void eval_tree_close(struct eval_child *ch)
{
	if (ch->go_fd >= 0)
		close(ch->go_fd);
	if (ch->status_fd >= 0)
		close(ch->status_fd);
	ch->go_fd = ch->status_fd = -1;
}

int eval_tree_subreaper(void)
{
	return prctl(PR_SET_CHILD_SUBREAPER, 1) ? -errno : 0;
}

struct pp {
	uint32_t pid, ppid;
	bool zombie; /* ended, not yet reaped: in the tree's shape, not one to signal */
};

/* The parent and state of pid from /proc/PID/stat. Returns 0, or -1 if it is gone. */
static int read_pp(uint32_t pid, struct pp *out)
{
	char path[64], buf[1024], *p, *end;
	unsigned long ppid;
	char state;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* the name may hold anything, ')' included: " STATE PPID " follows the last one */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || !p[2] || p[3] != ' ')
		return -1;
	state = p[2];
	errno = 0;
	ppid = strtoul(p + 4, &end, 10);
	if (errno || end == p + 4 || *end != ' ' || ppid > UINT32_MAX)
		return -1;
	*out = (struct pp){ pid, (uint32_t)ppid, state == 'Z' || state == 'X' };
	return 0;
}

/* Every process's pid and parent; *n of them in a malloc'd array, or NULL (-errno in *err). */
static struct pp *read_parents(size_t *n, int *err)
{
	struct pp *all = NULL;
	size_t cap = 0;
	struct dirent *d;
	DIR *dir = opendir("/proc");

	*n = 0;
	if (!dir) {
		*err = -errno;
		return NULL;
	}
	while ((d = readdir(dir))) {
		unsigned long pid;
		struct pp one;
		char *end;

		pid = strtoul(d->d_name, &end, 10);
		if (*end || pid == 0 || pid > UINT32_MAX)
			continue;
		if (read_pp((uint32_t)pid, &one))
			continue; /* gone */
		if (*n == cap) {
			struct pp *bigger = realloc(all, (cap ? cap * 2 : 256) * sizeof(*all));

			if (!bigger) {
				free(all);
				closedir(dir);
				*err = -ENOMEM;
				return NULL;
			}
			all = bigger;
			cap = cap ? cap * 2 : 256;
		}
		all[(*n)++] = one;
	}
	closedir(dir);
	*err = 0;
	return all;
}

int eval_tree_list(pid_t self, pid_t *out, size_t max)
{
	size_t n, found = 0;
	bool *in, changed;
	int err;
	struct pp *all = read_parents(&n, &err);

	if (!all)
		return err ? err : 0;
	in = calloc(n ? n : 1, sizeof(*in));
	if (!in) {
		free(all);
		return -ENOMEM;
	}
	/* as many passes as the tree is deep: a process is in when its parent is */
	do {
		changed = false;
		for (size_t i = 0; i < n; i++) {
			if (in[i])
				continue;
			if (all[i].ppid == (uint32_t)self) {
				in[i] = changed = true;
				continue;
			}
			for (size_t j = 0; j < n; j++) {
				if (in[j] && all[j].pid == all[i].ppid) {
					in[i] = changed = true;
					break;
				}
			}
		}
	} while (changed);
	for (size_t i = 0; i < n; i++) {
		if (!in[i] || all[i].zombie)
			continue;
		if (found < max)
			out[found] = (pid_t)all[i].pid;
		found++;
	}
	free(in);
	free(all);
	return (int)found;
}

/* Whether pid's parents lead to self (at most as many steps as a tree can be deep). */
static bool descends_from(pid_t self, pid_t pid)
{
	uint32_t p = (uint32_t)pid;

	for (int depth = 0; depth < 4096; depth++) {
		struct pp one;

		if (read_pp(p, &one) || one.zombie)
			return false;
		if (one.ppid == (uint32_t)self)
			return true;
		if (one.ppid <= 1)
			return false;
		p = one.ppid;
	}
	return false;
}

int eval_tree_kill_one(pid_t self, pid_t pid, int sig)
{
	int pidfd, err = 0;

	if (pid <= 0 || pid == self)
		return -ESRCH;
	/*
	 * Pinned first, then checked: if the number now belongs to another process, the check
	 * fails; if the pinned process ends after the check, the signal finds it gone (ESRCH),
	 * whoever takes its number then.
	 */
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return -errno;
	if (!descends_from(self, pid))
		err = -ESRCH;
	else if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0))
		err = -errno;
	close(pidfd);
	return err;
}

int eval_tree_signal(pid_t self, int sig, pid_t skip_pgrp)
{
	pid_t pids[4096] = { 0 };
	int n = eval_tree_list(self, pids, sizeof(pids) / sizeof(pids[0])), sent = 0;

	if (n <= 0)
		return 0;
	if (n > (int)(sizeof(pids) / sizeof(pids[0])))
		n = (int)(sizeof(pids) / sizeof(pids[0]));
	for (int i = 0; i < n; i++) {
		if (skip_pgrp > 0 && getpgid(pids[i]) == skip_pgrp)
			continue;
		if (eval_tree_kill_one(self, pids[i], sig) == 0)
			sent++;
	}
	return sent;
}

bool eval_tree_reap(pid_t root, int *root_status, bool *root_done)
{
	for (;;) {
		int status;
		pid_t p = waitpid(-1, &status, WNOHANG);

		if (p > 0) {
			if (p == root) {
				*root_status = status;
				*root_done = true;
			}
			continue;
		}
		if (p < 0 && errno == EINTR)
			continue;
		return p < 0 && errno == ECHILD;
	}
}
