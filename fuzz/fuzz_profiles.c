// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for profile files (rules/rules_profiles.c): like rule files, a user may
 * be handed one. Any bytes must either load into the profile set or fail with errors that
 * each name the file, never crash, leak or half-load; a loaded set must hold only checked
 * values (process names of at most 15 bytes) and survive matching and a rule build.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/profiles.h"
#include "rules/rules.h"
#include "rules/rules_profiles.h"

#define FUZZ_ASSERT(c)           \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

static struct profile_set set;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rules_profiles *pf = rules_profiles_new();
	size_t nb = profiles_builtin_count();
	int err;

	FUZZ_ASSERT(pf);
	FUZZ_ASSERT(rules_profiles_add_text(pf, "fuzz.json", (const char *)data, size) == 0);
	profiles_init(&set);
	err = rules_profiles_apply(pf, &set);
	if (err) {
		/* all or nothing: a refused file explains itself, and the set is untouched */
		FUZZ_ASSERT(rules_profiles_error_count(pf) > 0);
		for (size_t i = 0; i < rules_profiles_error_count(pf); i++)
			FUZZ_ASSERT(strncmp(rules_profiles_error(pf, i), "fuzz.json:", 10) == 0);
		FUZZ_ASSERT(set.n == nb && set.n_named == nb);
	} else {
		struct rules_builder *b = rules_builder_new();
		struct rules *r;

		FUZZ_ASSERT(rules_profiles_error_count(pf) == 0);
		FUZZ_ASSERT(set.n_named == set.n && set.n <= nb + PROFILES_FILE_MAX);
		for (size_t i = 0; i < set.n; i++) {
			const struct profile *p = &set.p[i];

			FUZZ_ASSERT(p->name && p->display && p->source && p->origin);
			for (const char *const *c = p->comms; c && *c; c++)
				FUZZ_ASSERT(**c && strlen(*c) <= 15 && !strchr(*c, '/'));
		}
		profiles_match_exe(&set, "/opt/x/bin/tool");
		profiles_match_cmdline(&set, "python3", "python3 -m x serve");
		FUZZ_ASSERT(b && rules_builder_set_profiles(b, &set) == 0);
		rules_builder_add_default(b);
		r = rules_builder_build(b);
		FUZZ_ASSERT(r); /* the default pack builds whatever tools the file added */
		rules_free(r);
		rules_builder_free(b);
	}
	rules_profiles_free(pf);
	return 0;
}
