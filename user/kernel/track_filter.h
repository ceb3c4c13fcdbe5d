/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * User space's side of the tracked map's filter (`track_filter`, llmwatch/events.h): the
 * map's memory mapped shared, so that tracking a process sets its byte with one store, as
 * the kernel's programs do, and never rewrites a block's other bytes (a read-modify-write
 * through bpf_map_update_elem() could undo a byte a fork set meanwhile).
 */
#ifndef LW_TRACK_FILTER_H
#define LW_TRACK_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct track_filter {
	uint8_t *bytes; /* one per tgid below ntgids, or NULL: not mapped */
	size_t map_len;
	uint32_t ntgids;
};

/*
 * The blocks the map needs for tgids below pid_max (kernel.pid_max): at least 1, at most
 * LW_PID_LIMIT / LW_TRACK_FILTER_SPAN (a tgid is always below LW_PID_LIMIT).
 */
uint32_t track_filter_blocks(uint64_t pid_max);

/*
 * kernel.pid_max read from path (/proc/sys/kernel/pid_max). Returns it, or LW_PID_LIMIT
 * when the file cannot be read or holds no number below it: the largest filter, never a
 * filter that misses a tgid. (pid_max can be raised later; tgids past the filter's end are
 * looked up in the map itself.)
 */
uint64_t track_filter_pid_max(const char *path);

/* Maps the filter map map_fd of blocks entries. Returns 0 or -errno; f is then unmapped. */
int track_filter_map(struct track_filter *f, int map_fd, uint32_t blocks);

/*
 * Sets tgid's byte to bits (LW_FILTER_*, llmwatch/events.h: before it is put in `tracked`;
 * 0: after it is taken out). A tgid past the filter's end needs nothing: the programs look
 * it up in the map.
 */
void track_filter_set(struct track_filter *f, uint32_t tgid, uint8_t bits);

/* Whether tgid's byte is set (true past the end: the map itself decides there). */
bool track_filter_get(const struct track_filter *f, uint32_t tgid);

/* Whether tgid's byte has LW_FILTER_UNMARKED (false past the end, where none is kept). */
bool track_filter_unmarked(const struct track_filter *f, uint32_t tgid);

/*
 * Clears LW_FILTER_UNMARKED from tgid's byte, leaving the rest as the kernel may be
 * writing it (one atomic AND of that byte).
 */
void track_filter_clear_unmarked(struct track_filter *f, uint32_t tgid);

void track_filter_unmap(struct track_filter *f);

#endif /* LW_TRACK_FILTER_H */
