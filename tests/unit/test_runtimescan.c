// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of the scan for inference runtimes (core/runtimescan): the maps-line parser,
 * the runtime names, the GGUF magic check, and whole processes in a fake /proc tree.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "core/runtimescan.h"

static char tmpdir[64], proc_root[256];

static void test_parse(void)
{
	char l1[] = "7f00-7f10 r-xp 00000000 08:01 1234   /usr/lib/libggml-base.so\n";
	char l2[] = "7f00-7f10 rw-p 00000000 00:00 0 \n";
	char l3[] = "7ffd-7ffe rw-p 00000000 00:00 0      [stack]\n";
	char l4[] = "7f00-7f10 r--p 00000000 08:01 99 /tmp/a model.gguf (deleted)\n";
	char l5[] = "garbage\n";
	char l6[] = "zz-yy r--p 0 08:01 99 /x.gguf\n";
	char l7[] = "7f00-7f10 r--s 00000000 00:01 5 /memfd:x (deleted)\n";
	const char *range = NULL, *path = NULL;

	CHECK(runtimescan_parse_maps_line(l1, &range, &path));
	CHECK_STR(range, "7f00-7f10");
	CHECK_STR(path, "/usr/lib/libggml-base.so");
	CHECK(!runtimescan_parse_maps_line(l2, &range, &path));
	CHECK(!runtimescan_parse_maps_line(l3, &range, &path));
	CHECK(runtimescan_parse_maps_line(l4, &range, &path));
	CHECK_STR(path, "/tmp/a model.gguf"); /* spaces kept, the unlink suffix dropped */
	CHECK(!runtimescan_parse_maps_line(l5, &range, &path));
	CHECK(!runtimescan_parse_maps_line(l6, &range, &path));
	CHECK(runtimescan_parse_maps_line(l7, &range, &path));
	CHECK_STR(path, "/memfd:x");
}

#define KIND(base) (runtimescan_match_name((base), &rank) ?: "")

static void test_names(void)
{
	int rank, r2;

	CHECK_STR(KIND("libllama.so"), "llama.cpp");
	CHECK_STR(KIND("libllama.so.0.0.1"), "llama.cpp");
	CHECK_STR(KIND("libggml-base.so"), "ggml");
	CHECK_STR(KIND("libggml-cpu.so"), "ggml");
	CHECK_STR(KIND("libggml.so"), "ggml");
	CHECK_STR(KIND("llama-addon.node"), "node-llama-cpp");
	CHECK_STR(KIND("libllmodel.so.0"), "gpt4all");
	CHECK_STR(KIND("libllamamodel-mainline-cuda.so"), "gpt4all");
	CHECK_STR(KIND("qwen2.5-0.5b-q4_k_m.gguf"), "gguf");
	CHECK_STR(KIND("libc.so.6"), "");
	CHECK_STR(KIND("libllamafile.a"), "");
	CHECK_STR(KIND("libggml.dylib"), "");
	CHECK_STR(KIND("model.gguf.part"), "");
	CHECK_STR(KIND(".gguf"), ""); /* a hidden file named only the suffix */
	/* the most specific wins: the runtime over its ggml, over a model */
	runtimescan_match_name("libllama.so", &rank);
	runtimescan_match_name("libggml-base.so", &r2);
	CHECK(rank < r2);
	runtimescan_match_name("m.gguf", &rank);
	CHECK(r2 < rank);
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "w");

	if (!f || fwrite(data, 1, len, f) != len)
		perror(path);
	if (f)
		fclose(f);
}

static const char gguf[24] = { 'G', 'G', 'U', 'F', 3 };

static void test_magic(void)
{
	char p[PATH_MAX];
	int fd;

	snprintf(p, sizeof(p), "%s/good.gguf", tmpdir);
	write_file(p, gguf, sizeof(gguf));
	fd = open(p, O_RDONLY);
	CHECK(runtimescan_fd_is_gguf(fd));
	close(fd);
	snprintf(p, sizeof(p), "%s/short.gguf", tmpdir);
	write_file(p, "GGU", 3);
	fd = open(p, O_RDONLY);
	CHECK(!runtimescan_fd_is_gguf(fd));
	close(fd);
	fd = open(tmpdir, O_RDONLY | O_DIRECTORY);
	CHECK(!runtimescan_fd_is_gguf(fd)); /* not a regular file */
	close(fd);
}

/* a fake process: stat (vsize given), and maps holding text */
static void fake(uint32_t pid, unsigned long long vsize, const char *maps)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%u", proc_root, pid);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%u/stat", proc_root, pid);
	f = fopen(path, "w");
	if (f) {
		fprintf(f,
			"%u (a (b) c) S 1 %u %u 0 -1 4194560 1000 0 0 0 10 5 0 0 20 0 4 0 777 %llu "
			"1000\n",
			pid, pid, pid, vsize);
		fclose(f);
	}
	if (maps) {
		snprintf(path, sizeof(path), "%s/%u/maps", proc_root, pid);
		write_file(path, maps, strlen(maps));
	}
}

