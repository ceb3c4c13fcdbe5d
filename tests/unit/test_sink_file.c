// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of the line-oriented sinks' file (sinks/sink_file.c): the options after the
 * path, rotation by size (names, how many are kept, keep=0 and 1, a line longer than the
 * limit), whole lines after a short write or a full disk (a write seam, and a real file
 * size limit in a child), reopening after logrotate moved the file, and symlinks never
 * written through.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "sinks/sink_file.h"

static char tmpdir[64];

/* The contents of path, NUL-terminated (empty if unreadable). */
static char *slurp(const char *path)
{
	static char buf[16384];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* tmpdir/name, valid for the test's life (each name is kept in its own slot) */
static const char *tmp(const char *name)
{
	static char buf[64][256];
	static int i;

	for (int k = 0; k < i; k++) {
		const char *slash = strrchr(buf[k], '/');

		if (strcmp(slash + 1, name) == 0)
			return buf[k];
	}
	if (i == 64)
		abort();
	i++;
	snprintf(buf[i - 1], sizeof(buf[i - 1]), "%s/%s", tmpdir, name);
	return buf[i - 1];
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static off_t size_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}

/* Writes "line NNNN ...\n", width bytes (11 to 511), through sf. */
static int put(struct sink_file *sf, int n, int width)
{
	char pad[512];

	memset(pad, '.', sizeof(pad));
	fprintf(sink_file_begin(sf), "line %04d %.*s\n", n, width - 11, pad);
	return sink_file_end(sf);
}

/* Whether every line of s is "line NNNN ...", and how many there are. */
static int whole_lines(const char *s)
{
	int n = 0;

	for (const char *p = s; *p; n++) {
		const char *nl = strchr(p, '\n');

		if (!nl || strncmp(p, "line ", 5) != 0)
			return -1;
		p = nl + 1;
	}
	return n;
}

static void test_parse(void)
{
	struct sink_file_opts o;
	char err[256];

	CHECK_INT(sink_file_parse(NULL, &o, err, sizeof(err)), 0);
	CHECK_STR(o.path, "-");
	CHECK_INT(o.max_size, 0);
	CHECK_INT(sink_file_parse("/var/log/a.json", &o, err, sizeof(err)), 0);
	CHECK_STR(o.path, "/var/log/a.json");
	CHECK_INT(sink_file_parse("/l/a.json,max-size=10M,keep=3", &o, err, sizeof(err)), 0);
	CHECK_STR(o.path, "/l/a.json");
	CHECK_INT(o.max_size, 10 << 20);
	CHECK_INT(o.keep, 3);
	/* either order; the default keep; k and G */
	CHECK_INT(sink_file_parse("/l/a,keep=0,max-size=4k", &o, err, sizeof(err)), 0);
	CHECK_INT(o.max_size, 4096);
	CHECK_INT(o.keep, 0);
	CHECK_INT(sink_file_parse("/l/a,max-size=2G", &o, err, sizeof(err)), 0);
	CHECK_INT(o.max_size, 2ull << 30);
	CHECK_INT(o.keep, SINK_FILE_KEEP_DEFAULT);
	/* a comma that starts no option belongs to the path */
	CHECK_INT(sink_file_parse("/l/a,b.json,max-size=100", &o, err, sizeof(err)), 0);
	CHECK_STR(o.path, "/l/a,b.json");
	CHECK_INT(sink_file_parse("/l/a,b.json", &o, err, sizeof(err)), 0);
	CHECK_STR(o.path, "/l/a,b.json");

	CHECK_INT(sink_file_parse("/l/a,max-size=0", &o, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "\"max-size=0\": not a size (a size in bytes >= 1, with k, M or G for "
		       "KiB, MiB, GiB)");
	CHECK_INT(sink_file_parse("/l/a,max-size=10T", &o, err, sizeof(err)), -EINVAL);
	CHECK_INT(sink_file_parse("/l/a,max-size=-1", &o, err, sizeof(err)), -EINVAL);
	CHECK_INT(sink_file_parse("/l/a,max-size=1,max-size=2", &o, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "given twice") != NULL);
	CHECK_INT(sink_file_parse("/l/a,max-size=1,keep=1001", &o, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "\"keep=1001\": not a count (rotated files kept, 0 to 1000)");
	CHECK_INT(sink_file_parse("/l/a,keep=2", &o, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "keep=2 without max-size=N: nothing would be rotated");
	CHECK_INT(sink_file_parse("-,max-size=1M", &o, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "max-size: stdout cannot be rotated (give a file)");
	CHECK_INT(sink_file_parse(",max-size=1M", &o, err, sizeof(err)), -EINVAL);
}

/* max-size=100,keep=2 with 40-byte lines: two lines a file, PATH.1 and PATH.2, no more */
static void test_rotation(void)
{
	struct sink_file sf;
	char err[256], arg[256];
	const char *p = tmp("rot.json");

	snprintf(arg, sizeof(arg), "%s,max-size=100,keep=2", p);
	CHECK_INT(sink_file_open(&sf, arg, err, sizeof(err)), 0);
	for (int i = 0; i < 9; i++)
		CHECK_INT(put(&sf, i, 40), 0);
	sink_file_close(&sf);
	/* two lines a file: 8 in PATH, 6-7 in .1, 4-5 in .2, 0-3 removed with the oldest */
	CHECK_INT(whole_lines(slurp(p)), 1);
	CHECK(strstr(slurp(p), "line 0008 ") == slurp(p));
	CHECK_INT(whole_lines(slurp(tmp("rot.json.1"))), 2);
	CHECK(strstr(slurp(tmp("rot.json.1")), "line 0006 ") != NULL);
	CHECK(strstr(slurp(tmp("rot.json.1")), "line 0007 ") != NULL);
	CHECK_INT(whole_lines(slurp(tmp("rot.json.2"))), 2);
	CHECK(strstr(slurp(tmp("rot.json.2")), "line 0004 ") != NULL);
	CHECK(!exists(tmp("rot.json.3")));
	CHECK(!exists(tmp("rot.json.0")));
	CHECK(size_of(p) <= 100 && size_of(tmp("rot.json.1")) <= 100);

	/* a line longer than max-size is never split: it gets a file of its own */
	CHECK_INT(sink_file_open(&sf, arg, err, sizeof(err)), 0);
	CHECK_INT(put(&sf, 1, 40), 0);
	CHECK_INT(put(&sf, 2, 150), 0);
	CHECK_INT(put(&sf, 3, 40), 0);
	sink_file_close(&sf);
	CHECK_INT(size_of(tmp("rot.json.1")), 150);
	CHECK(strstr(slurp(tmp("rot.json.2")), "line 0001 ") != NULL);
	CHECK(strstr(slurp(p), "line 0003 ") != NULL);
}

/* keep=0: the file starts again empty; keep=1: one rotated file */
static void test_keep_0_and_1(void)
{
	struct sink_file sf;
	char err[256], arg[256];

	snprintf(arg, sizeof(arg), "%s,max-size=100,keep=0", tmp("k0.json"));
	CHECK_INT(sink_file_open(&sf, arg, err, sizeof(err)), 0);
	for (int i = 0; i < 5; i++)
		CHECK_INT(put(&sf, i, 40), 0);
	sink_file_close(&sf);
	CHECK_INT(whole_lines(slurp(tmp("k0.json"))), 1);
	CHECK(strstr(slurp(tmp("k0.json")), "line 0004 ") != NULL);
	CHECK(!exists(tmp("k0.json.1")));

	snprintf(arg, sizeof(arg), "%s,max-size=100,keep=1", tmp("k1.json"));
	CHECK_INT(sink_file_open(&sf, arg, err, sizeof(err)), 0);
	for (int i = 0; i < 5; i++)
		CHECK_INT(put(&sf, i, 40), 0);
	sink_file_close(&sf);
	CHECK(strstr(slurp(tmp("k1.json")), "line 0004 ") != NULL);
	CHECK_INT(whole_lines(slurp(tmp("k1.json.1"))), 2);
	CHECK(strstr(slurp(tmp("k1.json.1")), "line 0002 ") != NULL);
	CHECK(!exists(tmp("k1.json.2")));
}

/* the seam: the first write of a line takes part of it, the next says the disk is full */
static int seam_calls, seam_fail_from;

static ssize_t short_then_enospc(int fd, const void *buf, size_t len)
{
	seam_calls++;
	if (seam_calls < seam_fail_from)
		return write(fd, buf, len);
	if (seam_calls == seam_fail_from)
		return write(fd, buf, len / 2);
	errno = ENOSPC;
	return -1;
}

static void test_short_write(void)
{
	struct sink_file sf;
	char err[256];
	const char *p = tmp("short.json");

	CHECK_INT(sink_file_open(&sf, p, err, sizeof(err)), 0);
	sf.write_fn = short_then_enospc;
	seam_calls = 0;
	seam_fail_from = 3;
	CHECK_INT(put(&sf, 1, 30), 0);
	CHECK_INT(put(&sf, 2, 30), 0);
	CHECK_INT(put(&sf, 3, 30), -ENOSPC); /* half written, then the disk is full */
	CHECK_INT(size_of(p), 60);	     /* the half line is gone */
	CHECK_INT(put(&sf, 4, 30), -ENOSPC);
	/* room again: the next line follows the last whole one, no hole, no torn line */
	sf.write_fn = write;
	CHECK_INT(put(&sf, 5, 30), 0);
	sink_file_close(&sf);
	CHECK_INT(whole_lines(slurp(p)), 3);
	CHECK(strstr(slurp(p), "line 0005 ") == slurp(p) + 60);
	CHECK_INT(size_of(p), 90);
}

/* a real file size limit (RLIMIT_FSIZE) in a child: the kernel stops the write short */
static void test_fsize_limit(void)
{
	const char *p = tmp("fsize.json");
	pid_t pid = fork();
	int status = 0;

	if (pid == 0) {
		struct rlimit rl = { 100, 100 };
		struct sink_file sf;
		char err[256];
		int e = 0, i;

		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &rl) || sink_file_open(&sf, p, err, sizeof(err)))
			_exit(10);
		for (i = 0; i < 10 && !e; i++)
			e = put(&sf, i, 30);
		/* lines 0-2 fit (90 bytes), line 3 is cut at 100, then EFBIG */
		if (e != -EFBIG || i != 4)
			_exit(11);
		sink_file_close(&sf);
		_exit(0);
	}
	CHECK(pid > 0);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status));
	CHECK_INT(WEXITSTATUS(status), 0);
	CHECK_INT(size_of(p), 90);
	CHECK_INT(whole_lines(slurp(p)), 3);
}

/* logrotate: mv PATH PATH.old, SIGHUP; lines before the reopen went to the moved file */
static void test_reopen(void)
{
	struct sink_file sf;
	char err[256], arg[256];
	const char *p = tmp("hup.json"), *old = tmp("hup.json.old");

	CHECK_INT(sink_file_open(&sf, p, err, sizeof(err)), 0);
	CHECK_INT(put(&sf, 1, 20), 0);
	CHECK_INT(rename(p, old), 0);
	CHECK_INT(put(&sf, 2, 20), 0);
	CHECK_INT(sink_file_reopen(&sf), 0);
	CHECK_INT(put(&sf, 3, 20), 0);
	CHECK_INT(whole_lines(slurp(old)), 2);
	CHECK(strstr(slurp(old), "line 0002") != NULL);
	CHECK_INT(whole_lines(slurp(p)), 1);
	CHECK(strstr(slurp(p), "line 0003") != NULL);
	/* a reopen without a move appends: nothing written is cut */
	CHECK_INT(sink_file_reopen(&sf), 0);
	CHECK_INT(put(&sf, 4, 20), 0);
	CHECK_INT(whole_lines(slurp(p)), 2);
	/* a symlink planted in its place is refused; the file opened before is kept */
	CHECK_INT(rename(p, old), 0);
	CHECK_INT(symlink(tmp("precious"), p), 0);
	CHECK_INT(sink_file_reopen(&sf), -ELOOP);
	CHECK_INT(put(&sf, 5, 20), 0);
	CHECK(strstr(slurp(old), "line 0005") != NULL);
	CHECK(!exists(tmp("precious")));
	sink_file_close(&sf);
	unlink(p);

	/* the size after a reopen counts what the file held: rotation still on time */
	snprintf(arg, sizeof(arg), "%s,max-size=50,keep=1", tmp("hup2.json"));
	CHECK_INT(sink_file_open(&sf, arg, err, sizeof(err)), 0);
	CHECK_INT(put(&sf, 1, 20), 0);
	CHECK_INT(sink_file_reopen(&sf), 0);
	CHECK_INT(put(&sf, 2, 20), 0);
	CHECK_INT(put(&sf, 3, 20), 0);
	sink_file_close(&sf);
	CHECK_INT(whole_lines(slurp(tmp("hup2.json.1"))), 2);
	CHECK_INT(whole_lines(slurp(tmp("hup2.json"))), 1);
}

/* rotation renames links, never writes through them; a failed rotation loses no line */
static void test_rotation_links_and_failures(void)
{
	struct sink_file sf;
	char err[256], arg[256];
	const char *p = tmp("lnk.json");
	int fd;

	fd = open(tmp("target"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && write(fd, "keep me\n", 8) == 8);
	close(fd);
	CHECK_INT(symlink(tmp("target"), tmp("lnk.json.1")), 0);
	snprintf(arg, sizeof(arg), "%s,max-size=50,keep=2", p);
	CHECK_INT(sink_file_open(&sf, arg, err, sizeof(err)), 0);
	for (int i = 0; i < 3; i++)
		CHECK_INT(put(&sf, i, 30), 0);
	CHECK_STR(slurp(tmp("target")), "keep me\n");

	/* PATH.1 a directory that cannot be replaced: said once, the line still written */
	CHECK_INT(unlink(tmp("lnk.json.2")), 0); /* the moved link */
	CHECK_INT(mkdir(tmp("lnk.json.2"), 0700), 0);
	CHECK_INT(mkdir(tmp("lnk.json.2/x"), 0700), 0);
	CHECK(put(&sf, 3, 30) != 0);
	CHECK_INT(put(&sf, 4, 30), 0); /* the file grows until the next reopen */
	sink_file_close(&sf);
	CHECK(strstr(slurp(p), "line 0003") != NULL);
	CHECK(strstr(slurp(p), "line 0004") != NULL);
	CHECK_STR(slurp(tmp("target")), "keep me\n");
	CHECK_INT(sink_file_open(&sf, tmp("target") /* a regular file is fine */, err, sizeof(err)),
		  0);
	sink_file_close(&sf);
	snprintf(arg, sizeof(arg), "/dev/null,max-size=50");
	CHECK_INT(sink_file_open(&sf, arg, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "max-size: /dev/null is not a regular file (nothing to rotate)");
}

int main(void)
{
	char cmd[128];

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/lw-sink-file-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_parse();
	test_rotation();
	test_keep_0_and_1();
	test_short_write();
	test_fsize_limit();
	test_reopen();
	test_rotation_links_and_failures();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd)) /* NOLINT(cert-env33-c): a fixed command on our mkdtemp dir */
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return check_summary("test_sink_file");
}
