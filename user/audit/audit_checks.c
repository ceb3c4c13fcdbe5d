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
#include "audit/check_integrity.h"

const struct audit_check audit_checks[] = {
	{ "integrity-ollama", AUDIT_ITEM_INTEGRITY,
	  "Ollama's blobs re-hashed against their names and manifests; missing and unused blobs",
	  check_integrity_ollama },
	{ "integrity-models", AUDIT_ITEM_INTEGRITY,
	  "GGUF and safetensors files of the other tools hashed; checked against --approved",
	  check_integrity_models },
	/* Rows are added with their checks: check_exposure.c, check_telemetry.c,
	 * check_integrity.c, check_gguf.c, check_at_rest.c, check_versions.c,
	 * check_hygiene.c. */
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
	{ "gguf-files", AUDIT_ITEM_GGUF,
	  "GGUF models in the tools' model directories and the --gguf files parse safely",
	  check_gguf_files },
	{ "at-rest-encryption", AUDIT_ITEM_AT_REST,
	  "model stores and chat histories are on an encrypted device (LUKS, fscrypt, eCryptfs)",
	  check_at_rest_encryption },
	{ "at-rest-permissions", AUDIT_ITEM_AT_REST,
	  "other users cannot read (or replace) the chat histories and model files",
	  check_at_rest_permissions },
};

const size_t audit_n_checks = sizeof(audit_checks) / sizeof(audit_checks[0]);
