// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Where the audit finds a tool's settings outside its files (audit_settings.h): the tools'
 * processes in a fixture /proc, and systemd units under a fixture root: precedence between
 * unit directories, drop-ins (a later one wins, /etc hides /usr/lib), masked units,
 * Environment= quoting, EnvironmentFile= overriding Environment=, continued ExecStart= lines,
 * user units of a home, units of no tool.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit_settings.h"
#include "audit_fixture.h"

/* What the callbacks saw: "NAME=VALUE @WHERE [TOOL]" lines. */
static char seen[64][512];
static size_t n_seen;

static int collect(void *arg, const struct audit_setting *s)
{
	const char *root = arg;
	const char *where = s->where;
	size_t rl = strlen(root);

	/* paths under the fixture root are cited as opened: shown here without it */
	if (strncmp(where, root, rl) == 0)
		where += rl;
	if (n_seen < 64)
		snprintf(seen[n_seen++], sizeof(seen[0]), "%s=%s @%s [%s]", s->name, s->value,
			 where, s->tool ? s->tool : "-");
	return 0;
}

static bool saw(const char *line)
{
	for (size_t i = 0; i < n_seen; i++)
		if (strcmp(seen[i], line) == 0)
			return true;
	fprintf(stderr, "not seen: %s\n", line);
	for (size_t i = 0; i < n_seen; i++)
		fprintf(stderr, "  seen: %s\n", seen[i]);
	return false;
}

static void proc(uint32_t pid, const char *comm, const char *exe, const char *cmdline, size_t clen,
		 const char *env, size_t elen)
{
	fx_proc_at(fx_tmp, pid, comm, exe, cmdline, clen, env, elen);
}

static void fixture(void)
{
	static const char ollama_cmd[] = "/usr/local/bin/ollama\0serve\0--host\0";
	static const char ollama_env[] = "PATH=/bin\0OLLAMA_HOST=0.0.0.0:11434\0X=1";
	static const char vllm_cmd[] =
		"python3\0-m\0vllm.entrypoints.openai.api_server\0--host=0.0.0.0\0--port\0008000";
	static const char bash_cmd[] = "bash\0--host\0x\0";

	/* processes: a tool, a tool by its command line, no tool, unreadable, a kernel thread */
	proc(4242, "ollama", "/usr/local/bin/ollama (deleted)", ollama_cmd, sizeof(ollama_cmd),
	     ollama_env, sizeof(ollama_env) - 1);
	proc(4243, "python3", "/usr/bin/python3", vllm_cmd, sizeof(vllm_cmd), "", 0);
	proc(4244, "bash", "/bin/bash", bash_cmd, sizeof(bash_cmd), "OLLAMA_HOST=9.9.9.9", 19);
	proc(4245, "ollama", NULL, "x", 2, "", 0);
	proc(2, "kthreadd", NULL, "", 0, "", 0);

	/* Ollama's service: the unit in /usr/lib, drop-ins in /etc and /usr/lib */
	fx_tmp_put(
		"root/usr/lib/systemd/system/ollama.service",
		"[Unit]\nDescription=Ollama\n\n[Service]\nExecStart=/usr/local/bin/ollama serve\n"
		"Environment=\"OLLAMA_HOST=127.0.0.1\" OLLAMA_ORIGINS=*\nUser=ollama\n");
	fx_tmp_put("root/usr/lib/systemd/system/ollama.service.d/override.conf",
		   "[Service]\nEnvironment=OLLAMA_ORIGINS=hidden-by-etc\n");
	fx_tmp_put("root/etc/systemd/system/ollama.service.d/override.conf",
		   "# by systemctl edit\n[Service]\nEnvironment=\"OLLAMA_HOST=0.0.0.0\"\n");
	fx_tmp_put("root/etc/systemd/system/ollama.service.d/zz-lan.conf",
		   "[Service]\n; the later drop-in wins\nEnvironment=OLLAMA_HOST=10.0.0.5:11434\n");
	/* [Unit] settings are not the service's */
	fx_tmp_put("root/etc/systemd/system/ollama.service.d/unit.conf",
		   "[Unit]\nEnvironment=OLLAMA_ORIGINS=not-a-service-setting\n");

	/* a llama-server under another name, known by its ExecStart=; quoting, env files */
	fx_tmp_put("root/etc/systemd/system/my-llm.service",
		   "[Service]\n"
		   "Environment=\"LLAMA_ARG_HOST=192.168.1.5\" 'OTHER=a b' LLAMA_API_KEY=\"x y\"\n"
		   "Environment=LLAMA_ARG_PORT=8080\\\n"
		   " LLAMA_ARG_HOST_TOO=1\n"
		   "EnvironmentFile=-/etc/default/my-llm\n"
		   "EnvironmentFile=-/etc/default/missing\n"
		   "ExecStart=/opt/llama/llama-server \\\n"
		   "  --host=0.0.0.0 \\\n"
		   "# a comment inside a continued line\n"
		   "  --api-key \"sec ret\" -m /m.gguf --cors\n");
	fx_tmp_put("root/etc/default/my-llm",
		   "# defaults\n\nLLAMA_ARG_HOST = '::'\nexport LLAMA_API_KEY=ignored\n"
		   "LLAMA_API_KEY=\"a\\\"b\"  \n");

	/* masked: a link to /dev/null in /etc hides the unit in /usr/lib */
	fx_tmp_put("root/usr/lib/systemd/system/koboldcpp.service",
		   "[Service]\nExecStart=/usr/bin/koboldcpp --host 0.0.0.0\n");
	fx_tmp_link("/dev/null", "root/etc/systemd/system/koboldcpp.service");

	/* no tool's: not looked at */
	fx_tmp_put(
		"root/lib/systemd/system/sshd.service",
		"[Service]\nExecStart=/usr/sbin/sshd -D --host 1.2.3.4\nEnvironment=OLLAMA_HOST=x\n");

	/* ExecStart= reset by a drop-in: only the new command counts */
	fx_tmp_put("root/usr/lib/systemd/system/vllm.service",
		   "[Service]\nExecStart=/usr/bin/vllm serve m --host 0.0.0.0\n");
	fx_tmp_put("root/etc/systemd/system/vllm.service.d/local.conf",
		   "[Service]\nExecStart=\nExecStart=-/usr/bin/vllm serve m --host 127.0.0.1\n");

	/* user units: a home's own, and /etc/systemd/user's (reported once) */
	fx_tmp_put("root/home/alice/.config/systemd/user/ollama.service",
		   "[Service]\nExecStart=%h/bin/ollama serve\nEnvironment=OLLAMA_HOST=:11434\n");
	fx_tmp_put("root/etc/systemd/user/lms.service",
		   "[Service]\nExecStart=/home/bob/.lmstudio/bin/lms server start --bind 0.0.0.0\n"
		   "Environment=LMS_SERVER_HOST=0.0.0.0\n");
	fx_tmp_mkdirs("root/home/bob");
}

