// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bpf_loader_size_maps(), without root or a kernel: this file defines the three libbpf
 * functions it calls (bpf_map__set_max_entries, bpf_map__set_autocreate, bpf_map__name),
 * and a definition in the executable takes precedence over libbpf.so's for the loader's
 * calls. Their maps are fakes that record what was set and refuse on demand, so the test
 * sees each refusal reported, not ignored.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>

#include "check.h"
#include "kernel/bpf_loader.h"

/* libbpf's struct is opaque to its users; this one is the test's own. */
struct bpf_map {
	const char *name;
	__u32 max_entries;
	bool autocreate;
	int set_err; /* what the next setter returns (0: accept) */
	int calls;
};

int bpf_map__set_max_entries(struct bpf_map *map, __u32 max_entries)
{
	map->calls++;
	if (map->set_err)
		return map->set_err;
	map->max_entries = max_entries;
	return 0;
}

int bpf_map__set_autocreate(struct bpf_map *map, bool autocreate)
{
	map->calls++;
	if (map->set_err)
		return map->set_err;
	map->autocreate = autocreate;
	return 0;
}

const char *bpf_map__name(const struct bpf_map *map)
{
	return map->name;
}

static struct bpf_map events, stash, task_stash, open_paths;
static const struct bpf_loader_maps maps = { &events, &stash, &task_stash, &open_paths };

static void reset(void)
{
	events = (struct bpf_map){ .name = "events", .max_entries = 8 << 20, .autocreate = true };
	stash = (struct bpf_map){ .name = "stash", .max_entries = 16384, .autocreate = true };
	task_stash = (struct bpf_map){ .name = "task_stash", .autocreate = true };
	open_paths =
		(struct bpf_map){ .name = "open_paths", .max_entries = 256, .autocreate = true };
}

/* Runs bpf_loader_size_maps() with stderr captured in err (size bytes). */
static int size_maps(char *err, size_t size, size_t ring, bool regs, bool task, bool kfile)
{
	FILE *saved = stderr, *f;
	char *text = NULL;
	size_t len = 0;
	int ret;

	f = open_memstream(&text, &len);
	if (!f)
		abort();
	stderr = f;
	ret = bpf_loader_size_maps(&maps, ring, regs, task, kfile);
	stderr = saved;
	fclose(f);
	snprintf(err, size, "%s", text);
	free(text);
	return ret;
}

/* What each choice of programs sizes, when libbpf accepts everything. */
static void test_sizes(void)
{
	char err[256];

	reset();
	CHECK_INT(size_maps(err, sizeof(err), 4 << 20, true, true, true), 0);
	CHECK_STR(err, "");
	CHECK_INT(events.max_entries, 4 << 20);
	CHECK_INT(stash.max_entries, 1);
	CHECK(task_stash.autocreate);
	CHECK_INT(open_paths.max_entries, 256);

	reset();
	CHECK_INT(size_maps(err, sizeof(err), 1 << 20, true, false, false), 0);
	CHECK_INT(events.max_entries, 1 << 20);
	CHECK_INT(stash.max_entries, 4096);
	CHECK(!task_stash.autocreate);
	CHECK_INT(open_paths.max_entries, 1);

	/* enter tracepoints: the stash keeps its compiled size */
	reset();
	CHECK_INT(size_maps(err, sizeof(err), 1 << 20, false, false, true), 0);
	CHECK_INT(stash.max_entries, 16384);
	CHECK_INT(stash.calls, 0);
	CHECK(!task_stash.autocreate);
}

/* Each setter's refusal is returned and named on stderr, and stops what follows. */
static void test_refusals(void)
{
	char err[256];

	reset();
	events.set_err = -EINVAL;
	CHECK_INT(size_maps(err, sizeof(err), 4096, true, false, false), -EINVAL);
	CHECK_STR(err, "llmwatch: ring buffer size 4096 rejected: Invalid argument\n");
	CHECK_INT(stash.calls, 0);

	reset();
	stash.set_err = -EBUSY;
	CHECK_INT(size_maps(err, sizeof(err), 4096, true, false, false), -EBUSY);
	CHECK_STR(err, "llmwatch: cannot set the size of BPF map stash to 4096: "
		       "Device or resource busy\n");
	CHECK_INT(task_stash.calls, 0);
	CHECK_INT(open_paths.calls, 0);

	reset();
	task_stash.set_err = -EBUSY;
	CHECK_INT(size_maps(err, sizeof(err), 4096, false, false, false), -EBUSY);
	CHECK_STR(err, "llmwatch: cannot leave BPF map task_stash out: Device or resource busy\n");
	CHECK_INT(open_paths.calls, 0);

	reset();
	open_paths.set_err = -EBUSY;
	CHECK_INT(size_maps(err, sizeof(err), 4096, true, true, false), -EBUSY);
	CHECK_STR(err, "llmwatch: cannot set the size of BPF map open_paths to 1: "
		       "Device or resource busy\n");

	/* a ring the map's 32-bit size cannot hold is refused, not truncated */
	if (sizeof(size_t) > 4) {
		reset();
		CHECK_INT(size_maps(err, sizeof(err), (size_t)1 << 32, true, true, true), -E2BIG);
		CHECK_INT(events.calls, 0);
	}
}

int main(void)
{
	test_sizes();
	test_refusals();
	return check_summary("test_bpf_loader");
}
