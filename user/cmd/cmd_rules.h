/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The `llmwatch rules` verb: check rule files without loading BPF, list the loaded rules. */
#ifndef LW_CMD_RULES_H
#define LW_CMD_RULES_H

/*
 * argv[0] is "rules". `rules check [--no-default-rules] [FILE|DIR...]` prints every error
 * (stderr) and returns 1 if there is any, else prints "N rules OK" and returns 0;
 * `rules list [--no-default-rules] [--rules FILE|DIR]...` prints each rule's id, severity,
 * action, events and description (escaped). Returns 2 on a usage error.
 */
int cmd_rules(int argc, char **argv);

#endif /* LW_CMD_RULES_H */
