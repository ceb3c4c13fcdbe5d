// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Where each tool keeps its models, chats, settings and extensions (audit_stores.h), cited
 * to the tool's own source or docs as research/inference-tools.md has them. Rows marked
 * [M] in a source were inferred (an issue, a third-party page, observed layout), not read
 * in the tool's code: a finding built on them says so through its source.
 */
#include "audit/audit_stores.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit_files.h"

#define OLLAMA_FAQ "ollama docs/faq.mdx L235-236"
#define GPT4ALL_DIRS "gpt4all docs/gpt4all_desktop/settings.md L15, src/main.cpp L79-83"
#define LMS_PATHS "lmstudio-js findLMStudioHome.ts; lms src/lmstudioPaths.ts"
#define JAN_TAURI "jan src-tauri/src/core/app/commands.rs @e78b82eb (data folder)"
#define JAN_OLD "jan.ai/docs/data-folder (Electron era)"
#define OWUI_ENV "open-webui backend/open_webui/env.py (find_dotenv)"
#define ALLM_ENV "anything-llm: its server reads server/.env [M: the places are the layout's]"

const struct audit_store audit_stores[] = {
	/* Ollama: ~/.ollama; the Linux service's home is /usr/share/ollama (a home of its own). */
	{ "ollama", AUDIT_STORE_MODELS, ".ollama/models", "Ollama's model store", OLLAMA_FAQ },
	{ "ollama", AUDIT_STORE_CHATS, ".ollama/history", "Ollama's prompt history",
	  "ollama readline/history.go L46" },
	{ "ollama", AUDIT_STORE_SETTINGS, ".ollama/server.json", "Ollama's server settings",
	  "ollama envconfig/config.go NoCloud(); docs/faq.mdx L163-181" },

	/* LM Studio: ~/.lmstudio, or ~/.cache/lm-studio on older installs. */
	{ "lm-studio", AUDIT_STORE_MODELS, ".lmstudio/models", "LM Studio's models", LMS_PATHS },
	{ "lm-studio", AUDIT_STORE_MODELS, ".cache/lm-studio/models",
	  "LM Studio's models (older "
	  "home)",
	  LMS_PATHS },
	{ "lm-studio", AUDIT_STORE_CHATS, ".lmstudio/conversations", "LM Studio's conversations",
	  "LM Studio home layout [M]" },
	{ "lm-studio", AUDIT_STORE_CHATS, ".cache/lm-studio/conversations",
	  "LM Studio's conversations (older home)", "LM Studio home layout [M]" },
	{ "lm-studio", AUDIT_STORE_SETTINGS, ".lmstudio/.internal/http-server-config.json",
	  "LM Studio's server settings", "lms src/subcommands/server.ts L82-125; " LMS_PATHS },
	{ "lm-studio", AUDIT_STORE_EXTENSIONS, ".lmstudio/extensions/plugins", "LM Studio plugins",
	  LMS_PATHS },
	{ "lm-studio", AUDIT_STORE_EXTENSIONS, ".lmstudio/mcp.json", "LM Studio's MCP servers",
	  "lmstudio.ai docs, MCP in LM Studio [M]" },

	/* GPT4All: Qt org nomic.ai, app GPT4All; models, chats and LocalDocs share one folder. */
	{ "gpt4all", AUDIT_STORE_SETTINGS, ".config/nomic.ai/GPT4All.ini", "GPT4All's settings",
	  "gpt4all src/main.cpp L79-83 (QSettings INI); nomic-ai/gpt4all#3485" },
	/* Flatpak sets XDG_CONFIG_HOME to ~/.var/app/ID/config (added by the telemetry helper). */
	{ "gpt4all", AUDIT_STORE_SETTINGS,
	  ".var/app/io.gpt4all.gpt4all/config/nomic.ai/GPT4All.ini", "GPT4All's settings (Flatpak)",
	  "flathub io.gpt4all.gpt4all; Flatpak's per-app XDG_CONFIG_HOME [M]" },
	{ "gpt4all", AUDIT_STORE_MODELS, ".local/share/nomic.ai/GPT4All", "GPT4All's models",
	  GPT4ALL_DIRS },
	{ "gpt4all", AUDIT_STORE_CHATS, ".local/share/nomic.ai/GPT4All",
	  "GPT4All's chats and LocalDocs database",
	  "gpt4all src/chatlistmodel.cpp L69, src/database.cpp L925" },
	{ "gpt4all", AUDIT_STORE_MODELS, ".cache/gpt4all", "GPT4All Python bindings' models",
	  "gpt4all Python bindings default [M]" },

	/* Jan: ~/.local/share/Jan/data since the Tauri app (0.6); ~/.config/Jan/data and ~/jan before. */
	{ "jan", AUDIT_STORE_MODELS, ".local/share/Jan/data/llamacpp/models", "Jan's models",
	  "jan extensions/llamacpp-extension/src/index.ts @983de336" },
	{ "jan", AUDIT_STORE_MODELS, ".config/Jan/data/models", "Jan's models (Electron era)",
	  JAN_OLD },
	{ "jan", AUDIT_STORE_MODELS, "jan/models", "Jan's models (oldest layout)", JAN_OLD },
	{ "jan", AUDIT_STORE_CHATS, ".local/share/Jan/data/threads", "Jan's threads", JAN_TAURI },
	{ "jan", AUDIT_STORE_CHATS, ".config/Jan/data/threads", "Jan's threads (Electron era)",
	  JAN_OLD },
	{ "jan", AUDIT_STORE_CHATS, "jan/threads", "Jan's threads (oldest layout)", JAN_OLD },
	{ "jan", AUDIT_STORE_SETTINGS, ".local/share/jan.ai.app/settings.json", "Jan's settings",
	  JAN_TAURI " (Tauri app-data dir of jan.ai.app) [M]" },
	{ "jan", AUDIT_STORE_SETTINGS, ".config/Jan/settings.json", "Jan's settings (legacy)",
	  JAN_TAURI },
	{ "jan", AUDIT_STORE_EXTENSIONS, ".local/share/Jan/data/extensions", "Jan's extensions",
	  JAN_TAURI },
	{ "jan", AUDIT_STORE_EXTENSIONS, ".config/Jan/data/extensions",
	  "Jan's extensions (Electron era)", JAN_OLD },
	{ "jan", AUDIT_STORE_EXTENSIONS, ".local/share/Jan/data/mcp_config.json",
	  "Jan's MCP servers", JAN_TAURI " [M for the file name]" },

	/* llama.cpp: -hf downloads into $LLAMA_CACHE, else ~/.cache/llama.cpp. */
	{ "llama-server", AUDIT_STORE_MODELS, ".cache/llama.cpp", "llama.cpp's download cache",
	  "llama.cpp common/common.cpp fs_get_cache_directory" },

	/* vLLM: its settings folder, and the Hugging Face cache it loads models from. */
	{ "vllm", AUDIT_STORE_SETTINGS, ".config/vllm", "vLLM's usage-stats folder",
	  "vllm vllm/usage/usage_lib.py @01ff1262; docs.vllm.ai usage_stats" },
	{ "vllm", AUDIT_STORE_MODELS, ".cache/huggingface/hub",
	  "the Hugging Face cache (vLLM, Transformers)", "vllm docs: models from the HF cache" },

	/* Open WebUI's container keeps its database and uploads in /app/backend/data. */
	{ "open-webui", AUDIT_STORE_CHATS, "/app/backend/data",
	  "Open WebUI's data (database, "
	  "uploads)",
	  "open-webui Dockerfile; docs.openwebui.com" },
	/* Its functions and tools are rows of that database (read by nobody here: said). */
	{ "open-webui", AUDIT_STORE_EXTENSIONS, "/app/backend/data/webui.db",
	  "Open WebUI's database (functions and tools)",
	  "open-webui Dockerfile (/app/backend/data); docs.openwebui.com" },
	/*
	 * The .env Open WebUI loads at the top of its tree (find_dotenv from the repository
	 * root): a clone's [M: its place is the user's choice], then its image's.
	 */
	{ "open-webui", AUDIT_STORE_SETTINGS, "open-webui/.env", "Open WebUI's .env (a clone)",
	  OWUI_ENV " [M: the clone's place]" },
	{ "open-webui", AUDIT_STORE_SETTINGS, "open-webui/backend/.env",
	  "Open WebUI's backend .env (a clone)", OWUI_ENV " [M: the clone's place]" },
	{ "open-webui", AUDIT_STORE_SETTINGS, "/app/.env", "Open WebUI's .env (its image)",
	  OWUI_ENV },
	{ "open-webui", AUDIT_STORE_SETTINGS, "/app/backend/.env",
	  "Open WebUI's backend .env (its image)", OWUI_ENV },

	/*
	 * AnythingLLM's server reads server/.env: a clone's, the desktop app's storage
	 * [M: not read in its tree], the Docker image's.
	 */
	{ "anythingllm", AUDIT_STORE_SETTINGS, "anything-llm/server/.env",
	  "AnythingLLM's server .env (a clone)", ALLM_ENV },
	{ "anythingllm", AUDIT_STORE_SETTINGS, ".config/anythingllm-desktop/storage/.env",
	  "AnythingLLM desktop's .env", ALLM_ENV " [M: the desktop app's storage]" },
	{ "anythingllm", AUDIT_STORE_SETTINGS, "/app/server/.env",
	  "AnythingLLM's server .env (its image)", ALLM_ENV },
};

