// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The path logic behind --cgroups watched: which attached cgroup already covers a process's
 * cgroup, and reading the cgroup2 path from /proc/PID/cgroup text (untrusted in the sense
 * that a mistake attaches the programs to the wrong place or twice).
 */
#include <errno.h>
#include <string.h>

#include "cgroup_attach.h"
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
				    "0::/user.slice/x.scope\n", out, sizeof(out)), 0);
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
	CHECK_INT(cgroup_parse_proc("0::/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
				    out, sizeof(out)), -ENAMETOOLONG);
	/* "0::" not at a line start is not the cgroup2 line */
	CHECK_INT(cgroup_parse_proc("1:name=x0::/a\n", out, sizeof(out)), -ENOENT);
}

int main(void)
{
	test_covers();
	test_parse();
	return check_summary("test_cgroup_attach");
}
