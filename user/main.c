// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* llmwatch's entry point: picks the verb and hands it the arguments. */
#include <stdio.h>
#include <string.h>

#include "cmd/verbs.h"

struct verb {
	const char *name;
	int (*run)(int argc, char **argv);
};

#define LW_VERB_ROW(name) { #name, cmd_##name },
static const struct verb verbs[] = { LW_VERBS(LW_VERB_ROW) };
#undef LW_VERB_ROW

int main(int argc, char **argv)
{
	/* no verb, or an option first: the monitor, llmwatch's main job */
	if (argc < 2 || argv[1][0] == '-')
		return cmd_monitor(argc, argv);
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(argv[1], verbs[i].name) == 0)
			return verbs[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "llmwatch: unknown command \"%s\" (see llmwatch --help)\n", argv[1]);
	return 2;
}
