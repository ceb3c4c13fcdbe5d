// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of llmwatch eval's helpers: who the command runs as (sudo's user, root refused
 * without --as-root), the drop itself in a child, the tool's name, the output directory,
 * finding the command, signalling the tree, and the monitor options eval passes on.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "cmd/eval_out.h"
#include "cmd/eval_tree.h"
#include "cmd/eval_user.h"
#include "cmd/monitor_options.h"
#include "core/profiles.h"

static void test_decide(void)
{
	struct eval_user u;
	char err[512];
	struct passwd *nobody = getpwnam("nobody");
	char uid[16], gid[16];

	/* not root: as themselves, whatever the environment says */
	struct eval_user_env e = { .euid = 1000, .sudo_uid = "0", .sudo_gid = "0" };
	CHECK_INT(eval_user_decide(&e, &u, err, sizeof(err)), 0);
	CHECK(!u.drop && !u.sudo);

	/* root without sudo: refused, unless --as-root */
	e = (struct eval_user_env){ .euid = 0 };
	CHECK_INT(eval_user_decide(&e, &u, err, sizeof(err)), -1);
	CHECK(strstr(err, "--as-root") != NULL);
	e.as_root = true;
	CHECK_INT(eval_user_decide(&e, &u, err, sizeof(err)), 0);
	CHECK(!u.drop && !u.sudo);

	/* sudo from root is root */
	e = (struct eval_user_env){
		.euid = 0, .sudo_uid = "0", .sudo_gid = "0", .sudo_user = "root"
	};
	CHECK_INT(eval_user_decide(&e, &u, err, sizeof(err)), -1);
	CHECK(strstr(err, "SUDO_UID=0") != NULL);

	/* ids that are not plain numbers */
	const char *bad[] = { "", "12a", "-1", "+5", " 5", "99999999999999999999", "4294967295" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e = (struct eval_user_env){ .euid = 0, .sudo_uid = bad[i], .sudo_gid = "100" };
		CHECK_INT(eval_user_decide(&e, &u, err, sizeof(err)), -1);
		e = (struct eval_user_env){ .euid = 0, .sudo_uid = "100", .sudo_gid = bad[i] };
		CHECK_INT(eval_user_decide(&e, &u, err, sizeof(err)), -1);
	}
	e = (struct eval_user_env){ .euid = 0, .sudo_uid = "100" };
	CHECK_INT(eval_user_decide(&e, &u, err, sizeof(err)), -1); /* SUDO_GID missing */

	if (!nobody) {
		printf("test_eval: no user nobody: the sudo cases are not run\n");
		return;
	}
	snprintf(uid, sizeof(uid), "%u", (unsigned int)nobody->pw_uid);
	snprintf(gid, sizeof(gid), "%u", (unsigned int)nobody->pw_gid);
	e = (struct eval_user_env){
		.euid = 0, .sudo_uid = uid, .sudo_gid = gid, .sudo_user = "nobody"
	};
	CHECK_INT(eval_user_decide(&e, &u, err, sizeof(err)), 0);
	CHECK(u.drop && u.sudo);
	CHECK_INT(u.uid, nobody->pw_uid);
	CHECK_INT(u.gid, nobody->pw_gid);
	CHECK_STR(u.name, "nobody");
	CHECK_STR(u.home, nobody->pw_dir);
	CHECK(u.n_groups >= 1);
	/* --as-root under sudo: root runs it, the output is still the user's */
	e.as_root = true;
	CHECK_INT(eval_user_decide(&e, &u, err, sizeof(err)), 0);
	CHECK(!u.drop && u.sudo);
	CHECK_INT(u.uid, nobody->pw_uid);
	/* SUDO_USER naming someone else */
	e = (struct eval_user_env){
		.euid = 0, .sudo_uid = uid, .sudo_gid = gid, .sudo_user = "root"
	};
	CHECK_INT(eval_user_decide(&e, &u, err, sizeof(err)), -1);

	/* the drop, in a child: every id the user's, root not to be had back */
	if (geteuid() != 0) {
		printf("test_eval: not root: the drop is not tried\n");
		return;
	}
	e = (struct eval_user_env){ .euid = 0, .sudo_uid = uid, .sudo_gid = gid };
	CHECK_INT(eval_user_decide(&e, &u, err, sizeof(err)), 0);
	pid_t pid = fork();
	if (pid == 0) {
		const char *step = "";
		int r = eval_user_drop(&u, &step);
		gid_t g[8];

		if (r)
			_exit(10);
		if (getuid() != u.uid || geteuid() != u.uid || getgid() != u.gid ||
		    getegid() != u.gid)
			_exit(11);
		if (getgroups(8, g) != (int)u.n_groups)
			_exit(12);
		if (setuid(0) == 0 || seteuid(0) == 0)
			_exit(13);
		if (open("/etc/shadow", O_RDONLY) >= 0)
			_exit(14);
		_exit(0);
	}
	int st = -1;
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st));
	CHECK_INT(WEXITSTATUS(st), 0);
	/* no drop asked: nothing changes */
	struct eval_user none = { .drop = false };
	const char *step = "";
	CHECK_INT(eval_user_drop(&none, &step), 0);
	CHECK_INT(geteuid(), 0);
}

