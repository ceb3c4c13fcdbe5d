// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The demo simulator's way into the test lab (tests/lab/lab.sh): the lab's client network
 * namespace, a private mount namespace with the lab's resolver, and a throwaway home bound
 * over the user's own. The simulator re-executes itself afterwards, so that llmwatch, which
 * reads a process's network namespace once per exec, sees every later event in the lab's.
 */
#include "lab_enter.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
	return -1;
}

/* A namespace name as ip-netns(8) accepts it: one path component. */
static int netns_path(const char *netns, char *buf, size_t len, char *err, size_t n)
{
	if (!netns[0] || strchr(netns, '/') || !strcmp(netns, ".") || !strcmp(netns, "..") ||
	    strlen(netns) > NAME_MAX)
		return fail(err, n, "--lab: \"%s\" is not a network namespace name", netns);
	if ((size_t)snprintf(buf, len, "/run/netns/%s", netns) >= len)
		return fail(err, n, "--lab: name too long");
	return 0;
}

int lab_self_exe(char *buf, size_t len, char *err, size_t n)
{
	ssize_t r = readlink("/proc/self/exe", buf, len - 1);

	if (r < 0 || (size_t)r >= len - 1)
		return fail(err, n, "reading /proc/self/exe: %s",
			    r < 0 ? strerror(errno) : "too long");
	buf[r] = '\0';
	return 0;
}

/* Whether PATH is DIR or under it (both absolute, symbolic links resolved). */
static int path_under(const char *path, const char *dir)
{
	size_t d = strlen(dir);

	while (d > 1 && dir[d - 1] == '/')
		d--;
	if (d == 1 && dir[0] == '/')
		return 1;
	return !strncmp(path, dir, d) && (path[d] == '/' || path[d] == '\0');
}

/* Binds /etc/netns/NETNS/NAME over /etc/NAME, as `ip netns exec` does; MUST: it must exist. */
static int bind_etc(const char *netns, const char *name, int must, char *err, size_t n)
{
	char src[PATH_MAX], dst[PATH_MAX];
	struct stat st;

	snprintf(src, sizeof(src), "/etc/netns/%s/%s", netns, name);
	snprintf(dst, sizeof(dst), "/etc/%s", name);
	if (stat(src, &st)) {
		if (!must && errno == ENOENT)
			return 0;
		return fail(err, n, "%s: %s (is the lab up?)", src, strerror(errno));
	}
	if (mount(src, dst, NULL, MS_BIND, NULL))
		return fail(err, n, "binding %s over %s: %s", src, dst, strerror(errno));
	return 0;
}

static int enter_netns(const char *netns, char *err, size_t n)
{
	char path[PATH_MAX];
	int fd, rc;

	if (netns_path(netns, path, sizeof(path), err, n))
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(err, n, "%s: %s (is the lab up?)", path, strerror(errno));
	rc = setns(fd, CLONE_NEWNET);
	close(fd);
	if (rc)
		return fail(err, n, "entering network namespace %s: %s", netns, strerror(errno));
	return 0;
}

/* Binds HOME_FROM over the effective user's home and sets HOME to that home's path. */
static int mask_home(const char *home_from, char *err, size_t n)
{
	char exe[PATH_MAX], from[PATH_MAX], home[PATH_MAX], pbuf[4096];
	struct passwd pw, *res = NULL;
	int e;

	e = getpwuid_r(geteuid(), &pw, pbuf, sizeof(pbuf), &res);
	if (e || !res || !pw.pw_dir || pw.pw_dir[0] != '/')
		return fail(err, n, "no home directory for uid %u in the user database",
			    (unsigned)geteuid());
	if (!realpath(pw.pw_dir, home))
		return fail(err, n, "home %s: %s", pw.pw_dir, strerror(errno));
	if (!strcmp(home, "/"))
		return fail(err, n, "the home of uid %u is /: not masking the root directory",
			    (unsigned)geteuid());
	if (!realpath(home_from, from))
		return fail(err, n, "--home-from %s: %s", home_from, strerror(errno));
	if (lab_self_exe(exe, sizeof(exe), err, n))
		return -1;
	/* the re-exec and the demo's files must stay visible once the home is covered */
	if (path_under(exe, home) || path_under(from, home))
		return fail(err, n,
			    "%s and --home-from %s must not be under %s, which the lab covers "
			    "with the throwaway home",
			    exe, from, home);
	if (mount(from, home, NULL, MS_BIND | MS_REC, NULL))
		return fail(err, n, "binding %s over %s: %s", from, home, strerror(errno));
	if (setenv("HOME", pw.pw_dir, 1))
		return fail(err, n, "setenv HOME: %s", strerror(errno));
	return 0;
}

int lab_enter(const char *netns, const char *home_from, char *err, size_t n)
{
	if (geteuid() != 0)
		return fail(err, n, "--lab needs root (namespaces and bind mounts)");
	if (enter_netns(netns, err, n))
		return -1;
	if (unshare(CLONE_NEWNS))
		return fail(err, n, "a private mount namespace: %s", strerror(errno));
	/* nothing mounted from here on may propagate back to the host's namespace */
	if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL))
		return fail(err, n, "making / a slave mount: %s", strerror(errno));
	if (bind_etc(netns, "resolv.conf", 1, err, n) || bind_etc(netns, "hosts", 0, err, n))
		return -1;
	return mask_home(home_from, err, n);
}

int lab_check_netns(const char *netns, char *err, size_t n)
{
	char path[PATH_MAX];
	struct stat want, got;

	if (netns_path(netns, path, sizeof(path), err, n))
		return -1;
	if (stat(path, &want))
		return fail(err, n, "%s: %s", path, strerror(errno));
	if (stat("/proc/self/ns/net", &got))
		return fail(err, n, "/proc/self/ns/net: %s", strerror(errno));
	if (want.st_dev != got.st_dev || want.st_ino != got.st_ino)
		return fail(err, n,
			    "not inside the lab's network namespace %s: refusing to talk "
			    "to the network",
			    netns);
	return 0;
}
