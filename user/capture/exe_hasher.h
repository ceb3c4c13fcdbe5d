/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * SHA-256 of executables off the record path: the capture writer hands over an open file
 * descriptor of /proc/PID/exe (opened at the process's first event, it pins the file as it
 * was at exec even if it is replaced or deleted since) and a worker thread hashes it. The
 * queue is bounded: a submit never waits; when the queue is full it is refused (the caller
 * counts it). Results are collected with exe_hasher_drain() on the caller's thread.
 */
#ifndef LW_EXE_HASHER_H
#define LW_EXE_HASHER_H

#include <stddef.h>
#include <stdint.h>

#include "core/procfacts.h"

struct exe_hasher;

/* A hasher whose queue holds at most max files (hashing or hashed, not yet drained). */
struct exe_hasher *exe_hasher_new(size_t max);

/*
 * Queues fd (the hasher owns it from now on, and closes it) to be hashed as the file key.
 * Returns 0, or -EAGAIN when the queue is full (fd closed: nothing waits).
 */
int exe_hasher_submit(struct exe_hasher *h, int fd, const struct exe_file_key *key);

/* A finished file: ok false when a read failed (sha256 then meaningless). */
typedef void (*exe_hasher_done_fn)(void *ctx, const struct exe_file_key *key, bool ok,
				   const unsigned char sha256[32]);

/* Calls fn for each file hashed since the last call, on the caller's thread. */
void exe_hasher_drain(struct exe_hasher *h, exe_hasher_done_fn fn, void *ctx);

/* Waits at most timeout_ns for every queued file to be hashed. Returns how many are not. */
size_t exe_hasher_wait(struct exe_hasher *h, uint64_t timeout_ns);

/* Stops the worker (a file being hashed is finished first), closes what is queued. */
void exe_hasher_free(struct exe_hasher *h);

#endif /* LW_EXE_HASHER_H */
