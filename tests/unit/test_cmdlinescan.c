// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of core/cmdlinescan: a command line is read only for a process named like an
 * interpreter, bounded, and the cache of those that named no tool is keyed by pid, start
 * time and name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "core/cmdlinescan.h"

#define LIST(...) ((const char *const[]){ __VA_ARGS__, NULL })

static char root[] = "/tmp/lw-cmdscan-XXXXXX";

/* Writes root/PID/cmdline: len bytes of NUL-separated arguments. */
static void fake_cmdline(unsigned int pid, const char *args, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%u", root, pid);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/%u/cmdline", root, pid);
	f = fopen(path, "we");
	CHECK(f != NULL);
	if (!f)
		return;
	fwrite(args, 1, len, f);
	fclose(f);
}

static void test_match(void)
{
	static const char vllm_args[] = "python3\0-m\0vllm.entrypoints.openai.api_server\0";
	static const char plain_args[] = "python3\0/tmp/x.py\0";
	struct profile_set s = { 0 };
	char buf[CMDLINESCAN_BYTES + 64], *big;
	bool read = true;
	size_t n;

	s.p[s.n++] = (struct profile){ .name = "ollama", .comms = LIST("ollama") };
	s.p[s.n++] = (struct profile){ .name = "vllm",
				       .interpreters = LIST("python*"),
				       .argv_globs = LIST("* -m vllm.entrypoints.*") };
	fake_cmdline(10, vllm_args, sizeof(vllm_args) - 1);
	fake_cmdline(11, plain_args, sizeof(plain_args) - 1);

	CHECK_INT(cmdlinescan_match(&s, root, 10, "python3", buf, sizeof(buf), &read), 2);
	CHECK(read);
	CHECK_STR(buf, "python3 -m vllm.entrypoints.openai.api_server");
	CHECK_INT(cmdlinescan_match(&s, root, 11, "python3", buf, sizeof(buf), &read), 0);
	CHECK(read);
	/* not an interpreter's name: nothing is read, whatever the command line says */
	CHECK_INT(cmdlinescan_match(&s, root, 10, "ollama", buf, sizeof(buf), &read), 0);
	CHECK(!read);
	CHECK_STR(buf, "");
	/* gone */
	CHECK_INT(cmdlinescan_match(&s, root, 12, "python3", buf, sizeof(buf), &read), 0);
	CHECK(read);
	CHECK_STR(buf, "");

	/* bounded: a huge command line is read cut to CMDLINESCAN_BYTES - 1 and still matched */
	n = 3 * CMDLINESCAN_BYTES;
	big = malloc(n);
	CHECK(big != NULL);
	if (!big)
		return;
	memcpy(big, vllm_args, sizeof(vllm_args) - 1);
	memset(big + sizeof(vllm_args) - 1, 'a', n - (sizeof(vllm_args) - 1));
	fake_cmdline(13, big, n);
	CHECK_INT(cmdlinescan_match(&s, root, 13, "python3", buf, sizeof(buf), &read), 2);
	CHECK_INT(strlen(buf), CMDLINESCAN_BYTES - 1);
	free(big);
}

static void test_cache(void)
{
	struct cmdlinescan_cache *c = calloc(1, sizeof(*c));

	CHECK(c != NULL);
	if (!c)
		return;
	CHECK(!cmdlinescan_cache_has(c, 42, 100, "python3"));
	cmdlinescan_cache_put(c, 42, 100, "python3");
	CHECK(cmdlinescan_cache_has(c, 42, 100, "python3"));
	/* the pid reused by a later process, or the process exec'd into another interpreter */
	CHECK(!cmdlinescan_cache_has(c, 42, 101, "python3"));
	CHECK(!cmdlinescan_cache_has(c, 42, 100, "node"));
	/* a colliding pid takes the slot: the first is read again, never wrongly skipped */
	cmdlinescan_cache_put(c, 42 + CMDLINESCAN_SEEN, 100, "python3");
	CHECK(!cmdlinescan_cache_has(c, 42, 100, "python3"));
	CHECK(cmdlinescan_cache_has(c, 42 + CMDLINESCAN_SEEN, 100, "python3"));
	/* a name longer than a comm is cut as the kernel cuts it */
	cmdlinescan_cache_put(c, 7, 1, "0123456789abcdefXYZ");
	CHECK(cmdlinescan_cache_has(c, 7, 1, "0123456789abcde"));
	free(c);
}

int main(void)
{
	char cmd[64];

	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	test_match();
	test_cache();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0) /* NOLINT(cert-env33-c): a fixed command on our mkdtemp dir */
		fprintf(stderr, "could not remove %s\n", root);
	return check_summary("test_cmdlinescan");
}
