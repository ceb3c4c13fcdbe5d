// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The path logic behind --cgroups watched: which attached cgroup already covers a process's
 * cgroup, and reading the cgroup2 path from /proc/PID/cgroup text (untrusted in the sense
 * that a mistake attaches the programs to the wrong place or twice).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel/cgroup.h"
#include "check.h"

static void test_covers(void)
{
	CHECK(cgroup_path_covers("/", "/"));
	CHECK(cgroup_path_covers("/", "/system.slice/ollama.service"));
	CHECK(cgroup_path_covers("/system.slice", "/system.slice/ollama.service"));
	CHECK(cgroup_path_covers("/system.slice/ollama.service", "/system.slice/ollama.service"));
	/* a name that merely starts the same is a sibling, not a descendant */
	CHECK(!cgroup_path_covers("/system.slice/ollama", "/system.slice/ollama.service"));
	CHECK(!cgroup_path_covers("/system.slice/ollama.service", "/system.slice"));
	CHECK(!cgroup_path_covers("/a/b", "/a"));
	CHECK(!cgroup_path_covers("/user.slice", "/system.slice/x"));
}

static void test_parse(void)
{
	char out[64];

	CHECK_INT(cgroup_parse_proc("0::/system.slice/ollama.service\n", out, sizeof(out)), 0);
	CHECK_STR(out, "/system.slice/ollama.service");
	CHECK_INT(cgroup_parse_proc("0::/\n", out, sizeof(out)), 0);
	CHECK_STR(out, "/");
	/* hybrid systems list the v1 hierarchies too; only the 0:: line is cgroup2 */
	CHECK_INT(cgroup_parse_proc("12:pids:/user.slice\n1:name=systemd:/user.slice/x.scope\n"
				    "0::/user.slice/x.scope\n",
				    out, sizeof(out)),
		  0);
	CHECK_STR(out, "/user.slice/x.scope");
	/* no trailing newline */
	CHECK_INT(cgroup_parse_proc("0::/a", out, sizeof(out)), 0);
	CHECK_STR(out, "/a");
	/* v1 only: nothing to attach to */
	CHECK_INT(cgroup_parse_proc("4:memory:/x\n1:name=systemd:/x\n", out, sizeof(out)), -ENOENT);
	CHECK_INT(cgroup_parse_proc("", out, sizeof(out)), -ENOENT);
	/* outside our cgroup namespace, or not a path */
	CHECK_INT(cgroup_parse_proc("0::/../../x\n", out, sizeof(out)), -EINVAL);
	CHECK_INT(cgroup_parse_proc("0::/a/..\n", out, sizeof(out)), -EINVAL);
	CHECK_INT(cgroup_parse_proc("0::\n", out, sizeof(out)), -EINVAL);
	CHECK_INT(cgroup_parse_proc("0::relative\n", out, sizeof(out)), -EINVAL);
	/* a path longer than the buffer is refused, not cut */
	CHECK_INT(
		cgroup_parse_proc(
			"0::/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
			out, sizeof(out)),
		-ENAMETOOLONG);
	/* "0::" not at a line start is not the cgroup2 line */
	CHECK_INT(cgroup_parse_proc("1:name=x0::/a\n", out, sizeof(out)), -ENOENT);
}

/*
 * The sweep, on a made-up hierarchy and /proc in a temporary directory: with no programs to
 * attach, cgroup_links_attach() does everything but the BPF calls, so the bookkeeping (what
 * is attached where, and for how long) can be checked without root.
 */
static char tmp[64], root[128], proc[128];

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f)) {
		perror(path);
		exit(1);
	}
}

/* Puts process pid in cgroup path (writes proc/PID/cgroup), or removes it (path NULL). */
static void proc_in(unsigned int pid, const char *path)
{
	char dir[256], file[300], text[300];

	snprintf(dir, sizeof(dir), "%s/%u", proc, pid);
	snprintf(file, sizeof(file), "%s/cgroup", dir);
	if (!path) {
		unlink(file);
		rmdir(dir);
		return;
	}
	mkdir(dir, 0755);
	snprintf(text, sizeof(text), "0::%s\n", path);
	put_file(file, text);
}

static void mkcg(const char *path)
{
	char dir[256];

	snprintf(dir, sizeof(dir), "%s%s", root, path);
	mkdir(dir, 0755);
}

static void rmcg(const char *path)
{
	char dir[256];

	snprintf(dir, sizeof(dir), "%s%s", root, path);
	rmdir(dir);
}

/* The attached paths, in order, joined with spaces ("" for none). */
static const char *attached(const struct cgroup_links *c)
{
	static char buf[256];

	buf[0] = 0;
	for (size_t i = 0; i < c->n; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", i ? " " : "",
			 c->v[i].path);
	return buf;
}

/* The sweep run `times` times over the same processes (idle_max 2); all its failures. */
static size_t sweeps(struct cgroup_links *c, const uint32_t *pids, size_t n, int times)
{
	size_t failed = 0;

	while (times-- > 0)
		failed += cgroup_links_sweep(c, proc, pids, n, 2);
	return failed;
}

