// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The telemetry checks (check_telemetry.h) on fixture homes: GPT4All.ini's switches FAIL
 * when on and PASS when off, citing file and line; Ollama's server.json and per-install
 * key; vLLM's do_not_track and usage_stats.json; Open WebUI's and AnythingLLM's .env files;
 * Jan and LM Studio said honestly; every tool not installed SKIPs.
 */
#include "audit/check_telemetry.h"
#include "audit_fixture.h"

static void test_not_installed(void)
{
	static int (*const checks[])(const struct audit_ctx *, struct audit_report *) = {
		check_telemetry_gpt4all,   check_telemetry_ollama,	check_telemetry_vllm,
		check_telemetry_openwebui, check_telemetry_anythingllm, check_telemetry_jan,
		check_telemetry_lmstudio,
	};
	struct fixture fx;

	fx_init(&fx, "telemetry");
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		CHECK_INT(checks[i](&fx.c, fx.r), 0);
	CHECK_INT(audit_count(fx.r, AUDIT_SKIP), sizeof(checks) / sizeof(checks[0]));
	CHECK(fx_find(&fx, "telemetry-vllm", AUDIT_SKIP, NULL, "not installed") != NULL);
	CHECK(fx_find(&fx, "telemetry-gpt4all", AUDIT_SKIP, NULL, "not installed") != NULL);
	fx_done(&fx);
}

static void test_gpt4all(void)
{
	struct fixture fx;
	const struct audit_finding *f;
	char ev[512];

	fx_init(&fx, "telemetry");
	fx_put(&fx, "home/alice/.config/nomic.ai/GPT4All.ini",
	       "[General]\nfontSize=Small\n\n[network]\nisActive=false\nuniqueId=6f1c-secret-id\n"
	       "usageStatsActive=true\n");
	CHECK_INT(check_telemetry_gpt4all(&fx.c, fx.r), 0);
	snprintf(ev, sizeof(ev), "%s/.config/nomic.ai/GPT4All.ini:7: usageStatsActive=true",
		 fx.home_path);
	f = fx_find(&fx, "telemetry-gpt4all", AUDIT_FAIL, "[network] usageStatsActive", ev);
	CHECK(f != NULL);
	if (f) {
		CHECK(f->fix && strstr(f->fix, "usageStatsActive=false"));
		CHECK(strstr(f->evidence, "Mixpanel") != NULL);
		CHECK_STR(f->tool, "gpt4all");
		CHECK_INT(f->item, AUDIT_ITEM_TELEMETRY);
	}
	snprintf(ev, sizeof(ev), "GPT4All.ini:5: isActive=false");
	CHECK(fx_find(&fx, "telemetry-gpt4all", AUDIT_PASS, "[network] isActive", ev) != NULL);
	f = fx_find(&fx, "telemetry-gpt4all", AUDIT_WARN, "uniqueId", "GPT4All.ini:6: uniqueId");
	CHECK(f != NULL);
	if (f) /* an identifier: never printed */
		CHECK(strstr(f->evidence, "6f1c-secret-id") == NULL);

	/* both off, the datalake on */
	fx_reset(&fx);
	fx_put(&fx, "home/alice/.config/nomic.ai/GPT4All.ini",
	       "[network]\nusageStatsActive=false\nisActive=true\n");
	CHECK_INT(check_telemetry_gpt4all(&fx.c, fx.r), 0);
	CHECK(fx_find(&fx, "telemetry-gpt4all", AUDIT_PASS, "usageStatsActive",
		      "GPT4All.ini:2: usageStatsActive=false") != NULL);
	f = fx_find(&fx, "telemetry-gpt4all", AUDIT_FAIL, "isActive",
		    "GPT4All.ini:3: isActive=true");
	CHECK(f != NULL && strstr(f->evidence, "api.gpt4all.io/v1/ingest/chat"));
	CHECK_INT(fx_count(&fx, "telemetry-gpt4all", AUDIT_WARN), 0);

	/* not chosen yet, and a value Qt would not read */
	fx_reset(&fx);
	fx_put(&fx, "home/alice/.config/nomic.ai/GPT4All.ini", "[network]\nisActive=maybe\n");
	CHECK_INT(check_telemetry_gpt4all(&fx.c, fx.r), 0);
	CHECK(fx_find(&fx, "telemetry-gpt4all", AUDIT_PASS, "usageStatsActive",
		      "no usageStatsActive") != NULL);
	CHECK(fx_find(&fx, "telemetry-gpt4all", AUDIT_WARN, "isActive", "isActive=maybe") != NULL);

	/* the Flatpak's settings too */
	fx_reset(&fx);
	fx_put(&fx, "home/alice/.var/app/io.gpt4all.gpt4all/config/nomic.ai/GPT4All.ini",
	       "[network]\nusageStatsActive=true\n");
	CHECK_INT(check_telemetry_gpt4all(&fx.c, fx.r), 0);
	CHECK(fx_find(&fx, "telemetry-gpt4all", AUDIT_FAIL, "usageStatsActive",
		      "io.gpt4all.gpt4all/config/nomic.ai/GPT4All.ini:2: usageStatsActive=true") !=
	      NULL);
	fx_done(&fx);
}