struct procs_seen {
	char line[8][128];
	size_t n;
};

static int proc_collect(void *arg, const struct audit_proc *p)
{
	struct procs_seen *s = arg;

	if (s->n < 8)
		snprintf(s->line[s->n++], sizeof(s->line[0]), "%u %s %s [%s] %s", p->pid, p->comm,
			 p->exe[0] ? p->exe : "-", p->tool, p->cmdline);
	return 0;
}

static int stop_at_first(void *arg, const struct audit_proc *p)
{
	(void)arg;
	(void)p;
	return 7;
}

static void test_procs_each(void)
{
	char proc_root[128];
	struct profile_set set;
	struct audit_ctx c = { .root = "/", .live = true, .proc_root = proc_root, .profiles = &set };
	struct procs_seen s = { 0 };
	size_t unreadable = 99;

	profiles_init(&set);
	snprintf(proc_root, sizeof(proc_root), "%s/proc", fx_tmp);
	CHECK_INT(audit_procs_each(&c, proc_collect, &s, &unreadable), 0);
	CHECK_INT(s.n, 3);
	CHECK_STR(s.line[0], "4242 ollama /usr/local/bin/ollama [ollama] /usr/local/bin/ollama "
			     "serve --host");
	CHECK_STR(s.line[1], "4243 python3 /usr/bin/python3 [vllm] python3 -m "
			     "vllm.entrypoints.openai.api_server --host=0.0.0.0 --port 8000");
	/* exe unreadable (another user's): named by its comm, and counted */
	CHECK_STR(s.line[2], "4245 ollama - [ollama] x");
	CHECK_INT(unreadable, 1);
	CHECK_INT(audit_procs_each(&c, stop_at_first, NULL, NULL), 7);
	c.live = false;
	CHECK_INT(audit_procs_each(&c, proc_collect, &s, &unreadable), -ENOTSUP);
}

