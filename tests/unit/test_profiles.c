// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests of the built-in profiles: which executable path confirms which tool. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "core/procscan.h"
#include "core/profiles.h"

static struct profile_set set;

static unsigned int id_of(const char *name)
{
	for (unsigned int id = 1; id <= set.n; id++) {
		if (strcmp(profiles_name(&set, id), name) == 0)
			return id;
	}
	fprintf(stderr, "no profile %s\n", name);
	return 9999;
}

#define MATCH(path) profiles_name(&set, profiles_match_exe(&set, (path)))

/*
 * The profile the kernel would take an exec of path for: its comm is the file name cut to
 * 15 bytes, looked up among the candidate names. "" if it is no candidate.
 */
static const char *candidate(const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

	for (unsigned int id = 1; id <= set.n; id++) {
		const struct profile *p = profiles_get(&set, id);

		for (const char *const *c = p->comms; c && *c; c++) {
			if (strncmp(*c, base, 15) == 0 &&
			    strlen(*c) == (strlen(base) < 15 ? strlen(base) : 15))
				return p->name;
		}
	}
	return "";
}

/* Picked by its name at exec and confirmed by its path: what the monitor needs. */
#define SEEN_AS(path, tool)                       \
	do {                                      \
		CHECK_STR(candidate(path), tool); \
		CHECK_STR(MATCH(path), tool);     \
	} while (0)

static void test_match(void)
{
	/* GPT4All's binary is called chat: only its install path says it is GPT4All */
	CHECK_STR(MATCH("/home/u/gpt4all/bin/chat"), "gpt4all");
	CHECK_STR(MATCH("/opt/gpt4all/bin/chat"), "gpt4all");
	CHECK_INT(profiles_match_exe(&set, "/usr/bin/chat"), 0);
	CHECK_INT(profiles_match_exe(&set, "/home/u/bin/chat"), 0);
	CHECK_INT(profiles_match_exe(&set, "/home/u/gpt4all-notes/bin/chat"), 0);

	CHECK_STR(MATCH("/usr/local/bin/ollama"), "ollama");
	CHECK_STR(MATCH("/usr/bin/ollama"), "ollama");
	/* Ollama's bundled runners: the lib path comes before the llama-server profile */
	CHECK_STR(MATCH("/usr/local/lib/ollama/llama-server"), "ollama");
	CHECK_STR(MATCH("/usr/lib/ollama/runners/cuda_v12/ollama_llama_server"), "ollama");
	CHECK_STR(MATCH("/tmp/ollama123/runners/cpu/ollama_llama_server"), "ollama");

	/* Jan's own llama-server */
	CHECK_STR(
		MATCH("/home/u/.local/share/Jan/data/llamacpp/backends/v1/x/build/bin/llama-server"),
		"jan");
	CHECK_STR(MATCH("/opt/Jan/jan"), "jan");
	/* a plain llama.cpp build */
	CHECK_STR(MATCH("/opt/llama.cpp/build/bin/llama-server"), "llama-server");
	CHECK_STR(MATCH("/usr/local/bin/llama-server"), "llama-server");

	/* LM Studio from its AppImage mount and its CLI */
	CHECK_STR(MATCH("/tmp/.mount_LM-StuAbc/lm-studio"), "lm-studio");
	CHECK_STR(MATCH("/tmp/.mount_LM-StuAbc/resources/app/.webpack/lms"), "lm-studio");
	CHECK_STR(MATCH("/home/u/.lmstudio/bin/lms"), "lm-studio");

	/* Jan >= 0.8.5: its own worker beside jan-cli in resources/bin (comm "jan-llama-worke") */
	SEEN_AS("/usr/lib/Jan/resources/bin/jan-llama-worker", "jan");
	SEEN_AS("/tmp/.mount_Jan-AbCdEf/usr/lib/Jan/resources/bin/jan-llama-worker", "jan");
	SEEN_AS("/usr/lib/Jan/resources/bin/jan-cli", "jan");
	CHECK_STR(candidate("/usr/bin/bun"), "");
	CHECK_STR(candidate("/usr/bin/uv"), "");
	CHECK_INT(profiles_match_exe(&set, "/usr/local/bin/jan-cli"), 0);

	/* GPT4All's Flatpak: the host's /proc shows the sandbox's /app/bin/chat */
	SEEN_AS("/app/bin/chat", "gpt4all");
	CHECK_INT(profiles_match_exe(&set, "/home/u/app/bin/chat"), 0);
	CHECK_INT(profiles_match_exe(&set, "/usr/sbin/chat"), 0);

	/* koboldcpp's release binaries: comm "koboldcpp-linux" */
	SEEN_AS("/home/u/koboldcpp-linux-x64-cuda1150", "koboldcpp");
	SEEN_AS("/opt/koboldcpp-linux-x64-nocuda", "koboldcpp");
	SEEN_AS("/usr/local/bin/koboldcpp", "koboldcpp");

	/* llamafile: the binary itself, and a model's .llamafile by its path */
	SEEN_AS("/usr/local/bin/llamafile", "llamafile");
	CHECK_STR(MATCH("/home/u/Meta-Llama-3-8B-Instruct.Q4_0.llamafile"), "llamafile");
	CHECK_INT(profiles_match_exe(&set, "/usr/bin/llamafile-wrapper"), 0);
	CHECK_INT(profiles_match_exe(&set, "/home/u/.ape-1.10"), 0);
	CHECK_STR(candidate("/home/u/.ape-1.10"), "");

	CHECK_STR(MATCH("/home/u/.local/bin/vllm"), "vllm");
	CHECK_STR(MATCH("/opt/koboldcpp-linux-x64"), "koboldcpp");
	CHECK_STR(MATCH("/usr/bin/local-ai"), "localai");

	/* no partial names */
	CHECK_INT(profiles_match_exe(&set, "/usr/bin/ollama2"), 0);
	CHECK_INT(profiles_match_exe(&set, "/usr/bin/myollama"), 0);
	CHECK_INT(profiles_match_exe(&set, "/usr/bin/llama-server-wrapper"), 0);
	CHECK_INT(profiles_match_exe(&set, "/bin/bash"), 0);
	CHECK_INT(profiles_match_exe(&set, ""), 0);
}