static void test_ollama(void)
{
	struct fixture fx;
	const struct audit_finding *f;
	char ev[512];

	fx_init(&fx, "telemetry");
	fx_put(&fx, "home/alice/.ollama/id_ed25519", "-----BEGIN OPENSSH PRIVATE KEY-----\n");
	CHECK_INT(check_telemetry_ollama(&fx.c, fx.r), 0);
	snprintf(ev, sizeof(ev), "%s/.ollama/id_ed25519 exists", fx.home_path);
	f = fx_find(&fx, "telemetry-ollama", AUDIT_WARN, "id_ed25519", ev);
	CHECK(f != NULL);
	if (f) {
		CHECK(strstr(f->fix, "OLLAMA_NO_CLOUD=1") != NULL);
		CHECK(strstr(f->source, "model_recommendations.go") != NULL);
	}

	/* server.json turns the cloud off */
	fx_reset(&fx);
	fx_put(&fx, "home/alice/.ollama/server.json",
	       "{\n  \"x\": 1,\n  \"disable_ollama_cloud\": true\n}\n");
	CHECK_INT(check_telemetry_ollama(&fx.c, fx.r), 0);
	CHECK(fx_find(&fx, "telemetry-ollama", AUDIT_PASS, "disable_ollama_cloud",
		      "server.json:3: \"disable_ollama_cloud\": true") != NULL);
	CHECK_INT(fx_count(&fx, "telemetry-ollama", AUDIT_WARN), 0);

	/* false, or not JSON: the key still WARNs, citing why */
	fx_reset(&fx);
	fx_put(&fx, "home/alice/.ollama/server.json", "{\"disable_ollama_cloud\": false}");
	CHECK_INT(check_telemetry_ollama(&fx.c, fx.r), 0);
	CHECK(fx_find(&fx, "telemetry-ollama", AUDIT_WARN, "id_ed25519",
		      "server.json:1: \"disable_ollama_cloud\": false") != NULL);
	fx_reset(&fx);
	fx_put(&fx, "home/alice/.ollama/server.json", "{\"disable_ollama_cloud\": tru");
	CHECK_INT(check_telemetry_ollama(&fx.c, fx.r), 0);
	CHECK(fx_find(&fx, "telemetry-ollama", AUDIT_WARN, "id_ed25519", "not valid JSON") != NULL);

	/* no key: nothing identifies the install */
	fx_reset(&fx);
	snprintf(ev, sizeof(ev), "%s/.ollama/id_ed25519", fx.home_path);
	unlink(ev);
	snprintf(ev, sizeof(ev), "%s/.ollama/server.json", fx.home_path);
	unlink(ev);
	CHECK_INT(check_telemetry_ollama(&fx.c, fx.r), 0);
	CHECK(fx_find(&fx, "telemetry-ollama", AUDIT_PASS, ".ollama", "no id_ed25519") != NULL);
	fx_done(&fx);
}