static void test_env(void)
{
	static const char *const names[] = { "OLLAMA_HOST", "OLLAMA_ORIGINS", "LLAMA_ARG_HOST",
					     "LLAMA_API_KEY", "LMS_SERVER_HOST" };
	char proc_root[128], root[128], alice[160], bob[160];
	struct profile_set set;
	struct audit_home homes[2] = { { .path = alice }, { .path = bob } };
	struct audit_ctx c = { .root = root,
			       .live = true,
			       .proc_root = proc_root,
			       .profiles = &set,
			       .homes = homes,
			       .n_homes = 2 };

	profiles_init(&set);
	snprintf(proc_root, sizeof(proc_root), "%s/proc", fx_tmp);
	snprintf(root, sizeof(root), "%s/root", fx_tmp);
	snprintf(alice, sizeof(alice), "%s/home/alice", root);
	snprintf(bob, sizeof(bob), "%s/home/bob", root);
	n_seen = 0;
	CHECK_INT(audit_env_find(&c, names, 5, collect, root), 0);
	/* the process's environment; bash's is no tool's */
	CHECK(saw("OLLAMA_HOST=0.0.0.0:11434 @pid 4242 (ollama) environment [ollama]"));
	/* the later drop-in wins over the earlier one and over the unit */
	CHECK(saw("OLLAMA_HOST=10.0.0.5:11434 @/etc/systemd/system/ollama.service.d/"
		  "zz-lan.conf:3 [ollama]"));
	/* /etc's override.conf hides /usr/lib's: the unit's own value stands */
	CHECK(saw("OLLAMA_ORIGINS=* @/usr/lib/systemd/system/ollama.service:6 [ollama]"));
	/* EnvironmentFile= overrides Environment=; quotes as systemd reads them */
	CHECK(saw("LLAMA_ARG_HOST=:: @/etc/default/my-llm:3 [llama-server]"));
	CHECK(saw("LLAMA_API_KEY=a\"b @/etc/default/my-llm:5 [llama-server]"));
	/* user units: the home's own, and /etc/systemd/user's once */
	CHECK(saw("OLLAMA_HOST=:11434 @/home/alice/.config/systemd/user/ollama.service:3 "
		  "[ollama]"));
	CHECK(saw("LMS_SERVER_HOST=0.0.0.0 @/etc/systemd/user/lms.service:3 [lm-studio]"));
	/* nothing else: not bash's, not sshd's, not [Unit]'s, not hidden values */
	CHECK_INT(n_seen, 7);

	/* not live: units only */
	c.live = false;
	n_seen = 0;
	CHECK_INT(audit_env_find(&c, names, 1, collect, root), 0);
	CHECK_INT(n_seen, 2);
	CHECK(saw("OLLAMA_HOST=10.0.0.5:11434 @/etc/systemd/system/ollama.service.d/"
		  "zz-lan.conf:3 [ollama]"));
}

static void test_env_quoting(void)
{
	static const char *const names[] = { "LLAMA_ARG_HOST", "LLAMA_API_KEY", "OTHER",
					     "LLAMA_ARG_HOST_TOO" };
	char root[128];
	struct profile_set set;
	struct audit_ctx c = { .root = root, .profiles = &set };

	profiles_init(&set);
	snprintf(root, sizeof(root), "%s/root", fx_tmp);
	/* without the env file, Environment='s own values */
	{
		char path[256];

		snprintf(path, sizeof(path), "%s/etc/default/my-llm", root);
		CHECK_INT(unlink(path), 0);
	}
	n_seen = 0;
	CHECK_INT(audit_env_find(&c, names, 4, collect, root), 0);
	CHECK(saw("LLAMA_ARG_HOST=192.168.1.5 @/etc/systemd/system/my-llm.service:2 "
		  "[llama-server]"));
	CHECK(saw("LLAMA_API_KEY=x y @/etc/systemd/system/my-llm.service:2 [llama-server]"));
	CHECK(saw("OTHER=a b @/etc/systemd/system/my-llm.service:2 [llama-server]"));
	/* a continued line is one line, cited where it starts */
	CHECK(saw("LLAMA_ARG_HOST_TOO=1 @/etc/systemd/system/my-llm.service:3 [llama-server]"));
	CHECK_INT(n_seen, 4);
	fx_tmp_put("root/etc/default/my-llm", "LLAMA_ARG_HOST='::'\n");
}

