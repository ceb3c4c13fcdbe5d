// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* llmwatch's entry point: picks the verb and hands it the arguments. */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd_monitor.h"
#include "cmd/cmd_rules.h"

struct verb {
	const char *name;
	int (*run)(int argc, char **argv);
};

static const struct verb verbs[] = {
	{ "monitor", cmd_monitor },
	{ "rules", cmd_rules },
};

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