static void test_tool(void)
{
	static struct profile_set set;
	char *ollama[] = { "ollama", "serve", NULL };
	char *vllm[] = { "python3", "-m", "vllm.entrypoints.openai.api_server", NULL };
	char *other[] = { "curl", NULL };
	char *chat[] = { "chat", NULL };
	unsigned int id;

	profiles_init(&set);
	/* a known tool's name at a path its profile names */
	id = eval_tree_tool(&set, "/usr/local/bin/ollama", ollama);
	CHECK_STR(profiles_name(&set, id), "ollama");
	/* a name alone is no identity: GPT4All's "chat" anywhere else is not GPT4All */
	CHECK_STR(profiles_name(&set, eval_tree_tool(&set, "/opt/gpt4all/bin/chat", chat)),
		  "gpt4all");
	CHECK_INT(eval_tree_tool(&set, "/tmp/x/chat", chat), 0);
	/* by the interpreter's command line */
	id = eval_tree_tool(&set, "/usr/bin/python3", vllm);
	CHECK_STR(profiles_name(&set, id), "vllm");
	CHECK_INT(eval_tree_tool(&set, "/usr/bin/curl", other), 0);

	/* eval:NAME, its name made safe and short */
	id = (unsigned int)profiles_add_eval(&set, "/usr/bin/curl");
	CHECK_STR(profiles_name(&set, id), "eval:curl");
	CHECK(profiles_get(&set, id)->comms[0] == NULL); /* tracked by pid, no candidate */
	id = (unsigned int)profiles_add_eval(&set, "./my tool\033[31m;rm");
	CHECK_STR(profiles_name(&set, id), "eval:my_tool__31m_rm");
	id = (unsigned int)profiles_add_eval(&set, "a123456789b123456789c123456789d123456789e1234");
	CHECK_STR(profiles_name(&set, id), "eval:a123456789b123456789c123456789d123456789");
	/* the same name made again is the same (replay adds it back by name) */
	id = (unsigned int)profiles_add_eval(&set, "my_tool__31m_rm");
	CHECK_STR(profiles_name(&set, id), "eval:my_tool__31m_rm");
	CHECK_INT(profiles_add_eval(&set, "/usr/bin/"), -EINVAL);
	CHECK_INT(profiles_add_eval(&set, ""), -EINVAL);
}

static void test_out(void)
{
	char base[] = "/tmp/test_eval.XXXXXX", path[512], err[512], name[64];
	struct eval_out o;
	struct stat st;
	FILE *f;

	CHECK(mkdtemp(base) != NULL);
	eval_out_default_name(0, name, sizeof(name));
	CHECK(strncmp(name, "llmwatch-eval-19", 16) == 0 && strlen(name) == 29);

	/* created 0700, whatever the umask */
	snprintf(path, sizeof(path), "%s/new", base);
	mode_t old = umask(0);
	CHECK_INT(eval_out_prepare(&o, path, err, sizeof(err)), 0);
	umask(old);
	CHECK(o.created);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0700);
	/* files 0600, never over one that exists, never through a link */
	f = eval_out_create(&o, "report.txt");
	CHECK(f != NULL);
	if (f)
		fclose(f);
	snprintf(path, sizeof(path), "%s/new/report.txt", base);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600);
	errno = 0;
	CHECK(eval_out_create(&o, "report.txt") == NULL && errno == EEXIST);
	snprintf(path, sizeof(path), "%s/new/report.json", base);
	CHECK(symlink("/etc/passwd", path) == 0);
	CHECK(eval_out_create(&o, "report.json") == NULL);

	/* an existing non-empty directory is refused, an empty one used */
	snprintf(path, sizeof(path), "%s/new", base);
	CHECK_INT(eval_out_prepare(&o, path, err, sizeof(err)), -1);
	CHECK(strstr(err, "not empty") != NULL);
	snprintf(path, sizeof(path), "%s/empty", base);
	CHECK(mkdir(path, 0755) == 0);
	CHECK_INT(eval_out_prepare(&o, path, err, sizeof(err)), 0);
	CHECK(!o.created);
	/* a file, or a missing parent */
	snprintf(path, sizeof(path), "%s/new/report.txt", base);
	CHECK_INT(eval_out_prepare(&o, path, err, sizeof(err)), -1);
	snprintf(path, sizeof(path), "%s/no/such", base);
	CHECK_INT(eval_out_prepare(&o, path, err, sizeof(err)), -1);
	CHECK(strstr(err, "cannot create") != NULL);
	CHECK_INT(eval_out_prepare(&o, "", err, sizeof(err)), -1);

	/* what the test made, by name */
	const char *made[] = { "new/report.txt", "new/report.json", "new", "empty" };
	for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", base, made[i]);
		CHECK(remove(path) == 0);
	}
	CHECK(rmdir(base) == 0);
}

