// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Which tool a command line, a unit's or desktop file's name, or a container image is
 * (which_tool.h): the one answer the exposure, telemetry and hygiene checks share.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "audit/which_tool.h"
#include "check.h"
#include "core/profiles.h"

static struct profile_set set;

/* The answer for cmd, "-" for none. */
static const char *cmd_tool(const char *cmd)
{
	const char *t = audit_command_tool(&set, cmd);

	return t ? t : "-";
}

static void test_commands(void)
{
	/* an executable, by path or bare name; systemd's prefixes; env with its assignments */
	CHECK_STR(cmd_tool("/usr/local/bin/ollama serve"), "ollama");
	CHECK_STR(cmd_tool("ollama serve"), "ollama");
	CHECK_STR(cmd_tool("-@/usr/bin/ollama ollama-argv0 serve"), "ollama");
	CHECK_STR(cmd_tool("/usr/bin/env -i OLLAMA_HOST=0.0.0.0 ollama serve"), "ollama");
	CHECK_STR(cmd_tool("env A=1"), "-");
	CHECK_STR(cmd_tool("\"/opt/llama.cpp/build/bin/llama-server\" --port 8080"),
		  "llama-server");
	/* an interpreter's command line */
	CHECK_STR(cmd_tool("/usr/bin/python3 -m vllm.entrypoints.openai.api_server --port 8000"),
		  "vllm");
	CHECK_STR(cmd_tool("/usr/bin/python3 -m http.server"), "-");
	/* containers: the first word that is a tool's image, option values passed over */
	CHECK_STR(cmd_tool("/usr/bin/docker run --rm -p 11434:11434 --name ollama "
			   "docker.io/ollama/ollama:0.5.7"),
		  "ollama");
	CHECK_STR(cmd_tool("podman run -d ghcr.io/open-webui/open-webui:main"), "open-webui");
	CHECK_STR(cmd_tool("docker run -d ghcr.io/ggml-org/llama.cpp:server -m /m.gguf"),
		  "llama-server");
	CHECK_STR(cmd_tool("docker run -d nginx:latest"), "-");
	/* a look-alike image of someone else's is no tool's */
	CHECK_STR(cmd_tool("docker run evil/ollama-ollama"), "-");
	/* Flatpak by app id; AppImages by the product's name */
	CHECK_STR(cmd_tool("/usr/bin/flatpak run --branch=stable io.gpt4all.gpt4all"), "gpt4all");
	CHECK_STR(cmd_tool("flatpak run org.example.App"), "-");
	CHECK_STR(cmd_tool("/home/a/Applications/LM-Studio-0.3.5.AppImage"), "lm-studio");
	CHECK_STR(cmd_tool("/opt/jan_0.5.1.AppImage --no-sandbox"), "jan");
	CHECK_STR(cmd_tool("/usr/sbin/cron -f"), "-");
	CHECK_STR(cmd_tool(""), "-");
	CHECK_STR(cmd_tool("   "), "-");
	CHECK(audit_command_tool(NULL, "ollama serve") == NULL);
}

static void test_names(void)
{
	CHECK_STR(audit_name_tool(&set, "ollama.service"), "ollama");
	CHECK_STR(audit_name_tool(&set, "ollama@gpu0.service"), "ollama");
	CHECK_STR(audit_name_tool(&set, "Ollama.desktop"), "ollama");
	CHECK(audit_name_tool(&set, "ollama-extra.service") == NULL);
	CHECK(audit_name_tool(&set, ".service") == NULL);
	CHECK(audit_name_tool(&set, "cron.service") == NULL);
}

static void test_images(void)
{
	CHECK_STR(audit_image_tool("ollama/ollama"), "ollama");
	CHECK_STR(audit_image_tool("docker.io/library/ollama/ollama:latest"), "ollama");
	CHECK_STR(audit_image_tool("index.docker.io/ollama/ollama@sha256:0123"), "ollama");
	CHECK_STR(audit_image_tool("OLLAMA/Ollama:0.5"), "ollama");
	CHECK_STR(audit_image_tool("quay.io/go-skynet/local-ai:v2"), "localai");
	CHECK(audit_image_tool("registry:5000/ollama/ollama") == NULL);
	CHECK(audit_image_tool("ollama") == NULL);
	CHECK(audit_image_tool("") == NULL);
}

int main(void)
{
	profiles_init(&set);
	test_commands();
	test_names();
	test_images();
	return check_summary("test_which_tool");
}