static void test_proc(void)
{
	struct runtimescan_hit *hit = malloc(sizeof(*hit));
	char maps[PATH_MAX * 4], good[PATH_MAX], bad[PATH_MAX], fifo[PATH_MAX], link[PATH_MAX];
	char path[PATH_MAX];
	uint64_t start = 0, vsize = 0;
	struct runtimescan_cache *c = calloc(1, sizeof(*c));
	char *huge;

	if (!hit || !c) {
		free(hit);
		free(c);
		CHECK(!"out of memory");
		return;
	}
	snprintf(good, sizeof(good), "%s/model.gguf", tmpdir);
	write_file(good, gguf, sizeof(gguf));
	snprintf(bad, sizeof(bad), "%s/x.gguf", tmpdir);
	write_file(bad, "not a model", 11);
	snprintf(fifo, sizeof(fifo), "%s/pipe.gguf", tmpdir);
	CHECK_INT(mkfifo(fifo, 0600), 0);
	snprintf(link, sizeof(link), "%s/link.gguf", tmpdir);
	CHECK_INT(symlink(good, link), 0);

	fake(10, 5000,
	     "1000-2000 r-xp 00000000 08:01 7 /usr/lib/libc.so.6\n"
	     "2000-3000 r-xp 00000000 08:01 8 /opt/app/lib/libggml-base.so\n"
	     "3000-4000 r--p 00001000 08:01 8 /opt/app/lib/libggml-base.so\n"
	     "4000-5000 r-xp 00000000 08:01 9 /opt/app/lib/libllama.so\n");
	CHECK_INT(runtimescan_check_pid(proc_root, 10, hit), 1);
	CHECK_STR(hit->kind, "llama.cpp");
	CHECK_STR(hit->path, "/opt/app/lib/libllama.so");

	snprintf(maps, sizeof(maps), "1000-2000 r--s 00000000 08:01 7 %s\n", good);
	fake(11, 5000, maps);
	CHECK_INT(runtimescan_check_pid(proc_root, 11, hit), 1);
	CHECK_STR(hit->kind, "gguf");
	CHECK_STR(hit->path, good);

	/* named .gguf without the magic; a FIFO (must not block); a symbolic link */
	snprintf(maps, sizeof(maps),
		 "1000-2000 r--s 00000000 08:01 7 %s\n2000-3000 r--s 00000000 08:01 8 %s\n"
		 "3000-4000 r--s 00000000 08:01 9 %s\n",
		 bad, fifo, link);
	fake(12, 5000, maps);
	CHECK_INT(runtimescan_check_pid(proc_root, 12, hit), 0);

	/* the mapped file through map_files, whatever the path says */
	fake(13, 5000, "1000-2000 r--s 00000000 08:01 7 /elsewhere/in/a/container/m.gguf\n");
	snprintf(path, sizeof(path), "%s/13/map_files", proc_root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/13/map_files/1000-2000", proc_root);
	CHECK_INT(symlink(good, path), 0);
	CHECK_INT(runtimescan_check_pid(proc_root, 13, hit), 1);
	CHECK_STR(hit->kind, "gguf");
	CHECK_STR(hit->path, "/elsewhere/in/a/container/m.gguf");

	/* a line longer than any path is skipped whole: its tail is not read as a line */
	huge = malloc(PATH_MAX * 3);
	if (huge) {
		memset(huge, 'a', PATH_MAX * 3);
		memcpy(huge, "1000-2000 r-xp 0 08:01 7 /", 26);
		snprintf(huge + PATH_MAX * 2, PATH_MAX,
			 " 3000-4000 r-xp 0 08:01 7 /x/libllama.so\n"
			 "5000-6000 r-xp 0 08:01 7 /lib/libggml.so\n");
		fake(14, 5000, huge);
		CHECK_INT(runtimescan_check_pid(proc_root, 14, hit), 1);
		CHECK_STR(hit->kind, "ggml");
		free(huge);
	}

	fake(15, 5000, "1000-2000 r-xp 0 08:01 7 /usr/bin/python3.11\n");
	CHECK_INT(runtimescan_check_pid(proc_root, 15, hit), 0);
	CHECK_INT(runtimescan_check_pid(proc_root, 16, hit), -ENOENT);

	/* stat: start time and virtual size, with a name holding ") " */
	CHECK_INT(runtimescan_stat(proc_root, 15, &start, &vsize), 0);
	CHECK(start == 777 && vsize == 5000);
	CHECK_INT(runtimescan_stat(proc_root, 16, &start, &vsize), -ENOENT);

	/* the negative cache: same pid, start and size only; a collision evicts */
	runtimescan_cache_put(c, 15, 777, 5000);
	CHECK(runtimescan_cache_has(c, 15, 777, 5000));
	CHECK(!runtimescan_cache_has(c, 15, 777, 6000));
	CHECK(!runtimescan_cache_has(c, 15, 778, 5000));
	runtimescan_cache_put(c, 15 + RUNTIMESCAN_SEEN, 1, 1);
	CHECK(!runtimescan_cache_has(c, 15, 777, 5000));
	free(c);
	free(hit);
}

int main(void)
{
	char cmd[128];

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/lwrt.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(proc_root, sizeof(proc_root), "%s/proc", tmpdir);
	mkdir(proc_root, 0755);
	test_parse();
	test_names();
	test_magic();
	test_proc();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0) /* NOLINT(cert-env33-c): a fixed command on our mkdtemp dir */
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return check_summary("test_runtimescan");
}