static void test_find(void)
{
	char out[4096];

	CHECK_INT(eval_tree_find_command("sh", "/nonexistent:/bin:/usr/bin", out, sizeof(out)), 0);
	CHECK_STR(out, "/bin/sh");
	CHECK_INT(eval_tree_find_command("sh", NULL, out, sizeof(out)), 0);
	CHECK_INT(eval_tree_find_command("no-such-cmd-x", "/bin", out, sizeof(out)), -ENOENT);
	CHECK_INT(eval_tree_find_command("/etc/passwd", NULL, out, sizeof(out)), -EACCES);
	CHECK_INT(eval_tree_find_command("/etc", NULL, out, sizeof(out)), -EACCES);
	CHECK_INT(eval_tree_find_command("/no/such", NULL, out, sizeof(out)), -ENOENT);
	CHECK_INT(eval_tree_find_command("", NULL, out, sizeof(out)), -ENOENT);
	/* a directory on PATH named like the command is not it */
	CHECK_INT(eval_tree_find_command("bin", "/", out, sizeof(out)), -EACCES);
}

/*
 * eval_tree_kill_one signals a process below the caller, a grandchild too, and never one
 * outside the tree, though kill(2) could reach it: the pid of a process that left the tree,
 * taken since by another, must be spared.
 */
static void test_kill_one(void)
{
	pid_t self = getpid(), child, grandchild = 0;
	int pfd[2], status;

	CHECK_INT(eval_tree_kill_one(self, getppid(), 0), -ESRCH);
	CHECK_INT(eval_tree_kill_one(self, self, 0), -ESRCH);
	CHECK_INT(eval_tree_kill_one(self, 1, 0), -ESRCH);
	CHECK(pipe(pfd) == 0);
	child = fork();
	CHECK(child >= 0);
	if (child == 0) {
		pid_t g = fork();

		if (g == 0) {
			pause();
			_exit(0);
		}
		if (write(pfd[1], &g, sizeof(g)) != (ssize_t)sizeof(g))
			_exit(1);
		waitpid(g, NULL, 0);
		_exit(0);
	}
	CHECK(read(pfd[0], &grandchild, sizeof(grandchild)) == (ssize_t)sizeof(grandchild));
	close(pfd[0]);
	close(pfd[1]);
	CHECK_INT(eval_tree_kill_one(self, child, 0), 0);
	CHECK_INT(eval_tree_kill_one(self, grandchild, 0), 0);
	/* the grandchild killed and reaped by its parent: its pid is no longer the tree's */
	CHECK_INT(eval_tree_kill_one(self, grandchild, SIGKILL), 0);
	CHECK(waitpid(child, &status, 0) == child);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_INT(eval_tree_kill_one(self, grandchild, 0), -ESRCH);
	CHECK_INT(eval_tree_kill_one(self, child, 0), -ESRCH);
}

static void test_options(void)
{
	struct monitor_config c;
	char err[256];

	monitor_config_init(&c);
	CHECK_INT(c.ring_bytes, MONITOR_DEFAULT_RING_BYTES);
	CHECK_INT(c.n_outputs, 0);
	CHECK_INT(monitor_options_apply(&c, "ring-size", "64K", err, sizeof(err)), 0);
	CHECK_INT(c.ring_bytes, 65536);
	CHECK_INT(monitor_options_apply(&c, "ring-size", "3", err, sizeof(err)), -1);
	CHECK(strstr(err, "--ring-size \"3\"") != NULL);
	CHECK_INT(monitor_options_apply(&c, "no-default-rules", NULL, err, sizeof(err)), 0);
	CHECK(c.no_default_rules);
	CHECK_INT(monitor_options_apply(&c, "no-default-rules", "x", err, sizeof(err)), -1);
	CHECK_INT(monitor_options_apply(&c, "rules", NULL, err, sizeof(err)), -1);
	CHECK_INT(monitor_options_apply(&c, "no-such", "x", err, sizeof(err)), -1);
	CHECK_INT(monitor_options_apply(&c, "config", "x", err, sizeof(err)), -1);
	monitor_config_free(&c);
}

int main(void)
{
	test_decide();
	test_tool();
	test_out();
	test_find();
	test_kill_one();
	test_options();
	return check_summary("test_eval");
}
