/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Where each inference tool keeps its models, chats, settings and extensions in a home (or at
 * a fixed system path), each row cited to the tool's own source or docs
 * (research/inference-tools.md). The integrity, GGUF, at-rest, telemetry and hygiene checks
 * all walk this one table, so a new tool or a moved directory is one row.
 */
#ifndef LW_AUDIT_STORES_H
#define LW_AUDIT_STORES_H

#include <dirent.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

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

/* ---- the bounded walk of a store ---------------------------------------------------------
 *
 * The at-rest, GGUF and integrity checks each look at every file under a store: one walk,
 * bounded in depth and entries, that never follows a link into a directory (a store linking
 * to / must not walk the machine, and links cannot loop), and counts what it did not look at
 * so that the check can say so.
 */

/* One entry of a directory under the walked one. */
struct audit_walk_entry {
	const char *path;      /* the walk's buffer (the top directory's path, "/", name) */
	const char *name;      /* its last component */
	int dirfd;	       /* the directory it is in, for *at() calls on name */
	unsigned char type;    /* DT_DIR, DT_REG, DT_LNK...: from st when there is one, else
			       * readdir's (DT_UNKNOWN when it did not say) */
	const struct stat *st; /* lstat of it, or NULL when fstatat failed */
	unsigned int depth;    /* 0: an entry of the top directory */
	unsigned int flags;    /* in: the flags of the directory it is in; a directory's
			       * callback sets the flags its own entries get */
};

/*
 * What a callback returns: 0 goes on (into a directory), AUDIT_WALK_SKIP does not enter
 * this directory, AUDIT_WALK_STOP ends the whole walk (it returns 0), a negative -errno
 * ends it and is returned.
 */
#define AUDIT_WALK_SKIP 1
#define AUDIT_WALK_STOP 2
typedef int (*audit_walk_fn)(void *arg, struct audit_walk_entry *e);

struct audit_walk {
	/* set by the caller */
	unsigned int max_depth; /* a directory at depth + 1 >= max_depth is not entered */
	size_t max_entries;	/* entries looked at; at the bound the walk stops (cut) */
	audit_walk_fn fn;
	void *arg;
	/* counted by the walk, added up across walks until the caller resets them */
	size_t entries;	   /* entries seen (each is counted, also those then skipped) */
	size_t deep;	   /* directories not entered: deeper than max_depth */
	size_t unreadable; /* directories below the top that could not be opened */
	bool cut;	   /* stopped at max_entries */
	int first_errno;   /* why the first unreadable one could not be opened */
	char first_unreadable[PATH_MAX];
	char path[PATH_MAX];
};

/*
 * Walks the directory at path (opened inside the root, audit_opendir()) depth first,
 * calling w->fn for each entry, flags being those of the top directory's entries. Entries
 * whose path would not fit PATH_MAX are counted and skipped. Returns 0, -errno when path
 * cannot be opened (nothing counted: the caller says it), or a callback's negative value.
 */
int audit_walk_dir(const struct audit_ctx *c, struct audit_walk *w, const char *path,
		   unsigned int flags);

/* Zeroes the walk's counts (for the next store). */
void audit_walk_reset(struct audit_walk *w);

#endif /* LW_AUDIT_STORES_H */