const size_t audit_n_stores = sizeof(audit_stores) / sizeof(audit_stores[0]);

static int visit(const struct audit_ctx *c, const struct audit_store *s,
		 const struct audit_home *home, audit_store_fn fn, void *arg)
{
	char path[4096];
	bool is_dir;
	int err;

	if (home)
		err = snprintf(path, sizeof(path), "%s/%s", home->path, s->path) >=
				      (int)sizeof(path) ?
			      -ENAMETOOLONG :
			      0;
	else
		err = audit_path(c, path, sizeof(path), "%s", s->path);
	if (err || !audit_exists(c, path, &is_dir))
		return 0;
	return fn(arg, &(struct audit_store_hit){
			       .store = s, .path = path, .home = home, .is_dir = is_dir });
}

int audit_stores_each(const struct audit_ctx *c, enum audit_store_kind kind, const char *tool,
		      audit_store_fn fn, void *arg)
{
	int ret;

	for (size_t h = 0; h < c->n_homes; h++)
		for (size_t i = 0; i < audit_n_stores; i++) {
			const struct audit_store *s = &audit_stores[i];

			if (s->kind != kind || s->path[0] == '/' ||
			    (tool && strcmp(tool, s->tool) != 0))
				continue;
			ret = visit(c, s, &c->homes[h], fn, arg);
			if (ret)
				return ret;
		}
	for (size_t i = 0; i < audit_n_stores; i++) {
		const struct audit_store *s = &audit_stores[i];

		if (s->kind != kind || s->path[0] != '/' || (tool && strcmp(tool, s->tool) != 0))
			continue;
		ret = visit(c, s, NULL, fn, arg);
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- the bounded walk ----------------------------------------------------------------- */

void audit_walk_reset(struct audit_walk *w)
{
	w->entries = w->deep = w->unreadable = 0;
	w->cut = false;
	w->first_errno = 0;
	w->first_unreadable[0] = '\0';
}

static void walk_unreadable(struct audit_walk *w, int err)
{
	if (!w->unreadable++) {
		w->first_errno = err;
		snprintf(w->first_unreadable, sizeof(w->first_unreadable), "%s", w->path);
	}
}

static unsigned char mode_type(mode_t m)
{
	return S_ISDIR(m) ? DT_DIR : S_ISREG(m) ? DT_REG : S_ISLNK(m) ? DT_LNK : DT_UNKNOWN;
}

/* Walks d, whose path is w->path[0..plen); its entries are at depth with flags. */
static int walk_dir(struct audit_walk *w, DIR *d, size_t plen, unsigned int depth,
		    unsigned int flags)
{
	struct dirent *de;

	while ((de = readdir(d))) {
		const char *name = de->d_name;
		size_t nl = strlen(name);
		struct audit_walk_entry e;
		struct stat st;
		int fd, ret;
		DIR *sub;

		if (!strcmp(name, ".") || !strcmp(name, ".."))
			continue;
		if (w->entries >= w->max_entries) {
			w->cut = true;
			return AUDIT_WALK_STOP;
		}
		w->entries++;
		if (plen + 1 + nl >= sizeof(w->path))
			continue;
		w->path[plen] = '/';
		memcpy(w->path + plen + 1, name, nl + 1);
		e = (struct audit_walk_entry){ .path = w->path,
					       .name = w->path + plen + 1,
					       .dirfd = dirfd(d),
					       .type = de->d_type,
					       .depth = depth,
					       .flags = flags };
		if (!fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW)) {
			e.st = &st;
			e.type = mode_type(st.st_mode);
		}
		ret = w->fn(w->arg, &e);
		if (ret < 0 || ret == AUDIT_WALK_STOP)
			return ret;
		if (e.type != DT_DIR || ret == AUDIT_WALK_SKIP)
			continue;
		if (depth + 1 >= w->max_depth) {
			w->deep++;
			continue;
		}
		/* O_NOFOLLOW: a link swapped in for the directory since the stat is not followed */
		fd = openat(dirfd(d), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		sub = fd < 0 ? NULL : fdopendir(fd);
		if (!sub) {
			walk_unreadable(w, errno);
			if (fd >= 0)
				close(fd);
			continue;
		}
		ret = walk_dir(w, sub, plen + 1 + nl, depth + 1, e.flags);
		closedir(sub);
		if (ret)
			return ret;
	}
	return 0;
}

int audit_walk_dir(const struct audit_ctx *c, struct audit_walk *w, const char *path,
		   unsigned int flags)
{
	size_t plen = strlen(path);
	DIR *d;
	int ret;

	if (plen >= sizeof(w->path))
		return -ENAMETOOLONG;
	d = audit_opendir(c, path);
	if (!d)
		return -errno;
	memcpy(w->path, path, plen + 1);
	ret = walk_dir(w, d, plen, 0, flags);
	closedir(d);
	return ret == AUDIT_WALK_STOP ? 0 : ret;
}
