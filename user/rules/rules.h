/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The rules engine: loads rule packs (JSON, see docs/rules.md) into an immutable, indexed
 * rule set and matches decoded events against it, producing verdicts (rule id, severity,
 * tags, action and an escaped one-line message).
 *
 * Typical use (cmd/cmd_monitor.c):
 *
 *	struct rules_builder *b = rules_builder_new();
 *	if (!no_default) rules_builder_add_default(b);
 *	for each --rules P: rules_builder_add_path(b, P);
 *	struct rules *r = rules_builder_build(b);
 *	if (!r) for i < rules_builder_error_count(b): fprintf(stderr, "%s\n", rules_builder_error(b, i));
 *	rules_builder_free(b);
 *	...
 *	struct rules_verdict v[8];
 *	int n = rules_match(r, ev, v, 8);
 *	rules_output_text(stdout, ev, v, n < 8 ? n : 8);	(rules/rules_output.h)
 *	...
 *	rules_free(r);
 *
 * Not thread-safe: rules_match() updates a per-rule-set cache of home directories.
 */
#ifndef LW_RULES_H
#define LW_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lw_event;
struct profile_set;

enum rules_severity {
	RULES_SEV_INFO,
	RULES_SEV_LOW,
	RULES_SEV_MEDIUM,
	RULES_SEV_HIGH,
	RULES_SEV_CRITICAL,
};

enum rules_action {
	RULES_ACTION_ALERT, /* report the verdict */
	RULES_ACTION_LOG,   /* record it (capture, JSON) without raising an alert */
	RULES_ACTION_BLOCK, /* reserved for enforcement; reported like an alert today */
};

/* Messages longer than this are cut (still valid, escaped text). */
#define RULES_MESSAGE_MAX 1024

struct rules_verdict {
	const char *rule;	 /* rule id; owned by the rule set */
	const char *description; /* owned by the rule set */
	enum rules_severity severity;
	enum rules_action action;
	const char *const *tags; /* owned by the rule set */
	size_t n_tags;
	char message[RULES_MESSAGE_MAX]; /* one line, every event field escaped */
};

struct rules;
struct rules_builder;

/*
 * Looks up the home directory of uid into buf (NUL-terminated). Returns 0, or -ENOENT when
 * the uid has no entry, or another -errno. Used to expand "~" in path patterns.
 */
typedef int (*rules_home_fn)(uint32_t uid, char *buf, size_t size, void *ctx);

/* A new, empty builder, or NULL with errno = ENOMEM. */
struct rules_builder *rules_builder_new(void);

/* Frees the builder and everything it still holds; NULL is ignored. */
void rules_builder_free(struct rules_builder *b);

/*
 * Adds the default pack compiled into the binary (rules/ *.json). Returns 0 or -ENOMEM.
 * Errors in the pack are reported by rules_builder_build() like any other file's.
 */
int rules_builder_add_default(struct rules_builder *b);

/*
 * Adds a rule file, or every "*.json" file of a directory in name order. Returns 0, or
 * -errno when the file or directory cannot be read (the error is also recorded with the
 * path, so rules_builder_build() will fail).
 */
int rules_builder_add_path(struct rules_builder *b, const char *path);

/*
 * Adds rule text under a name used in messages (it is copied). Returns 0 or -ENOMEM.
 * is_default marks it as part of the default pack (only counted differently).
 */
int rules_builder_add_text(struct rules_builder *b, const char *name, const char *text, size_t len,
			   bool is_default);

/*
 * The tools rules may name in "tools": the named profiles of set (the built-in ones and
 * those of --profiles files, core/profiles.h) instead of the built-in ones alone. set is
 * read now (its names are copied); call it before rules_builder_build(). Returns 0, or
 * -ENOMEM, or -E2BIG (more than 64 named profiles).
 */
int rules_builder_set_profiles(struct rules_builder *b, const struct profile_set *set);

/*
 * Replaces getpwuid_r() as the home directory lookup of the rule set that will be built
 * (tests use it to avoid real users). fn NULL restores getpwuid_r().
 */
void rules_builder_set_home_fn(struct rules_builder *b, rules_home_fn fn, void *ctx);

/*
 * Parses, validates and compiles everything added. All or nothing: on any error nothing is
 * returned. Returns the rule set, or NULL with errno EINVAL (errors recorded, read them with
 * rules_builder_error()) or ENOMEM. The builder may be freed afterwards.
 */
struct rules *rules_builder_build(struct rules_builder *b);

/* Number of errors recorded so far. */
size_t rules_builder_error_count(const struct rules_builder *b);

/* Error i as "FILE:LINE:COL: message" (or "FILE: message"), or NULL if out of range. */
const char *rules_builder_error(const struct rules_builder *b, size_t i);

/* Rules in the last build: all, and those from non-default sources. */
size_t rules_builder_rule_count(const struct rules_builder *b, bool only_user);

/* Frees a rule set; NULL is ignored. */
void rules_free(struct rules *r);

/*
 * Matches one event. Fills out[0..min(result, max)) with the verdicts in rule-file order and
 * returns how many rules matched (which may exceed max: the rest are dropped), or -EINVAL
 * when r or ev is NULL. Fallback rules are considered only when no other rule matched.
 * Cost does not grow with the number of rules (see docs/rules.md, "Indexes").
 */
int rules_match(const struct rules *r, const struct lw_event *ev, struct rules_verdict *out,
		size_t max);

/* "info", "low", ... and "alert", "log", "block". */
const char *rules_severity_name(enum rules_severity s);
const char *rules_action_name(enum rules_action a);

/* Read-only view of one rule, for `llmwatch rules list`. */
struct rules_info {
	const char *id;
	const char *description;
	enum rules_severity severity;
	enum rules_action action;
	bool fallback;
	bool is_default; /* came from the compiled-in pack */
	uint32_t events; /* bit (1 << LW_REC_*) per event type */
	const char *const *tags;
	size_t n_tags;
	const char *source; /* "file:line:col" where the rule is defined */
};

/* Number of rules in the set. */
size_t rules_count(const struct rules *r);

/*
 * The SHA-256 of the rule texts the set was built from (the built-in pack's files and each
 * file read, in load order, each length-prefixed): the same digest means the same rules.
 * Written as 64 lowercase hex digits and a NUL into hex.
 */
#define RULES_DIGEST_LEN 32
void rules_digest_hex(const struct rules *r, char hex[2 * RULES_DIGEST_LEN + 1]);

/*
 * The exact host names the rules' conditions name (not their exceptions: a name resolved
 * from the rules never excuses an event, see rule_match() in rules_match.c),
 * each once, lower case, into out[0..max); returns how many it put there, or, when out
 * is too small, an upper bound (names are then counted without checking for repeats):
 * call with max 0 for the size to allocate. The strings live as long as r.
 */
size_t rules_condition_hosts(const struct rules *r, const char **out, size_t max);

/* Fills *info for rule i (load order). Returns 0 or -ERANGE. */
int rules_get_info(const struct rules *r, size_t i, struct rules_info *info);

#endif /* LW_RULES_H */