static void test_table(void)
{
	const struct profile *p;

	CHECK_INT(set.n, 12);
	CHECK_STR(profiles_name(&set, 0), "");
	CHECK_STR(profiles_name(&set, (unsigned int)set.n + 1), "");
	CHECK(profiles_get(&set, 0) == NULL);
	CHECK(profiles_get(&set, (unsigned int)set.n + 1) == NULL);
	CHECK_STR(profiles_name(&set, 1), "ollama");
	/* ordering the matcher depends on */
	CHECK(id_of("ollama") < id_of("llama-server"));
	CHECK(id_of("jan") < id_of("llama-server"));

	/* every candidate name fits the kernel's comm (15 bytes + NUL) */
	for (unsigned int id = 1; id <= set.n; id++) {
		p = profiles_get(&set, id);
		CHECK(p && p->comms && p->exe_globs && p->name && p->display && p->source);
		if (!p || !p->comms || !p->exe_globs)
			continue;
		for (const char *const *c = p->comms; *c; c++)
			CHECK(strlen(*c) >= 1 && strlen(*c) <= 15);
		/* found by name and path, or by interpreter and command line; never half of one */
		CHECK(!p->interpreters == !p->argv_globs);
		CHECK((p->comms[0] && p->exe_globs[0]) ||
		      (p->interpreters && p->argv_globs && p->interpreters[0] && p->argv_globs[0]));
	}
	/* the kernel keeps one profile per candidate name: no name in two profiles */
	for (unsigned int a = 1; a <= set.n; a++) {
		for (const char *const *c = profiles_get(&set, a)->comms; *c; c++) {
			for (unsigned int b = a + 1; b <= set.n; b++) {
				for (const char *const *d = profiles_get(&set, b)->comms; *d; d++)
					CHECK(strcmp(*c, *d) != 0);
			}
		}
	}
	p = profiles_get(&set, id_of("gpt4all"));
	CHECK(p && p->comms[0] && strcmp(p->comms[0], "chat") == 0);
}