static void test_argv(void)
{
	static const char *const opts[] = { "--host", "--api-key", "--cors", "--bind" };
	char proc_root[128], root[128], bob[160];
	struct profile_set set;
	struct audit_home homes[1] = { { .path = bob } };
	struct audit_ctx c = { .root = root,
			       .live = true,
			       .proc_root = proc_root,
			       .profiles = &set,
			       .homes = homes,
			       .n_homes = 1 };

	profiles_init(&set);
	snprintf(proc_root, sizeof(proc_root), "%s/proc", fx_tmp);
	snprintf(root, sizeof(root), "%s/root", fx_tmp);
	snprintf(bob, sizeof(bob), "%s/home/bob", root);
	n_seen = 0;
	CHECK_INT(audit_argv_find(&c, NULL, opts, 4, collect, root), 0);
	/* processes: an option with no value, "--opt=value" */
	CHECK(saw("--host= @pid 4242 (ollama) argv [ollama]"));
	CHECK(saw("--host=0.0.0.0 @pid 4243 (python3) argv [vllm]"));
	/* ExecStart= continued over lines, a comment line inside, quotes */
	CHECK(saw("--host=0.0.0.0 @/etc/systemd/system/my-llm.service:7 [llama-server]"));
	CHECK(saw("--api-key=sec ret @/etc/systemd/system/my-llm.service:7 [llama-server]"));
	CHECK(saw("--cors= @/etc/systemd/system/my-llm.service:7 [llama-server]"));
	/* the ExecStart= after a reset, its "-" prefix taken off */
	CHECK(saw("--host=127.0.0.1 @/etc/systemd/system/vllm.service.d/local.conf:3 [vllm]"));
	CHECK(saw("--bind=0.0.0.0 @/etc/systemd/user/lms.service:2 [lm-studio]"));
	/* not bash's, not sshd's, not the masked koboldcpp's, not vllm's first ExecStart= */
	CHECK_INT(n_seen, 7);

	/* one tool only */
	n_seen = 0;
	CHECK_INT(audit_argv_find(&c, "vllm", opts, 1, collect, root), 0);
	CHECK_INT(n_seen, 2);
	CHECK(saw("--host=0.0.0.0 @pid 4243 (python3) argv [vllm]"));
}

/* What audit_env_unread() said: "WHERE: FILE: WHY [TOOL]" lines, like seen[]. */
static int collect_unread(void *arg, const struct audit_unread *u)
{
	const char *root = arg;
	size_t rl = strlen(root);
	const char *where = u->where, *why = u->why;

	if (strncmp(where, root, rl) == 0)
		where += rl;
	if (strncmp(why, root, rl) == 0)
		why += rl;
	if (n_seen < 64)
		snprintf(seen[n_seen++], sizeof(seen[0]), "%s: %s: %s [%s]", where,
			 u->file ? u->file : "-", why, u->tool ? u->tool : "-");
	return 0;
}

/*
 * systemd's specifiers in units (the system's and a user's), EnvironmentFile= wildcards,
 * and what audit_env_unread() says of the files that could not be read.
 */
