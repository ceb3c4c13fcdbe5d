/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The stream a line-oriented sink (text, JSON) writes to: stdout, or a file it opened
 * itself, rotated by size and reopened on request (SIGHUP, for logrotate). Shared so that
 * each such sink handles `-`, creation modes, rotation and write errors the same way.
 *
 * Every line reaches the file whole or not at all: the sink builds it in memory (the stream
 * sink_file_begin() returns) and sink_file_end() hands it to one write(2); should the write
 * stop short (a full disk, a file size limit), what it left of the line is cut off again,
 * so a shipper reading the file never meets a torn line.
 */
#ifndef LW_SINK_FILE_H
#define LW_SINK_FILE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* The most rotated files kept (PATH.1 ... PATH.1000). */
#define SINK_FILE_KEEP_MAX 1000
/* keep=K when only max-size=N is given */
#define SINK_FILE_KEEP_DEFAULT 5

/* What follows an output's name: PATH[,max-size=N[k|M|G]][,keep=K], or "-" for stdout. */
struct sink_file_opts {
	char path[PATH_MAX]; /* "-" for stdout */
	uint64_t max_size;   /* rotate before a line would take the file past this; 0: never */
	unsigned int keep;   /* rotated files kept: PATH.1 (newest) to PATH.keep */
};

struct sink_file {
	FILE *borrowed; /* a caller's stream (sink_file_borrow): lines go through its stdio */
	int fd;		/* the file or stdout; -1 when borrowed */
	bool owned;	/* fd opened here: closed by sink_file_close() */
	char *path;	/* the file's path (for rotation and reopening); NULL for stdout */
	uint64_t max_size;
	unsigned int keep;
	uint64_t size;	    /* bytes in the current file, for rotation */
	bool rotate_failed; /* a rotation failed: the file grows until the next reopen */
	FILE *line;	    /* the memory stream a line is built in */
	char *line_buf;
	size_t line_len;
	/* write(2); a seam for tests, which make it stop short or fail */
	ssize_t (*write_fn)(int fd, const void *buf, size_t len);
};

/*
 * Parses arg (NULL is "-"): a path, then options after commas, taken from the end while
 * they are max-size=N (bytes, or k, M, G for KiB, MiB, GiB; >= 1) or keep=K (0 to
 * SINK_FILE_KEEP_MAX, needs max-size), so a path may itself hold commas. Returns 0, or
 * -EINVAL with the reason in err[errsz] naming the value at fault.
 */
int sink_file_parse(const char *arg, struct sink_file_opts *o, char *err, size_t errsz);

/*
 * Writes to the caller's stream f, flushed (sink_file_flush) but never closed. Returns 0 or
 * -ENOMEM; sf is then closed (sink_file_close is harmless).
 */
int sink_file_borrow(struct sink_file *sf, FILE *f);

/*
 * Opens what arg names (sink_file_parse): "-" (or NULL) is stdout; a path is created or
 * truncated (O_WRONLY|O_CREAT|O_TRUNC|O_APPEND|O_CLOEXEC|O_NOFOLLOW, mode 0600: the lines
 * say what other users' processes did, read with root's privileges); never through a
 * symlink. Returns 0, or -errno with the reason in err[errsz] ("cannot open PATH: ...",
 * "max-size ...: not a regular file"); sf is then closed.
 */
int sink_file_open(struct sink_file *sf, const char *arg, char *err, size_t errsz);

/* Starts a line: returns the memory stream to print it into, emptied. */
FILE *sink_file_begin(struct sink_file *sf);

/*
 * Ends a line begun with sink_file_begin() (it may hold several '\n'-ended lines, written
 * as one): rotates first if the file would pass max-size, then writes it in one write(2)
 * (more only if the kernel takes it in parts). Returns 0, or -errno: the line was not
 * written, and nothing of it is left in the file (-ENOMEM if it could not be built). A
 * failed rotation returns its -errno once, the line still written to the current file.
 */
int sink_file_end(struct sink_file *sf);

/*
 * Writes len bytes built elsewhere (one or more whole '\n'-ended lines) as sink_file_end()
 * writes what was built in the stream: rotation first, one write(2), a torn line cut off.
 * For a sink that builds its line in a buffer of its own (JSON), without the stream's copy.
 * Returns 0 or -errno as sink_file_end().
 */
int sink_file_write(struct sink_file *sf, const char *buf, size_t len);

/*
 * Opens the file's path again, appending (a file logrotate moved away is created anew), and
 * re-arms rotation. Returns 0 (stdout and a borrowed stream: nothing to do), or -errno: the
 * old file is kept and still written.
 */
int sink_file_reopen(struct sink_file *sf);

/* Pushes out a borrowed stream's buffer: 0 or -errno, its error flag cleared. */
int sink_file_flush(struct sink_file *sf);

/* Flushes, closes what was opened here, frees. Returns 0 or -errno. Harmless twice. */
int sink_file_close(struct sink_file *sf);

#endif /* LW_SINK_FILE_H */
