// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The audit's checks, one row each, in the order they run and print within their item
 * (audit.h). Adding a check is its function in the item's check_*.c file and one row here;
 * `llmwatch audit --help`, the man page's list and --only all come from this table.
 */
#include "audit/audit.h"
#include "audit/check_hygiene.h"
#include "audit/check_telemetry.h"
#include "audit/check_versions.h"

const struct audit_check audit_checks[] = {
	/* Rows are added with their checks: check_exposure.c, check_telemetry.c,
	 * check_integrity.c, check_gguf.c, check_at_rest.c, check_versions.c,
	 * check_hygiene.c. */
	{ "telemetry-gpt4all", AUDIT_ITEM_TELEMETRY,
	  "GPT4All.ini: usage statistics (Mixpanel), Datalake, the device id",
	  check_telemetry_gpt4all },
	{ "telemetry-ollama", AUDIT_ITEM_TELEMETRY,
	  "Ollama: OLLAMA_NO_CLOUD / server.json, the per-install key signing its polls",
	  check_telemetry_ollama },
	{ "telemetry-vllm", AUDIT_ITEM_TELEMETRY,
	  "vLLM: usage stats opt-outs (VLLM_NO_USAGE_STATS, DO_NOT_TRACK, do_not_track)",
	  check_telemetry_vllm },
	{ "telemetry-openwebui", AUDIT_ITEM_TELEMETRY,
	  "Open WebUI: ANONYMIZED_TELEMETRY, ENABLE_VERSION_UPDATE_CHECK",
	  check_telemetry_openwebui },
	{ "telemetry-anythingllm", AUDIT_ITEM_TELEMETRY, "AnythingLLM: DISABLE_TELEMETRY (PostHog)",
	  check_telemetry_anythingllm },
	{ "telemetry-jan", AUDIT_ITEM_TELEMETRY,
	  "Jan: analytics consent (kept in webview storage: said, not read)", check_telemetry_jan },
	{ "telemetry-lmstudio", AUDIT_ITEM_TELEMETRY,
	  "LM Studio: no telemetry setting known on disk (said)", check_telemetry_lmstudio },
	{ "versions", AUDIT_ITEM_VERSIONS,
	  "installed tools' versions (package, build information, files) against known CVEs",
	  check_versions },
	{ "hygiene-startup", AUDIT_ITEM_HYGIENE,
	  "tools started at boot or login: enabled units, user units, XDG autostart",
	  check_hygiene_startup },
	{ "hygiene-updates", AUDIT_ITEM_HYGIENE, "automatic update checks and updaters per tool",
	  check_hygiene_updates },
	{ "hygiene-accounts", AUDIT_ITEM_HYGIENE,
	  "the account each tool's unit and process runs as (root or a login account WARN)",
	  check_hygiene_accounts },
	{ "hygiene-extensions", AUDIT_ITEM_HYGIENE,
	  "extensions, plugins and MCP servers in the tools' folders", check_hygiene_extensions },
};

const size_t audit_n_checks = sizeof(audit_checks) / sizeof(audit_checks[0]);
