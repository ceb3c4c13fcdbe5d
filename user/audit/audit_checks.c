// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The audit's checks, one row each, in the order they run and print within their item
 * (audit.h). Adding a check is its function in the item's check_*.c file and one row here;
 * `llmwatch audit --help`, the man page's list and --only all come from this table.
 */
#include "audit/audit.h"
#include "audit/check_at_rest.h"
#include "audit/check_exposure.h"
#include "audit/check_gguf.h"
#include "audit/check_hygiene.h"
#include "audit/check_integrity.h"
#include "audit/check_telemetry.h"
#include "audit/check_versions.h"

const struct audit_check audit_checks[] = {
	{ "exposure-listeners", AUDIT_ITEM_EXPOSURE,
	  "no inference tool listens on a TCP or UDP socket beyond loopback",
	  check_exposure_listeners },
	{ "exposure-settings", AUDIT_ITEM_EXPOSURE,
	  "the tools' host settings (environment, arguments, units, settings files) are loopback",
	  check_exposure_settings },
	{ "exposure-containers", AUDIT_ITEM_EXPOSURE,
	  "no container of a tool's image publishes its port beyond loopback",
	  check_exposure_containers },
	{ "exposure-cors", AUDIT_ITEM_EXPOSURE,
	  "no CORS setting lets any web page call a tool's API (OLLAMA_ORIGINS=*, --cors)",
	  check_exposure_cors },
	{ "exposure-auth", AUDIT_ITEM_EXPOSURE,
	  "a tool exposed beyond loopback has an API key; Open WebUI keeps its login",
	  check_exposure_auth },
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
	{ "integrity-ollama", AUDIT_ITEM_INTEGRITY,
	  "Ollama's blobs re-hashed against their names and manifests; missing and unused blobs",
	  check_integrity_ollama },
	{ "integrity-models", AUDIT_ITEM_INTEGRITY,
	  "GGUF and safetensors files of the other tools hashed; checked against --approved",
	  check_integrity_models },
	{ "gguf-files", AUDIT_ITEM_GGUF,
	  "GGUF models in the tools' model directories and the --gguf files parse safely",
	  check_gguf_files },
	{ "at-rest-encryption", AUDIT_ITEM_AT_REST,
	  "model stores and chat histories are on an encrypted device (LUKS, fscrypt, eCryptfs)",
	  check_at_rest_encryption },
	{ "at-rest-permissions", AUDIT_ITEM_AT_REST,
	  "other users cannot read (or replace) the chat histories and model files",
	  check_at_rest_permissions },
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
