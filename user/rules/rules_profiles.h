/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Profiles as data: files of tool profiles (JSON, docs/profiles.md), read with the rule
 * loader's position-keeping JSON reader and its FILE:LINE:COL errors, and added to a profile
 * set (core/profiles.h) before the rules are compiled, so that rules can name their tools.
 *
 *	struct rules_profiles *pf = rules_profiles_new();
 *	for each --profiles P: rules_profiles_add_path(pf, P);
 *	profiles_init(&set);
 *	if (rules_profiles_apply(pf, &set))
 *		for i < rules_profiles_error_count(pf): puts(rules_profiles_error(pf, i));
 *	rules_builder_set_profiles(b, &set);	(rules.h)
 *	...
 *	rules_profiles_free(pf);		(once set is no longer used: it points into pf)
 */
#ifndef LW_RULES_PROFILES_H
#define LW_RULES_PROFILES_H

#include <stddef.h>

struct profile_set;
struct rules_profiles;

/* Limits of one profile (the file as a whole: at most PROFILES_FILE_MAX profiles). */
#define RULES_PROFILE_LIST_MAX 16     /* items in each of comms, exe_globs, ... */
#define RULES_PROFILE_PATTERN_MAX 256 /* bytes of one pattern */
#define RULES_PROFILE_DISPLAY_MAX 64  /* bytes of "display" */
#define RULES_PROFILE_SOURCE_MAX 512  /* bytes of "source" */

/* A new, empty set of profile files, or NULL with errno = ENOMEM. */
struct rules_profiles *rules_profiles_new(void);

/* Frees pf and the profiles it holds (set must no longer be used); NULL is ignored. */
void rules_profiles_free(struct rules_profiles *pf);

/*
 * Adds a profiles file, or every "*.json" file of a directory in name order. Returns 0, or
 * -errno when it cannot be read (also recorded as an error naming the path).
 */
int rules_profiles_add_path(struct rules_profiles *pf, const char *path);

/* Adds profile text under a name used in messages (copied). Returns 0 or -ENOMEM. */
int rules_profiles_add_text(struct rules_profiles *pf, const char *name, const char *text,
			    size_t len);

/*
 * Parses and checks everything added, then adds its profiles to set (which holds only its
 * built-in profiles), a profile named like a built-in one replacing it. All or nothing.
 * Returns 0, or -EINVAL (errors recorded: rules_profiles_error()), or -ENOMEM. Call once.
 */
int rules_profiles_apply(struct rules_profiles *pf, struct profile_set *set);

/* Number of errors recorded so far. */
size_t rules_profiles_error_count(const struct rules_profiles *pf);

/* Error i as "FILE:LINE:COL: message" (or "FILE: message"), or NULL if out of range. */
const char *rules_profiles_error(const struct rules_profiles *pf, size_t i);

#endif /* LW_RULES_PROFILES_H */
