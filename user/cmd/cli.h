/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Helpers shared by the verbs: usage errors and the version text. */
#ifndef LW_CLI_H
#define LW_CLI_H

/* Prints "llmwatch: <message>" to stderr and returns -1 (a usage error, exit status 2). */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints the version and what this kernel offers to stdout. */
void cli_print_version(void);

#endif /* LW_CLI_H */
