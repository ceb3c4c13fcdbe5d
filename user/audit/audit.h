/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * `llmwatch audit` (issue 17): the machine-checkable half of the local-LLM security
 * checklist. Each check inspects the machine as it is (or a mounted root, or other homes)
 * and adds findings to a report: one line per thing checked, PASS / WARN / FAIL / SKIP,
 * with the evidence (the file and line, the socket, the process that says so) and the fix.
 * The checks are rows of one table (audit_checks.c); the verb (cmd/cmd_audit.c) runs the
 * ones asked for and writes the report as text or JSON.
 *
 * Every string a check adds is copied; untrusted bytes (file contents, process names,
 * paths) may be added as they are: each writer escapes for its own format.
 */
#ifndef LW_AUDIT_H
#define LW_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/profiles.h"

enum audit_status {
	AUDIT_PASS,
	AUDIT_WARN,
	AUDIT_FAIL,
	AUDIT_SKIP, /* could not be checked here (not root, not installed): the reason says why */
	AUDIT_STATUSES
};

/* "PASS", "WARN", "FAIL", "SKIP". */
const char *audit_status_name(enum audit_status s);

/* The checklist items findings are grouped by, in the order they are printed. */
enum audit_item {
	AUDIT_ITEM_EXPOSURE,  /* API bound to localhost, no exposure to the network */
	AUDIT_ITEM_TELEMETRY, /* telemetry off */
	AUDIT_ITEM_INTEGRITY, /* trusted models, checksums, approved versions */
	AUDIT_ITEM_GGUF,      /* model files that parse safely */
	AUDIT_ITEM_AT_REST,   /* encrypted storage, permissions of models and chats */
	AUDIT_ITEM_VERSIONS,  /* tools kept updated: known vulnerabilities */
	AUDIT_ITEM_HYGIENE,   /* start-up items, automatic updates, accounts, extensions */
	AUDIT_ITEMS
};

/* "exposure", "telemetry", ... (the JSON's names); and a title for the text. */
const char *audit_item_name(enum audit_item i);
const char *audit_item_title(enum audit_item i);

struct audit_finding {
	enum audit_item item;
	enum audit_status status;
	const char *check;    /* the check's name, as --only takes it ("exposure-listeners") */
	const char *tool;     /* the tool it concerns ("ollama", "gpt4all"), or NULL */
	const char *subject;  /* what was checked: a file, an address:port, a setting */
	const char *evidence; /* what was found, and where ("~/.config/x.ini:12: a=1") */
	const char *fix;      /* what to do about a WARN or FAIL; NULL for PASS */
	const char *source;   /* where the fact comes from (the tool's docs or source), or NULL */
};

/* A home to audit: its path as the checks open it (root already prepended) and its owner. */
struct audit_home {
	const char *path; /* "/home/alice", or "/mnt/img/home/alice" under --root */
	const char *user; /* "alice" from the root's passwd, or NULL (a --home not in it) */
	uint32_t uid;	  /* the owner of the directory */
	int read_err;	  /* 0, or -errno when its contents cannot be listed (not root) */
};

struct audit_approved; /* audit_approved.h */

/* Where and how the checks look. */
struct audit_ctx {
	const char *root; /* the root to audit: "/" or --root DIR (no trailing slash) */
	bool live;	  /* root is this running machine: processes and sockets are looked at */
	const char *proc_root;		/* "/proc" when live (a test may point it at a fixture) */
	const struct audit_home *homes; /* the homes to audit, n_homes of them */
	size_t n_homes;
	bool privileged; /* running as root: a check that could not read something says so */
	const struct profile_set *profiles; /* the tools' profiles (names, executables) */
	struct audit_approved *approved;    /* --approved FILE, read on first use, or NULL */
	const char *const *gguf;	    /* --gguf FILE...: files checked wherever they are */
	size_t n_gguf;
	unsigned int jobs;     /* threads for hashing (0: one per online CPU) */
	const char *cache_dir; /* where hash results are cached, or NULL: no cache */
	FILE *progress;	       /* a terminal to draw progress on, or NULL */
};

struct audit_report;

/* A new, empty report, or NULL with errno = ENOMEM. */
struct audit_report *audit_report_new(void);
void audit_report_free(struct audit_report *r);

/* Adds a copy of f. Returns 0 or -ENOMEM (counted: the report then says it is incomplete). */
int audit_add(struct audit_report *r, const struct audit_finding *f);

/* printf-style helper for evidence: a copy of the formatted text, owned by the report. */
const char *audit_fmt(struct audit_report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* How many findings of status s the report holds; and findings that could not be added. */
size_t audit_count(const struct audit_report *r, enum audit_status s);
uint64_t audit_lost(const struct audit_report *r);

/* The findings, in the order added (the writers sort them by item, stably). */
size_t audit_findings(const struct audit_report *r, const struct audit_finding **out);

/*
 * One check: a row of audit_checks.c. run() adds its findings (at least one: a PASS when
 * all is well, a SKIP with the reason when it could not look) and returns 0, or -errno when
 * it failed outright (the verb says so, and the audit is incomplete).
 */
struct audit_check {
	const char *name; /* "exposure-listeners"; --only NAME */
	enum audit_item item;
	const char *what; /* one line for --help and the man page */
	int (*run)(const struct audit_ctx *c, struct audit_report *r);
};

/* The table, and its length. */
extern const struct audit_check audit_checks[];
extern const size_t audit_n_checks;

/*
 * A check that failed outright (run() returned -errno): kept with its message, printed by the
 * writers, and the audit is then incomplete. Returns 0 or -ENOMEM (counted as lost).
 */
int audit_add_error(struct audit_report *r, const char *check, const char *message);
size_t audit_errors(const struct audit_report *r, const char *const **checks,
		    const char *const **messages);

/*
 * Text: a header naming the root and homes, then the findings grouped by item, one line per
 * finding with its evidence, its fix and source below a WARN or FAIL, then the counts.
 * color: ANSI colours for the statuses (a terminal). Returns 0 or -errno (a write failed).
 */
int audit_write_text(const struct audit_report *r, const struct audit_ctx *c, FILE *out,
		     bool color);
/* JSON: one document (docs/audit-format.md). Returns 0 or -errno. */
int audit_write_json(const struct audit_report *r, const struct audit_ctx *c, FILE *out);

#endif /* LW_AUDIT_H */
