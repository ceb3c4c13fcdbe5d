/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Where each inference tool keeps its models, chats, settings and extensions in a home (or at
 * a fixed system path), each row cited to the tool's own source or docs
 * (research/inference-tools.md). The integrity, GGUF, at-rest, telemetry and hygiene checks
 * all walk this one table, so a new tool or a moved directory is one row.
 */
#ifndef LW_AUDIT_STORES_H
#define LW_AUDIT_STORES_H

#include <stdbool.h>
#include <stddef.h>

#include "audit/audit.h"

enum audit_store_kind {
	AUDIT_STORE_MODELS,	/* model files (GGUF, safetensors, Ollama's blobs) */
	AUDIT_STORE_CHATS,	/* chat histories, conversations, document indexes */
	AUDIT_STORE_SETTINGS,	/* a settings file (not a directory) */
	AUDIT_STORE_EXTENSIONS, /* plugins, extensions, MCP configuration */
	AUDIT_STORE_KINDS
};

struct audit_store {
	const char *tool; /* profile name: "ollama" */
	enum audit_store_kind kind;
	const char *path;   /* under each home ("~/.ollama/models" written ".ollama/models"), or
			   * absolute ("/usr/share/ollama/.ollama/models") under the root */
	const char *what;   /* "Ollama's model store" */
	const char *source; /* where the path comes from */
};

extern const struct audit_store audit_stores[];
extern const size_t audit_n_stores;

/* One store that exists on the audited system. */
struct audit_store_hit {
	const struct audit_store *store;
	const char *path;	       /* as the checks open it (root or home prepended) */
	const struct audit_home *home; /* the home it is in, or NULL for an absolute row */
	bool is_dir;
};

/*
 * Calls fn for each store of kind that exists, for each home then the absolute rows (tool
 * NULL: every tool). Returns 0, or what fn returned when not 0.
 */
typedef int (*audit_store_fn)(void *arg, const struct audit_store_hit *h);
int audit_stores_each(const struct audit_ctx *c, enum audit_store_kind kind, const char *tool,
		      audit_store_fn fn, void *arg);

#endif /* LW_AUDIT_STORES_H */