static void test_add(void)
{
	struct profile_set s;
	const struct profile *p;
	int id, n0;

	profiles_init(&s);
	n0 = (int)s.n;
	CHECK_INT(profiles_add_watch(&s, ""), -EINVAL);
	CHECK_INT(profiles_add_watch(&s, "0123456789abcdef"), -EINVAL); /* 16 bytes */
	CHECK_INT(profiles_add_watch(&s, "a/b"), -EINVAL);
	CHECK_INT(profiles_add_watch(&s, "/"), -EINVAL);
	CHECK_INT((int)s.n, n0);

	id = profiles_add_watch(&s, "0123456789abcde"); /* 15 bytes: fits */
	CHECK_INT(id, n0 + 1);
	p = profiles_get(&s, (unsigned int)id);
	CHECK(p != NULL);
	if (p) {
		CHECK_STR(p->name, "watch:0123456789abcde");
		CHECK_STR(p->comms[0], "0123456789abcde");
		CHECK(p->comms[1] == NULL);
		/* confirmed by name alone: no paths */
		CHECK(p->exe_globs != NULL && p->exe_globs[0] == NULL);
		CHECK_STR(p->source, "--watch");
	}
	/* a --watch entry never claims an executable path */
	CHECK_INT(profiles_match_exe(&s, "/x/0123456789abcde"), 0);

	id = profiles_add_pid(&s, 4242);
	CHECK_INT(id, n0 + 2);
	CHECK_STR(profiles_name(&s, (unsigned int)id), "pid:4242");
	p = profiles_get(&s, (unsigned int)id);
	CHECK(p && p->comms && p->comms[0] == NULL);
	/* the earlier entry is intact after the next one is added */
	CHECK_STR(profiles_name(&s, (unsigned int)id - 1), "watch:0123456789abcde");

	while ((int)s.n < PROFILE_MAX)
		CHECK(profiles_add_watch(&s, "x") > 0);
	CHECK_INT(profiles_add_watch(&s, "y"), -ENOSPC);
	CHECK_INT(profiles_add_pid(&s, 1), -ENOSPC);
	CHECK_INT((int)s.n, PROFILE_MAX);
	CHECK_STR(profiles_name(&s, PROFILE_MAX), "watch:x");
}

#define LIST(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* Tools run by an interpreter: the comm must be an interpreter's, then the command line. */
static void test_cmdline(void)
{
	struct profile_set s = { 0 };

	s.p[s.n++] = (struct profile){ .name = "exe-only",
				       .comms = LIST("x"),
				       .exe_globs = LIST("*/x") };
	s.p[s.n++] = (struct profile){ .name = "py-tool",
				       .interpreters = LIST("python3*"),
				       .argv_globs = LIST("* -m tool.server*") };
	s.p[s.n++] = (struct profile){ .name = "any-tool",
				       .interpreters = LIST("python3*", "node"),
				       .argv_globs = LIST("* -m tool*", "*/server/index.js*") };

	CHECK_INT(profiles_match_cmdline(&s, "python3", "python3 -m tool.server --port 1"), 2);
	CHECK_INT(profiles_match_cmdline(&s, "python3.11", "/usr/bin/python3.11 -m tool.server"),
		  2);
	/* table order: the first profile that matches both wins */
	CHECK_INT(profiles_match_cmdline(&s, "python3", "python3 -m toolkit"), 3);
	CHECK_INT(profiles_match_cmdline(&s, "node", "node /app/server/index.js"), 3);
	/* the right command line under a name that is no interpreter of the profile */
	CHECK_INT(profiles_match_cmdline(&s, "node", "node -m tool.server"), 3);
	CHECK_INT(profiles_match_cmdline(&s, "bash", "bash -m tool.server"), 0);
	CHECK_INT(profiles_match_cmdline(&s, "python3", "python3 script.py"), 0);
	CHECK_INT(profiles_match_cmdline(&s, "python3", ""), 0);
	CHECK(profiles_is_interpreter(&s, "python3.12"));
	CHECK(profiles_is_interpreter(&s, "node"));
	CHECK(!profiles_is_interpreter(&s, "x"));
	CHECK(!profiles_is_interpreter(&s, "nodejs"));
}

