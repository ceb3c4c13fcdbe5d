/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The telemetry checks (issue 17, "telemetry off"): one per tool, each reading the tool's
 * own settings (its files, and the environment its units and processes give it) and citing
 * the file and line, or the unit or process, each value came from.
 */
#ifndef LW_CHECK_TELEMETRY_H
#define LW_CHECK_TELEMETRY_H

#include "audit/audit.h"

/* GPT4All.ini [network] usageStatsActive (Mixpanel), isActive (Datalake), uniqueId. */
int check_telemetry_gpt4all(const struct audit_ctx *c, struct audit_report *r);
/* OLLAMA_NO_CLOUD / server.json disable_ollama_cloud, and the per-install key. */
int check_telemetry_ollama(const struct audit_ctx *c, struct audit_report *r);
/* VLLM_NO_USAGE_STATS, VLLM_DO_NOT_TRACK, DO_NOT_TRACK, do_not_track, usage_stats.json. */
int check_telemetry_vllm(const struct audit_ctx *c, struct audit_report *r);
/* ANONYMIZED_TELEMETRY, ENABLE_VERSION_UPDATE_CHECK (OFFLINE_MODE). */
int check_telemetry_openwebui(const struct audit_ctx *c, struct audit_report *r);
/* DISABLE_TELEMETRY (PostHog). */
int check_telemetry_anythingllm(const struct audit_ctx *c, struct audit_report *r);
/* Jan's analytics consent lives in webview storage: said so, not guessed. */
int check_telemetry_jan(const struct audit_ctx *c, struct audit_report *r);
/* LM Studio: no telemetry setting is known on disk: said so. */
int check_telemetry_lmstudio(const struct audit_ctx *c, struct audit_report *r);

#endif /* LW_CHECK_TELEMETRY_H */