static void test_vllm(void)
{
	struct fixture fx;
	char ev[512];

	fx_init(&fx, "telemetry");
	fx_mkdirs(&fx, "home/alice/.local/lib/python3.12/site-packages/vllm-0.6.3.dist-info");
	CHECK_INT(check_telemetry_vllm(&fx.c, fx.r), 0);
	CHECK(fx_find(&fx, "telemetry-vllm", AUDIT_FAIL, "do_not_track", "on by default") != NULL);

	fx_reset(&fx);
	fx_put(&fx, "home/alice/.config/vllm/do_not_track", "");
	CHECK_INT(check_telemetry_vllm(&fx.c, fx.r), 0);
	snprintf(ev, sizeof(ev), "%s/.config/vllm/do_not_track exists", fx.home_path);
	CHECK(fx_find(&fx, "telemetry-vllm", AUDIT_PASS, "do_not_track", ev) != NULL);
	CHECK_INT(fx_count(&fx, "telemetry-vllm", AUDIT_FAIL), 0);

	/* stats sent before the opt-out */
	fx_reset(&fx);
	fx_put(&fx, "home/alice/.config/vllm/usage_stats.json", "{\"uuid\": \"x\"}\n");
	CHECK_INT(check_telemetry_vllm(&fx.c, fx.r), 0);
	CHECK(fx_find(&fx, "telemetry-vllm", AUDIT_WARN, "usage_stats.json", "stats were sent") !=
	      NULL);
	CHECK(fx_find(&fx, "telemetry-vllm", AUDIT_PASS, "do_not_track", NULL) != NULL);

	/* installed system-wide only, no home has used it */
	fx_done(&fx);
	fx_init(&fx, "telemetry");
	fx_mkdirs(&fx, "usr/local/lib/python3.11/dist-packages/vllm-0.8.0.dist-info");
	CHECK_INT(check_telemetry_vllm(&fx.c, fx.r), 0);
	CHECK(fx_find(&fx, "telemetry-vllm", AUDIT_FAIL, "usage stats", "vllm-0.8.0.dist-info") !=
	      NULL);
	fx_done(&fx);
}