static void test_sweep(void)
{
	struct cgroup_links c = { 0 };
	uint32_t one[] = { 100 }, two[] = { 100, 200 }, gone[] = { 999 };

	snprintf(tmp, sizeof(tmp), "/tmp/lw-cgtest-XXXXXX");
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(root, sizeof(root), "%s/cg", tmp);
	snprintf(proc, sizeof(proc), "%s/proc", tmp);
	mkdir(root, 0755);
	mkdir(proc, 0755);
	snprintf(c.root, sizeof(c.root), "%s", root);
	mkcg("/a");
	mkcg("/a/b");
	mkcg("/c");

	/* a watched process whose cgroup nothing covers yet: attached */
	proc_in(100, "/a");
	CHECK_INT(sweeps(&c, one, 1, 1), 0);
	CHECK_STR(attached(&c), "/a");
	/* a second one below it is covered: nothing new */
	proc_in(200, "/a/b");
	CHECK_INT(sweeps(&c, two, 2, 1), 0);
	CHECK_STR(attached(&c), "/a");

	/* the last one leaves: one sweep of grace, then detached */
	CHECK_INT(sweeps(&c, NULL, 0, 1), 0);
	CHECK_STR(attached(&c), "/a");
	CHECK_INT(sweeps(&c, NULL, 0, 1), 0);
	CHECK_STR(attached(&c), "");

	/* one back within the grace sweep keeps the attachment (a tool restarting) */
	CHECK_INT(sweeps(&c, one, 1, 1), 0);
	CHECK_INT(sweeps(&c, NULL, 0, 1), 0);
	CHECK_INT(sweeps(&c, one, 1, 1), 0);
	CHECK_INT(sweeps(&c, NULL, 0, 1), 0);
	CHECK_STR(attached(&c), "/a");

	/*
	 * A process that moved without an exec is followed. The cgroup it left stays while it
	 * lives (the sockets it made there are still there), and goes after it exits.
	 */
	CHECK_INT(sweeps(&c, one, 1, 1), 0);
	proc_in(100, "/c");
	CHECK_INT(sweeps(&c, one, 1, 1), 0);
	CHECK_STR(attached(&c), "/a /c");
	CHECK_INT(sweeps(&c, one, 1, 2), 0);
	CHECK_STR(attached(&c), "/a /c");
	CHECK_INT(sweeps(&c, NULL, 0, 2), 0);
	CHECK_STR(attached(&c), "");
	/* a process that stayed in /c all along keeps only /c */
	CHECK_INT(sweeps(&c, one, 1, 3), 0);
	CHECK_STR(attached(&c), "/c");

	/*
	 * A cgroup attached above one that has a moved process's claim takes the claim over:
	 * /a/b is detached when /a is attached, and /a stays while 600 (once in /a/b) lives.
	 */
	proc_in(600, "/a/b");
	{
		uint32_t six[] = { 100, 600 }, hundred[] = { 100 };

		CHECK_INT(sweeps(&c, six, 2, 1), 0);
		CHECK_STR(attached(&c), "/c /a/b");
		proc_in(600, "/c");
		proc_in(700, "/a");
		uint32_t seven[] = { 100, 600, 700 };

		CHECK_INT(sweeps(&c, seven, 3, 1), 0);
		CHECK_STR(attached(&c), "/c /a");
		/* 700 exits; 600, in /c now, still holds /a */
		CHECK_INT(sweeps(&c, six, 2, 2), 0);
		CHECK_STR(attached(&c), "/c /a");
		CHECK_INT(sweeps(&c, hundred, 1, 2), 0);
		CHECK_STR(attached(&c), "/c");
	}

	/*
	 * A cgroup removed and made again at the same path is a new cgroup: attached anew.
	 * (Moved aside rather than removed here: a plain file system may reuse the inode
	 * number at once, where cgroupfs never reuses a cgroup's id.)
	 */
	unsigned long long old_ino = c.v[0].ino;
	char from[256], to[256];

	snprintf(from, sizeof(from), "%s/c", root);
	snprintf(to, sizeof(to), "%s/c-old", root);
	CHECK_INT(rename(from, to), 0);
	mkcg("/c");
	CHECK_INT(sweeps(&c, one, 1, 1), 0);
	CHECK_STR(attached(&c), "/c");
	CHECK(c.n == 1 && c.v[0].ino != old_ino);

	/*
	 * A cgroup that cannot be attached counts its process once, however many sweeps try
	 * again; processes gone, or whose cgroup line cannot be read (counted at their exec),
	 * count nothing here.
	 */
	CHECK_INT(sweeps(&c, gone, 1, 1), 0);
	proc_in(200, "/nonexistent");
	CHECK_INT(cgroup_links_sweep(&c, proc, two, 2, 2), 1);
	CHECK_INT(sweeps(&c, two, 2, 1), 0);
	proc_in(300, "/nonexistent");
	{
		uint32_t three[] = { 100, 200, 300 };

		CHECK_INT(cgroup_links_sweep(&c, proc, three, 3, 2), 1);
	}
	/* one counted by the attach at its exec is not counted again by the sweep */
	proc_in(400, "/nonexistent");
	CHECK(cgroup_links_attach_pid(&c, proc, 400) < 0);
	{
		uint32_t four[] = { 400 };

		CHECK_INT(sweeps(&c, four, 1, 1), 0);
	}
	{
		char file[300];

		snprintf(file, sizeof(file), "%s/200/cgroup", proc);
		put_file(file, "4:memory:/x\n");
		proc_in(500, "/c");
		uint32_t v1[] = { 200, 500 };

		CHECK_INT(sweeps(&c, v1, 2, 1), 0);
	}
	CHECK_STR(attached(&c), "/c");

	cgroup_links_free(&c);
	CHECK_INT(c.n, 0);
	for (unsigned int pid = 100; pid <= 700; pid += 100)
		proc_in(pid, NULL);
	rmcg("/a/b");
	rmcg("/a");
	rmcg("/c");
	rmcg("/c-old");
	rmdir(root);
	rmdir(proc);
	rmdir(tmp);
}

int main(void)
{
	test_covers();
	test_parse();
	test_sweep();
	return check_summary("test_cgroup");
}