#define BY_CMDLINE(comm, cmdline) \
	profiles_name(&set, profiles_match_cmdline(&set, (comm), (cmdline)))

/* The built-in profiles of tools run by an interpreter (issue 13 item 3) */
static void test_builtin_cmdlines(void)
{
	/* vLLM: the module, the console script seen from the start-up scan (comm vllm) */
	CHECK_STR(BY_CMDLINE("python3", "python3 -m vllm.entrypoints.openai.api_server --model m"),
		  "vllm");
	CHECK_STR(BY_CMDLINE("python3.12",
			     "/usr/bin/python3.12 -m vllm.entrypoints.cli.main serve"),
		  "vllm");
	CHECK_STR(BY_CMDLINE("vllm", "/home/u/.venv/bin/python3 /home/u/.venv/bin/vllm serve Qwen"),
		  "vllm");
	CHECK_STR(BY_CMDLINE("python3", "python3 ./vllm serve m"), "vllm");
	CHECK_STR(BY_CMDLINE("python3", "python3 -m vllmx.entrypoints.x"), "");
	CHECK_STR(BY_CMDLINE("python3", "python3 -m pip install vllm"), "");
	CHECK_STR(BY_CMDLINE("bash", "bash -m vllm.entrypoints.openai.api_server"), "");

	/* Open WebUI: its console script, and uvicorn as start.sh and the image run it */
	CHECK_STR(BY_CMDLINE("open-webui", "/opt/venv/bin/python3 /opt/venv/bin/open-webui serve"),
		  "open-webui");
	CHECK_STR(BY_CMDLINE("uvicorn", "/usr/local/bin/python3 /usr/local/bin/uvicorn "
					"open_webui.main:app --host 0.0.0.0 --port 8080"),
		  "open-webui");
	CHECK_STR(BY_CMDLINE("python3", "python3 -m uvicorn open_webui.main:app"), "open-webui");
	CHECK_STR(BY_CMDLINE("uvicorn", "/usr/bin/python3 /usr/bin/uvicorn shop.main:app"), "");

	/* AnythingLLM: only a path naming it, never any node server/index.js */
	CHECK_STR(BY_CMDLINE("node", "node /home/u/anything-llm/server/index.js"), "anythingllm");
	CHECK_STR(BY_CMDLINE("node", "/usr/bin/node /opt/anythingllm/server/index.js"),
		  "anythingllm");
	CHECK_STR(BY_CMDLINE("node", "node /app/server/index.js"), "");
	CHECK_STR(BY_CMDLINE("node", "node /srv/shop/server/index.js"), "");
	CHECK_STR(BY_CMDLINE("node", "node index.js"), "");
	CHECK_STR(BY_CMDLINE("python3", "python3 /home/u/anything-llm/server/index.js"), "");

	/* text-generation-webui: its launcher, its portable build, a path naming it */
	CHECK_STR(BY_CMDLINE("python", "python one_click.py --listen"), "text-generation-webui");
	CHECK_STR(BY_CMDLINE("python3", "./portable_env/bin/python3 server.py --portable --api"),
		  "text-generation-webui");
	CHECK_STR(BY_CMDLINE("python3", "python3 /home/u/text-generation-webui/server.py --listen"),
		  "text-generation-webui");
	CHECK_STR(BY_CMDLINE("python", "python server.py"), "");

	/* plain interpreters are nobody */
	CHECK_STR(BY_CMDLINE("python3", "python3"), "");
	CHECK_STR(BY_CMDLINE("python3", "/usr/bin/python3 -c import socket"), "");
	CHECK_STR(BY_CMDLINE("node", "node"), "");

	CHECK(profiles_is_interpreter(&set, "python3"));
	CHECK(profiles_is_interpreter(&set, "python"));
	CHECK(profiles_is_interpreter(&set, "node"));
	CHECK(profiles_is_interpreter(&set, "uvicorn"));
	CHECK(!profiles_is_interpreter(&set, "bash"));
	CHECK(!profiles_is_interpreter(&set, "ollama"));

	/*
	 * No kernel cost for plain interpreters: no candidate name (what the kernel looks up at
	 * exec) is a general interpreter's, so python3, node or uvicorn are never tracked at
	 * exec; only the tools' own script names (vllm, open-webui) are candidates.
	 */
	for (unsigned int id = 1; id <= set.n; id++) {
		for (const char *const *c = profiles_get(&set, id)->comms; *c; c++) {
			CHECK(fnmatch("python*", *c, 0) != 0);
			CHECK(strcmp(*c, "node") != 0 && strcmp(*c, "uvicorn") != 0);
		}
	}
	CHECK_STR(candidate("/home/u/.venv/bin/open-webui"), "open-webui");
	CHECK_STR(candidate("/usr/bin/python3"), "");
	CHECK_STR(candidate("/usr/bin/node"), "");
	CHECK_STR(candidate("/usr/local/bin/uvicorn"), "");
}

