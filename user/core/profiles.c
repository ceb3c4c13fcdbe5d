// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Built-in inference-tool profiles and user-added watch entries (see profiles.h). */
#include "core/profiles.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#define LIST(...) ((const char *const[]){ __VA_ARGS__, NULL })
/* an empty list: a tool with no candidate name or no executable of its own */
#define NONE ((const char *const[]){ NULL })

/*
 * Order matters: the first profile whose executable pattern matches wins, so tools that
 * ship their own llama-server (Jan, Ollama) come before plain llama.cpp.
 */
static const struct profile builtin[] = {
	{
		.name = "ollama",
		.display = "Ollama",
		/* ollama_llama_server (v0.1.32-0.5.1) appears as comm "ollama_llama_se" */
		.comms = LIST("ollama", "ollama_llama_se"),
		.exe_globs = LIST("*/ollama", "*/ollama_llama_server", "*/lib/ollama/*"),
		.source = "ollama scripts/install.sh L159-226; llm/server.go; llm/llama_server.go",
	},
	{
		.name = "jan",
		.display = "Jan",
		/*
		 * Jan >= 0.8.5 runs inference in its own static jan-llama-worker (comm
		 * "jan-llama-worke"), shipped beside jan-cli in resources/bin (or as a sidecar
		 * beside the main binary); older versions downloaded a llama-server into the data
		 * folder, or ran cortex-server. MCP servers run under Jan's bundled bun and uv:
		 * they are Jan's children, covered by inherited tracking, so bun and uv are not
		 * candidates here (they are not Jan when run on their own).
		 */
		.comms = LIST("jan", "Jan", "Jan-Desktop", "jan-llama-worke", "jan-cli",
			      "cortex-server"),
		.exe_globs = LIST("*/jan", "*/Jan", "*/Jan-Desktop", "*/jan-llama-worker",
				  "*/resources/bin/jan-cli", "*/cortex-server",
				  "*/Jan/data/llamacpp/backends/*", "*/Jan/binaries/*"),
		.source =
			"janhq/jan src-tauri/tauri.conf.json; extensions/llamacpp-extension/src/index.ts; "
			"src-tauri/plugins/tauri-plugin-llamacpp/src/bin/jan-llama-worker.rs "
			"@1eb5cdfc; src/engine/worker.rs (resource_dir() or sidecar path) @121d5ef4; MCP servers "
			"under bundled bun/uv: children of Jan, inherited",
	},
	{
		.name = "lm-studio",
		.display = "LM Studio",
		.comms = LIST("lm-studio", "lms", "llmster"),
		.exe_globs = LIST("*/lm-studio", "/tmp/.mount_LM-Stu*", "/tmp/.mount_lmstud*",
				  "*/.lmstudio/bin/lms", "*/.lmstudio/*/llmster*", "*/lms"),
		.source =
			"lmstudio-ai/lmstudio-js findLMStudioHome.ts; lmstudio-bug-tracker #120 #358 #1068",
	},
	{
		.name = "gpt4all",
		.display = "GPT4All",
		/*
		 * The desktop binary is called "chat": only its install path identifies it. The
		 * Flatpak io.gpt4all.gpt4all (Exec=chat) runs it inside bwrap, whose pivot_root puts
		 * the app's files/ directory at /app: /proc/PID/exe, read from the host, resolves
		 * within the process's own mount tree (fs/d_path.c d_path(): the walk stops at
		 * that namespace's root), so the host sees /app/bin/chat, never the
		 * .../flatpak/app/io.gpt4all.gpt4all/.../files/bin/chat it is installed at. Exact,
		 * no leading "*": a container's own /app/bin/chat would be taken for GPT4All too.
		 */
		.comms = LIST("chat", "maintenancetool", "gpt4all"),
		.exe_globs = LIST("*/gpt4all/bin/chat", "/app/bin/chat",
				  "*/gpt4all/maintenancetool", "*/gpt4all/bin/maintenancetool",
				  "*/gpt4all"),
		.source =
			"nomic-ai/gpt4all gpt4all-chat/cmake/cpack_config.cmake L10; installer_gpt4all_component.qs; "
			"flathub io.gpt4all.gpt4all Exec=chat, Flatpak's /app prefix",
	},
	{
		.name = "llama-server",
		.display = "llama.cpp server",
		.comms = LIST("llama-server"),
		.exe_globs = LIST("*/llama-server"),
		.source = "ggml-org/llama.cpp common/common.h; tools/server",
	},
	{
		.name = "vllm",
		.display = "vLLM",
		/*
		 * The `vllm` console script runs under python: its comm is "vllm" (the script's
		 * name) but /proc/PID/exe is python, and `python3 -m vllm.entrypoints...` has
		 * only python's name. The command line says which.
		 */
		.comms = LIST("vllm"),
		.exe_globs = LIST("*/vllm"),
		.interpreters = LIST("python*", "vllm"),
		.argv_globs = LIST("* -m vllm.entrypoints.*", "*/vllm serve*", "vllm serve*"),
		.source = "vllm-project/vllm pyproject.toml console script (vllm = "
			  "vllm.entrypoints.cli.main:main, `vllm serve`); "
			  "vllm/entrypoints/openai/api_server.py (python -m "
			  "vllm.entrypoints.openai.api_server)",
	},
	{
		.name = "koboldcpp",
		.display = "KoboldCpp",
		/* release binaries are koboldcpp-linux-x64-cuda1150 etc.: comm "koboldcpp-linux" */
		.comms = LIST("koboldcpp", "koboldcpp-linux"),
		.exe_globs = LIST("*/koboldcpp", "*/koboldcpp-*", "*/koboldcpp.py"),
		.source =
			"LostRuins/koboldcpp koboldcpp.py; README L19, L23 (release binary names)",
	},
	{
		.name = "localai",
		.display = "LocalAI",
		.comms = LIST("local-ai", "localai"),
		.exe_globs = LIST("*/local-ai", "*/localai"),
		.source = "mudler/LocalAI docs: CLI reference",
	},
	{
		.name = "llamafile",
		.display = "llamafile",
		/*
		 * An APE binary named llamafile or *.llamafile; its server listens on
		 * 127.0.0.1:8080 by default. Run natively (assimilated, or through a binfmt_misc
		 * APE loader) its comm is the file name cut to 15 bytes: only "llamafile" itself
		 * is a candidate name, a MODEL.llamafile is confirmed by its path but has no name
		 * to be picked by (through binfmt_misc, /proc/PID/exe is the loader: only an
		 * absolute exec path confirms it). Run through the loader its shell prologue
		 * extracts, the process is that loader ($TMPDIR/.ape-1.10, comm ".ape-1.10"),
		 * which any APE program uses: not a candidate.
		 */
		.comms = LIST("llamafile"),
		.exe_globs = LIST("*/llamafile", "*.llamafile"),
		.source =
			"Mozilla-Ocho/llamafile llamafile/flags.cpp L62 @6b464191 (127.0.0.1:8080); "
			"mozilla-ai/llamafile docs/support.md L14-17 @43551265 (the .ape-1.10 loader); "
			"jart/cosmopolitan ape/loader.c",
	},
	{
		.name = "open-webui",
		.display = "Open WebUI",
		/*
		 * A Python web app: `open-webui serve` (the console script, comm "open-webui",
		 * serve(host="0.0.0.0", port=8080)), or uvicorn open_webui.main:app as its
		 * backend/start.sh and Docker image run it (comm "uvicorn", HOST default
		 * 0.0.0.0). Only "open-webui" is a candidate name: uvicorn runs any ASGI app, so
		 * it is recognised by its command line in the scans, never at exec.
		 */
		.comms = LIST("open-webui"),
		.exe_globs = LIST("*/open-webui"),
		.interpreters = LIST("python*", "open-webui", "uvicorn"),
		.argv_globs =
			LIST("*/open-webui serve*", "open-webui serve*", "* open_webui.main:app*"),
		.source = "open-webui/open-webui pyproject.toml (open-webui = open_webui:app); "
			  "backend/open_webui/__init__.py @00843237 serve(host=\"0.0.0.0\", "
			  "port=8080); backend/start.sh (uvicorn open_webui.main:app, "
			  "HOST=${HOST:-0.0.0.0}, PORT=${PORT:-8080})",
	},
	{
		.name = "anythingllm",
		.display = "AnythingLLM",
		/*
		 * Its server is a Node program, server/index.js of an AnythingLLM checkout (the
		 * Docker image runs node /app/server/index.js and /app/collector/index.js). node
		 * runs everything, and /app/server/index.js is a common path in any Node image:
		 * only a path naming anything-llm is taken, so the Docker image's server is not
		 * recognised by its command line (watch it with --pid).
		 */
		.comms = NONE,
		.exe_globs = NONE,
		.interpreters = LIST("node"),
		.argv_globs = LIST("*/anything-llm*/server/index.js*",
				   "*/anythingllm*/server/index.js*",
				   "*/AnythingLLM*/server/index.js*"),
		.source = "Mintplex-Labs/anything-llm docker/docker-entrypoint.sh (node "
			  "/app/server/index.js); server/index.js (SERVER_PORT || 3001); "
			  "server/models/telemetry.js @064b0b8e (PostHog, DISABLE_TELEMETRY)",
	},
	{
		.name = "text-generation-webui",
		.display = "text-generation-webui",
		/*
		 * Python scripts run from the checkout's own directory: start_linux.sh runs
		 * `python one_click.py` (which runs `python server.py` as its child) or, in a
		 * portable build, `./portable_env/bin/python3 server.py`. A bare `python
		 * server.py` names no tool: only one_click.py, the portable interpreter or a path
		 * naming text-generation-webui is taken.
		 */
		.comms = NONE,
		.exe_globs = NONE,
		.interpreters = LIST("python*"),
		.argv_globs = LIST("* one_click.py*", "*/portable_env/bin/python* server.py*",
				   "*text-generation-webui*/server.py*",
				   "*text-generation-webui*/one_click.py*"),
		.source = "oobabooga/text-generation-webui start_linux.sh (python one_click.py; "
			  "portable_env/bin/python3 server.py); server.py @1dcde41d L84 "
			  "(GRADIO_ANALYTICS_ENABLED=False), L238 (Gradio 7860, 0.0.0.0 with "
			  "--listen, --share); modules/api/script.py L562-574 (API 5000, "
			  "--public-api Cloudflare tunnel)",
	},
};

