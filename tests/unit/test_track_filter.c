// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The tracked map's filter in user space: its size for a given kernel.pid_max (never one
 * that misses a tgid), pid_max read from a file that may be missing or hold anything, and
 * the one byte per tgid written through the shared mapping (here of a memfd, standing in
 * for the map), with tgids past the end left to the map itself.
 */
#include <linux/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "kernel/track_filter.h"
#include "llmwatch/events.h"

static void test_blocks(void)
{
	/* 0 (unknown) and anything past the limit: the largest filter */
	CHECK_INT(track_filter_blocks(0), LW_PID_LIMIT / LW_TRACK_FILTER_SPAN);
	CHECK_INT(track_filter_blocks(1), 1);
	CHECK_INT(track_filter_blocks(64), 1);
	CHECK_INT(track_filter_blocks(65), 2);
	CHECK_INT(track_filter_blocks(32768), 512);
	CHECK_INT(track_filter_blocks(4194304), 65536);
	CHECK_INT(track_filter_blocks(4194305), 65536);
	CHECK_INT(track_filter_blocks(UINT64_MAX), 65536);
}

static const char *write_tmp(const char *text)
{
	static char path[] = "/tmp/lw-pidmax-XXXXXX";
	int fd;

	snprintf(path, sizeof(path), "/tmp/lw-pidmax-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0) {
		perror("mkstemp");
		exit(1);
	}
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		perror("write");
		exit(1);
	}
	close(fd);
	return path;
}

static uint64_t pid_max_of(const char *text)
{
	const char *path = write_tmp(text);
	uint64_t v = track_filter_pid_max(path);

	unlink(path);
	return v;
}

static void test_pid_max(void)
{
	CHECK_INT(track_filter_pid_max("/nonexistent/pid_max"), LW_PID_LIMIT);
	CHECK_INT(pid_max_of("32768\n"), 32768);
	CHECK_INT(pid_max_of("4194304\n"), 4194304);
	CHECK_INT(pid_max_of("99"), 99);
	/* nothing a filter could be sized from: the largest one */
	CHECK_INT(pid_max_of(""), LW_PID_LIMIT);
	CHECK_INT(pid_max_of("garbage\n"), LW_PID_LIMIT);
	CHECK_INT(pid_max_of("32768 junk\n"), LW_PID_LIMIT);
	CHECK_INT(pid_max_of("0\n"), LW_PID_LIMIT);
	CHECK_INT(pid_max_of("-5\n"), LW_PID_LIMIT);
	CHECK_INT(pid_max_of("4194305\n"), LW_PID_LIMIT);
	CHECK_INT(pid_max_of("99999999999999999999999\n"), LW_PID_LIMIT);
	/* the real file, where there is one, gives a size that covers every tgid it allows */
	if (access("/proc/sys/kernel/pid_max", R_OK) == 0) {
		uint64_t v = track_filter_pid_max("/proc/sys/kernel/pid_max");

		CHECK(v > 0 && v <= LW_PID_LIMIT);
		CHECK((uint64_t)track_filter_blocks(v) * LW_TRACK_FILTER_SPAN >= v);
	}
}

static void test_set_get(void)
{
	const uint32_t blocks = 3; /* tgids 0..191, less than a page: the mapping rounds up */
	struct track_filter f;
	unsigned char *raw;
	int fd = memfd_create("lw-track-filter", MFD_CLOEXEC);

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK(ftruncate(fd, 4096) == 0);
	/* not mapped: nothing to set, and every tgid is the map's to answer */
	memset(&f, 0, sizeof(f));
	track_filter_set(&f, 5, true);
	CHECK(track_filter_get(&f, 5));

	CHECK_INT(track_filter_map(&f, fd, blocks), 0);
	CHECK_INT(f.ntgids, blocks * LW_TRACK_FILTER_SPAN);
	raw = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(raw != MAP_FAILED);
	if (raw == MAP_FAILED)
		return;
	CHECK(!track_filter_get(&f, 0));
	CHECK(!track_filter_get(&f, 191));
	track_filter_set(&f, 0, true);
	track_filter_set(&f, 65, true);
	track_filter_set(&f, 191, LW_FILTER_TRACKED | LW_FILTER_UNMARKED);
	/* the byte of tgid k is byte k % 64 of block k / 64, as the programs read it */
	CHECK_INT(raw[0], 1);
	CHECK_INT(raw[1 * LW_TRACK_FILTER_SPAN + 1], 1);
	CHECK_INT(raw[2 * LW_TRACK_FILTER_SPAN + 63], LW_FILTER_TRACKED | LW_FILTER_UNMARKED);
	/* the bit that says its sockets are not marked yet comes off alone */
	CHECK(track_filter_unmarked(&f, 191));
	CHECK(!track_filter_unmarked(&f, 65));
	track_filter_clear_unmarked(&f, 191);
	CHECK_INT(raw[2 * LW_TRACK_FILTER_SPAN + 63], LW_FILTER_TRACKED);
	CHECK(!track_filter_unmarked(&f, 191));
	/* and clearing it from a byte the exit program has cleared leaves 0 */
	track_filter_clear_unmarked(&f, 64);
	CHECK_INT(raw[64], 0);
	CHECK_INT(raw[64], 0);
	CHECK_INT(raw[66], 0);
	CHECK(track_filter_get(&f, 65));
	CHECK(!track_filter_get(&f, 64));
	track_filter_set(&f, 65, 0);
	CHECK(!track_filter_get(&f, 65));
	CHECK_INT(raw[65], 0);
	CHECK_INT(raw[0], 1);
	/* past the end: no write anywhere, and the map decides */
	track_filter_set(&f, 192, true);
	track_filter_set(&f, UINT32_MAX, true);
	CHECK_INT(raw[192], 0);
	CHECK(track_filter_get(&f, 192));
	CHECK(track_filter_get(&f, UINT32_MAX));
	CHECK(!track_filter_unmarked(&f, 192));
	track_filter_clear_unmarked(&f, 192);
	CHECK_INT(raw[192], 0);

	track_filter_unmap(&f);
	CHECK(f.bytes == NULL);
	CHECK(track_filter_get(&f, 0));
	munmap(raw, 4096);
	close(fd);

	/* a descriptor that cannot be mapped is an error, and leaves nothing mapped */
	CHECK(track_filter_map(&f, -1, blocks) < 0);
	CHECK(f.bytes == NULL);
}

int main(void)
{
	test_blocks();
	test_pid_max();
	test_set_get();
	return check_summary("track_filter");
}
