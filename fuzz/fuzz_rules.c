// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for the rule loader: rule files are untrusted input (a user may be
 * handed one). Any bytes must either build a rule set or fail with errors that each name a
 * position, never crash, leak or half-load; a built set must survive matching an event.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/event.h"
#include "rules/rules.h"

#define FUZZ_ASSERT(c)           \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

static int fake_home(uint32_t uid, char *buf, size_t size, void *ctx)
{
	(void)ctx;
	return snprintf(buf, size, "/home/u%u", uid) < (int)size ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rules_builder *b = rules_builder_new();
	struct lw_sockaddr a = { .family = 2, .port = 443, .addr = { 203, 0, 113, 10 } };
	struct rules_verdict v[4];
	struct rules *r;
	char *text = malloc(size ? size : 1);

	FUZZ_ASSERT(b && text);
	memcpy(text, data, size);
	rules_builder_set_home_fn(b, fake_home, NULL);
	rules_builder_add_text(b, "fuzz.json", text, size, false);
	r = rules_builder_build(b);
	if (!r) {
		/* all or nothing: a refused pack explains itself, with a position */
		FUZZ_ASSERT(rules_builder_error_count(b) > 0);
		for (size_t i = 0; i < rules_builder_error_count(b); i++)
			FUZZ_ASSERT(strncmp(rules_builder_error(b, i), "fuzz.json:", 10) == 0);
	} else {
		struct lw_event ev = { .type = LW_REC_CONNECT,
				       .tool = "ollama",
				       .comm = "ollama",
				       .exe = "/usr/bin/ollama",
				       .addr = &a,
				       .host = "api.x.com",
				       .host_source = "dns",
				       .argv = "/usr/bin/ollama launch opencode --x",
				       .argv_state = EVENT_ARGV_FULL,
				       .root_argv = "ollama launch",
				       .root_argv_state = EVENT_ARGV_CUT,
				       .parent_exe = "/usr/bin/bash",
				       .parent_comm = "bash",
				       .netns = EVENT_NETNS_OTHER,
				       .uid = 1000 };
		struct lw_event op = { .type = LW_REC_OPEN,
				       .tool = "gpt4all",
				       .comm = "chat",
				       .exe = "/x/chat",
				       .path = "/home/u1000/.ssh/id_rsa",
				       .path_len = 23,
				       .uid = 1000 };

		FUZZ_ASSERT(rules_builder_error_count(b) == 0);
		rules_match(r, &ev, v, 4);
		rules_match(r, &op, v, 4);
		rules_free(r);
	}
	rules_builder_free(b);
	free(text);
	return 0;
}
