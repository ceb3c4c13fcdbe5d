// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Recognising inference by what a process maps (see runtimescan.h). */
#include "core/runtimescan.h"

#include "core/procscan.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* At most this many lines of one process's maps are read (vm.max_map_count is 65530). */
#define MAPS_LINES_MAX 65536

/* Most specific first: GPT4All's libllamamodel-* would also match libllama*. */
static const struct {
	const char *glob, *kind;
} runtimes[] = {
	{ "llama-addon.node", "node-llama-cpp" },
	{ "libllmodel.so*", "gpt4all" },
	{ "libllamamodel-*.so*", "gpt4all" },
	{ "libllama.so*", "llama.cpp" },
	{ "libllama-*.so*", "llama.cpp" },
	{ "libggml*.so*", "ggml" },
	{ "*.gguf", "gguf" },
};

#define N_RUNTIMES (sizeof(runtimes) / sizeof(runtimes[0]))

const char *runtimescan_match_name(const char *base, int *rank)
{
	for (size_t i = 0; i < N_RUNTIMES; i++) {
		if (fnmatch(runtimes[i].glob, base, FNM_PERIOD) == 0) {
			*rank = (int)i;
			return runtimes[i].kind;
		}
	}
	return NULL;
}

bool runtimescan_fd_is_gguf(int fd)
{
	struct stat st;
	char magic[4];

	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size < 4)
		return false;
	return pread(fd, magic, sizeof(magic), 0) == (ssize_t)sizeof(magic) &&
	       memcmp(magic, "GGUF", 4) == 0;
}

bool runtimescan_parse_maps_line(char *line, const char **range, const char **path)
{
	/* start-end perms offset dev inode   path */
	char *p = line, *end;
	size_t len;

	for (int field = 0; field < 5; field++) {
		char *sp = strchr(p, ' ');

		if (!sp)
			return false;
		if (field == 0) {
			*sp = '\0';
			*range = line;
		}
		if (field == 4) {
			/* the inode: 0 is an anonymous mapping */
			if (sp - p == 1 && *p == '0')
				return false;
		}
		p = sp + 1;
	}
	while (*p == ' ')
		p++;
	if (*p != '/')
		return false; /* "", [heap], [stack], [vdso], anon_inode:... */
	len = strcspn(p, "\n");
	p[len] = '\0';
	/* a file unlinked since it was mapped keeps its name, with this suffix */
	end = p + len;
	if (len > 10 && strcmp(end - 10, " (deleted)") == 0)
		end[-10] = '\0';
	*path = p;
	return strspn(*range, "0123456789abcdef-") == strlen(*range) && strchr(*range, '-');
}

static bool path_is_gguf(const char *proc_root, uint32_t pid, const char *range, const char *path)
{
	char file[PATH_MAX + 64];
	int fd;
	bool yes;

	/* the mapped file itself, whatever mount namespace the process lives in */
	snprintf(file, sizeof(file), "%s/%u/map_files/%s", proc_root, pid, range);
	fd = open(file, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return false;
	yes = runtimescan_fd_is_gguf(fd);
	close(fd);
	return yes;
}

int runtimescan_check_pid(const char *proc_root, uint32_t pid, struct runtimescan_hit *hit)
{
	char file[PATH_MAX], line[PATH_MAX + 256], last[PATH_MAX] = "";
	int best = (int)N_RUNTIMES;
	size_t lines = 0;
	bool skipping = false;
	FILE *f;

	memset(hit, 0, sizeof(*hit));
	snprintf(file, sizeof(file), "%s/%u/maps", proc_root, pid);
	f = fopen(file, "re");
	if (!f)
		return -ENOENT;
	while (lines < MAPS_LINES_MAX && fgets(line, sizeof(line), f)) {
		const char *range, *path, *base, *kind;
		bool whole = strchr(line, '\n') != NULL;
		int rank;

		/* a line longer than the buffer (no path is that long) is skipped, tail and all */
		if (skipping || !whole) {
			skipping = !whole;
			continue;
		}
		lines++;
		if (!runtimescan_parse_maps_line(line, &range, &path))
			continue;
		/* a file is mapped in several pieces, one after another */
		if (strcmp(path, last) == 0)
			continue;
		snprintf(last, sizeof(last), "%s", path);
		base = strrchr(path, '/') + 1;
		kind = runtimescan_match_name(base, &rank);
		if (!kind || rank >= best)
			continue;
		if (strcmp(kind, "gguf") == 0 && !path_is_gguf(proc_root, pid, range, path))
			continue;
		best = rank;
		snprintf(hit->kind, sizeof(hit->kind), "%s", kind);
		snprintf(hit->path, sizeof(hit->path), "%s", path);
		if (best == 0)
			break;
	}
	fclose(f);
	return hit->kind[0] ? 1 : 0;
}

int runtimescan_stat(const char *proc_root, uint32_t pid, uint64_t *start, uint64_t *vsize)
{
	struct procscan_stat ps;

	if (procscan_read_stat(proc_root, pid, &ps))
		return -ENOENT;
	*start = ps.start_ticks;
	*vsize = ps.vsize;
	return 0;
}

bool runtimescan_cache_has(const struct runtimescan_cache *c, uint32_t pid, uint64_t start,
			   uint64_t vsize)
{
	const struct runtimescan_seen *s = &c->slot[pid % RUNTIMESCAN_SEEN];

	return s->pid == pid && s->start == start && s->vsize == vsize;
}

void runtimescan_cache_put(struct runtimescan_cache *c, uint32_t pid, uint64_t start,
			   uint64_t vsize)
{
	struct runtimescan_seen *s = &c->slot[pid % RUNTIMESCAN_SEEN];

	s->pid = pid;
	s->start = start;
	s->vsize = vsize;
}