static void test_specifiers_unread(void)
{
	static const char *const names[] = { "OLLAMA_HOST", "OLLAMA_MODELS", "LLAMA_ARG_HOST" };
	char root[128], carol[160];
	struct profile_set set;
	struct audit_home homes[1] = { { .path = carol, .user = "carol", .uid = 1001 } };
	struct audit_ctx c = { .root = root, .profiles = &set, .homes = homes, .n_homes = 1 };

	profiles_init(&set);
	snprintf(root, sizeof(root), "%s/sroot", fx_tmp);
	snprintf(carol, sizeof(carol), "%s/home/carol", root);
	/* the system's Ollama: %E is /etc, %S /var/lib; an unknown specifier's word is
	 * ignored by systemd, and so here; a wildcard file list, read in name order */
	fx_tmp_put("sroot/etc/systemd/system/ollama.service",
		   "[Service]\nExecStart=/usr/bin/ollama serve\n"
		   "Environment=OLLAMA_MODELS=%S/ollama/models OLLAMA_HOST=%z\n"
		   "EnvironmentFile=-%E/ollama/%N.env\n"
		   "EnvironmentFile=-/etc/ollama/conf.d/*.env\n"
		   "EnvironmentFile=-/etc/%H.env\n"
		   "EnvironmentFile=-/etc/ollama/%z.env\n"
		   "EnvironmentFile=-/etc/*/ollama.env\n"
		   "EnvironmentFile=-/etc/ollama/big.env\n"
		   "EnvironmentFile=/etc/ollama/missing.env\n");
	fx_tmp_put("sroot/etc/ollama/ollama.env", "OLLAMA_HOST=127.0.0.1\n");
	fx_tmp_put("sroot/etc/ollama/conf.d/b.env", "OLLAMA_HOST=10.1.1.2\n");
	fx_tmp_put("sroot/etc/ollama/conf.d/a.env", "OLLAMA_HOST=10.1.1.1\n");
	fx_tmp_put("sroot/etc/ollama/conf.d/.c.env", "OLLAMA_HOST=hidden\n");
	fx_tmp_put("sroot/etc/ollama/conf.d/d.conf", "OLLAMA_HOST=not-env\n");
	fx_tmp_put_size("sroot/etc/ollama/big.env", 1024 * 1024 + 1);
	/* a template: each instance's file is its own, so the template's is not known */
	fx_tmp_put("sroot/etc/systemd/system/llama-server@.service",
		   "[Service]\nExecStart=/usr/bin/llama-server --port 8080\n"
		   "EnvironmentFile=/etc/llama/%i.env\n");
	/* a user's: %h is the home as the system sees it (no fixture prefix), %t by uid */
	fx_tmp_put("sroot/home/carol/.config/systemd/user/ollama.service",
		   "[Service]\nExecStart=%h/bin/ollama serve\n"
		   "EnvironmentFile=%h/.config/ollama.env\n"
		   "Environment=OLLAMA_MODELS=%t/models\n");
	fx_tmp_put("sroot/home/carol/.config/ollama.env", "OLLAMA_HOST=0.0.0.0\n");
	/* /etc/systemd/user's, read once for every user: %h has no value there */
	fx_tmp_put("sroot/etc/systemd/user/ollama-extra.service",
		   "[Service]\nExecStart=/usr/bin/ollama serve\n"
		   "EnvironmentFile=-%h/.ollama.env\n");

	n_seen = 0;
	CHECK_INT(audit_env_find(&c, names, 3, collect, root), 0);
	/* the wildcard's last match wins over %E/ollama/%N.env, .c.env and d.conf unread */
	CHECK(saw("OLLAMA_HOST=10.1.1.2 @/etc/ollama/conf.d/b.env:1 [ollama]"));
	CHECK(saw("OLLAMA_MODELS=/var/lib/ollama/models @/etc/systemd/system/ollama.service:3 "
		  "[ollama]"));
	CHECK(saw("OLLAMA_HOST=0.0.0.0 @/home/carol/.config/ollama.env:1 [ollama]"));
	CHECK(saw("OLLAMA_MODELS=/run/user/1001/models @/home/carol/.config/systemd/user/"
		  "ollama.service:4 [ollama]"));
	CHECK_INT(n_seen, 4);

	/* %E/ollama/%N.env was read: with the wildcard line gone, its value stands */
	fx_tmp_put("sroot/etc/ollama/conf.d/b.env", "OTHER=1\n");
	fx_tmp_put("sroot/etc/ollama/conf.d/a.env", "OTHER=1\n");
	n_seen = 0;
	CHECK_INT(audit_env_find(&c, names, 1, collect, root), 0);
	CHECK(saw("OLLAMA_HOST=127.0.0.1 @/etc/ollama/ollama.env:1 [ollama]"));

	/* a wildcard matching more files than are read: said, with how many were */
	fx_tmp_put("sroot/etc/systemd/system/ollama-many.service",
		   "[Service]\nExecStart=/usr/bin/ollama serve\nEnvironmentFile=/etc/many/*.env\n");
	for (int i = 0; i < 300; i++) {
		char rel[64];

		snprintf(rel, sizeof(rel), "sroot/etc/many/e%03d.env", i);
		fx_tmp_put(rel, "X=1\n");
	}

	n_seen = 0;
	CHECK_INT(audit_env_unread(&c, collect_unread, root), 0);
	CHECK(saw("/etc/systemd/system/ollama-many.service:3: /etc/many/*.env: more than 256 "
		  "files match: only 256 of them are read [ollama]"));
	CHECK(saw("/etc/systemd/system/ollama.service:6: -/etc/%H.env: specifier %H is the "
		  "host's, not expanded by the audit [ollama]"));
	CHECK(saw("/etc/systemd/system/ollama.service:8: -/etc/*/ollama.env: wildcards in a "
		  "directory are not expanded by the audit [ollama]"));
	CHECK(saw("/etc/systemd/system/ollama.service:9: -/etc/ollama/big.env: "
		  "/etc/ollama/big.env is larger than the audit reads (1 MiB) [ollama]"));
	CHECK(saw("/etc/systemd/system/llama-server@.service:3: /etc/llama/%i.env: specifier "
		  "%i depends on the instance of a template [llama-server]"));
	CHECK(saw("/etc/systemd/user/ollama-extra.service:3: -%h/.ollama.env: specifier %h "
		  "depends on the user, who is not known here [ollama]"));
	/* not said: %z (systemd ignores the line), the missing file, what was read */
	CHECK_INT(n_seen, 6);

	/* the template enabled as two instances (links in a .wants/ folder; one of them with a
	 * drop-in of its own): each is read with its %i, and the bare template no longer is */
	fx_tmp_link("../llama-server@.service",
		    "sroot/etc/systemd/system/multi-user.target.wants/llama-server@gpu0.service");
	fx_tmp_link(
		"/etc/systemd/system/llama-server@.service",
		"sroot/etc/systemd/system/default.target.requires/llama-server@big\\x2dgpu.service");
	fx_tmp_put("sroot/etc/llama/gpu0.env", "LLAMA_ARG_HOST=0.0.0.0\n");
	fx_tmp_put("sroot/etc/llama/big\\x2dgpu.env", "LLAMA_ARG_HOST=127.0.0.1\n");
	/* the template's drop-in reaches every instance; the instance's own comes after it */
	fx_tmp_put("sroot/etc/systemd/system/llama-server@.service.d/10-all.conf",
		   "[Service]\nEnvironment=OLLAMA_MODELS=/srv/%I\n");
	fx_tmp_put("sroot/etc/systemd/system/llama-server@gpu0.service.d/20-gpu0.conf",
		   "[Service]\nEnvironment=OLLAMA_MODELS=/fast/%i\n");
	n_seen = 0;
	CHECK_INT(audit_env_find(&c, names, 3, collect, root), 0);
	CHECK(saw("LLAMA_ARG_HOST=0.0.0.0 @/etc/llama/gpu0.env:1 [llama-server]"));
	CHECK(saw("LLAMA_ARG_HOST=127.0.0.1 @/etc/llama/big\\x2dgpu.env:1 [llama-server]"));
	CHECK(saw("OLLAMA_MODELS=/fast/gpu0 @/etc/systemd/system/llama-server@gpu0.service.d/"
		  "20-gpu0.conf:2 [llama-server]"));
	CHECK(saw("OLLAMA_MODELS=/srv/big-gpu @/etc/systemd/system/llama-server@.service.d/"
		  "10-all.conf:2 [llama-server]"));
	n_seen = 0;
	CHECK_INT(audit_env_unread(&c, collect_unread, root), 0);
	for (size_t i = 0; i < n_seen; i++)
		CHECK(strstr(seen[i], "llama-server@") == NULL);
	CHECK_INT(n_seen, 5);

	/* a template of /etc/systemd/user enabled in carol's own default.target.wants: her
	 * instance, read with her %h and its %i */
	fx_tmp_put("sroot/etc/systemd/user/ollama-x@.service",
		   "[Service]\nExecStart=/usr/bin/ollama serve\nEnvironmentFile=%h/%i.env\n");
	fx_tmp_link(
		"/etc/systemd/user/ollama-x@.service",
		"sroot/home/carol/.config/systemd/user/default.target.wants/ollama-x@lan.service");
	fx_tmp_put("sroot/home/carol/lan.env", "LLAMA_ARG_HOST=192.168.1.9\n");
	n_seen = 0;
	CHECK_INT(audit_env_find(&c, names, 3, collect, root), 0);
	CHECK(saw("LLAMA_ARG_HOST=192.168.1.9 @/home/carol/lan.env:1 [ollama]"));
}