static void test_openwebui_anythingllm(void)
{
	struct fixture fx;
	const struct audit_finding *f;
	char ev[512];

	fx_init(&fx, "telemetry");
	/* Open WebUI's image: its defaults; a .env that turns the version check off */
	fx_mkdirs(&fx, "app/backend/open_webui");
	fx_put(&fx, "app/backend/.env", "# comment\nexport ENABLE_VERSION_UPDATE_CHECK='False'\n");
	CHECK_INT(check_telemetry_openwebui(&fx.c, fx.r), 0);
	CHECK(fx_find(&fx, "telemetry-openwebui", AUDIT_PASS, "ANONYMIZED_TELEMETRY",
		      "sets ANONYMIZED_TELEMETRY=false") != NULL);
	snprintf(ev, sizeof(ev), "%s/app/backend/.env:2: ENABLE_VERSION_UPDATE_CHECK=False",
		 fx.root);
	CHECK(fx_find(&fx, "telemetry-openwebui", AUDIT_PASS, "ENABLE_VERSION_UPDATE_CHECK", ev) !=
	      NULL);

	/* a clone with telemetry on and the check left on */
	fx_reset(&fx);
	fx_rm(&fx, "app");
	fx_put(&fx, "home/alice/open-webui/.env",
	       "ANONYMIZED_TELEMETRY=true # on\nENABLE_VERSION_UPDATE_CHECK=\"true\"\n");
	CHECK_INT(check_telemetry_openwebui(&fx.c, fx.r), 0);
	f = fx_find(&fx, "telemetry-openwebui", AUDIT_FAIL, "ANONYMIZED_TELEMETRY",
		    "open-webui/.env:1: ANONYMIZED_TELEMETRY=true");
	CHECK(f != NULL && f->fix);
	CHECK(fx_find(&fx, "telemetry-openwebui", AUDIT_WARN, "ENABLE_VERSION_UPDATE_CHECK",
		      "open-webui/.env:2: ENABLE_VERSION_UPDATE_CHECK=true") != NULL);
	/* OFFLINE_MODE wins */
	fx_reset(&fx);
	fx_put(&fx, "home/alice/open-webui/.env",
	       "ANONYMIZED_TELEMETRY=false\nOFFLINE_MODE=true\n");
	CHECK_INT(check_telemetry_openwebui(&fx.c, fx.r), 0);
	CHECK(fx_find(&fx, "telemetry-openwebui", AUDIT_PASS, "ENABLE_VERSION_UPDATE_CHECK",
		      "OFFLINE_MODE=true") != NULL);
	CHECK_INT(fx_count(&fx, "telemetry-openwebui", AUDIT_FAIL) +
			  fx_count(&fx, "telemetry-openwebui", AUDIT_WARN),
		  0);

	/* AnythingLLM: only "true" turns PostHog off */
	fx_put(&fx, "app/server/.env", "DISABLE_TELEMETRY=\"true\"\n");
	CHECK_INT(check_telemetry_anythingllm(&fx.c, fx.r), 0);
	CHECK(fx_find(&fx, "telemetry-anythingllm", AUDIT_PASS, "DISABLE_TELEMETRY",
		      "app/server/.env:1: DISABLE_TELEMETRY=true") != NULL);
	fx_reset(&fx);
	fx_put(&fx, "app/server/.env", "DISABLE_TELEMETRY=1\n");
	CHECK_INT(check_telemetry_anythingllm(&fx.c, fx.r), 0);
	CHECK(fx_find(&fx, "telemetry-anythingllm", AUDIT_FAIL, "DISABLE_TELEMETRY",
		      "only the exact value \"true\"") != NULL);
	fx_reset(&fx);
	fx_put(&fx, "app/server/.env", "SERVER_PORT=3001\n");
	CHECK_INT(check_telemetry_anythingllm(&fx.c, fx.r), 0);
	CHECK(fx_find(&fx, "telemetry-anythingllm", AUDIT_FAIL, "DISABLE_TELEMETRY",
		      "on by default") != NULL);
	fx_done(&fx);
}

static void test_jan_lmstudio(void)
{
	struct fixture fx;

	fx_init(&fx, "telemetry");
	fx_mkdirs(&fx, "home/alice/.local/share/Jan/data/threads");
	fx_mkdirs(&fx, "home/alice/.lmstudio/models");
	CHECK_INT(check_telemetry_jan(&fx.c, fx.r), 0);
	CHECK_INT(check_telemetry_lmstudio(&fx.c, fx.r), 0);
	CHECK(fx_find(&fx, "telemetry-jan", AUDIT_SKIP, "productAnalytic", "localStorage") != NULL);
	CHECK(fx_find(&fx, "telemetry-lmstudio", AUDIT_SKIP, "LM Studio",
		      "no telemetry setting of LM Studio is known on disk") != NULL);
	fx_done(&fx);
}

