/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The audit's "gguf" item (issue 17): every GGUF model in the tools' model directories, and
 * the files given with --gguf, validated with gguf_check (gguf_check.h).
 */
#ifndef LW_CHECK_GGUF_H
#define LW_CHECK_GGUF_H

#include <stddef.h>

#include "audit/audit.h"
#include "audit/gguf_check.h"

/* How many files one audit validates; past it the rest are counted and reported as cut. */
#define CHECK_GGUF_MAX_FILES 10000u
/* The walk of each model directory: how deep, and how many entries it looks at. */
#define CHECK_GGUF_MAX_DEPTH 6u
#define CHECK_GGUF_MAX_ENTRIES 100000u

/*
 * gguf-files: a FAIL naming the problem for each malformed file, a PASS with the version,
 * the counts and the architecture for each valid one, a SKIP for a file that could not be
 * read. Returns 0 (-ENOMEM is counted by the report, not returned).
 */
int check_gguf_files(const struct audit_ctx *c, struct audit_report *r);

/*
 * gguf_check_mem() over map[0..len), a mapping of a file that someone may truncate while it
 * is read: the SIGBUS that touching a page past the file's new end raises is caught, for
 * this thread and this range only. Returns what gguf_check_mem() returns, or -EIO when the
 * file shrank under the read (r->text says so; r->ok is false).
 */
int check_gguf_guarded(const void *map, size_t len, struct gguf_check_result *r);

/*
 * Validates the regular file open at fd (size bytes), mapping it read-only through
 * check_gguf_guarded(). Returns 0 when it could judge, or -errno (r->text says why).
 */
int check_gguf_fd(int fd, size_t size, struct gguf_check_result *r);

#endif /* LW_CHECK_GGUF_H */