#define BUILTIN_N (sizeof(builtin) / sizeof(builtin[0]))
_Static_assert(BUILTIN_N <= PROFILES_BUILTIN_MAX, "the rules keep one bit per built-in profile");

size_t profiles_builtin_count(void)
{
	return BUILTIN_N;
}

const char *profiles_builtin_name(size_t i)
{
	return i < BUILTIN_N ? builtin[i].name : NULL;
}

void profiles_init(struct profile_set *set)
{
	memset(set, 0, sizeof(*set));
	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++) {
		set->p[set->n] = builtin[i];
		set->p[set->n++].origin = "built-in";
	}
	set->n_named = set->n;
}

const struct profile *profiles_find(const struct profile_set *set, const char *name)
{
	for (size_t i = 0; i < set->n_named; i++) {
		if (strcmp(set->p[i].name, name) == 0)
			return &set->p[i];
	}
	return NULL;
}

int profiles_add_file(struct profile_set *set, const struct profile *p)
{
	size_t n_file = 0;

	if (set->n != set->n_named)
		return -EBUSY;
	for (size_t i = 0; i < set->n; i++) {
		if (set->p[i].from_file)
			n_file++;
		if (strcmp(set->p[i].name, p->name) != 0)
			continue;
		if (set->p[i].from_file)
			return -EEXIST;
		set->p[i] = *p;
		set->p[i].from_file = true;
		set->p[i].replaced = true;
		return (int)i + 1;
	}
	if (n_file >= PROFILES_FILE_MAX || set->n >= PROFILE_MAX)
		return -ENOSPC;
	set->p[set->n] = *p;
	set->p[set->n].from_file = true;
	set->p[set->n].replaced = false;
	set->n_named = ++set->n;
	return (int)set->n;
}