/* procscan_read_cmdline joins the NUL-separated arguments, bounded, and says when cut. */
static void test_read_cmdline(void)
{
	char root[] = "/tmp/lw-cmdline-XXXXXX", path[256], buf[16];
	static const char args[] = "python3\0-m\0vllm\0";
	int cut = -1;
	FILE *f;

	if (!mkdtemp(root)) {
		CHECK(!"mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/42", root);
	CHECK_INT(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/42/cmdline", root);
	f = fopen(path, "we");
	CHECK(f != NULL);
	if (!f)
		return;
	fwrite(args, 1, sizeof(args) - 1, f);
	fclose(f);
	CHECK_INT(procscan_read_cmdline(root, 42, buf, sizeof(buf), &cut), 15);
	CHECK_STR(buf, "python3 -m vllm");
	CHECK_INT(cut, 0);
	CHECK_INT(procscan_read_cmdline(root, 42, buf, 8, &cut), 7);
	CHECK_STR(buf, "python3");
	CHECK_INT(cut, 1);
	CHECK_INT(procscan_read_cmdline(root, 43, buf, sizeof(buf), &cut), -ENOENT);
	CHECK_STR(buf, "");
	unlink(path);
	snprintf(path, sizeof(path), "%s/42", root);
	rmdir(path);
	rmdir(root);
}

/* procscan_self_has_cap reads CapEff's bit; a status without the line is said so. */
static void test_self_has_cap(void)
{
	char root[] = "/tmp/lw-cap-XXXXXX", path[256];
	FILE *f;

	if (!mkdtemp(root)) {
		CHECK(!"mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/self", root);
	CHECK_INT(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/self/status", root);
	f = fopen(path, "we");
	CHECK(f != NULL);
	if (!f)
		return;
	/* every capability but CAP_SYS_PTRACE (19) */
	fputs("Name:\tllmwatch\nCapInh:\t0000000000000000\nCapEff:\t000001fffff7ffff\n", f);
	fclose(f);
	CHECK_INT(procscan_self_has_cap(root, 19), 0);
	CHECK_INT(procscan_self_has_cap(root, 18), 1);
	CHECK_INT(procscan_self_has_cap(root, 39), 1);
	CHECK_INT(procscan_self_has_cap(root, 64), -EINVAL);
	f = fopen(path, "we");
	CHECK(f != NULL);
	if (f) {
		fputs("Name:\tx\nCapEff:\tzz\n", f);
		fclose(f);
	}
	CHECK_INT(procscan_self_has_cap(root, 19), -EBADMSG);
	unlink(path);
	snprintf(path, sizeof(path), "%s/self", root);
	rmdir(path);
	CHECK_INT(procscan_self_has_cap(root, 19), -ENOENT);
	rmdir(root);
}

int main(void)
{
	profiles_init(&set);
	test_match();
	test_table();
	test_add();
	test_cmdline();
	test_builtin_cmdlines();
	test_read_cmdline();
	test_self_has_cap();
	return check_summary("test_profiles");
}