/*
 * A unit's own files that cannot be read (too large here; not readable without root in
 * tests/e2e/81-audit-exposure.bats): said, with the unit's tool or, when its unit file is
 * the one unread and its name is no tool's, with none; what was read still counts.
 */
static void test_unit_files_unread(void)
{
	static const char *const names[] = { "OLLAMA_HOST" };
	char root[128];
	struct profile_set set;
	struct audit_ctx c = { .root = root, .profiles = &set };

	profiles_init(&set);
	snprintf(root, sizeof(root), "%s/uroot", fx_tmp);
	/* vllm's unit file too large: its name says whose it is; a lower one is not read */
	fx_tmp_put_size("uroot/etc/systemd/system/vllm.service", 1024 * 1024 + 1);
	fx_tmp_put("uroot/usr/lib/systemd/system/vllm.service",
		   "[Service]\nExecStart=/usr/bin/vllm serve\nEnvironment=OLLAMA_HOST=lower\n");
	/* a unit of no tool's name, unread: it may start one */
	fx_tmp_put_size("uroot/etc/systemd/system/mystery.service", 2 * 1024 * 1024);
	/* Ollama's unit read, with more drop-ins than are read */
	fx_tmp_put("uroot/etc/systemd/system/ollama.service",
		   "[Service]\nExecStart=/usr/bin/ollama serve\nEnvironment=OLLAMA_HOST=0.0.0.0\n");
	for (int i = 0; i < 300; i++) {
		char rel[96];

		snprintf(rel, sizeof(rel), "uroot/etc/systemd/system/ollama.service.d/%03d.conf",
			 i);
		fx_tmp_put(rel, "[Service]\n");
	}
	/* llama-server's unit read, one drop-in too large, the other read */
	fx_tmp_put("uroot/etc/systemd/system/llama-server.service",
		   "[Service]\nExecStart=/usr/bin/llama-server\n");
	fx_tmp_put_size("uroot/etc/systemd/system/llama-server.service.d/big.conf",
			1024 * 1024 + 1);
	fx_tmp_put("uroot/etc/systemd/system/llama-server.service.d/host.conf",
		   "[Service]\nEnvironment=OLLAMA_HOST=10.0.0.1\n");

	n_seen = 0;
	CHECK_INT(audit_env_unread(&c, collect_unread, root), 0);
	CHECK(saw("/etc/systemd/system/vllm.service: -: larger than the audit reads (1 MiB) "
		  "[vllm]"));
	CHECK(saw("/etc/systemd/system/mystery.service: -: larger than the audit reads (1 MiB) "
		  "[-]"));
	CHECK(saw("/etc/systemd/system/ollama.service.d: -: more than 256 drop-ins: which ones "
		  "are read is arbitrary [ollama]"));
	CHECK(saw("/etc/systemd/system/llama-server.service.d/big.conf: -: larger than the "
		  "audit reads (1 MiB) [llama-server]"));
	CHECK_INT(n_seen, 4);

	/* what could be read is found; the lower vllm.service, hidden by the unread one, not */
	n_seen = 0;
	CHECK_INT(audit_env_find(&c, names, 1, collect, root), 0);
	CHECK(saw("OLLAMA_HOST=0.0.0.0 @/etc/systemd/system/ollama.service:3 [ollama]"));
	CHECK(saw("OLLAMA_HOST=10.0.0.1 @/etc/systemd/system/llama-server.service.d/host.conf:2 "
		  "[llama-server]"));
	CHECK_INT(n_seen, 2);
}

