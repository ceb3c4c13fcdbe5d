/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The stream a line-oriented sink (text, JSON) writes to: stdout, or a file it opened
 * itself and closes when destroyed. Shared so that each such sink handles `-`, creation
 * modes and write errors the same way.
 */
#ifndef LW_SINK_FILE_H
#define LW_SINK_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct sink_file {
	FILE *f;
	bool owned; /* opened by sink_file_open(): closed by sink_file_close() */
};

/* A stream the caller keeps: flushed, never closed. */
static inline void sink_file_borrow(struct sink_file *sf, FILE *f)
{
	sf->f = f;
	sf->owned = false;
}

/*
 * Opens path for writing: NULL or "-" is stdout; anything else is created or truncated
 * (O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, mode 0600: the lines say what other users' processes
 * did, read with root's privileges). Returns 0, or -errno with "cannot open PATH: reason"
 * in err[errsz]; sf is then untouched.
 */
int sink_file_open(struct sink_file *sf, const char *path, char *err, size_t errsz);

/*
 * Starts a line: clears errno so that sink_file_end() can say why a write failed. Returns
 * the stream.
 */
FILE *sink_file_begin(struct sink_file *sf);

/*
 * Ends a line begun with sink_file_begin(): 0, or -errno (-EIO when the C library left
 * errno unset) if the stream failed since; the error flag is cleared so that one failure
 * is reported once.
 */
int sink_file_end(struct sink_file *sf);

/* fflush(): 0 or -errno, the error flag cleared. */
int sink_file_flush(struct sink_file *sf);

/* Flushes, and closes the stream if it was opened here. Returns 0 or -errno. */
int sink_file_close(struct sink_file *sf);

#endif /* LW_SINK_FILE_H */
