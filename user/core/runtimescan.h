/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Recognising inference by what a process has loaded (issue 13 item 4): a process that maps
 * an inference runtime (llama.cpp's libllama, ggml, node-llama-cpp's llama-addon.node,
 * GPT4All's libllmodel) or a GGUF model file. Reads /proc/PID/maps and, for a `.gguf` path
 * only, the file's first four bytes; never trusts the path alone for a model.
 */
#ifndef LW_RUNTIMESCAN_H
#define LW_RUNTIMESCAN_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a process was recognised by. kind is "llama.cpp", "ggml", ... ("" when none). */
struct runtimescan_hit {
	char kind[24];
	char path[PATH_MAX]; /* the mapped file that says so: untrusted bytes */
};

/*
 * Which runtime a mapped file's base name names: its kind, "gguf" for a name ending in
 * ".gguf" (a model only if the file's magic says so), or NULL. *rank orders the kinds, lower
 * is more specific (a process that maps several is named by the most specific).
 */
const char *runtimescan_match_name(const char *base, int *rank);

/*
 * Whether the file open at fd is a GGUF model: a regular file whose first four bytes are
 * "GGUF". Reads nothing else. Returns true or false.
 */
bool runtimescan_fd_is_gguf(int fd);

/*
 * Parses one line of /proc/PID/maps: *range and *path point into line (which is modified:
 * NUL-terminated at the range's end and the path's end). Returns false for a line with no
 * file behind it (anonymous, [heap], inode 0) or a malformed one.
 */
bool runtimescan_parse_maps_line(char *line, const char **range, const char **path);

/*
 * Reads proc_root/PID/maps. Returns 1 and fills *hit when the process maps a runtime or a
 * GGUF model, 0 when not, -ENOENT when it is gone or unreadable. A `.gguf` path's magic is
 * read through proc_root/PID/map_files/RANGE (the mapped file itself, in any mount
 * namespace), else through the path, without following a symbolic link.
 */
int runtimescan_check_pid(const char *proc_root, uint32_t pid, struct runtimescan_hit *hit);

/*
 * From proc_root/PID/stat: the start time (clock ticks) and the virtual size, which changes
 * when the process maps or unmaps anything, so (start, vsize) unchanged means the maps are
 * very likely unchanged. Returns 0, or -ENOENT.
 */
int runtimescan_stat(const char *proc_root, uint32_t pid, uint64_t *start, uint64_t *vsize);

/*
 * Processes already checked and found negative, by (pid, start time, virtual size): a
 * direct-mapped cache of fixed size, so memory is bounded; a collision only costs a
 * re-read of one process's maps.
 */
#define RUNTIMESCAN_SEEN 4096

struct runtimescan_seen {
	uint32_t pid;
	uint64_t start, vsize;
};

struct runtimescan_cache {
	struct runtimescan_seen slot[RUNTIMESCAN_SEEN];
};

/* Whether (pid, start, vsize) was checked and negative. */
bool runtimescan_cache_has(const struct runtimescan_cache *c, uint32_t pid, uint64_t start,
			   uint64_t vsize);

/* Remembers a negative check. */
void runtimescan_cache_put(struct runtimescan_cache *c, uint32_t pid, uint64_t start,
			   uint64_t vsize);

#endif /* LW_RUNTIMESCAN_H */