/*
 * Drop-ins beyond NAME.d: a prefix's ("llama-.service.d"), an instance's prefix's
 * ("ollama-@a.service.d" and its template "ollama-@.service.d") and every service's
 * "service.d", which comes after every directory's own folders: of two drop-ins of the same
 * name, /usr/lib's NAME.d hides /etc's service.d, and /etc's prefix folder hides /usr/lib's
 * NAME.d.
 */
static void test_dropin_folders(void)
{
	static const char *const names[] = { "A", "B", "C", "D", "E", "F", "G" };
	char root[128];
	struct profile_set set;
	struct audit_ctx c = { .root = root, .profiles = &set };

	profiles_init(&set);
	snprintf(root, sizeof(root), "%s/droot", fx_tmp);
	fx_tmp_put("droot/usr/lib/systemd/system/llama-server.service",
		   "[Service]\nExecStart=/usr/bin/llama-server\n");
	fx_tmp_put("droot/etc/systemd/system/service.d/10-all.conf",
		   "[Service]\nEnvironment=A=all\n");
	fx_tmp_put("droot/usr/lib/systemd/system/llama-.service.d/20-prefix.conf",
		   "[Service]\nEnvironment=A=prefix B=prefix\n");
	fx_tmp_put("droot/etc/systemd/system/service.d/30-same.conf",
		   "[Service]\nEnvironment=C=all\n");
	fx_tmp_put("droot/usr/lib/systemd/system/llama-server.service.d/30-same.conf",
		   "[Service]\nEnvironment=C=own\n");
	fx_tmp_put("droot/etc/systemd/system/llama-.service.d/40-same.conf",
		   "[Service]\nEnvironment=D=etc-prefix\n");
	fx_tmp_put("droot/usr/lib/systemd/system/llama-server.service.d/40-same.conf",
		   "[Service]\nEnvironment=D=lib-own\n");
	/* a prefix folder is no unit of its own */
	fx_tmp_put("droot/etc/systemd/system/ollama-.service.d/50.conf",
		   "[Service]\nExecStart=/usr/bin/ollama serve\nEnvironment=F=phantom\n");

	n_seen = 0;
	CHECK_INT(audit_env_find(&c, names, 7, collect, root), 0);
	CHECK(saw("A=prefix @/usr/lib/systemd/system/llama-.service.d/20-prefix.conf:2 "
		  "[llama-server]"));
	CHECK(saw("B=prefix @/usr/lib/systemd/system/llama-.service.d/20-prefix.conf:2 "
		  "[llama-server]"));
	CHECK(saw("C=own @/usr/lib/systemd/system/llama-server.service.d/30-same.conf:2 "
		  "[llama-server]"));
	CHECK(saw("D=etc-prefix @/etc/systemd/system/llama-.service.d/40-same.conf:2 "
		  "[llama-server]"));
	CHECK_INT(n_seen, 4);

	/* an instance: its template's folder and prefix, its own prefix and that one's template */
	fx_tmp_put("droot/etc/systemd/system/ollama-big@.service",
		   "[Service]\nExecStart=/usr/bin/ollama serve\n");
	fx_tmp_link("../ollama-big@.service",
		    "droot/etc/systemd/system/multi-user.target.wants/ollama-big@a.service");
	fx_tmp_put("droot/etc/systemd/system/ollama-big@.service.d/1.conf",
		   "[Service]\nEnvironment=E=template\n");
	fx_tmp_put("droot/etc/systemd/system/ollama-@a.service.d/2.conf",
		   "[Service]\nEnvironment=B=prefix-instance\n");
	fx_tmp_put("droot/etc/systemd/system/ollama-@.service.d/3.conf",
		   "[Service]\nEnvironment=D=prefix-template\n");
	fx_tmp_put("droot/etc/systemd/system/ollama-@b.service.d/4.conf",
		   "[Service]\nEnvironment=G=another-instance\n");
	n_seen = 0;
	CHECK_INT(audit_env_find(&c, names, 7, collect, root), 0);
	CHECK(saw("E=template @/etc/systemd/system/ollama-big@.service.d/1.conf:2 [ollama]"));
	/* service.d reaches every service: A and C of the first part, by their names' order */
	CHECK(saw("A=all @/etc/systemd/system/service.d/10-all.conf:2 [ollama]"));
	CHECK(saw("C=all @/etc/systemd/system/service.d/30-same.conf:2 [ollama]"));
	CHECK(saw("B=prefix-instance @/etc/systemd/system/ollama-@a.service.d/2.conf:2 "
		  "[ollama]"));
	CHECK(saw("D=prefix-template @/etc/systemd/system/ollama-@.service.d/3.conf:2 [ollama]"));
	/* F of ollama-.service.d/50.conf reaches ollama-big@a as a prefix drop-in, not alone */
	CHECK(saw("F=phantom @/etc/systemd/system/ollama-.service.d/50.conf:3 [ollama]"));
	CHECK_INT(n_seen, 10); /* and the 4 of llama-server; not G, another instance's */

	/* a name of 120 dashes: each folder walked once (not the square of 120), the shortest
	 * prefix's reached */
	{
		char deep[256], rel[400], target[300];
		size_t n = 0;

		for (int i = 0; i < 120; i++)
			n += (size_t)snprintf(deep + n, sizeof(deep) - n, "a-");
		deep[n - 1] = '\0'; /* "a-a-...-a" */
		snprintf(rel, sizeof(rel), "droot/etc/systemd/system/%s@.service", deep);
		fx_tmp_put(rel, "[Service]\nExecStart=/usr/bin/ollama serve\n");
		snprintf(target, sizeof(target), "../%s@.service", deep);
		snprintf(rel, sizeof(rel),
			 "droot/etc/systemd/system/multi-user.target.wants/%s@x.service", deep);
		fx_tmp_link(target, rel);
		fx_tmp_put("droot/etc/systemd/system/a-@x.service.d/9.conf",
			   "[Service]\nEnvironment=G=deep\n");
		n_seen = 0;
		CHECK_INT(audit_env_find(&c, names, 7, collect, root), 0);
		CHECK(saw("G=deep @/etc/systemd/system/a-@x.service.d/9.conf:2 [ollama]"));
	}
}