/*
 * Appends a user-added entry named set->names[i] (already written by the caller), with at
 * most one candidate name and no executable patterns: such an entry is taken by its name
 * (--watch) or by its pid (--pid), never confirmed by path. Returns its id.
 */
static int add_user_entry(struct profile_set *set, size_t i, const char *comm, const char *src)
{
	set->comm_store[i][0] = (char *)comm;
	set->comm_store[i][1] = NULL;
	set->glob_store[i][0] = NULL;
	set->p[i] = (struct profile){
		.name = set->names[i],
		.display = set->names[i],
		.comms = (const char *const *)set->comm_store[i],
		.exe_globs = (const char *const *)set->glob_store[i],
		.source = src,
		.origin = src,
	};
	set->n++;
	return (int)set->n;
}

int profiles_add_watch(struct profile_set *set, const char *name)
{
	size_t len = strlen(name);
	size_t i = set->n;

	if (len == 0 || len > 15 || strchr(name, '/'))
		return -EINVAL;
	if (i >= PROFILE_MAX)
		return -ENOSPC;
	snprintf(set->names[i], sizeof(set->names[i]), "watch:%s", name);
	/* the candidate name is the tail of "watch:NAME" */
	return add_user_entry(set, i, set->names[i] + 6, "--watch");
}