/* Settings in units' environments (audit_env_find): each cited by file and line. */
static void test_units(void)
{
	struct fixture fx;
	const struct audit_finding *f;
	char ev[512];

	fx_init(&fx, "telemetry");
	fx_put(&fx, "etc/systemd/system/ollama.service",
	       "[Service]\nExecStart=/usr/local/bin/ollama serve\nUser=ollama\n");
	fx_put(&fx, "etc/systemd/system/ollama.service.d/override.conf",
	       "[Service]\nEnvironment=\"OLLAMA_NO_CLOUD=1\"\n");
	fx_put(&fx, "home/alice/.ollama/id_ed25519", "key");
	CHECK_INT(check_telemetry_ollama(&fx.c, fx.r), 0);
	snprintf(ev, sizeof(ev),
		 "%s/etc/systemd/system/ollama.service.d/override.conf:2: OLLAMA_NO_CLOUD=1",
		 fx.root);
	CHECK(fx_find(&fx, "telemetry-ollama", AUDIT_PASS, "OLLAMA_NO_CLOUD", ev) != NULL);
	CHECK_INT(fx_count(&fx, "telemetry-ollama", AUDIT_WARN), 0);

	/* "0" does not disable it: the key WARNs, naming the setting */
	fx_reset(&fx);
	fx_put(&fx, "etc/systemd/system/ollama.service.d/override.conf",
	       "[Service]\nEnvironment=OLLAMA_NO_CLOUD=0\n");
	CHECK_INT(check_telemetry_ollama(&fx.c, fx.r), 0);
	CHECK(fx_find(&fx, "telemetry-ollama", AUDIT_WARN, "id_ed25519",
		      "override.conf:2: OLLAMA_NO_CLOUD=0") != NULL);

	/* vLLM's unit: "true" is not an opt-out, "1" is */
	fx_reset(&fx);
	fx_put(&fx, "etc/systemd/system/vllm.service",
	       "[Service]\nExecStart=/usr/bin/python3 -m vllm.entrypoints.openai.api_server\n"
	       "Environment=DO_NOT_TRACK=true\n");
	CHECK_INT(check_telemetry_vllm(&fx.c, fx.r), 0);
	CHECK(fx_find(&fx, "telemetry-vllm", AUDIT_WARN, "DO_NOT_TRACK",
		      "vllm.service:3: DO_NOT_TRACK=true: vLLM opts out only") != NULL);
	CHECK(fx_find(&fx, "telemetry-vllm", AUDIT_FAIL, "usage stats", "no opt-out was found") !=
	      NULL);
	fx_reset(&fx);
	fx_put(&fx, "etc/systemd/system/vllm.service",
	       "[Service]\nExecStart=/usr/bin/python3 -m vllm.entrypoints.openai.api_server\n"
	       "Environment=VLLM_NO_USAGE_STATS=1\n");
	CHECK_INT(check_telemetry_vllm(&fx.c, fx.r), 0);
	CHECK(fx_find(&fx, "telemetry-vllm", AUDIT_PASS, "VLLM_NO_USAGE_STATS",
		      "vllm.service:3: VLLM_NO_USAGE_STATS=1: usage stats off") != NULL);
	CHECK_INT(fx_count(&fx, "telemetry-vllm", AUDIT_FAIL), 0);

	/* Open WebUI and AnythingLLM started by units */
	fx_reset(&fx);
	fx_put(&fx, "etc/systemd/system/webui.service",
	       "[Service]\nExecStart=/opt/venv/bin/open-webui serve\n"
	       "Environment=ANONYMIZED_TELEMETRY=False ENABLE_VERSION_UPDATE_CHECK=False\n");
	fx_put(&fx, "etc/systemd/system/allm.service",
	       "[Service]\nExecStart=/usr/bin/node /opt/anything-llm/server/index.js\n"
	       "EnvironmentFile=/etc/anythingllm.env\n");
	fx_put(&fx, "etc/anythingllm.env", "SERVER_PORT=3001\nDISABLE_TELEMETRY=true\n");
	CHECK_INT(check_telemetry_openwebui(&fx.c, fx.r), 0);
	CHECK_INT(check_telemetry_anythingllm(&fx.c, fx.r), 0);
	CHECK(fx_find(&fx, "telemetry-openwebui", AUDIT_PASS, "ANONYMIZED_TELEMETRY",
		      "webui.service:3: ANONYMIZED_TELEMETRY=False") != NULL);
	CHECK(fx_find(&fx, "telemetry-openwebui", AUDIT_PASS, "ENABLE_VERSION_UPDATE_CHECK",
		      "webui.service:3: ENABLE_VERSION_UPDATE_CHECK=False") != NULL);
	f = fx_find(&fx, "telemetry-anythingllm", AUDIT_PASS, "DISABLE_TELEMETRY",
		    "anythingllm.env:2: DISABLE_TELEMETRY=true");
	CHECK(f != NULL);

	/* vLLM's opt-out in a file the audit cannot read (a bare template's instance file):
	 * the FAIL stands, and a SKIP says which file was not read; a file named with %E
	 * (/etc for the system's units) is read */
	fx_reset(&fx);
	fx_rm(&fx, "etc/systemd/system/vllm.service");
	fx_put(&fx, "etc/systemd/system/vllm@.service",
	       "[Service]\nExecStart=/usr/bin/python3 -m vllm.entrypoints.openai.api_server\n"
	       "EnvironmentFile=/etc/vllm/%i.env\n");
	CHECK_INT(check_telemetry_vllm(&fx.c, fx.r), 0);
	CHECK(fx_find(&fx, "telemetry-vllm", AUDIT_SKIP, "EnvironmentFile",
		      "vllm@.service:3: EnvironmentFile=/etc/vllm/%i.env not read (specifier %i "
		      "depends on the instance of a template): a setting in it is not seen") !=
	      NULL);
	CHECK(fx_find(&fx, "telemetry-vllm", AUDIT_FAIL, "usage stats", "no opt-out") != NULL);
	fx_reset(&fx);
	fx_rm(&fx, "etc/systemd/system/vllm@.service");
	fx_put(&fx, "etc/systemd/system/vllm.service",
	       "[Service]\nExecStart=/usr/bin/python3 -m vllm.entrypoints.openai.api_server\n"
	       "EnvironmentFile=%E/vllm.env\n");
	fx_put(&fx, "etc/vllm.env", "VLLM_NO_USAGE_STATS=1\n");
	CHECK_INT(check_telemetry_vllm(&fx.c, fx.r), 0);
	CHECK(fx_find(&fx, "telemetry-vllm", AUDIT_PASS, "VLLM_NO_USAGE_STATS",
		      "vllm.env:1: VLLM_NO_USAGE_STATS=1: usage stats off") != NULL);
	CHECK_INT(fx_count(&fx, "telemetry-vllm", AUDIT_SKIP), 0);
	CHECK_INT(fx_count(&fx, "telemetry-vllm", AUDIT_FAIL), 0);

	/* a drop-in of vLLM's unit too large to read: a SKIP of its own, the opt-out read still
	 * counts; a unit of no tool's name that cannot be read is exposure-settings' to say */
	fx_put_size(&fx, "etc/systemd/system/vllm.service.d/big.conf", (1 << 20) + 1);
	fx_put_size(&fx, "etc/systemd/system/mystery.service", (1 << 20) + 1);
	fx_reset(&fx);
	CHECK_INT(check_telemetry_vllm(&fx.c, fx.r), 0);
	CHECK(fx_find(&fx, "telemetry-vllm", AUDIT_SKIP, "unit",
		      "vllm.service.d/big.conf not read (larger than the audit reads (1 MiB)): a "
		      "setting in it is not seen") != NULL);
	CHECK_INT(fx_count(&fx, "telemetry-vllm", AUDIT_SKIP), 1);
	CHECK(fx_find(&fx, "telemetry-vllm", AUDIT_PASS, "VLLM_NO_USAGE_STATS",
		      "vllm.env:1: VLLM_NO_USAGE_STATS=1: usage stats off") != NULL);
	fx_done(&fx);
}

int main(void)
{
	test_not_installed();
	test_gpt4all();
	test_ollama();
	test_vllm();
	test_openwebui_anythingllm();
	test_jan_lmstudio();
	test_units();
	return check_summary("test_check_telemetry");
}