/* The findings' words for what was not read. */
static void test_unread_text(void)
{
	char *t;

	t = audit_unread_text(&(struct audit_unread){ .where = "/u.service:3",
						      .file = "-/etc/x.env",
						      .why = "Permission denied",
						      .tool = "ollama" },
			      "a host setting");
	CHECK_STR(t, "/u.service:3: EnvironmentFile=-/etc/x.env not read (Permission denied): a "
		     "host setting in it is not seen");
	free(t);
	t = audit_unread_text(&(struct audit_unread){ .where = "/etc/systemd/system/ollama.service",
						      .why = "Permission denied",
						      .tool = "ollama" },
			      "a setting");
	CHECK_STR(t, "/etc/systemd/system/ollama.service not read (Permission denied): a setting "
		     "in it is not seen");
	free(t);
	t = audit_unread_text(&(struct audit_unread){ .where = "/etc/systemd/system/m.service",
						      .why = "Permission denied" },
			      "a setting");
	CHECK_STR(t, "/etc/systemd/system/m.service not read (Permission denied): a setting in it "
		     "is not seen; which tool the unit starts, if any, is not known");
	free(t);
	CHECK_STR(audit_unread_subject(&(struct audit_unread){ .file = "x" }), "EnvironmentFile");
	CHECK_STR(audit_unread_subject(&(struct audit_unread){ .where = "x" }), "unit");
}

int main(void)
{
	fx_tmp_init("audit-settings");
	fixture();
	test_procs_each();
	test_env();
	test_argv();
	test_env_quoting();
	test_specifiers_unread();
	test_unit_files_unread();
	test_dropin_folders();
	test_unread_text();
	fx_tmp_done();
	return check_summary("test_audit_settings");
}