int profiles_add_pid(struct profile_set *set, int pid)
{
	size_t i = set->n;

	if (i >= PROFILE_MAX)
		return -ENOSPC;
	snprintf(set->names[i], sizeof(set->names[i]), "pid:%d", pid);
	return add_user_entry(set, i, NULL, "--pid");
}

int profiles_add_eval(struct profile_set *set, const char *cmd)
{
	const char *base = strrchr(cmd, '/');
	size_t i = set->n, n = 0;
	char name[PROFILE_EVAL_NAME_MAX + 1];

	base = base ? base + 1 : cmd;
	/* a name for output and rules, not the bytes of a file name: anything else is '_' */
	for (const char *p = base; *p && n < PROFILE_EVAL_NAME_MAX; p++) {
		unsigned char ch = (unsigned char)*p;

		name[n++] = (isalnum(ch) || ch == '.' || ch == '_' || ch == '-' || ch == '+') ?
				    (char)ch :
				    '_';
	}
	name[n] = '\0';
	if (!n)
		return -EINVAL;
	if (i >= PROFILE_MAX)
		return -ENOSPC;
	snprintf(set->names[i], sizeof(set->names[i]), "eval:%s", name);
	return add_user_entry(set, i, NULL, "llmwatch eval");
}

int profiles_add_runtime(struct profile_set *set, const char *kind)
{
	size_t i = set->n;

	if (!kind[0] || strlen(kind) > sizeof(set->names[0]) - 9)
		return -EINVAL;
	for (size_t k = 0; k < set->n; k++) {
		if (strncmp(set->p[k].name, "runtime:", 8) == 0 &&
		    strcmp(set->p[k].name + 8, kind) == 0)
			return (int)(k + 1);
	}
	if (i >= PROFILE_MAX)
		return -ENOSPC;
	snprintf(set->names[i], sizeof(set->names[i]), "runtime:%s", kind);
	return add_user_entry(set, i, NULL, "what the process maps");
}

const struct profile *profiles_get(const struct profile_set *set, unsigned int id)
{
	if (id == 0 || id > set->n)
		return NULL;
	return &set->p[id - 1];
}

const char *profiles_name(const struct profile_set *set, unsigned int id)
{
	const struct profile *p = profiles_get(set, id);

	return p ? p->name : "";
}

/* Whether one of the NULL-terminated patterns matches s (fnmatch(3), `*` spans `/`). */
static bool any_glob(const char *const *globs, const char *s)
{
	for (; globs && *globs; globs++) {
		if (fnmatch(*globs, s, 0) == 0)
			return true;
	}
	return false;
}

/*
 * The id of the first entry, --profiles entries first and then the others in table order,
 * whose exe_globs match s (comm NULL), or whose interpreters match comm and argv_globs
 * match s; 0 if none. A user's own path for a tool wins over a built-in pattern that also
 * matches it.
 */
static unsigned int match_ordered(const struct profile_set *set, const char *comm, const char *s)
{
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < set->n; i++) {
			const struct profile *p = &set->p[i];

			if (p->from_file != (pass == 0))
				continue;
			if (comm ? any_glob(p->interpreters, comm) && any_glob(p->argv_globs, s) :
				   any_glob(p->exe_globs, s))
				return (unsigned int)i + 1;
		}
	}
	return 0;
}

unsigned int profiles_match_exe(const struct profile_set *set, const char *path)
{
	return match_ordered(set, NULL, path);
}

unsigned int profiles_match_cmdline(const struct profile_set *set, const char *comm,
				    const char *cmdline)
{
	return match_ordered(set, comm, cmdline);
}

bool profiles_is_interpreter(const struct profile_set *set, const char *comm)
{
	for (size_t i = 0; i < set->n; i++) {
		if (any_glob(set->p[i].interpreters, comm))
			return true;
	}
	return false;
}
