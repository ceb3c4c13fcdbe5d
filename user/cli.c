// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Helpers shared by the verbs (see cli.h). */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "llmwatch/events.h"

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("llmwatch: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

void cli_print_version(void)
{
	printf("llmwatch %s (record format %d)\n", LLMWATCH_VERSION, LW_RECORD_VERSION);
	printf("kernel BTF: %s\n", access("/sys/kernel/btf/vmlinux", R_OK) == 0 ? "yes" : "no");
}
