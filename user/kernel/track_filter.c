// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The tracked map's filter, mapped in user space (see track_filter.h). */
#include "kernel/track_filter.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/types.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "llmwatch/events.h"

uint32_t track_filter_blocks(uint64_t pid_max)
{
	if (pid_max == 0 || pid_max > LW_PID_LIMIT)
		pid_max = LW_PID_LIMIT;
	return (uint32_t)((pid_max + LW_TRACK_FILTER_SPAN - 1) / LW_TRACK_FILTER_SPAN);
}

uint64_t track_filter_pid_max(const char *path)
{
	char buf[32];
	unsigned long long v;
	ssize_t n;
	char *end;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return LW_PID_LIMIT;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return LW_PID_LIMIT;
	buf[n] = 0;
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n') || v == 0 || v > LW_PID_LIMIT)
		return LW_PID_LIMIT;
	return v;
}

int track_filter_map(struct track_filter *f, int map_fd, uint32_t blocks)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t len = (size_t)blocks * LW_TRACK_FILTER_SPAN;
	void *p;

	memset(f, 0, sizeof(*f));
	if (page > 0)
		len = (len + (size_t)page - 1) / (size_t)page * (size_t)page;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	f->bytes = p;
	f->map_len = len;
	f->ntgids = blocks * LW_TRACK_FILTER_SPAN;
	return 0;
}

void track_filter_set(struct track_filter *f, uint32_t tgid, uint8_t bits)
{
	if (!f->bytes || tgid >= f->ntgids)
		return;
	/*
	 * A single byte store, ordered before the map update that follows a set (and after
	 * the delete that precedes a clear: the bpf() call between them is a full barrier).
	 */
	__atomic_store_n(&f->bytes[tgid], bits, __ATOMIC_SEQ_CST);
}

bool track_filter_get(const struct track_filter *f, uint32_t tgid)
{
	if (!f->bytes || tgid >= f->ntgids)
		return true;
	return __atomic_load_n(&f->bytes[tgid], __ATOMIC_SEQ_CST) != 0;
}

bool track_filter_unmarked(const struct track_filter *f, uint32_t tgid)
{
	if (!f->bytes || tgid >= f->ntgids)
		return false;
	return __atomic_load_n(&f->bytes[tgid], __ATOMIC_SEQ_CST) & LW_FILTER_UNMARKED;
}

void track_filter_clear_unmarked(struct track_filter *f, uint32_t tgid)
{
	if (!f->bytes || tgid >= f->ntgids)
		return;
	/* a locked AND: an exit's store of 0 meanwhile stays 0, a fork's byte is not touched */
	__atomic_fetch_and(&f->bytes[tgid], (uint8_t)~LW_FILTER_UNMARKED, __ATOMIC_SEQ_CST);
}

void track_filter_unmap(struct track_filter *f)
{
	if (f->bytes)
		munmap(f->bytes, f->map_len);
	memset(f, 0, sizeof(*f));
}
