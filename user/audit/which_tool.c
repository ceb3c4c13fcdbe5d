// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Which tool a command, a unit's or desktop file's name, or a container image is (which_tool.h). */
#include "audit/which_tool.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The tools' official images [M: image names; the exposure check cites their defaults]. */
static const struct {
	const char *repo; /* the image's repository, registry included unless Docker Hub */
	const char *tool;
} images[] = {
	{ "ollama/ollama", "ollama" },
	{ "ghcr.io/open-webui/open-webui", "open-webui" },
	{ "localai/localai", "localai" },
	{ "quay.io/go-skynet/local-ai", "localai" },
	{ "ghcr.io/ggml-org/llama.cpp", "llama-server" },
	{ "ghcr.io/ggerganov/llama.cpp", "llama-server" },
	{ "vllm/vllm-openai", "vllm" },
	{ "mintplexlabs/anythingllm", "anythingllm" },
	{ "koboldai/koboldcpp", "koboldcpp" },
};

const char *audit_image_tool(const char *image)
{
	char repo[256];
	const char *s = image;
	size_t n;

	if (strncmp(s, "docker.io/", 10) == 0)
		s += 10;
	else if (strncmp(s, "index.docker.io/", 16) == 0)
		s += 16;
	if (strncmp(s, "library/", 8) == 0)
		s += 8;
	n = strcspn(s, "@");
	if (n >= sizeof(repo))
		return NULL;
	memcpy(repo, s, n);
	repo[n] = '\0';
	/* a tag is after the last ':' that follows the last '/' (a registry may have a port) */
	{
		char *slash = strrchr(repo, '/'), *colon = strrchr(repo, ':');

		if (colon && (!slash || colon > slash))
			*colon = '\0';
	}
	for (size_t i = 0; i < sizeof(images) / sizeof(images[0]); i++)
		if (strcasecmp(repo, images[i].repo) == 0)
			return images[i].tool;
	return NULL;
}

/* AppImages and desktop files carry the product's name, not the executable's [M]. */
static const struct {
	const char *glob, *tool;
} app_names[] = {
	{ "*lm*studio*", "lm-studio" },
	{ "*gpt4all*", "gpt4all" },
	{ "*/jan[_-]*.appimage", "jan" },
	{ "*anythingllm*", "anythingllm" },
};

/* The first word of s (quotes removed) into out; returns the rest, or NULL when none. */
static const char *first_word(const char *s, char *out, size_t size)
{
	size_t n = 0;
	char q = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s)
		return NULL;
	if (*s == '"' || *s == '\'')
		q = *s++;
	for (; *s && (q ? *s != q : (*s != ' ' && *s != '\t')); s++)
		if (n + 1 < size)
			out[n++] = *s;
	out[n] = '\0';
	if (q && *s == q)
		s++;
	return s;
}

const char *audit_command_tool(const struct profile_set *set, const char *cmd)
{
	char word[1024], path[1100];
	const char *rest, *base;
	unsigned int id;

	if (!set)
		return NULL;
	/* systemd's prefixes change how it runs, not what */
	while (*cmd && strchr("@-:+!|", *cmd))
		cmd++;
	rest = first_word(cmd, word, sizeof(word));
	base = strrchr(word, '/') ? strrchr(word, '/') + 1 : word;
	if (rest && !strcmp(base, "env")) {
		/* env [-i] [NAME=VALUE]... COMMAND */
		while ((rest = first_word(cmd = rest, word, sizeof(word))) &&
		       (word[0] == '-' || strchr(word, '=')))
			;
		if (!rest)
			return NULL;
		base = strrchr(word, '/') ? strrchr(word, '/') + 1 : word;
	} else if (!rest) {
		return NULL;
	}
	/* A Flatpak names its app id: GPT4All's is io.gpt4all.gpt4all (research section 3). */
	if (!strcmp(base, "flatpak"))
		return strstr(rest, "io.gpt4all.gpt4all") ? "gpt4all" : NULL;
	if (!strcmp(base, "docker") || !strcmp(base, "podman")) {
		/* the first word that is one of the tools' images ("run -p 11434:11434 ollama/ollama") */
		const char *tool = NULL;

		while (!tool && (rest = first_word(rest, word, sizeof(word))))
			tool = word[0] == '-' ? NULL : audit_image_tool(word);
		return tool;
	}
	snprintf(path, sizeof(path), "%s%s", word[0] == '/' ? "" : "/usr/bin/", word);
	id = profiles_match_exe(set, path);
	if (!id && profiles_is_interpreter(set, base)) {
		while (*cmd == ' ' || *cmd == '\t')
			cmd++;
		id = profiles_match_cmdline(set, base, cmd);
	}
	if (id)
		return profiles_name(set, id);
	for (size_t i = 0; i < sizeof(app_names) / sizeof(app_names[0]); i++)
		if (!fnmatch(app_names[i].glob, path, FNM_CASEFOLD))
			return app_names[i].tool;
	return NULL;
}

const char *audit_name_tool(const struct profile_set *set, const char *name)
{
	char stem[128];
	size_t n = strcspn(name, ".@");
	const struct profile *p;

	if (!set || !n || n >= sizeof(stem))
		return NULL;
	memcpy(stem, name, n);
	stem[n] = '\0';
	for (size_t i = 0; i < set->n_named; i++) {
		p = &set->p[i];
		if (!strcasecmp(p->name, stem))
			return p->name;
	}
	return NULL;
}
