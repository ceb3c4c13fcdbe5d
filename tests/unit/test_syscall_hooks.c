// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of --syscall-hooks (cmd/monitor_options.c): each value lands as the loader's
 * enum value (kernel/bpf_loader.h), auto when not given, on the command line and in a config
 * file; any other value is refused with its message; the example configuration's line for
 * it, uncommented, is valid.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cmd/monitor_options.h"
#include "kernel/bpf_loader.h"
#include "util/config_file.h"

static struct config_file_errors errs;

static size_t parse(const char *text, struct monitor_config *o)
{
	return monitor_options_parse_text("t.conf", text, strlen(text), o, &errs);
}

static void test_values(void)
{
	static const struct {
		const char *value;
		enum bpf_loader_syscall_hooks want;
	} cases[] = {
		{ "auto", BPF_LOADER_SYSCALLS_AUTO },
		{ "fexit", BPF_LOADER_SYSCALLS_FEXIT },
		{ "tracepoints", BPF_LOADER_SYSCALLS_TRACEPOINTS },
	};
	struct monitor_config o;
	char err[256];

	monitor_config_init(&o);
	CHECK_INT(o.syscall_hooks, BPF_LOADER_SYSCALLS_AUTO);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[64];

		monitor_config_init(&o);
		CHECK_INT(monitor_options_apply(&o, "syscall-hooks", cases[i].value, err,
						sizeof(err)),
			  0);
		CHECK_INT(o.syscall_hooks, cases[i].want);
		monitor_config_free(&o);
		snprintf(text, sizeof(text), "syscall-hooks = %s\n", cases[i].value);
		CHECK_INT(parse(text, &o), 0);
		CHECK_INT(o.syscall_hooks, cases[i].want);
		monitor_config_free(&o);
	}
	monitor_config_init(&o);
	CHECK_INT(monitor_options_apply(&o, "syscall-hooks", "kprobes", err, sizeof(err)), -1);
	CHECK_STR(err, "--syscall-hooks \"kprobes\": \"auto\", \"fexit\" or \"tracepoints\"");
	monitor_config_free(&o);
	CHECK_INT(parse("syscall-hooks = Fexit\n", &o), 1);
	CHECK_STR(errs.text[0],
		  "t.conf:1:17: syscall-hooks \"Fexit\": \"auto\", \"fexit\" or \"tracepoints\"");
	monitor_config_free(&o);
}

/* dist/llmwatch.conf's commented line, uncommented, is a valid setting of the default */
static void test_example_config(void)
{
	FILE *f = fopen("dist/llmwatch.conf", "r");
	struct monitor_config o = {};
	char line[512];
	bool found = false;

	CHECK(f != NULL);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "#syscall-hooks", 14) != 0)
			continue;
		found = true;
		CHECK_INT(parse(line + 1, &o), 0);
		CHECK_INT(o.syscall_hooks, BPF_LOADER_SYSCALLS_AUTO);
		monitor_config_free(&o);
	}
	fclose(f);
	CHECK(found);
}

int main(void)
{
	test_values();
	test_example_config();
	return check_summary("syscall_hooks");
}
