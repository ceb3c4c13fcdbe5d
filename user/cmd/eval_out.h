/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Where `llmwatch eval` writes: DIR (default ./llmwatch-eval-YYYYmmdd-HHMMSS), created mode
 * 0700, or an existing empty directory; never an existing non-empty one. Its files are
 * created mode 0600 and never through a link, and under sudo the directory and its files
 * are given to the person who asked once written.
 */
#ifndef LW_EVAL_OUT_H
#define LW_EVAL_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#define EVAL_OUT_CAPTURE "capture.lwc"

struct eval_out {
	char dir[4096];
	bool created; /* by eval (else it existed, empty) */
};

/* The default DIR for a run started at t (local time): "llmwatch-eval-YYYYmmdd-HHMMSS". */
void eval_out_default_name(time_t t, char *buf, size_t size);

/*
 * Makes dir ready: created mode 0700 if missing (its parent must exist), accepted if an
 * empty directory, refused otherwise. Returns 0, or -1 with the reason in err[n].
 */
int eval_out_prepare(struct eval_out *o, const char *dir, char *err, size_t n);

/* DIR/name into buf[size]; -ENAMETOOLONG if it does not fit, else 0. */
int eval_out_path(const struct eval_out *o, const char *name, char *buf, size_t size);

/*
 * Creates DIR/name (mode 0600; fails if it exists, a link included) for writing. NULL
 * with errno set on failure.
 */
FILE *eval_out_create(const struct eval_out *o, const char *name);

/*
 * Gives DIR (when eval created it) and the files named in names (NULL-terminated; those
 * missing are skipped) to uid:gid, never following a link. Returns 0, or -errno of the
 * first failure (said on stderr).
 */
int eval_out_give(const struct eval_out *o, const char *const *names, uid_t uid, gid_t gid);

#endif /* LW_EVAL_OUT_H */
