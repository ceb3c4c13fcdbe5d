/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The "Model integrity" item of the audit (issue 17): Ollama's content-addressed store
 * verified blob by blob against its names and manifests, and the other tools' model files
 * hashed and checked against an approved list. What each finding means:
 * docs/audit-integrity.md.
 */
#ifndef LW_CHECK_INTEGRITY_H
#define LW_CHECK_INTEGRITY_H

#include "audit/audit.h"

/*
 * integrity-ollama: every Ollama model store (each home's ~/.ollama/models, which covers
 * the service's /usr/share/ollama): each blob re-hashed against its sha256-<hex> name,
 * each manifest's config and layers against the blobs (present, digest well formed, size),
 * blobs no manifest uses, manifests that do not parse; with c->approved, each model's
 * weights against it. Returns 0, -EINVAL when the approved list does not parse (said on
 * stderr by the first check that reads it, audit_approved.h), or -errno (-ENOMEM).
 */
int check_integrity_ollama(const struct audit_ctx *c, struct audit_report *r);

/*
 * integrity-models: GGUF and safetensors files in the other tools' model directories, each
 * with its SHA-256, checked against c->approved (sha256sum's format) when given. Returns 0,
 * -EINVAL when the approved list does not parse (the error, naming FILE:LINE and the line,
 * is printed on stderr once, by the first check that reads it), or -errno (the list cannot
 * be read, -ENOMEM).
 */
int check_integrity_models(const struct audit_ctx *c, struct audit_report *r);

#endif /* LW_CHECK_INTEGRITY_H */
